// Client communication end to end, on every backend: messages go out over real SMTP (a sink in this
// process) and real HTTP (local receivers standing in for client webhooks, Slack and Teams), signed
// as Standard Webhooks, in each contact's language, threaded, retried, dead-lettered and provable;
// plus the four-eyes rule, versioned templates refused on save, and the composer's preview.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAffectedIncident, buildClient, buildComponent, buildIncident, fullDisclosures } from './support/factories.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest, type Responder } from './support/http-receiver.js';
import { startSmtpSink, type SinkMail, type SmtpSink } from './support/smtp-sink.js';
import { createTestApp, type Caller, type TestApp } from './support/test-app.js';
import { incidentDeliveryProof } from '../src/services/communications/delivery-proof.js';
import type { Ctx } from '../src/services/context.js';
import { testBackends } from './support/test-database.js';
import { eventually, expectProblem, expectStatus } from './support/http-assertions.js';
import { obligationsOf, timelineOf } from './support/incident-reads.js';

/** Recipients whose mail server refuses them for good (550 at RCPT TO). */
const BOUNCING_DOMAIN = 'bounce.example';
/** Recipients whose messages the mail server keeps refusing for now (451 at the end of DATA). */
const DEFERRING_DOMAIN = 'defer.example';
/** "Not delayed": what every other recipient must be served within, far below the 30 s hang. */
const PROMPT_MS = 4_000;
const HANG_MS = 30_000;
const DELIVERY = { maxAttempts: 3, retryBaseMs: 100, retryMaxMs: 1_000, httpTimeoutMs: 35_000 };

interface ProofRow {
  deliveryId: string;
  messageId: string;
  incidentKey: string;
  communicationId: string;
  kind: string;
  clientId: string;
  clientName: string;
  channel: string;
  to: string;
  toName: string;
  language: string;
  subject: string;
  status: string;
  attempts: number;
  result: string;
  createdAt: string;
  sentAt: string | null;
}

/**
 * The Standard Webhooks check, written here independently of Herald's own code: HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<raw body>", keyed with the base64-decoded secret after `whsec_`,
 * base64, prefixed `v1,`; the header may carry several space-separated signatures.
 */
