// E-mail is not sent twice when a delivery job outlives its expiry (issue 15, item 12): client messages
// and status-page subscriber notices alike. A job runs at
// most its expiry (pg-boss fails it then and runs it again, while the first run goes on); a job whose
// deliveries wait long for the process's SMTP slots outlives it. Before the fix, the second run claimed
// the deliveries the first was still sending ('sending' was claimable, for crash recovery), and the
// recipients got them twice. Now a claim is a lease the sender renews: a delivery leased to a live
// sender is left to it (and looked at again when the lease ends, so none is lost if the sender dies).
//
// The SMTP sink answers each message more slowly than a job may run, and the job expiry, its retry
// delay and the lease are shortened (settings), so that it runs in seconds: 40 contacts, 5 SMTP
// connections, 0.6 s per message, jobs expiring after 1 s. Every contact must get the message once.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../src/services/queues.js';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { eventually, expectStatus } from './support/http-assertions.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const CONTACTS = 40;
/** Longer than a job may run (JOB_EXPIRY_S), so the jobs run again while their first run still sends. */
const SMTP_ANSWER_MS = 600;
const JOB_EXPIRY_S = 1;

describe.each(testBackends())('deliveries whose job outlives its expiry, on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink({ delayMs: SMTP_ANSWER_MS, parse: false });
    t = await createTestApp(kind, {
      smtpUrl: sink.url,
      mailFrom: 'Herald <status@lease.example>',
      delivery: { leaseMs: 1_000 },
      jobQueue: { expireInSeconds: JOB_EXPIRY_S, retryDelaySeconds: 1 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('sends every delivery once though its job is run again while the first run still sends it', { timeout: 90_000 }, async () => {
    const component = await buildComponent(t.admin);
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ name: `Contact ${i}`, email: `contact-${i}@lease.example` }));
    await buildClient(t.admin, { componentIds: [component.id], contacts });
    const incident = await buildAffectedIncident(t.admin, component.id);
    await expectStatus(t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial' }), 201);

    // Every delivery recorded as sent: none lost, however often its job ran.
    const deliveries = await eventually(
      'every delivery to be sent',
      async () => {
        const res = await t.admin.get(`/api/v1/incidents/${incident.id}/deliveries`);
        const items = res.body.items as { messageId: string; status: string; to: string }[];
        return items.length === CONTACTS && items.every((d) => d.status === 'sent') ? items : null;
      },
      60_000,
    );
    // The jobs did run again while their deliveries were being sent (else this test would prove nothing).
    // (pg-boss counts the runs of each job after its first in retry_count.)
    const [reruns] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'delivery' AND retry_count > 0`);
    expect(reruns!.n).toBeGreaterThan(0);

    // Once every delivery is recorded sent, no claim can succeed: all that was sent has arrived.
    const received = new Map<string, number>();
    for (const m of sink.messages) received.set(m.messageId ?? '(none)', (received.get(m.messageId ?? '(none)') ?? 0) + 1);
    const repeated = [...received].filter(([, n]) => n > 1);
    expect(repeated, 'Message-IDs received more than once').toEqual([]);
    expect(new Set(deliveries.map((d) => d.messageId))).toEqual(new Set(received.keys()));
  });

  it('sends every status-page subscriber notice once though its job is run again while the first run still sends it', { timeout: 90_000 }, async () => {
    const tag = randomUUID().slice(0, 8);
    // Notices as the status pages write them (a row and a job each), for active e-mail subscribers.
    const ids = await t.database.transaction(async (tx) => {
      const made: string[] = [];
      for (let i = 0; i < CONTACTS; i++) {
        const [subscriber] = await rows<{ id: string }>(
          tx,
          sql`INSERT INTO status_subscribers (channel, address, status, unsubscribe_token, created_at, confirmed_at)
              VALUES ('email', ${`follower-${tag}-${i}@lease.example`}, 'active', ${randomUUID()}, now(), now()) RETURNING id`,
        );
        const id = randomUUID();
        await tx.execute(sql`INSERT INTO status_subscriber_deliveries (id, subscriber_id, kind, channel, to_address, subject, text_body, payload, status, created_at)
          VALUES (${id}, ${subscriber!.id}, 'update', 'email', ${`follower-${tag}-${i}@lease.example`}, 'Update', 'The API is back.', '{}'::jsonb, 'queued', now())`);
        made.push(id);
      }
      await t.herald.queue.enqueue(tx, QUEUES.statusSubscriber, made.map((deliveryId) => ({ data: { deliveryId } })));
      return made;
    });
    const expected = new Set(ids.map((id) => `<${id}@lease.example>`));

    await eventually(
      'every notice to be sent',
      async () => {
        const [left] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM status_subscriber_deliveries WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid) AND status <> 'sent'`);
        return left!.n === 0;
      },
      60_000,
    );
    const [reruns] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.statusSubscriber} AND retry_count > 0`);
    expect(reruns!.n).toBeGreaterThan(0);

    const received = new Map<string, number>();
    for (const m of sink.messages) if (expected.has(m.messageId ?? '')) received.set(m.messageId!, (received.get(m.messageId!) ?? 0) + 1);
    expect([...received].filter(([, n]) => n > 1), 'Message-IDs received more than once').toEqual([]);
    expect(new Set(received.keys())).toEqual(expected);
  });
});
