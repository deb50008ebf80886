// Status-page subscriptions cannot be taken over: a sign-up for an address or URL that follows a page
// already changes nothing and is answered as a new one; an e-mail subscription changes only through
// the link mailed to its address; a webhook subscription is changed or ended only with its signing
// secret; and sign-ups are bounded (pending per page, mails per address). Real SMTP, real HTTP, on
// PGlite and PostgreSQL. Every page here is a client's private page, opened with its secret link.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret, verifyWebhook } from '../src/channels/webhook.js';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { startHttpReceiver, type HttpReceiver } from './support/http-receiver.js';
import { startSmtpSink, type SinkMail, type SmtpSink } from './support/smtp-sink.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

let ipCounter = 0;
const nextIp = () => `10.78.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const PENDING_PER_PAGE = 3;

describe.each(testBackends())('status-page subscriptions on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let receiver: HttpReceiver;
  const tag = `${kind}${Date.now().toString(36)}`;
  let pages = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    receiver = await startHttpReceiver();
    // The webhook receiver runs on loopback: this installation allows private targets.
    t = await createTestApp(kind, {
      smtpUrl: sink.url,
      mailFrom: 'Herald Status <status@herald.test>',
      delivery: { retryBaseMs: 50 },
      allowsPrivateWebhookTargets: true,
      signupLimits: { pendingPerPage: PENDING_PER_PAGE },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
    await sink?.close();
  });

  /** A client with two components and its private page (a fresh page per test: the bounds are per page). */
  async function clientPage() {
    const n = ++pages;
    const alpha = await buildComponent(t.admin, `Alpha ${n} ${tag}`);
    const beta = await buildComponent(t.admin, `Beta ${n} ${tag}`);
    const client = await buildClient(t.admin, { name: `Client ${n} ${tag}`, componentIds: [alpha.id, beta.id] });
    const link = await t.admin.post(`/api/v1/clients/${client.id}/status-link`, {});
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const url = new URL(link.body.url as string);
    return { alpha, beta, client, path: url.pathname, key: url.searchParams.get('key')! };
  }
  type Page = Awaited<ReturnType<typeof clientPage>>;

  const signUp = (page: Page, body: Record<string, unknown>, ip = nextIp()) =>
    t.app.inject({ method: 'POST', url: `${page.path}/subscribe`, payload: { componentIds: [], ...body, key: page.key }, remoteAddress: ip });
  const confirm = (token: string) =>
    t.app.inject({ method: 'POST', url: '/status-subscriptions/confirm', payload: new URLSearchParams({ token }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: nextIp() });
  const subscriber = async (address: string) =>
    (await rows<{ id: string; secret: string | null; status: string; component_ids: unknown }>(t.database.db, sql`SELECT id, secret, status, component_ids FROM status_subscribers WHERE address = ${address}`))[0]!;
  const componentsOf = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as string[] | null;
  async function waitForMail(to: string, match: (m: SinkMail) => boolean) {
    let found: SinkMail | undefined;
    await expect.poll(() => (found = sink.messages.find((m) => m.envelopeTo.includes(to) && match(m))) !== undefined, { timeout: 10_000, interval: 50 }).toBe(true);
    return found!;
  }
  const linkToken = (mail: SinkMail) => new URL(/https?:\/\/\S+\/status-subscriptions\/confirm\?token=[\w-]+/.exec(mail.text)![0]).searchParams.get('token')!;
  async function sendTo(page: Page, body: string) {
    const incident = await buildAffectedIncident(t.admin, page.alpha.id);
    const res = await t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial', body, clientIds: [page.client.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  it('a second sign-up of a followed webhook URL neither rotates nor reveals its secret, and is answered as a new one', async () => {
    const page = await clientPage();
    const url = `${receiver.url}/hooks/kept-${tag}`;
    const first = await signUp(page, { channel: 'webhook', url });
    expect(first.statusCode, first.body).toBe(202);
    const owner = JSON.parse(first.body) as { status: string; id: string; secret: string; manageUrl: string };
    expect(owner.secret).toMatch(/^whsec_/);

    // The same URL again, and written in other letter case (the same subscription).
    const again = await signUp(page, { channel: 'webhook', url: url.replace('/hooks/kept-', '/hooks/KEPT-') });
    const second = await signUp(page, { channel: 'webhook', url });
    for (const res of [again, second]) {
      expect(res.statusCode, res.body).toBe(202);
      const answer = JSON.parse(res.body) as typeof owner;
      expect(Object.keys(answer).sort()).toEqual(Object.keys(owner).sort());
      expect(answer.status).toBe('active');
      expect(answer.secret).toMatch(/^whsec_/);
      expect(answer.secret).not.toBe(owner.secret);
    }
    // The stored secret is still the owner's, and deliveries are signed with it.
    expect((await subscriber(url)).secret).toBe(owner.secret);
    await sendTo(page, `Webhook kept ${tag}`);
    await expect.poll(() => receiver.requests.some((r) => r.body.includes(`Webhook kept ${tag}`)), { timeout: 10_000 }).toBe(true);
    const delivered = receiver.requests.find((r) => r.body.includes(`Webhook kept ${tag}`));
    expect(verifyWebhook(owner.secret, delivered!.headers as Record<string, string>, delivered!.body).isValid).toBe(true);
    expect(verifyWebhook(JSON.parse(second.body).secret as string, delivered!.headers as Record<string, string>, delivered!.body).isValid).toBe(false);
  });

  it('only the holder of the signing secret changes or ends a webhook subscription', async () => {
    const page = await clientPage();
    const url = `${receiver.url}/hooks/managed-${tag}`;
    const owner = JSON.parse((await signUp(page, { channel: 'webhook', url })).body) as { id: string; secret: string; manageUrl: string };
    const manage = new URL(owner.manageUrl).pathname;
    const as = (secret: string | null, method: 'PATCH' | 'DELETE', payload?: object) =>
      t.app.inject({ method, url: manage, remoteAddress: nextIp(), headers: secret ? { authorization: `Bearer ${secret}` } : {}, ...(payload && { payload }) });

    const anonymous = await as(null, 'PATCH', { componentIds: [page.beta.id] });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect((await as(generateWebhookSecret(), 'PATCH', { componentIds: [page.beta.id] })).statusCode).toBe(404);
    expect((await as(generateWebhookSecret(), 'DELETE')).statusCode).toBe(404);
    expect(componentsOf((await subscriber(url)).component_ids)).toBeNull();

    const badField = await as(owner.secret, 'PATCH', { componentIds: ['not-a-uuid'] });
    expect(badField.statusCode).toBe(400);
    expect(JSON.parse(badField.body)).toMatchObject({ field: 'componentIds' });
    const changed = await as(owner.secret, 'PATCH', { componentIds: [page.beta.id] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(JSON.parse(changed.body)).toEqual({ status: 'active', componentIds: [page.beta.id] });
    expect(componentsOf((await subscriber(url)).component_ids)).toEqual([page.beta.id]);

    expect((await as(owner.secret, 'DELETE')).statusCode).toBe(204);
    expect((await subscriber(url)).status).toBe('unsubscribed');
    // Once ended, the URL may be signed up afresh, with a new secret that manages it.
    const renewed = JSON.parse((await signUp(page, { channel: 'webhook', url })).body) as { id: string; secret: string };
    expect(renewed.id).toBe(owner.id);
    expect((await subscriber(url))).toMatchObject({ status: 'active', secret: renewed.secret });
  });

  it("a sign-up for an active e-mail subscriber changes nothing until the link mailed to that address is used", async () => {
    const page = await clientPage();
    const email = `follower-${tag}@subscriber.example`;
    expect((await signUp(page, { channel: 'email', email, componentIds: [page.alpha.id] })).statusCode).toBe(202);
    const confirmed = await confirm(linkToken(await waitForMail(email, (m) => m.subject.startsWith('Confirm your subscription'))));
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(componentsOf((await subscriber(email)).component_ids)).toEqual([page.alpha.id]);

    // Someone else signs the same address up for another component: answered exactly as a new address is.
    const hijack = await signUp(page, { channel: 'email', email: email.toUpperCase(), componentIds: [page.beta.id] });
    const stranger = await signUp(page, { channel: 'email', email: `stranger-${tag}@subscriber.example`, componentIds: [page.beta.id] });
    expect(hijack.statusCode).toBe(stranger.statusCode);
    expect(hijack.body).toBe(stranger.body);
    expect(componentsOf((await subscriber(email)).component_ids)).toEqual([page.alpha.id]);

    // The address is asked; only its link makes the change.
    const asked = await waitForMail(email, (m) => m.subject.startsWith('Confirm the change'));
    expect(asked.text).toContain(page.beta.name);
    expect(asked.headers['list-unsubscribe']).toMatch(/unsubscribe\?token=/);
    const applied = await confirm(linkToken(asked));
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.body).toContain('Change confirmed');
    expect(componentsOf((await subscriber(email)).component_ids)).toEqual([page.beta.id]);
    expect((await confirm(linkToken(asked))).statusCode).toBe(404);
  });

  it(`bounds sign-ups: ${PENDING_PER_PAGE} pending per page (then 429), and a few mails per address a day`, async () => {
    const page = await clientPage();
    const target = `target-${tag}@subscriber.example`;
    // Many sign-ups of one address, from many places: the address gets three mails, not more.
    for (let i = 0; i < 5; i++) expect((await signUp(page, { channel: 'email', email: target })).statusCode).toBe(202);
    const [sent] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM status_subscriber_deliveries WHERE to_address = ${target}`);
    expect(sent!.n).toBe(3);

    for (let i = 1; i < PENDING_PER_PAGE; i++) expect((await signUp(page, { channel: 'email', email: `more${i}-${tag}@subscriber.example` })).statusCode).toBe(202);
    const over = await signUp(page, { channel: 'email', email: `over-${tag}@subscriber.example` });
    expect(over.statusCode).toBe(429);
    expect(over.headers['content-type']).toContain('application/problem+json');
    const [stored] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM status_subscribers WHERE client_id = ${page.client.id} AND status = 'pending'`);
    expect(stored!.n).toBe(PENDING_PER_PAGE);
    // Another page is not held up by this one.
    expect((await signUp(await clientPage(), { channel: 'email', email: `elsewhere-${tag}@subscriber.example` })).statusCode).toBe(202);
  });

  // The sign-up decides on one read and writes only if what it read still holds (email-signup.ts), so
  // sign-ups at the same moment are decided again rather than failing or sending more than allowed.
  it('concurrent sign-ups of one new address are each answered as one, and send three mails at most', async () => {
    const page = await clientPage();
    const email = `crowd-${tag}@subscriber.example`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => signUp(page, { channel: 'email', email, componentIds: [page.alpha.id] })));
    // Two first sign-ups of one address used to meet in the unique index: the later one answered 409.
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(202));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    const [sent] = await rows<{ n: number; subscribers: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n, count(DISTINCT subscriber_id)::int AS subscribers FROM status_subscriber_deliveries WHERE lower(to_address) = ${email}`,
    );
    expect(sent!.subscribers).toBe(1);
    expect(sent!.n).toBeGreaterThanOrEqual(1);
    expect(sent!.n).toBeLessThanOrEqual(3);
  });

  it('concurrent sign-ups to one page: each accepted one has its mail queued, refused ones write nothing, the cap holds but for sign-ups written at the same moment', async () => {
    const page = await clientPage();
    const count = 12;
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => signUp(page, { channel: 'email', email: `rush${i}-${tag}@subscriber.example` })));
    const accepted = answers.filter((a) => a.statusCode === 202).length;
    expect(answers.every((a) => a.statusCode === 202 || a.statusCode === 429)).toBe(true);
    expect(answers.some((a) => a.statusCode === 429)).toBe(true);
    const [stored] = await rows<{ subscribers: number; mails: number }>(
      t.database.db,
      sql`SELECT count(DISTINCT s.id)::int AS subscribers, count(d.id)::int AS mails
        FROM status_subscribers s LEFT JOIN status_subscriber_deliveries d ON d.subscriber_id = s.id WHERE s.client_id = ${page.client.id}`,
    );
    expect(stored).toEqual({ subscribers: accepted, mails: accepted });
    // PGlite writes one sign-up at a time: the cap is exact. On PostgreSQL, sign-ups written at the very
    // same moment do not see each other; the pool (DATABASE_POOL_MAX, 10) bounds how many that can be.
    expect(accepted).toBeLessThanOrEqual(PENDING_PER_PAGE + (kind === 'postgres' ? 10 : 0));
    if (kind === 'pglite') expect(accepted).toBe(PENDING_PER_PAGE);
  });
});
