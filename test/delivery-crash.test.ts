// Acceptance 3 of the communication issue: the real server process (dist/cli/main.js serve; `npm test`
// builds it first) is SIGKILLed in the middle of sending one message to 2,000 recipients, restarted on
// the same data, and the SMTP sink in this process must end up with every message, counted by
// Message-ID. On PGlite (a data directory of its own) and on PostgreSQL (a fresh database).
//
// What SMTP lets a sender promise is at least once, not exactly once: the server takes responsibility
// for a message when it answers 250 to its DATA, and a sender that dies after the message went over
// the wire but before it could write down that 250 cannot tell whether the server has it. Sending again
// is the only way not to lose it; the copy carries the same Message-ID (<deliveryId@domain>), and a
// receiver that has seen that Message-ID drops it (RFC 5322 makes the Message-ID unique per message;
// mail systems and archives de-duplicate on it). That is the guarantee Herald makes and this test holds
// it to: every message arrives, and a copy arrives only of a delivery whose fate the crash left unknown.
//
// How small that window is: each e-mail delivery is claimed ('sending', committed on its own) only once
// it holds one of the process's SMTP slots (DELIVERY_WORKER_DEFAULTS.emailInFlight), handed to SMTP,
// and recorded 'sent' in a commit of its own right after the server's 250. So at any moment at most
// emailInFlight deliveries are 'sending', and only they can be received twice: after the restart
// pg-boss re-runs their jobs (the heartbeat lapsed) and Herald sends them again. The test reads the
// deliveries left 'sending' from the database the killed server left behind and asserts that there are
// at most emailInFlight of them, that every duplicate is one of them, and that no Message-ID arrives
// more than twice.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DELIVERY_WORKER_DEFAULTS } from '../src/jobs/deliver.js';
import { expectBody } from './support/http-assertions.js';
import { useProcessHarness } from './support/process-harness.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { createTokenOverHttp, httpApi, startHerald, type RunningHerald, type ServeOptions, type HttpApi } from './support/server-process.js';
import { createPgDatabase, testBackends } from './support/test-database.js';

const RECIPIENTS = 2000;
/** SIGKILL once the sink holds this many messages: some, far from all. */
const KILL_AFTER = 400;
/** E-mail deliveries one server has at most 'sending' (claimed, handed to SMTP, outcome not yet recorded). */
const IN_FLIGHT = DELIVERY_WORKER_DEFAULTS.emailInFlight;
const ADMIN = { adminEmail: 'crash-admin@example.com', adminPassword: 'correct horse battery staple' };
const MAIL_DOMAIN = 'crash.example';

const harness = useProcessHarness();

type Query = (text: string, params?: unknown[]) => Promise<{ rows: any[] }>;

/**
 * The catalog, written to the database before the server starts (2,000 contacts through the API
 * would take most of the time this test has; the point is the sending): a component, a client using
 * it, and its contacts, a third of them German.
 */
async function seedCatalog(query: Query) {
  const [component] = (await query(`INSERT INTO components (name) VALUES ('Payments API') RETURNING id`)).rows;
  const [client] = (await query(`INSERT INTO clients (name, slug, tier) VALUES ('Big Customer', 'big-customer', 'standard') RETURNING id`)).rows;
  await query('INSERT INTO client_components (client_id, component_id) VALUES ($1, $2)', [client.id, component.id]);
  await query(
    `INSERT INTO contacts (client_id, name, email, language)
     SELECT $1, 'Contact ' || i, 'contact-' || lpad(i::text, 4, '0') || '@recipient.example', CASE WHEN i % 3 = 0 THEN 'de' ELSE 'en' END
     FROM generate_series(1, $2::int) AS i`,
    [client.id, RECIPIENTS],
  );
  return { componentId: component.id as string, clientId: client.id as string };
}