function isSignedBy(secret: string, request: ReceivedRequest): boolean {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest('base64')}`;
  return signatures.split(' ').includes(expected);
}

/** RFC 4180 as the proof export writes it: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let isQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (isQuoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else isQuoted = false;
    } else if (ch === '"') {
      isQuoted = true;
    } else if (ch === ',' || ch === '\n') {
      record.push(ch === '\n' ? field.replace(/\r$/, '') : field);
      field = '';
      if (ch === '\n') {
        records.push(record);
        record = [];
      }
    } else {
      field += ch;
    }
  }
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i] ?? ''])));
}

const url = (id: string, path = '') => `/api/v1/incidents/${id}${path}`;
const send = (caller: Caller, id: string, body: Record<string, unknown>) => caller.post(url(id, '/communications'), body);

async function proofOf(caller: Caller, incidentId: string): Promise<ProofRow[]> {
  return (await expectStatus(caller.get(url(incidentId, '/deliveries?format=json')), 200)).body.items;
}

/** Polls the proof export until every delivery of the incident is settled (sent or dead) and `isDone` holds. */
function settledProof(caller: Caller, incidentId: string, isDone: (rows: ProofRow[]) => boolean, timeoutMs = 10_000) {
  return eventually(
    'the deliveries to settle',
    async () => {
      const rows = await proofOf(caller, incidentId);
      return rows.every((r) => r.status === 'sent' || r.status === 'dead') && isDone(rows) && rows;
    },
    timeoutMs,
  );
}

async function addEndpoint(admin: Caller, clientId: string, kind: 'webhook' | 'slack' | 'teams', endpointUrl: string) {
  const res = await expectStatus(admin.post(`/api/v1/clients/${clientId}/endpoints`, { kind, name: `${kind} ${randomUUID().slice(0, 6)}`, url: endpointUrl }), 201);
  return res.body as { id: string; kind: string; name: string; url: string; secret: string | null; isEnabled: boolean };
}

describe.each(testBackends())('communication delivery on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  const receivers: HttpReceiver[] = [];

  const receiver = async (respond: Responder = 200) => {
    const r = await startHttpReceiver({ respond });
    receivers.push(r);
    return r;
  };
  const mailTo = (address: string): SinkMail[] => sink.messages.filter((m) => m.envelopeTo.includes(address));
  const address = (name: string, domain = 'client.example') => `${name}-${randomUUID().slice(0, 8)}@${domain}`;

  /** The Incident Manager and Communication Lead of a fresh incident. */
  async function staffRoles(incidentId: string) {
    const manager = await t.user('member', { name: 'Ines Manager' });
    const commsLead = await t.user('member', { name: 'Carl Comms' });
    await expectStatus(t.admin.post(url(incidentId, '/roles'), { incidentManagerId: manager.userId, communicationLeadId: commsLead.userId }), 200);
    return { manager, commsLead };
  }

  beforeAll(async () => {
    sink = await startSmtpSink({
      rejectRecipient: (to) => (to.endsWith(`@${BOUNCING_DOMAIN}`) ? 550 : null),
      failWith: (mail) => (mail.envelopeTo.some((to) => to.endsWith(`@${DEFERRING_DOMAIN}`)) ? 451 : null),
    });
    // The client endpoints are receivers on loopback: this installation allows private targets.
    t = await createTestApp(kind, { smtpUrl: sink.url, mailFrom: 'Herald Status <status@herald.test>', delivery: DELIVERY, allowsPrivateWebhookTargets: true });
  });
  afterAll(async () => {
    // Receivers first: a delivery hanging on one would otherwise hold up the queue's graceful stop.
    await Promise.all(receivers.map((r) => r.close()));
    await t?.close();
    await sink?.close();
  });

  it('delivers initial, updates, resolution and RCA to every contact in their language and to every endpoint, signed, threaded and provable', async () => {
    const { admin } = t;
    const hooks = await receiver();
    const component = await buildComponent(admin, `Login service ${randomUUID().slice(0, 6)}`);
    const acme = await buildClient(admin, {
      name: 'Acme Corp',
      componentIds: [component.id],
      contacts: [
        { name: 'Ann Acme', email: address('ann'), language: 'en' },
        { name: 'Dora Acme', email: address('dora'), language: 'de' },
      ],
    });
    const beta = await buildClient(admin, { name: 'Beta Ltd', componentIds: [component.id], contacts: [{ name: 'Bea Beta', email: address('bea'), language: 'en' }] });
    const acmeHook = await addEndpoint(admin, acme.id, 'webhook', `${hooks.url}/acme`);
    const betaHook = await addEndpoint(admin, beta.id, 'webhook', `${hooks.url}/beta`);
    await addEndpoint(admin, acme.id, 'slack', `${hooks.url}/slack`);
    await addEndpoint(admin, acme.id, 'teams', `${hooks.url}/teams`);
    for (const hook of [acmeHook, betaHook]) expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    // The secret is shown in full only when the endpoint is created.
    const listed = await expectStatus(admin.get(`/api/v1/clients/${acme.id}/endpoints`), 200);
    expect(listed.body.items.find((e: { id: string }) => e.id === acmeHook.id).secret).not.toBe(acmeHook.secret);

    const incident = await buildIncident(admin, { title: 'Logins fail' });
    await expectStatus(
      admin.post(url(incident.id, '/classification'), { severity: 'SEV3', impacts: [{ componentId: component.id, status: 'major_outage' }], isClientAffected: true, reason: 'Both clients log in here.' }),
      200,
    );
    await expectStatus(admin.post(url(incident.id, '/disclosures'), fullDisclosures()), 200);
    const { commsLead } = await staffRoles(incident.id);

    const sent: Record<string, string> = {};
    sent.initial = (await expectStatus(send(commsLead, incident.id, { kind: 'initial' }), 201)).body.communication.id;
    sent.update1 = (await expectStatus(send(commsLead, incident.id, { kind: 'update', body: 'We found the faulty release and are rolling it back.' }), 201)).body.communication.id;
    sent.update2 = (await expectStatus(send(commsLead, incident.id, { kind: 'update', body: 'The rollback is done; logins recover.' }), 201)).body.communication.id;
    await expectStatus(admin.post(url(incident.id, '/state'), { state: 'resolved' }), 200);
    sent.resolution = (await expectStatus(send(commsLead, incident.id, { kind: 'resolution', body: 'Logins work again for everyone.' }), 201)).body.communication.id;
    sent.rca = (await expectStatus(send(commsLead, incident.id, { kind: 'rca', body: 'A release removed the session store configuration.' }), 201)).body.communication.id;
    const kindOf = new Map(Object.entries(sent).map(([k, id]) => [id, k.replace(/\d$/, '')]));

    const contacts = [...acme.contacts, ...beta.contacts];
    const endpointCount = 4;
    const proof = await settledProof(t.admin, incident.id, (rows) => rows.length === 5 * (contacts.length + endpointCount), 20_000);
    for (const row of proof) expect(row, JSON.stringify(row)).toMatchObject({ status: 'sent', attempts: 1, incidentKey: incident.key, sentAt: expect.any(String) });
    expect(proof.filter((r) => r.channel === 'email')).toHaveLength(5 * contacts.length);
    for (const channel of ['webhook', 'slack', 'teams']) expect(proof.filter((r) => r.channel === channel).map((r) => kindOf.get(r.communicationId))).toContain('rca');

    // E-mail: each contact has each message exactly once, by its Message-ID, in their language.
    const words = {
      en: { initial: 'Incident notice', update: 'Incident update', resolution: 'Resolved', rca: 'Root-cause analysis', greeting: (n: string) => `Dear ${n},` },
      de: { initial: 'Störungsmeldung', update: 'Neuer Stand zur Störung', resolution: 'Behoben', rca: 'Ursachenanalyse', greeting: (n: string) => `Guten Tag ${n},` },
    };
    const languageOf: Record<string, 'en' | 'de'> = { 'Dora Acme': 'de' };
    for (const contact of contacts) {
      const mails = mailTo(contact.email);
      expect(mails, contact.email).toHaveLength(5);
      const rows = proof.filter((r) => r.channel === 'email' && r.to === contact.email);
      expect(rows.map((r) => kindOf.get(r.communicationId)).sort()).toEqual(['initial', 'rca', 'resolution', 'update', 'update']);
      expect(mails.map((m) => m.messageId).sort()).toEqual(rows.map((r) => r.messageId).sort());
      const lang = languageOf[contact.name] ?? 'en';
      const initial = rows.find((r) => kindOf.get(r.communicationId) === 'initial')!;
      for (const row of rows) {
        const mail = mails.find((m) => m.messageId === row.messageId)!;
        const k = kindOf.get(row.communicationId) as 'initial' | 'update' | 'resolution' | 'rca';
        expect(row.language).toBe(lang);
        expect(mail.subject).toBe(`${words[lang][k]}: Logins fail [${incident.key}]`);
        expect(mail.text.startsWith(words[lang].greeting(contact.name)), mail.text.slice(0, 80)).toBe(true);
        expect(mail.html).toContain(incident.key);
        expect(mail.headers.from).toContain('status@herald.test');
        if (k === 'initial') {
          expect(mail.inReplyTo).toBeNull();
        } else {
          // Every later message threads under the initial notice to the same contact.
          expect(mail.inReplyTo).toBe(initial.messageId);
          expect(mail.references).toContain(initial.messageId);
        }
      }
    }
    expect(mailTo(acme.contacts[1]!.email).find((m) => m.subject.startsWith('Störungsmeldung'))!.text).toContain('Es sind keine Daten verloren gegangen.');

    // Webhooks: every request is signed with its endpoint's secret and names the message and incident.
    const secrets: Record<string, string> = { '/acme': acmeHook.secret!, '/beta': betaHook.secret! };
    const clientOf: Record<string, string> = { '/acme': acme.id, '/beta': beta.id };
    const byPath = (p: string) => hooks.requests.filter((r) => r.path === p);
    expect(hooks.requests).toHaveLength(5 * endpointCount);
    for (const path of ['/acme', '/beta']) {
      const requests = byPath(path);
      expect(requests).toHaveLength(5);
      for (const request of requests) {
        expect(isSignedBy(secrets[path]!, request), `${path} signature`).toBe(true);
        expect(isSignedBy(secrets[path === '/acme' ? '/beta' : '/acme']!, request)).toBe(false);
        expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
        const row = proof.find((r) => r.deliveryId === request.headers['webhook-id']);
        expect(row).toMatchObject({ channel: 'webhook', clientId: clientOf[path] });
        const payload = JSON.parse(request.body);
        const k = kindOf.get(row!.communicationId)!;
        expect(payload).toMatchObject({ type: 'incident.message', data: { kind: k, messageId: row!.communicationId, incident: { key: incident.key, title: 'Logins fail' }, client: { id: clientOf[path] } } });
        // Only a running incident promises a next update.
        expect(payload.data.nextUpdateAt === null, k).toBe(k === 'resolution' || k === 'rca');
      }
      expect(requests.map((r) => JSON.parse(r.body).data.kind).sort()).toEqual(['initial', 'rca', 'resolution', 'update', 'update']);
    }
    for (const path of ['/slack', '/teams']) {
      expect(byPath(path)).toHaveLength(5);
      for (const request of byPath(path)) {
        expect(request.headers['webhook-signature']).toBeUndefined();
        expect(request.body).toContain(incident.key);
      }
    }

    // The proof export as CSV lists the same deliveries, all sent; the per-client export only that client's.
    const csv = await expectStatus(admin.get(url(incident.id, '/deliveries?format=csv')), 200);
    expect(String(csv.headers['content-type'])).toMatch(/^text\/csv/);
    const csvRows = parseCsv(csv.body as string);
    expect(csvRows.map((r) => r.deliveryId).sort()).toEqual(proof.map((r) => r.deliveryId).sort());
    for (const row of csvRows) expect(row).toMatchObject({ status: 'sent', attempts: '1', incidentKey: incident.key });
    const betaProof = await expectStatus(admin.get(`/api/v1/clients/${beta.id}/deliveries?format=json`), 200);
    expect(betaProof.body.items.map((r: ProofRow) => r.deliveryId).sort()).toEqual(proof.filter((r) => r.clientId === beta.id).map((r) => r.deliveryId).sort());
    expect(betaProof.body.items.map((r: ProofRow) => r.channel).sort()).toEqual([...Array(5).fill('email'), ...Array(5).fill('webhook')]);

    // The proof streams out a page of deliveries at a time: read three at a time, it is the same rows
    // in the same order as the answer above, none twice, none left out.
    const actor = { userId: randomUUID(), role: 'admin' as const, clientId: null, label: 'Proof reader' };
    const ctx = { actor, tx: t.database.db, now: new Date(), settings: {} as Ctx['settings'] };
    const paged: ProofRow[] = [];
    for await (const page of await incidentDeliveryProof(ctx, incident.id, 3)) {
      expect(page.length).toBeLessThanOrEqual(3);
      paged.push(...(page as unknown as ProofRow[]));
    }
    const whole = (await expectStatus(admin.get(url(incident.id, '/deliveries?format=json')), 200)).body.items as ProofRow[];
    expect(whole).toHaveLength(proof.length);
    expect(paged).toEqual(whole);
  });

  it('retries a webhook answering 500 with backoff, then dead-letters it and tells the Communication Lead', async () => {
    const failing = await receiver({ status: 500, body: 'upstream exploded' });
    const component = await buildComponent(t.admin);
    const client = await buildClient(t.admin, { componentIds: [component.id], contacts: [{ name: 'Cleo', email: address('cleo') }] });
    const hook = await addEndpoint(t.admin, client.id, 'webhook', `${failing.url}/hook`);
    const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');
    const { commsLead } = await staffRoles(incident.id);

    await expectStatus(send(commsLead, incident.id, { kind: 'initial' }), 201);
    const proof = await settledProof(t.admin, incident.id, (rows) => rows.some((r) => r.channel === 'webhook'));
    const dead = proof.find((r) => r.channel === 'webhook')!;
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, sentAt: null });
    expect(dead.result).toContain('HTTP 500');
    expect(proof.find((r) => r.channel === 'email')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(mailTo(client.contacts[0]!.email)).toHaveLength(1);

    // Three attempts of the same delivery (same webhook-id, each signed), the gaps growing: ~100 ms, then ~200 ms (±25 %).
    expect(failing.requests).toHaveLength(3);
    expect(new Set(failing.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([dead.deliveryId]));
    for (const request of failing.requests) expect(isSignedBy(hook.secret!, request)).toBe(true);
    const [first, second, third] = failing.requests.map((r) => r.receivedAt) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(70);
    expect(third - second).toBeGreaterThanOrEqual(140);

    const csv = parseCsv((await expectStatus(t.admin.get(url(incident.id, '/deliveries?format=csv')), 200)).body as string);
    expect(csv.find((r) => r.deliveryId === dead.deliveryId)).toMatchObject({ status: 'dead', attempts: '3', result: expect.stringContaining('HTTP 500') });

    const failed = (await timelineOf(t.admin, incident.id)).filter((e) => e.type === 'delivery.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ deliveryId: dead.deliveryId, channel: 'webhook', clientId: client.id, attempts: 3, error: expect.stringContaining('HTTP 500') });

    const notifications = await expectStatus(commsLead.get('/api/v1/notifications'), 200);
    const alert = notifications.body.items.find((n: { kind: string; incidentId: string }) => n.kind === 'delivery.failed' && n.incidentId === incident.id);
    expect(alert, JSON.stringify(notifications.body.items)).toBeDefined();
    expect(alert.title).toContain(incident.key);
    expect(alert.body).toContain('HTTP 500');
  });

  it('dead-letters at once a recipient the mail server refuses permanently (550), retries one it defers (451), and delivers the rest', async () => {
    const component = await buildComponent(t.admin);
    const good = address('gus');
    const bouncing = address('bob', BOUNCING_DOMAIN);
    const deferred = address('dee', DEFERRING_DOMAIN);
    const client = await buildClient(t.admin, {
      componentIds: [component.id],
      contacts: [
        { name: 'Gus', email: good },
        { name: 'Bob', email: bouncing },
        { name: 'Dee', email: deferred },
      ],
    });
    const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');
    const { commsLead } = await staffRoles(incident.id);

    await expectStatus(send(commsLead, incident.id, { kind: 'initial' }), 201);
    const proof = await settledProof(t.admin, incident.id, (rows) => rows.length === 3);
    expect(proof.find((r) => r.to === good)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(proof.find((r) => r.to === bouncing)).toMatchObject({ status: 'dead', attempts: 1, result: expect.stringContaining('550') });
    const gaveUp = proof.find((r) => r.to === deferred)!;
    expect(gaveUp).toMatchObject({ status: 'dead', attempts: 3, result: expect.stringContaining('451') });
    expect(mailTo(good)).toHaveLength(1);
    expect(mailTo(bouncing)).toHaveLength(0);
    expect(mailTo(deferred)).toHaveLength(0);
    // Each attempt carried the delivery's one Message-ID, so a server that did keep a copy can drop the next.
    const attempts = sink.refused.filter((r) => r.mail.envelopeTo.includes(deferred));
    expect(attempts.map((r) => [r.code, r.mail.messageId])).toEqual(Array(3).fill([451, gaveUp.messageId]));

    const failed = (await timelineOf(t.admin, incident.id)).filter((e) => e.type === 'delivery.failed');
    expect(failed.map((e) => e.data).sort((a, b) => a.attempts - b.attempts)).toEqual([
      expect.objectContaining({ channel: 'email', to: bouncing, clientId: client.id, attempts: 1 }),
      expect.objectContaining({ channel: 'email', to: deferred, clientId: client.id, attempts: 3 }),
    ]);
    const notifications = await expectStatus(commsLead.get('/api/v1/notifications'), 200);
    expect(notifications.body.items.filter((n: { kind: string; incidentId: string }) => n.kind === 'delivery.failed' && n.incidentId === incident.id)).toHaveLength(2);
  });

  it('disables a webhook endpoint that answers 410 Gone and sends it nothing more', async () => {
    const gone = await receiver({ status: 410, body: 'no such hook' });
    const component = await buildComponent(t.admin);
    const client = await buildClient(t.admin, { componentIds: [component.id] });
    const hook = await addEndpoint(t.admin, client.id, 'webhook', `${gone.url}/hook`);
    const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');
    const { commsLead } = await staffRoles(incident.id);

    await expectStatus(send(commsLead, incident.id, { kind: 'initial' }), 201);
    const proof = await settledProof(t.admin, incident.id, (rows) => rows.length === 2);
    expect(proof.find((r) => r.channel === 'webhook')).toMatchObject({ status: 'dead', attempts: 1, result: expect.stringContaining('410') });
    const endpoints = await expectStatus(t.admin.get(`/api/v1/clients/${client.id}/endpoints`), 200);
    expect(endpoints.body.items).toEqual([expect.objectContaining({ id: hook.id, isEnabled: false, disabledReason: expect.stringContaining('410') })]);
    const types = (await timelineOf(t.admin, incident.id)).map((e) => e.type);
    expect(types).toContain('delivery.failed');
    expect(types).toContain('endpoint.disabled');

    await expectStatus(send(commsLead, incident.id, { kind: 'update', body: 'Still working on it.' }), 201);
    const after = await settledProof(t.admin, incident.id, (rows) => rows.length === 3);
    expect(after.filter((r) => r.channel === 'webhook')).toHaveLength(1);
    expect(gone.requests).toHaveLength(1);
  });

  it('does not delay other recipients while one client’s webhook hangs (it would answer only after 30 s)', async () => {
    const hanging = await receiver({ status: 200, delayMs: HANG_MS });
    const healthy = await receiver();
    const component = await buildComponent(t.admin);
    const slow = await buildClient(t.admin, { componentIds: [component.id], contacts: [{ name: 'Sam', email: address('sam') }, { name: 'Sue', email: address('sue'), language: 'de' }] });
    const fast = await buildClient(t.admin, { componentIds: [component.id], contacts: [{ name: 'Fay', email: address('fay') }] });
    await addEndpoint(t.admin, slow.id, 'webhook', `${hanging.url}/slow`);
    await addEndpoint(t.admin, fast.id, 'webhook', `${healthy.url}/fast`);
    const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');
    const emails = [...slow.contacts, ...fast.contacts].map((c) => c.email);

    // Two messages in a row: the second must not queue behind the first one's hung request either.
    for (const [n, body] of [['initial', undefined], ['update', 'We are restarting the login service.']] as const) {
      const count = n === 'initial' ? 1 : 2;
      const startedAt = Date.now();
      await expectStatus(send(t.admin, incident.id, { kind: n, ...(body && { body }) }), 201);
      await eventually('every other recipient', () => emails.every((e) => mailTo(e).length === count) && healthy.requests.length === count, PROMPT_MS);
      await hanging.waitForRequests(count, PROMPT_MS);
      const arrivals = [...emails.map((e) => mailTo(e)[count - 1]!.receivedAt), healthy.requests[count - 1]!.receivedAt];
      for (const at of arrivals) expect(at - startedAt).toBeLessThan(PROMPT_MS);
    }

    // The hung deliveries are still in flight (not failed fast, not sent); everything else is recorded as sent
    // (polled: the sink and receiver can see a message a moment before its delivery row says so).
    const isStuck = (r: ProofRow) => r.channel === 'webhook' && r.clientId === slow.id;
    const proof = await eventually('every other delivery recorded as sent', async () => {
      const rows = await proofOf(t.admin, incident.id);
      return rows.filter((r) => !isStuck(r)).every((r) => r.status === 'sent') && rows;
    });
    expect(proof).toHaveLength(2 * (emails.length + 2));
    const stuck = proof.filter(isStuck);
    expect(stuck.map((r) => r.status)).toEqual(['sending', 'sending']);
    for (const r of proof.filter((row) => !isStuck(row))) expect(r, JSON.stringify(r)).toMatchObject({ status: 'sent', attempts: 1 });

    // When the endpoint goes away the hung attempts fail and follow the usual retry path to the dead letters.
    await hanging.close();
    receivers.splice(receivers.indexOf(hanging), 1);
    const settled = await settledProof(t.admin, incident.id, () => true);
    for (const r of settled.filter((row) => stuck.some((s) => s.deliveryId === row.deliveryId))) expect(r).toMatchObject({ status: 'dead', attempts: 3 });
  });

  it('holds a SEV2 message for a second person’s approval; the author cannot approve it; a rejected one is never sent', async () => {
    const policies = await expectStatus(t.admin.get('/api/v1/sla-policies'), 200);
    const policy = policies.body.items.find((p: { tier: string; severity: string }) => p.tier === '*' && p.severity === 'SEV2');
    await expectStatus(t.admin.patch(`/api/v1/sla-policies/${policy.id}`, { requiresApproval: true }), 200);
    try {
      const component = await buildComponent(t.admin);
      const contact = address('abe');
      const client = await buildClient(t.admin, { componentIds: [component.id], contacts: [{ name: 'Abe', email: contact }] });
      const incident = await buildAffectedIncident(t.admin, component.id, 'SEV2');
      const { manager, commsLead } = await staffRoles(incident.id);
      const bystander = await t.user('member');

      const held = await expectStatus(send(commsLead, incident.id, { kind: 'initial' }), 201);
      expect(held.body.status).toBe('pending_approval');
      expect(held.body.communication).toMatchObject({ status: 'pending_approval', requiresApproval: true, sentAt: null, recipientCounts: { total: 0, byClient: [] } });
      const initialId = held.body.communication.id as string;
      expect(await proofOf(t.admin, incident.id)).toEqual([]);
      expect(mailTo(contact)).toEqual([]);
      const owed = await obligationsOf(t.admin, incident.id);
      expect(owed.find((o: { kind: string; clientId: string }) => o.kind === 'initial' && o.clientId === client.id)).toMatchObject({ status: 'open' });
      const asked = await expectStatus(manager.get('/api/v1/notifications'), 200);
      expect(asked.body.items.some((n: { kind: string; incidentId: string }) => n.kind === 'communication.approval_requested' && n.incidentId === incident.id)).toBe(true);

      await expectProblem(commsLead.post(`/api/v1/communications/${initialId}/approval`, { isApproved: true }), { status: 403, code: 'not_approver' });
      await expectProblem(bystander.post(`/api/v1/communications/${initialId}/approval`, { isApproved: true }), { status: 403, code: 'not_approver' });
      expect((await expectStatus(t.admin.get(`/api/v1/communications/${initialId}`), 200)).body.status).toBe('pending_approval');

      const approved = await expectStatus(manager.post(`/api/v1/communications/${initialId}/approval`, { isApproved: true, note: 'Reads well.' }), 200);
      expect(approved.body.communication).toMatchObject({ id: initialId, status: 'sent', decidedBy: manager.userId, decisionNote: 'Reads well.' });
      // The answer counts the copies approving sent (per client and channel); the copies are read page by page.
      expect(approved.body.communication.recipientCounts).toMatchObject({ total: 1, byChannel: { email: 1 }, byClient: [{ clientId: client.id, total: 1 }] });
      expect(approved.body.communication).not.toHaveProperty('recipients');
      await eventually('the approved notice in the sink', () => mailTo(contact).length === 1);
      expect(mailTo(contact)[0]!.subject).toMatch(/^Incident notice: /);
      const met = await obligationsOf(t.admin, incident.id);
      expect(met.find((o: { kind: string }) => o.kind === 'initial')).toMatchObject({ status: 'met', metByCommunicationId: initialId });
      await expectProblem(manager.post(`/api/v1/communications/${initialId}/approval`, { isApproved: true }), { status: 409, code: 'conflict' });

      const events = await timelineOf(t.admin, incident.id);
      const approval = events.filter((e) => e.type.startsWith('communication.'));
      expect(approval.map((e) => e.type)).toEqual(['communication.approval_requested', 'communication.approved', 'communication.sent']);
      expect(approval.slice(0, 2).map((e) => e.actorId)).toEqual([commsLead.userId, manager.userId]);
      expect(approval.every((e) => e.data.communicationId === initialId)).toBe(true);

      const second = await expectStatus(send(commsLead, incident.id, { kind: 'update', body: 'We think it was the database.' }), 201);
      expect(second.body.status).toBe('pending_approval');
      const updateId = second.body.communication.id as string;
      const rejected = await expectStatus(manager.post(`/api/v1/communications/${updateId}/approval`, { isApproved: false, note: 'Not confirmed yet.' }), 200);
      expect(rejected.body.communication).toMatchObject({ id: updateId, status: 'rejected', sentAt: null, recipientCounts: { total: 0, byClient: [] }, decisionNote: 'Not confirmed yet.' });
      expect((await proofOf(t.admin, incident.id)).map((r) => r.communicationId)).toEqual([initialId]);
      const after = await timelineOf(t.admin, incident.id);
      expect(after.filter((e) => e.type.startsWith('communication.')).map((e) => e.type)).toEqual([
        'communication.approval_requested',
        'communication.approved',
        'communication.sent',
        'communication.approval_requested',
        'communication.rejected',
      ]);
      const told = await expectStatus(commsLead.get('/api/v1/notifications'), 200);
      expect(told.body.items.some((n: { kind: string; incidentId: string }) => n.kind === 'communication.rejected' && n.incidentId === incident.id)).toBe(true);
      // The next update is still owed, and the rejected one reached nobody.
      const stillOwed = await obligationsOf(t.admin, incident.id);
      expect(stillOwed.filter((o: { kind: string; status: string }) => o.kind === 'update' && o.status === 'open')).toHaveLength(1);
      expect(mailTo(contact)).toHaveLength(1);
    } finally {
      await expectStatus(t.admin.patch(`/api/v1/sla-policies/${policy.id}`, { requiresApproval: false }), 200);
    }
  });

  it('versions a template on save, uses the new version for the next message, and refuses Liquid that would not render, naming the line', async () => {
    const list = await expectStatus(t.admin.get('/api/v1/templates'), 200);
    const template = list.body.items.find((x: { kind: string; language: string; channel: string }) => x.kind === 'update' && x.language === 'en' && x.channel === 'email');
    const original = template.parts as { subject: string; html: string; text: string };
    const tmpl = `/api/v1/templates/${template.id}`;
    const before = (await expectStatus(t.admin.get(tmpl), 200)).body;
    try {
      const edited = {
        ...original,
        subject: 'Status of {{ incident.key }}: {{ incident.title }}',
        text: original.text.replace(/\n/, '\nReference for your records: {{ incident.key }}.\n'),
      };
      const saved = await expectStatus(t.admin.patch(tmpl, { parts: edited, note: 'Shorter subject' }), 200);
      expect(saved.body.currentVersion).toBe(before.currentVersion + 1);
      const shown = await expectStatus(t.admin.get(tmpl), 200);
      expect(shown.body.parts).toEqual(edited);
      expect(shown.body.versions.map((v: { version: number }) => v.version)).toEqual([before.currentVersion + 1, before.currentVersion]);
      expect(shown.body.versions[0]).toMatchObject({ parts: edited, note: 'Shorter subject', createdBy: t.admin.userId });
      expect(shown.body.versions[1]).toMatchObject({ parts: original });

      const component = await buildComponent(t.admin);
      const contact = address('vera');
      await buildClient(t.admin, { componentIds: [component.id], contacts: [{ name: 'Vera', email: contact }] });
      const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');
      await expectStatus(send(t.admin, incident.id, { kind: 'initial' }), 201);
      const update = await expectStatus(send(t.admin, incident.id, { kind: 'update', body: 'Almost there.' }), 201);
      expect(update.body.communication.templateVersions).toMatchObject({ 'email/en': before.currentVersion + 1 });
      const mails = await eventually('both messages in the sink', () => mailTo(contact).length === 2 && mailTo(contact));
      const mail = mails.find((m) => m.subject.startsWith('Status of'))!;
      expect(mail.subject).toBe(`Status of ${incident.key}: ${update.body.incident.title}`);
      expect(mail.text).toContain(`Reference for your records: ${incident.key}.`);

      // An unclosed {% if %} on line 3 of the text.
      const lines = original.text.split('\n');
      const unclosed = [...lines.slice(0, 2), '{% if disclosures.impactSummary %}We know the impact.', ...lines.slice(2)].join('\n');
      const syntax = await expectProblem(t.admin.patch(tmpl, { parts: { ...original, text: unclosed } }), { status: 422, code: 'invalid_template' });
      expect(syntax.issues).toEqual([expect.objectContaining({ part: 'text', line: 3 })]);
      expect(syntax.detail).toContain('text line 3');

      // An unknown variable on line 5 of the text.
      const unknown = [...lines.slice(0, 4), 'Internal notes: {{ incident.internalNotes }}', ...lines.slice(4)].join('\n');
      const variable = await expectProblem(t.admin.patch(tmpl, { parts: { ...original, text: unknown } }), { status: 422, code: 'invalid_template' });
      expect(variable.issues).toEqual([expect.objectContaining({ part: 'text', line: 5, message: expect.stringContaining('incident.internalNotes') })]);

      const unchanged = await expectStatus(t.admin.get(tmpl), 200);
      expect(unchanged.body.currentVersion).toBe(before.currentVersion + 1);
      expect(unchanged.body.versions).toHaveLength(before.versions.length + 1);
      expect(unchanged.body.parts).toEqual(edited);
    } finally {
      // Later tests on this app expect the shipped wording.
      await expectStatus(t.admin.patch(tmpl, { parts: original, note: 'Back to the shipped text' }), 200);
    }
  });

  it('previews a message: refused with the missing disclosures named, then each recipient’s text in their language, sending nothing', async () => {
    const hooks = await receiver();
    const component = await buildComponent(t.admin);
    const client = await buildClient(t.admin, {
      name: 'Preview GmbH',
      componentIds: [component.id],
      contacts: [
        { name: 'Erik', email: address('erik'), language: 'en' },
        { name: 'Greta', email: address('greta'), language: 'de' },
      ],
    });
    await addEndpoint(t.admin, client.id, 'webhook', `${hooks.url}/preview`);
    const incident = await buildIncident(t.admin, { title: 'Reports are late' });
    await expectStatus(
      t.admin.post(url(incident.id, '/classification'), { severity: 'SEV3', impacts: [{ componentId: component.id, status: 'partial_outage' }], isClientAffected: true, reason: 'Reports are late.' }),
      200,
    );
    const preview = () => t.admin.post(url(incident.id, '/communications/preview'), { kind: 'initial' });

    const refused = await expectStatus(preview(), 200);
    expect(refused.body).toMatchObject({ canSend: false, requiresApproval: false, refusal: { code: 'missing_disclosures' } });
    expect(refused.body.refusal.missing).toEqual(['impactSummary', 'dataLoss', 'dataExposure', 'nextUpdateAt']);

    await expectStatus(t.admin.post(url(incident.id, '/disclosures'), fullDisclosures()), 200);
    const ready = await expectStatus(preview(), 200);
    expect(ready.body).toMatchObject({ canSend: true, refusal: null });
    const recipients = ready.body.recipients as { clientId: string; channel: string; to: string; language: string; subject: string; text: string }[];
    expect(recipients).toHaveLength(3);
    expect(recipients.filter((r) => r.channel === 'webhook')).toEqual([expect.objectContaining({ clientId: client.id, to: expect.stringMatching(/^webhook:/) })]);
    const erik = recipients.find((r) => r.to === client.contacts[0]!.email)!;
    const greta = recipients.find((r) => r.to === client.contacts[1]!.email)!;
    expect([erik.language, greta.language]).toEqual(['en', 'de']);
    expect(erik.subject).toBe(`Incident notice: Reports are late [${incident.key}]`);
    expect(erik.text).toMatch(/^Dear Erik,/);
    expect(erik.text).toContain('Logins fail for about half of the users.');
    expect(greta.subject).toBe(`Störungsmeldung: Reports are late [${incident.key}]`);
    expect(greta.text).toMatch(/^Guten Tag Greta,/);
    expect(greta.text).toContain('Es sind keine Daten verloren gegangen.');

    // A preview writes nothing and sends nothing.
    expect((await expectStatus(t.admin.get(url(incident.id, '/communications')), 200)).body.items).toEqual([]);
    expect(await proofOf(t.admin, incident.id)).toEqual([]);
    expect(client.contacts.flatMap((c) => mailTo(c.email))).toEqual([]);
    expect(hooks.requests).toEqual([]);
  });
});
