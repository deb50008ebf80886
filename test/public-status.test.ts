// The public status page shows only what staff published to it (issue 15, item 5): a message written
// for one client reaches that client's page and nowhere public (the page, its .json, .atom and .rss,
// the public page's subscribers); an entry published with its own text is what the public page shows,
// with who may publish, the timeline, withdrawing, and refused template variables. PGlite and PostgreSQL.
import { parseFeed } from '@rowanmanning/feed-parser';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStatusDelivery } from '../src/jobs/deliver-status.js';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { startHttpReceiver, type HttpReceiver } from './support/http-receiver.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

let ipCounter = 0;
const nextIp = () => `10.88.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const PUBLIC_PATHS = ['/status', '/status.json', '/status.atom', '/status.rss'];

describe.each(testBackends())('the public status page on %s', (kind) => {
  let t: TestApp;
  let receiver: HttpReceiver;
  const tag = `${kind}${Date.now().toString(36)}`;
  let cat: { compA: { id: string; name: string }; a: { id: string; slug: string }; b: { id: string; slug: string } };
  let publicHook: string;

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const publicPages = async () => Promise.all(PUBLIC_PATHS.map(async (p) => (await get(p)).body));
  async function clientPage(clientId: string, suffix = '') {
    const res = await t.admin.post(`/api/v1/clients/${clientId}/status-link`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const link = new URL(res.body.url as string);
    return (await get(`${link.pathname}${suffix}${link.search}`)).body;
  }
  /** Pages hear of changes by NOTIFY: wait until every public format shows what it should. */
  async function publicUntil(predicate: (body: string) => boolean) {
    await expect.poll(async () => (await publicPages()).every(predicate), { timeout: 5_000, interval: 50 }).toBe(true);
    return publicPages();
  }
  async function publicDeliveries(incidentKey: string, text: string) {
    const [r] = await rows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM status_subscriber_deliveries d JOIN status_subscribers s ON s.id = d.subscriber_id
        WHERE s.client_id IS NULL AND d.kind = 'update' AND (d.text_body LIKE ${`%${incidentKey}%`} OR d.text_body LIKE ${`%${text}%`})`,
    );
    return r!.n;
  }

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    t = await createTestApp(kind, { delivery: { retryBaseMs: 50 }, allowsPrivateWebhookTargets: true });
    const compA = await buildComponent(t.admin, `Login service ${tag}`);
    const a = await buildClient(t.admin, { name: `Acme ${tag}`, componentIds: [compA.id] });
    const b = await buildClient(t.admin, { name: `Bolt ${tag}`, componentIds: [compA.id] });
    cat = { compA, a, b };
    // A follower of the public page, by webhook (active at once).
    publicHook = `${receiver.url}/hooks/public-${tag}`;
    const signUp = await t.app.inject({ method: 'POST', url: '/status/subscribe', payload: { channel: 'webhook', url: publicHook, componentIds: [] }, remoteAddress: nextIp() });
    expect(signUp.statusCode, signUp.body).toBe(202);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('keeps a message sent only to client A on A\'s page and off everything public; after publishing, the public text and only it appears', async () => {
    const secret = `Acme customer records from 2024 were exposed ${tag}`;
    const inc = await buildAffectedIncident(t.admin, cat.compA.id);
    const sent = await t.admin.post(`/api/v1/incidents/${inc.id}/communications`, { kind: 'initial', clientIds: [cat.a.id], body: secret });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    // A's page shows it (HTML and JSON); B's does not.
    await expect.poll(async () => (await clientPage(cat.a.id)).includes(secret), { timeout: 5_000, interval: 50 }).toBe(true);
    expect(await clientPage(cat.a.id, '.json')).toContain(secret);
    expect(await clientPage(cat.b.id)).not.toContain(secret);
    // Nowhere public: the page, its JSON and both feeds, rendered after the message was sent (a new
    // component, which the public page shows, marks a copy as that recent).
    const marker = await buildComponent(t.admin, `Marker ${tag}`);
    // The four formats of a page are rendered together: once the HTML shows the marker, so are they.
    await expect.poll(async () => (await get('/status')).body.includes(marker.name), { timeout: 5_000, interval: 50 }).toBe(true);
    for (const body of await publicPages()) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain(inc.key);
    }
    // Nor the public page's subscribers.
    expect(await publicDeliveries(inc.key, secret)).toBe(0);

    // Published, with its own public text: that is what the public page, feeds and subscribers get.
    const publicText = `Some users cannot log in ${tag}. **We are on it.**`;
    const published = await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { title: `Login problems ${tag}`, body: publicText });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ publicTitle: `Login problems ${tag}`, publishedAt: expect.any(String) });
    const [html, json, atom, rss] = await publicUntil((b) => b.includes(`Login problems ${tag}`));
    for (const body of [html!, json!, atom!, rss!]) expect(body).not.toContain(secret);
    expect(html).toContain('<strong>We are on it.</strong>');
    const doc = JSON.parse(json!) as { incidents: { active: { key: string; title: string; updates: { text: string; impactSummary: string | null }[] }[] } };
    const shown = doc.incidents.active.find((i) => i.key === inc.key)!;
    expect(shown.title).toBe(`Login problems ${tag}`);
    expect(shown.updates).toEqual([expect.objectContaining({ text: publicText, impactSummary: null })]);
    expect(parseFeed(atom!).items.filter((i) => i.title?.includes(inc.key)).map((i) => i.content)).toEqual([expect.stringContaining(`Some users cannot log in ${tag}`)]);
    expect(parseFeed(rss!).items.some((i) => i.title?.includes(`Login problems ${tag}`))).toBe(true);
    await expect.poll(() => receiver.requests.filter((r) => r.path.endsWith(`public-${tag}`) && r.body.includes(inc.key)).length, { timeout: 10_000 }).toBe(1);
    const notice = receiver.requests.find((r) => r.path.endsWith(`public-${tag}`) && r.body.includes(inc.key))!;
    expect(notice.body).not.toContain(secret);
    expect(JSON.parse(notice.body)).toMatchObject({ data: { page: { kind: 'public' }, incident: { key: inc.key, title: `Login problems ${tag}` }, update: { kind: 'initial', text: publicText } } });
    // A's page still shows what A was sent.
    expect(await clientPage(cat.a.id)).toContain(secret);
    // The timeline records the decision, with the public text.
    const timeline = await t.admin.get(`/api/v1/incidents/${inc.id}/timeline`);
    expect(timeline.body.items).toContainEqual(expect.objectContaining({ type: 'publication.published', data: expect.objectContaining({ title: `Login problems ${tag}`, body: publicText }) }));

    // A later client message stays off the public page; a later public entry joins it (title kept).
    await t.admin.post(`/api/v1/incidents/${inc.id}/communications`, { kind: 'update', clientIds: [cat.a.id], body: `Acme's exports resume ${tag}` });
    const later = await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { body: `Logins work again ${tag}.`, state: 'resolved' });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    const after = await publicUntil((b) => b.includes(`Logins work again ${tag}`));
    for (const body of after) expect(body).not.toContain(`Acme's exports resume ${tag}`);
    const resolved = JSON.parse(after[1]!) as { incidents: { active: { key: string }[]; recent: { key: string; updates: unknown[] }[] } };
    expect(resolved.incidents.active.map((i) => i.key)).not.toContain(inc.key);
    expect(resolved.incidents.recent.find((i) => i.key === inc.key)!.updates).toHaveLength(2);
    const entries = await t.admin.get(`/api/v1/incidents/${inc.id}/public-updates`);
    expect(entries.body.items.map((e: { body: string; state: string }) => [e.body, e.state])).toEqual([
      [publicText, 'investigating'],
      [`Logins work again ${tag}.`, 'resolved'],
    ]);
  });

  it('lets the Incident Manager, the Communication Lead or an admin publish, nobody else', async () => {
    const inc = await buildAffectedIncident(t.admin, cat.compA.id);
    const member = await t.user('member');
    const lead = await t.user('member');
    const viewer = await t.user('viewer');
    const clientUser = await t.user('client', { clientId: cat.a.id });
    const entry = { title: `Who may ${tag}`, body: 'Checking.' };
    const refused = await member.post(`/api/v1/incidents/${inc.id}/public-updates`, entry);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body).toMatchObject({ code: 'not_publisher' });
    expect((await viewer.post(`/api/v1/incidents/${inc.id}/public-updates`, entry)).status).toBe(403);
    expect([403, 404]).toContain((await clientUser.post(`/api/v1/incidents/${inc.id}/public-updates`, entry)).status);
    expect([403, 404]).toContain((await clientUser.get(`/api/v1/incidents/${inc.id}/public-updates`)).status);
    expect((await t.admin.post(`/api/v1/incidents/${inc.id}/roles`, { communicationLeadId: lead.userId })).status).toBe(200);
    const byLead = await lead.post(`/api/v1/incidents/${inc.id}/public-updates`, entry);
    expect(byLead.status, JSON.stringify(byLead.body)).toBe(201);
    expect((await member.post(`/api/v1/incidents/${inc.id}/public-updates/withdrawal`, { reason: 'no' })).status).toBe(403);
  });

  it('refuses template variables and a missing title, naming the field; nothing is published', async () => {
    const inc = await buildAffectedIncident(t.admin, cat.compA.id);
    const withVariable = await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { title: 'Outage', body: 'Dear {{ client.name }}, sorry.' });
    expect(withVariable.status).toBe(400);
    expect(withVariable.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(withVariable.body)).toContain('body');
    const noTitle = await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { body: 'Something is wrong.' });
    expect(noTitle.status).toBe(422);
    expect(noTitle.body).toMatchObject({ code: 'public_text_required', missing: ['title'] });
    expect((await t.admin.get(`/api/v1/incidents/${inc.id}/public-updates`)).body.items).toEqual([]);
  });

  it('withdraws an incident from the public page with a reason; published again, only the new entry shows', async () => {
    const inc = await buildAffectedIncident(t.admin, cat.compA.id);
    await t.admin.post(`/api/v1/incidents/${inc.id}/communications`, { kind: 'initial', body: `To every client ${tag}` });
    expect((await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { title: `Wrong words ${tag}`, body: `First text ${tag}` })).status).toBe(201);
    await publicUntil((b) => b.includes(`First text ${tag}`));
    const withdrawn = await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates/withdrawal`, { reason: 'The text was wrong.' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body.publishedAt).toBeNull();
    await publicUntil((b) => !b.includes(inc.key));
    expect((await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates/withdrawal`, { reason: 'again' })).body).toMatchObject({ code: 'not_published' });
    expect((await t.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { title: `Right words ${tag}`, body: `Second text ${tag}` })).status).toBe(201);
    const again = await publicUntil((b) => b.includes(`Second text ${tag}`));
    for (const body of again) {
      expect(body).not.toContain(`First text ${tag}`);
      expect(body).not.toContain(`Wrong words ${tag}`);
      expect(body).not.toContain(`To every client ${tag}`);
    }
    const timeline = await t.admin.get(`/api/v1/incidents/${inc.id}/timeline?order=asc`);
    expect(timeline.body.items.map((e: { type: string }) => e.type).filter((x: string) => x.startsWith('publication.'))).toEqual(['publication.published', 'publication.withdrawn', 'publication.published']);
  });

  it('drops the notices of a withdrawn entry that have not gone out yet', async () => {
    // An installation whose deliveries wait (no workers here): the notice is queued, then the entry withdrawn.
    const q = await createTestApp(kind, { runsJobs: false, allowsPrivateWebhookTargets: true });
    try {
      const comp = await buildComponent(q.admin, `Queue ${tag}`);
      await buildClient(q.admin, { componentIds: [comp.id] });
      const hook = `${receiver.url}/hooks/withdrawn-${tag}`;
      const signUp = await q.app.inject({ method: 'POST', url: '/status/subscribe', payload: { channel: 'webhook', url: hook, componentIds: [] }, remoteAddress: nextIp() });
      expect(signUp.statusCode, signUp.body).toBe(202);
      const inc = await buildAffectedIncident(q.admin, comp.id);
      expect((await q.admin.post(`/api/v1/incidents/${inc.id}/public-updates`, { title: `Too early ${tag}`, body: 'Not ready to be read.' })).status).toBe(201);
      const [queued] = await rows<{ id: string }>(q.database.db, sql`SELECT d.id FROM status_subscriber_deliveries d WHERE d.to_address = ${hook} AND d.public_update_id IS NOT NULL`);
      expect(queued).toBeDefined();
      expect((await q.admin.post(`/api/v1/incidents/${inc.id}/public-updates/withdrawal`, { reason: 'Published too early.' })).status).toBe(200);
      const outcome = await processStatusDelivery(
        { database: q.database, queue: q.herald.queue, mailer: null, settings: { maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 100, httpTimeoutMs: 2_000 }, targets: { allowsPrivate: true } },
        queued!.id,
      );
      expect(outcome).toBe('dead');
      expect(receiver.requests.some((r) => r.path.endsWith(`withdrawn-${tag}`))).toBe(false);
    } finally {
      await q.close();
    }
  });
});
