// The status pages over HTTP on PGlite and PostgreSQL: what each page shows (and never shows), the
// JSON against its published schema, the feeds through a real feed parser, caching headers, the
// secret link, and subscriptions from sign-up to one-click unsubscribe over real SMTP and HTTP.
import { readFileSync } from 'node:fs';
import { parseFeed } from '@rowanmanning/feed-parser';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/channels/webhook.js';
import { createHerald } from '../src/herald.js';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent, buildIncident } from './support/factories.js';
import { startHttpReceiver, type HttpReceiver } from './support/http-receiver.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const PASSWORD = 'a long enough password';
const schema = JSON.parse(readFileSync(new URL('../docs/status-schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS: its function is the default export's default.
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validate = ajv.compile(schema);

let ipCounter = 0;
const nextIp = () => `10.77.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

describe.each(testBackends())('status pages on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let receiver: HttpReceiver;
  const tag = `${kind}${Date.now().toString(36)}`;
  let cat: Awaited<ReturnType<typeof buildCatalog>>;

  async function buildCatalog() {
    const compA = await buildComponent(t.admin, `Alpha API ${tag}`);
    const compB = await buildComponent(t.admin, `Beta portal ${tag}`);
    const a = await buildClient(t.admin, { name: `Acme ${tag}`, componentIds: [compA.id] });
    const b = await buildClient(t.admin, { name: `Bolt ${tag}`, componentIds: [compB.id] });
    return { compA, compB, a, b };
  }

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const form = (url: string, body: Record<string, string | string[]>, ip = nextIp(), headers: Record<string, string> = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    return t.app.inject({ method: 'POST', url, payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, remoteAddress: ip });
  };
  async function send(incidentId: string, kind: string, body: string) {
    const res = await t.admin.post(`/api/v1/incidents/${incidentId}/communications`, { kind, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  /** Publishes an entry to the public page: the only way an incident gets there. */
  async function publish(incidentId: string, body: string, title: string | null = `Public ${body}`) {
    const res = await t.admin.post(`/api/v1/incidents/${incidentId}/public-updates`, { ...(title && { title }), body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  async function secretLink(clientId: string) {
    const res = await t.admin.post(`/api/v1/clients/${clientId}/status-link`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return new URL(res.body.url as string);
  }
  /** The page as served; polls briefly, since other instances (and this one) hear of changes by NOTIFY. */
  async function pageUntil(url: string, predicate: (body: string) => boolean) {
    let body = '';
    await expect.poll(async () => predicate((body = (await get(url)).body)), { timeout: 5_000, interval: 50 }).toBe(true);
    return body;
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    receiver = await startHttpReceiver();
    // The webhook receiver runs on loopback: this installation allows private targets.
    t = await createTestApp(kind, { smtpUrl: sink.url, mailFrom: 'Herald Status <status@herald.test>', delivery: { retryBaseMs: 50 }, allowsPrivateWebhookTargets: true });
    cat = await buildCatalog();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
    await sink?.close();
  });

  it("shows client A's incident on A's page and not B's; the public page shows both once published; internal-only incidents, drafts and notes never", async () => {
    const incA = await buildAffectedIncident(t.admin, cat.compA.id);
    await send(incA.id, 'initial', `Alpha logins fail ${tag}`);
    await publish(incA.id, `Alpha public ${tag}`);
    await t.admin.post(`/api/v1/incidents/${incA.id}/notes`, { text: `internal note ${tag}` });
    const incB = await buildAffectedIncident(t.admin, cat.compB.id);
    await send(incB.id, 'initial', `Beta invoices late ${tag}`);
    await publish(incB.id, `Beta public ${tag}`);
    // Internal only: classified as not affecting clients.
    const internal = await buildIncident(t.admin, { title: `Backup job slow ${tag}` });
    const c = await t.admin.post(`/api/v1/incidents/${internal.id}/classification`, { severity: 'SEV4', impacts: [{ componentId: cat.compA.id, status: 'major_outage' }], isClientAffected: false, reason: 'No client depends on it.' });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    // A draft: a message waiting for a second person's approval is not sent.
    const policies = await t.admin.get('/api/v1/sla-policies');
    const sev1 = (policies.body.items as { id: string; tier: string; severity: string }[]).find((p) => p.tier === '*' && p.severity === 'SEV1')!;
    expect((await t.admin.patch(`/api/v1/sla-policies/${sev1.id}`, { requiresApproval: true })).status).toBe(200);
    const drafted = await buildAffectedIncident(t.admin, cat.compA.id, 'SEV1');
    const pending = await t.admin.post(`/api/v1/incidents/${drafted.id}/communications`, { kind: 'initial', body: `draft text ${tag}` });
    expect(pending.body.communication?.status ?? pending.body.status, JSON.stringify(pending.body)).toBe('pending_approval');
    await t.admin.patch(`/api/v1/sla-policies/${sev1.id}`, { requiresApproval: false });
    // Reported, never messaged.
    await buildIncident(t.admin, { title: `Unsent report ${tag}` });

    const pub = await pageUntil('/status', (b) => b.includes(`Beta public ${tag}`));
    expect(pub).toContain(`Alpha public ${tag}`);
    expect(pub).toContain(incA.key);
    // The public page shows the published text, not what the clients were sent.
    for (const never of [`Alpha logins fail ${tag}`, `Beta invoices late ${tag}`, `Backup job slow ${tag}`, `draft text ${tag}`, `internal note ${tag}`, `Unsent report ${tag}`, drafted.key, internal.key]) {
      expect(pub).not.toContain(never);
    }
    expect(pub).toMatch(/<main id="main">/);
    expect(pub).toContain('Major outage');

    const link = await secretLink(cat.a.id);
    const pageA = await get(`${link.pathname}${link.search}`);
    expect(pageA.statusCode).toBe(200);
    expect(pageA.body).toContain(`Alpha logins fail ${tag}`);
    expect(pageA.body).not.toContain(`Beta invoices late ${tag}`);
    expect(pageA.body).not.toContain(cat.compB.name);
    for (const never of [`Backup job slow ${tag}`, `draft text ${tag}`, `internal note ${tag}`]) expect(pageA.body).not.toContain(never);
    expect(pageA.headers['cache-control']).toContain('private');

    const jsonA = await get(`${link.pathname}.json${link.search}`);
    const docA = JSON.parse(jsonA.body);
    expect(validate(docA), JSON.stringify(validate.errors)).toBe(true);
    expect(docA.incidents.active.map((i: { key: string }) => i.key)).toEqual([incA.key]);
    expect(docA.components.map((x: { id: string }) => x.id)).toEqual([cat.compA.id]);

    // A client user logged in sees its own page, not another client's.
    const userA = `a-${tag}@acme.example`;
    await t.user('client', { clientId: cat.a.id, email: userA, password: PASSWORD });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: userA, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const bySession = await get(`/status/${cat.a.slug}`, { cookie });
    expect(bySession.statusCode).toBe(200);
    expect(bySession.body).toContain(`Alpha logins fail ${tag}`);
    expect((await get(`/status/${cat.b.slug}`, { cookie })).statusCode).toBe(404);
    // Nobody else: no session, no link, or a wrong link.
    expect((await get(`/status/${cat.a.slug}`)).statusCode).toBe(404);
    expect((await get(`/status/${cat.a.slug}?key=${'x'.repeat(43)}`)).statusCode).toBe(404);
    expect((await get(`/status/${cat.b.slug}${link.search}`)).statusCode).toBe(404);
  });

  it('publishes JSON that matches the schema it serves, and Atom and RSS feeds a real parser reads', async () => {
    const inc = await buildAffectedIncident(t.admin, cat.compA.id);
    await send(inc.id, 'initial', `Feed check ${tag}`);
    await publish(inc.id, `Feed check ${tag}`);
    await pageUntil('/status.json', (b) => b.includes(`Feed check ${tag}`));
    const served = await get('/status-schema.json');
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body)).toEqual(schema);
    const doc = JSON.parse((await get('/status.json')).body);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.components.every((c: { days: unknown[] }) => c.days.length === 90)).toBe(true);

    const atom = await get('/status.atom');
    expect(atom.headers['content-type']).toContain('application/atom+xml');
    const feed = parseFeed(atom.body);
    expect(feed.items.some((i) => i.title?.includes(inc.key) && i.content?.includes(`Feed check ${tag}`))).toBe(true);
    const rss = await get('/status.rss');
    expect(rss.headers['content-type']).toContain('application/rss+xml');
    const rssFeed = parseFeed(rss.body);
    expect(rssFeed.items.some((i) => i.title?.includes(inc.key))).toBe(true);
  });

  it('answers with an ETag and 304, CDN-friendly Cache-Control and no cookies, and a new copy after a change', async () => {
    // What the tests before changed is announced a moment after it committed, and makes a new page:
    // once no change is on its way, the page keeps its ETag and is answered with 304.
    let first = await get('/status');
    let again = await get('/status', { 'if-none-match': String(first.headers.etag) });
    for (let tries = 0; again.statusCode !== 304 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      first = await get('/status');
      again = await get('/status', { 'if-none-match': String(first.headers.etag) });
    }
    expect(first.statusCode).toBe(200);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toMatch(/s-maxage=\d+/);
    expect(first.headers['cache-control']).toMatch(/stale-while-revalidate=\d+/);
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    const inc = await buildAffectedIncident(t.admin, cat.compB.id);
    await send(inc.id, 'initial', `Fresh news ${tag}`);
    await publish(inc.id, `Fresh news ${tag}`);
    await pageUntil('/status', (b) => b.includes(`Fresh news ${tag}`));
    const after = await get('/status', { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
  });

  it('rotating the secret link ends the old link at once', async () => {
    const first = await secretLink(cat.b.id);
    expect((await get(`${first.pathname}${first.search}`)).statusCode).toBe(200);
    const status = await t.admin.get(`/api/v1/clients/${cat.b.id}/status-link`);
    expect(status.body).toMatchObject({ hasSecretLink: true });
    expect(JSON.stringify(status.body)).not.toContain(first.searchParams.get('key')!);
    const second = await secretLink(cat.b.id);
    expect(second.search).not.toBe(first.search);
    await expect.poll(async () => (await get(`${first.pathname}${first.search}`)).statusCode, { timeout: 5_000, interval: 50 }).toBe(404);
    expect((await get(`${second.pathname}${second.search}`)).statusCode).toBe(200);
    // Signing up on the private page takes its link too.
    const withKey = await form(`${second.pathname}/subscribe`, { channel: 'email', email: `b-reader-${tag}@subscriber.example`, key: second.searchParams.get('key')! });
    expect(withKey.statusCode, withKey.body).toBe(202);
    const withOldKey = await form(`${first.pathname}/subscribe`, { channel: 'email', email: `b-reader-${tag}@subscriber.example`, key: first.searchParams.get('key')! });
    expect(withOldKey.statusCode).toBe(404);
    const [subscriber] = await rows<{ client_id: string }>(t.database.db, sql`SELECT client_id FROM status_subscribers WHERE address = ${`b-reader-${tag}@subscriber.example`}`);
    expect(subscriber!.client_id).toBe(cat.b.id);
    // A client's own user may rotate it; another client's user may not.
    const userB = await t.user('client', { clientId: cat.b.id });
    expect((await userB.post(`/api/v1/clients/${cat.b.id}/status-link`, {})).status).toBe(201);
    expect((await userB.post(`/api/v1/clients/${cat.a.id}/status-link`, {})).status).toBe(404);
  });

  it('subscribes by e-mail with double opt-in; updates then arrive with RFC 8058 headers; one click unsubscribes without login', async () => {
    const email = `reader-${tag}@subscriber.example`;
    const signUp = await form('/status/subscribe', { channel: 'email', email, componentIds: [cat.compA.id] });
    expect(signUp.statusCode, signUp.body).toBe(202);
    const confirmation = await waitForMail(email, (m) => m.subject.startsWith('Confirm'));
    const confirmUrl = new URL(/https?:\/\/\S+\/status-subscriptions\/confirm\?token=[\w-]+/.exec(confirmation.text)![0]);
    expect(confirmation.headers['list-unsubscribe']).toMatch(/^<http.*\/status-subscriptions\/unsubscribe\?token=/);

    // Before confirming, an update is not sent to the address.
    const inc = await buildAffectedIncident(t.admin, cat.compA.id);
    await send(inc.id, 'initial', `Before confirming ${tag}`);
    await publish(inc.id, `Before confirming ${tag}`, `Login trouble ${tag}`);
    const shown = await get(`${confirmUrl.pathname}${confirmUrl.search}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Confirm subscription');
    const confirmed = await form(confirmUrl.pathname, { token: confirmUrl.searchParams.get('token')! });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.body).toContain('Subscription confirmed');

    // The public page's subscribers get what was published to it.
    await publish(inc.id, `Cause found ${tag}`, null);
    const update = await waitForMail(email, (m) => m.text.includes(`Cause found ${tag}`));
    expect(sink.messages.some((m) => m.envelopeTo.includes(email) && m.text.includes(`Before confirming ${tag}`))).toBe(false);
    expect(update.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const unsubscribeUrl = new URL(/^<(.+)>$/.exec(update.headers['list-unsubscribe']!)![1]!);
    expect(update.text).toContain(unsubscribeUrl.toString());

    // One click: the mail client POSTs List-Unsubscribe=One-Click, with no cookie or token header.
    const clicked = await t.app.inject({ method: 'POST', url: `${unsubscribeUrl.pathname}${unsubscribeUrl.search}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(clicked.statusCode, clicked.body).toBe(200);
    await publish(inc.id, `After unsubscribing ${tag}`, null);
    const [subscriber] = await rows<{ id: string; status: string }>(t.database.db, sql`SELECT id, status FROM status_subscribers WHERE address = ${email}`);
    expect(subscriber!.status).toBe('unsubscribed');
    const owed = await rows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM status_subscriber_deliveries d JOIN public_updates u ON u.id = d.public_update_id WHERE d.subscriber_id = ${subscriber!.id} AND u.body = ${`After unsubscribing ${tag}`}`,
    );
    expect(owed[0]!.n).toBe(0);
  });

  it('refuses a public webhook subscription into the local network unless the installation allows it', async () => {
    // A second instance on the same database, configured as installations are by default.
    const guarded = await createHerald({ database: t.database, databaseUrl: t.db.url, baseUrl: 'http://herald.test', logLevel: 'silent', runsJobs: false, watchIntervalMs: 0 });
    const res = await guarded.app
      .inject({ method: 'POST', url: '/status/subscribe', payload: { channel: 'webhook', url: `${receiver.url}/hooks/refused`, componentIds: [] }, remoteAddress: nextIp() })
      .finally(() => guarded.stop());
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ field: 'url' });
    const stored = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM status_subscribers WHERE address = ${`${receiver.url}/hooks/refused`}`);
    expect(stored[0]!.n).toBe(0);
  });

  it('delivers updates to webhook subscribers, signed like client webhooks', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/status/subscribe', payload: { channel: 'webhook', url: `${receiver.url}/hooks/status`, componentIds: [] }, remoteAddress: nextIp() });
    expect(res.statusCode, res.body).toBe(202);
    const { secret } = JSON.parse(res.body) as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    const inc = await buildAffectedIncident(t.admin, cat.compB.id);
    await send(inc.id, 'initial', `Webhook news ${tag}`);
    await publish(inc.id, `Webhook news ${tag}`);
    await expect.poll(() => receiver.requests.some((r) => r.body.includes(`Webhook news ${tag}`)), { timeout: 10_000 }).toBe(true);
    const got = receiver.requests.find((r) => r.body.includes(`Webhook news ${tag}`))!;
    expect(verifyWebhook(secret, got.headers as Record<string, string>, got.body).isValid).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({ type: 'status.incident_update', data: { incident: { key: inc.key }, update: { kind: 'initial' } } });
    // Its secret ends it (DELETE of its management URL): the next update is not sent to it.
    const { manageUrl } = JSON.parse(res.body) as { manageUrl: string };
    const ended = await t.app.inject({ method: 'DELETE', url: new URL(manageUrl).pathname, headers: { authorization: `Bearer ${secret}` } });
    expect(ended.statusCode).toBe(204);
    await publish(inc.id, `Webhook later ${tag}`, null);
    const later = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM status_subscriber_deliveries d JOIN public_updates u ON u.id = d.public_update_id WHERE d.to_address = ${`${receiver.url}/hooks/status`} AND u.body = ${`Webhook later ${tag}`}`);
    expect(later[0]!.n).toBe(0);
  });

  it('limits sign-ups per address and names the bad field', async () => {
    const ip = nextIp();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await form('/status/subscribe', { channel: 'email', email: `flood${i}-${tag}@subscriber.example` }, ip)).statusCode);
    expect(answers.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(answers[5]).toBe(429);
    const bad = await form('/status/subscribe', { channel: 'email', email: 'not-an-address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(bad.body)).toMatchObject({ field: 'email' });
    const otherPage = await form('/status/subscribe', { channel: 'email', email: `x-${tag}@subscriber.example`, componentIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(JSON.parse(otherPage.body)).toMatchObject({ field: 'componentIds' });
  });

  it("shows scheduled and running maintenance on the public page and the affected client's page, never internal windows", async () => {
    const at = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
    const comp = await buildComponent(t.admin, `Database ${tag}`);
    const client = await buildClient(t.admin, { name: `Maintained ${tag}`, componentIds: [comp.id] });
    const planned = await t.admin.post('/api/v1/maintenance', { title: `Database upgrade ${tag}`, description: 'Minor version upgrade.', componentIds: [comp.id], startsAt: at(48), endsAt: at(50) });
    expect(planned.status, JSON.stringify(planned.body)).toBe(201);
    const internal = await t.admin.post('/api/v1/maintenance', { title: `Rack shuffle ${tag}`, componentIds: [cat.compB.id], startsAt: at(24), endsAt: at(25), isInternal: true });
    expect(internal.status, JSON.stringify(internal.body)).toBe(201);
    const pub = await pageUntil('/status', (b) => b.includes(`Database upgrade ${tag}`));
    expect(pub).not.toContain(`Rack shuffle ${tag}`);
    const doc = JSON.parse((await get('/status.json')).body);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.maintenance.upcoming.map((m: { title: string }) => m.title)).toContain(`Database upgrade ${tag}`);
    const linkA = await secretLink(client.id);
    expect((await get(`${linkA.pathname}${linkA.search}`)).body).toContain(`Database upgrade ${tag}`);
    const linkB = await secretLink(cat.b.id);
    expect((await get(`${linkB.pathname}${linkB.search}`)).body).not.toContain(`Database upgrade ${tag}`);

    const started = await t.admin.post(`/api/v1/maintenance/${planned.body.id}/start`, {});
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await expect
      .poll(async () => JSON.parse((await get('/status.json')).body).maintenance.active.map((m: { title: string }) => m.title), { timeout: 5_000, interval: 50 })
      .toContain(`Database upgrade ${tag}`);
    const during = JSON.parse((await get('/status.json')).body);
    expect(during.components.find((c: { id: string }) => c.id === comp.id).status).toBe('under_maintenance');
    await t.admin.post(`/api/v1/maintenance/${planned.body.id}/complete`, {});
  });

  it.skipIf(kind !== 'postgres')('keeps serving the last page, marked with its age, while the database cannot be reached', async () => {
    const s = await createTestApp(kind, { statusPages: { maxAgeMs: 200, retryAfterFailureMs: 100, renderTimeoutMs: 2_000 } });
    const name = new URL(s.db.url!).pathname.slice(1);
    const adminUrl = new URL(s.db.url!);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    try {
      await buildComponent(s.admin, `Kept ${tag}`);
      const fresh = await s.app.inject({ method: 'GET', url: '/status' });
      expect(fresh.body).toContain(`Kept ${tag}`);
      expect(fresh.headers['x-herald-stale-seconds']).toBeUndefined();
      // The database refuses every connection, and the open ones are cut.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      await new Promise((r) => setTimeout(r, 300));
      const kept = await s.app.inject({ method: 'GET', url: '/status' });
      expect(kept.statusCode).toBe(200);
      expect(kept.body).toContain(`Kept ${tag}`);
      expect(kept.body).toContain('This page could not be refreshed');
      expect(Number(kept.headers['x-herald-stale-seconds'])).toBeGreaterThanOrEqual(0);
      const keptJson = await s.app.inject({ method: 'GET', url: '/status.json' });
      expect(keptJson.statusCode).toBe(200);
      expect(validate(JSON.parse(keptJson.body))).toBe(true);
      expect(keptJson.headers.age).toBeDefined();
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await s.close();
    }
  });

  async function waitForMail(to: string, match: (m: SmtpSink['messages'][number]) => boolean) {
    let found: SmtpSink['messages'][number] | undefined;
    await expect.poll(() => (found = sink.messages.find((m) => m.envelopeTo.includes(to) && match(m))) !== undefined, { timeout: 10_000, interval: 50 }).toBe(true);
    return found!;
  }
});