async function withPglite<T>(dataDir: string, fn: (query: Query) => Promise<T>): Promise<T> {
  const db = await PGlite.create(dataDir);
  try {
    return await fn((text, params) => db.query(text, params));
  } finally {
    await db.close();
  }
}

async function withPg<T>(url: string, fn: (query: Query) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn((text, params) => c.query(text, params));
  } finally {
    await c.end();
  }
}

/** An incident affecting the client, classified, with every disclosure an initial notice needs. */
async function prepareIncident(a: HttpApi, catalog: { componentId: string; clientId: string }) {
  // The contacts list pages (200 at most an answer): count them page by page.
  let contactCount = 0;
  for (let cursor: string | null = '', pages = 0; cursor !== null && pages < 100; pages++) {
    const contacts = await a.get(`/api/v1/clients/${catalog.clientId}/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(contacts.status).toBe(200);
    contactCount += (contacts.body.items as unknown[]).length;
    cursor = contacts.body.nextCursor as string | null;
  }
  expect(contactCount).toBe(RECIPIENTS);
  const incident = await expectBody(a.post('/api/v1/incidents', { title: 'Payments fail', description: 'Card payments are declined.' }), 201);
  const classified = await expectBody(
    a.post(`/api/v1/incidents/${incident.id}/classification`, {
      severity: 'SEV3',
      impacts: [{ componentId: catalog.componentId, status: 'major_outage' }],
      isClientAffected: true,
      reason: 'Clients cannot take payments.',
    }),
    200,
  );
  expect(classified.affectedClients.map((c: { clientId: string }) => c.clientId)).toEqual([catalog.clientId]);
  const now = Date.now();
  await expectBody(
    a.post(`/api/v1/incidents/${incident.id}/disclosures`, {
      impactSummary: 'Card payments are declined for about a third of the transactions.',
      dataLoss: { level: 'none', details: null },
      dataExposure: { level: 'none', details: null, isPersonalData: false },
      expectedResolutionAt: new Date(now + 4 * 3600_000).toISOString(),
      nextUpdateAt: new Date(now + 30 * 60_000).toISOString(),
    }),
    200,
  );
  return incident.id as string;
}

interface DeliveryState {
  id: string;
  status: string;
  attempts: number;
}

/** The deliveries as the killed server left them in the database. */
async function deliveriesOf(query: Query, incidentId: string): Promise<DeliveryState[]> {
  return (await query('SELECT id::text AS id, status, attempts FROM communication_recipients WHERE incident_id = $1', [incidentId])).rows as DeliveryState[];
}

interface Backend {
  kind: string;
  serve: ServeOptions;
  /** Runs `fn` on the database while no server has it open. */
  offline<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on the database as the killed server left it. PGlite reads a copy of the data directory
   * (taken synchronously, before this returns), so the server may restart on the original meanwhile.
   */
  afterCrash<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  readsCopy: boolean;
}

function pgliteBackend(): Backend {
  const dataDir = harness.pgliteDataDir('herald-crash-');
  return {
    kind: 'pglite',
    serve: { dataDir },
    readsCopy: true,
    offline: (fn) => withPglite(dataDir, fn),
    afterCrash: (fn) => {
      const copy = join(harness.tempDir('herald-crash-copy-'), 'data');
      cpSync(dataDir, copy, { recursive: true });
      return withPglite(copy, fn);
    },
  };
}

function pgBackend(url: string): Backend {
  return { kind: 'postgres', serve: { databaseUrl: url }, readsCopy: false, offline: (fn) => withPg(url, fn), afterCrash: (fn) => withPg(url, fn) };
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | null | undefined | false>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await fn();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function crashInTheMiddleOfSending(backend: Backend) {
  const { kind, serve } = backend;
  const sink: SmtpSink = await startSmtpSink({ parse: false });
  harness.cleanup(() => sink.close());
  const opts: ServeOptions = { ...ADMIN, ...serve, extra: { SMTP_URL: sink.url, HERALD_MAIL_FROM: `Herald <status@${MAIL_DOMAIN}>`, ...serve.extra } };
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    timings[name] = Date.now() - mark;
    mark = Date.now();
    if (process.env.HERALD_CRASH_TRACE) console.log(`${kind} ${name}: ${timings[name]} ms, sink ${sink.messages.length}`);
  };

  const start = async () => harness.track(await startHerald(opts));
  const catalog = await backend.offline(seedCatalog);
  lap('seed');
  const first: RunningHerald = await start();
  lap('start');
  const token = await createTokenOverHttp(first.url, ADMIN.adminEmail, ADMIN.adminPassword);
  const before = httpApi(first.url, token);
  const incidentId = await prepareIncident(before, catalog);
  lap('incident');

  // Kill the server when the sink has KILL_AFTER messages, from a timer (not from inside the sink's
  // own handler, which would always kill right between accepting a message and answering 250).
  let killedAtCount = -1;
  const killer = setInterval(() => {
    if (sink.messages.length >= KILL_AFTER && killedAtCount < 0) {
      first.child.kill('SIGKILL');
      killedAtCount = sink.messages.length;
      clearInterval(killer);
    }
  }, 2);
  const sent = await before.post(`/api/v1/incidents/${incidentId}/communications`, { kind: 'initial' });
  expect(sent.status, JSON.stringify(sent.body).slice(0, 2000)).toBe(201);
  lap('compose');
  const exit = await Promise.race([first.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  clearInterval(killer);
  expect(exit, `the server was not killed: the sink has ${sink.messages.length} messages\n${first.output()}`).toEqual({ code: null, signal: 'SIGKILL' });
  lap('send until kill');
  const receivedBeforeRestart = sink.messages.length;
  expect(killedAtCount).toBeGreaterThanOrEqual(KILL_AFTER);
  expect(receivedBeforeRestart, 'the kill came too late to interrupt the sending').toBeLessThan(RECIPIENTS);

  const snapshot = backend.afterCrash((query) => deliveriesOf(query, incidentId));
  if (!backend.readsCopy) await snapshot;

  const second = await start();
  lap('restart');
  const atKill = await snapshot;
  expect(atKill).toHaveLength(RECIPIENTS);
  const statusAtKill = new Map(atKill.map((d) => [d.id, d.status]));
  const countAtKill = (status: string) => atKill.filter((d) => d.status === status).length;
  expect(countAtKill('sent')).toBeLessThan(RECIPIENTS);
  // The window a crash can leave open: never more deliveries than the process has SMTP slots.
  const inFlightAtKill = countAtKill('sending');
  expect(inFlightAtKill, "deliveries 'sending' at the kill").toBeLessThanOrEqual(IN_FLIGHT);

  const after = httpApi(second.url, token);
  const distinct = () => new Set(sink.messages.map((m) => m.messageId)).size;
  let traced = 0;
  const proof = await waitFor('every delivery to be sent', 90_000, async () => {
    const isTracing = !!process.env.HERALD_CRASH_TRACE && Date.now() - traced > 2000;
    // The proof export is 2,000 rows: asked for once the sink has as many distinct messages (or to trace).
    if (distinct() < RECIPIENTS && !isTracing) return null;
    const res = await after.get(`/api/v1/incidents/${incidentId}/deliveries`);
    expect(res.status).toBe(200);
    const items = res.body.items as { deliveryId: string; messageId: string; to: string; status: string; attempts: number }[];
    if (isTracing) {
      traced = Date.now();
      const counts: Record<string, number> = {};
      for (const d of items) counts[d.status] = (counts[d.status] ?? 0) + 1;
      console.log(`${kind} +${Date.now() - mark} ms: sink ${sink.messages.length}, ${JSON.stringify(counts)}`);
    }
    return items.every((d) => d.status === 'sent') ? items : null;
  });
  lap('recover');
  // Anything still on its way (a re-run that should not have happened) has time to arrive.
  await new Promise((r) => setTimeout(r, 1000));
  const stopped = await second.stop('SIGTERM');
  expect(stopped, second.output()).toEqual({ code: 0, signal: null });

  // The proof: one e-mail delivery per contact, each with its own Message-ID <deliveryId@domain>.
  expect(proof).toHaveLength(RECIPIENTS);
  expect(new Set(proof.map((d) => d.to)).size).toBe(RECIPIENTS);
  for (const d of proof) expect(d.messageId).toBe(`<${d.deliveryId}@${MAIL_DOMAIN}>`);
  const expected = new Set(proof.map((d) => d.messageId));
  expect(expected.size).toBe(RECIPIENTS);

  // What the sink received, counted by Message-ID.
  const received = new Map<string, number>();
  for (const m of sink.messages) received.set(m.messageId ?? '(none)', (received.get(m.messageId ?? '(none)') ?? 0) + 1);
  const missing = [...expected].filter((id) => !received.has(id));
  const unexpected = [...received.keys()].filter((id) => !expected.has(id));
  expect(missing, 'Message-IDs never received').toEqual([]);
  expect(unexpected, 'Message-IDs received that no delivery has').toEqual([]);
  const byMessageId = new Map(proof.map((d) => [d.messageId, d]));
  expect(sink.messages.filter((m) => m.envelopeTo.join() !== byMessageId.get(m.messageId!)!.to).map((m) => m.messageId), 'sent to another address').toEqual([]);
  // What the killed server had recorded as sent, the sink had received before the restart.
  const beforeRestart = new Set(sink.messages.slice(0, receivedBeforeRestart).map((m) => m.messageId));
  expect(proof.filter((d) => statusAtKill.get(d.deliveryId) === 'sent' && !beforeRestart.has(d.messageId)).map((d) => d.messageId), 'recorded sent but not received').toEqual([]);
  const duplicates = [...received].filter(([, n]) => n > 1).map(([id, n]) => ({ id, n, deliveryId: byMessageId.get(id)!.deliveryId }));
  // See the head of the file: only a delivery in flight at the kill (sent over the wire, its 250 not yet
  // recorded) may arrive twice, and only once more.
  for (const d of duplicates) {
    expect(d.n, `${d.id} received ${d.n} times`).toBe(2);
    expect(statusAtKill.get(d.deliveryId), `${d.id} was received twice but was not being sent at the kill`).toBe('sending');
  }
  expect(duplicates.length).toBeLessThanOrEqual(inFlightAtKill);
  // A delivery the crash did not interrupt was attempted once; one it interrupted, once more after the restart.
  const wrongAttempts = proof.filter((d) => d.attempts !== (statusAtKill.get(d.deliveryId) === 'sending' ? 2 : 1));
  expect(wrongAttempts.map((d) => `${d.deliveryId}: ${d.attempts} attempts, ${statusAtKill.get(d.deliveryId)} at the kill`)).toEqual([]);

  const report = {
    kind,
    timings,
    killedAtCount,
    receivedBeforeRestart,
    atKill: { sent: countAtKill('sent'), sending: inFlightAtKill, queued: countAtKill('queued') },
    received: sink.messages.length,
    duplicates: duplicates.length,
  };
  console.log(`delivery crash ${JSON.stringify(report)}`);
  return report;
}

describe('a crash in the middle of sending one message to 2,000 recipients', () => {
  it('PGlite: after SIGKILL and restart every recipient has the message, once', { timeout: 120_000 }, async () => {
    await crashInTheMiddleOfSending(pgliteBackend());
  });

  it.runIf(testBackends().includes('postgres'))('PostgreSQL: after SIGKILL and restart every recipient has the message, once', { timeout: 120_000 }, async () => {
    const { url, drop } = await createPgDatabase();
    harness.cleanup(drop);
    await crashInTheMiddleOfSending(pgBackend(url));
  });
});
