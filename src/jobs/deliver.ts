// One delivery attempt per job: at least once underneath, exactly once to the recipient. A delivery
// recorded as sent is never sent again; a retry carries the same stable id (the e-mail Message-ID,
// the webhook-id) so a receiver that saw it already can drop the copy.
import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { Mailer } from '../channels/email.js';
import { sendSlack, type SlackMessage } from '../channels/slack.js';
import { sendTeams, type TeamsMessage } from '../channels/teams.js';
import type { TargetRule } from '../channels/public-target.js';
import type { DeliveryAttempt } from '../channels/types.js';
import { sendWebhook } from '../channels/webhook.js';
import type { Database } from '../db/open.js';
import type { DomainEvent } from '../domain/incident/events.js';
import { query } from '../db/raw.js';
import { garbageCollector } from '../services/garbage.js';
import { clientEndpoints, communicationRecipients, incidents } from '../db/schema.js';
import { appendEvents } from '../services/incidents/incident-store.js';
import { recordMaintenanceDeliveryFailure } from '../services/maintenance/maintenance-delivery.js';
import { notify } from '../services/notifications.js';
import { rows } from '../services/sql-rows.js';
import { QUEUES } from '../services/queues.js';
import type { JobQueue } from './job-queue.js';
import type { ReportFailure } from '../background-failures.js';
import { CLAIMABLE_CONDITION, createLeaseKeeper, DEFAULT_LEASE_MS, leaseEnd, sendUnderLease, type LeaseKeeper } from './delivery-lease.js';
import { deliveryIdsOf, type DeliveryJobData } from '../services/communications/delivery-jobs.js';

export interface DeliveryPayload {
  /** E-mail: the Message-ID this one answers (the initial notice to the same contact). */
  inReplyTo?: string;
  /** Webhook: the JSON body. Slack/Teams: their message. */
  body?: object;
}

export interface DeliverySettings {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  httpTimeoutMs: number;
  /**
   * How long a claimed delivery is leased to the worker sending it (default 30 s), renewed every third
   * of that while it sends: no other worker claims it meanwhile. Only a lease left to lapse (a worker
   * that died) lets another take the delivery over.
   */
  leaseMs?: number;
}

export interface DeliveryDeps {
  database: Database;
  queue: JobQueue;
  mailer: Mailer | null;
  settings: DeliverySettings;
  now?: () => Date;
  /** Bounds the e-mail deliveries handed to SMTP at once (startDeliveryWorkers makes one per process). */
  emailSlots?: Limiter;
  /** The private-address rule for client endpoints (webhook, Slack, Teams): HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS. */
  targets: TargetRule;
  /** Renews the leases of the deliveries this process is sending (startDeliveryWorkers makes one per process). */
  leases?: LeaseKeeper;
  /** Where a lease that could not be renewed is reported. */
  reportFailure?: ReportFailure;
}

/** A counting semaphore: at most `size` callers run at once, the others wait their turn in order. */
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createLimiter(size: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(fn) {
      if (active < size) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await fn();
      } finally {
        // The slot passes straight to the next in line, or is freed.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'dead' | 'skipped';

/** Exponential backoff with jitter (±25 %), never sooner than the receiver asked. */
export function retryDelayMs(attempt: number, s: Pick<DeliverySettings, 'retryBaseMs' | 'retryMaxMs'>, retryAfterMs?: number, random = Math.random): number {
  const exponential = Math.min(s.retryBaseMs * 2 ** Math.max(0, attempt - 1), s.retryMaxMs);
  const jittered = Math.round(exponential * (0.75 + random() * 0.5));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, s.retryMaxMs));
}

type Delivery = typeof communicationRecipients.$inferSelect;

async function attempt(deps: DeliveryDeps, d: Delivery): Promise<DeliveryAttempt> {
  const payload = (d.payload ?? {}) as DeliveryPayload;
  if (d.channel === 'email') {
    if (!deps.mailer) return { ok: false, error: 'No SMTP server is configured (SMTP_URL).', isPermanent: false };
    return deps.mailer.send({
      deliveryId: d.id,
      to: { name: d.toName, address: d.toAddress },
      subject: d.subject,
      html: d.htmlBody ?? '',
      text: d.textBody,
      ...(payload.inReplyTo && { inReplyTo: payload.inReplyTo, references: [payload.inReplyTo] }),
    });
  }
  if (!d.endpointId) return { ok: false, error: `Unknown channel ${d.channel}.`, isPermanent: true };
  const [endpoint] = await deps.database.db.select().from(clientEndpoints).where(eq(clientEndpoints.id, d.endpointId));
  if (!endpoint) return { ok: false, error: 'The endpoint was removed.', isPermanent: true };
  if (!endpoint.isEnabled) return { ok: false, error: `The endpoint is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}.`, isPermanent: true };
  const timeoutMs = deps.settings.httpTimeoutMs;
  const { targets } = deps;
  switch (d.channel) {
    case 'webhook':
      return sendWebhook({ url: endpoint.url, secret: endpoint.secret ?? '', deliveryId: d.id, payload: payload.body ?? {}, timeoutMs, targets });
    case 'slack':
      return sendSlack({ url: endpoint.url, message: payload.body as SlackMessage, timeoutMs, targets });
    case 'teams':
      return sendTeams({ url: endpoint.url, message: payload.body as TeamsMessage, timeoutMs, targets });
    default:
      return { ok: false, error: `Unknown channel ${d.channel}.`, isPermanent: true };
  }
}

/** Not settled: 'sending' too, leased or not (a leased one is looked at again when its lease ends). */
const UNSETTLED = sql`('queued', 'retrying', 'sending')`;

/**
 * Claims the attempt of one delivery, committed on its own just before it is handed to the channel: a
 * delivery already sent (or given up) is left alone, and so is one leased to a worker that is sending it
 * (delivery-lease.ts: pg-boss may run a job again while its first run still sends). A 'sending'
 * delivery whose lease lapsed is one whose worker died, so its outcome is unknown and it is sent again
 * (with the same Message-ID / webhook-id): 'sending' marks exactly the deliveries whose fate a crash
 * leaves unknown.
 */
// The two statements every delivery runs, prepared once per connection (built by the ORM they were
// parsed and planned anew for each of 10,000 recipients).
const DELIVERY_FIELDS = Object.entries(getTableColumns(communicationRecipients))
  .map(([key, column]) => `"${column.name}" AS "${key}"`)
  .join(', ');
const CLAIM = `UPDATE communication_recipients SET status = 'sending', attempts = attempts + 1, last_attempt_at = $2::timestamptz, claimed_until = ${leaseEnd('$3')}
  WHERE id = $1 AND ${CLAIMABLE_CONDITION} RETURNING ${DELIVERY_FIELDS}`;
const RECORD_SENT = `UPDATE communication_recipients SET status = 'sent', sent_at = $2::timestamptz, provider_ref = $3, last_error = NULL, next_attempt_at = NULL, claimed_until = NULL WHERE id = $1`;

const leaseMsOf = (deps: DeliveryDeps) => deps.settings.leaseMs ?? DEFAULT_LEASE_MS;

async function claim(deps: DeliveryDeps, deliveryId: string, at: Date): Promise<Delivery | undefined> {
  const [claimed] = await query<Delivery>(deps.database.db, CLAIM, [deliveryId, at.toISOString(), leaseMsOf(deps)], 'herald_delivery_claim');
  return claimed;
}

export async function processDelivery(deps: DeliveryDeps, deliveryId: string): Promise<DeliveryOutcome> {
  const claimed = await claim(deps, deliveryId, deps.now?.() ?? new Date());
  return sendUnderLease(deps, { table: 'communication_recipients', queue: QUEUES.deliveryRetry, deliveryId }, claimed, (delivery) => attemptAndRecord(deps, delivery));
}

/**
 * Several deliveries at once (one job batch), attempted concurrently, each claimed just before its
 * attempt and its outcome recorded in a commit of its own as soon as it is known. E-mail waits for one
 * of the process's SMTP slots first (emailSlots), so at most that many e-mail deliveries are ever
 * 'sending': those are all a crash can leave unknown, and so all a recipient can receive twice.
 * Webhooks, Slack and Teams are bounded by their timeouts instead (a hanging endpoint holds no slot).
 * Throws the first error after all have settled, so the batch's jobs are retried; those recorded as
 * sent are skipped then.
 */
/** Every 1,000 deliveries attempted in this process, their garbage (messages built, rows read) is collected. */
const collectDeliveryGarbage = garbageCollector(1000);

export async function processDeliveries(deps: DeliveryDeps, deliveryIds: string[]): Promise<DeliveryOutcome[]> {
  if (!deliveryIds.length) return [];
  const pending = await rows<{ id: string; channel: string }>(
    deps.database.db,
    sql`SELECT id::text AS id, channel FROM communication_recipients
      WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(deliveryIds)}::jsonb)::uuid) AND status IN ${UNSETTLED}`,
  );
  const settled = await Promise.allSettled(
    pending.map((p) => {
      const run = () => processDelivery(deps, p.id);
      return p.channel === 'email' && deps.emailSlots ? deps.emailSlots.run(run) : run();
    }),
  );
  collectDeliveryGarbage(pending.length);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const outcomes = new Map(pending.map((p, i) => [p.id, (settled[i] as PromiseFulfilledResult<DeliveryOutcome>).value]));
  return deliveryIds.map((id) => outcomes.get(id) ?? 'skipped');
}

async function attemptAndRecord(deps: DeliveryDeps, claimed: Delivery): Promise<DeliveryOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const { database } = deps;
  const deliveryId = claimed.id;
  const result = await attempt(deps, claimed);
  const at = now();
  if (result.ok) {
    // Its own commit, right after the receiver's acknowledgement (SMTP 250, HTTP 2xx): from here on a
    // crash cannot make this delivery go out again.
    await query(database.db, RECORD_SENT, [deliveryId, at.toISOString(), result.providerRef.slice(0, 500)], 'herald_delivery_sent');
    return 'sent';
  }
  const isFinal = result.isPermanent || claimed.attempts >= deps.settings.maxAttempts;
  return database.transaction(async (tx) => {
    if (!isFinal) {
      const next = new Date(at.getTime() + retryDelayMs(claimed.attempts, deps.settings, result.retryAfterMs));
      await tx.update(communicationRecipients).set({ status: 'retrying', lastError: result.error.slice(0, 2000), nextAttemptAt: next, claimedUntil: null }).where(eq(communicationRecipients.id, deliveryId));
      await deps.queue.enqueue(tx, QUEUES.deliveryRetry, [{ data: { deliveryId }, startAfter: next }]);
      return 'retrying';
    }
    await tx.update(communicationRecipients).set({ status: 'dead', lastError: result.error.slice(0, 2000), deadAt: at, nextAttemptAt: null, claimedUntil: null }).where(eq(communicationRecipients.id, deliveryId));
    if (!claimed.incidentId) {
      await recordMaintenanceDeliveryFailure(tx, claimed, result, at);
      return 'dead';
    }
    const [incident] = await tx.select().from(incidents).where(eq(incidents.id, claimed.incidentId));
    const events: DomainEvent[] = [
      {
        type: 'delivery.failed',
        data: { deliveryId, communicationId: claimed.communicationId, clientId: claimed.clientId, channel: claimed.channel, to: claimed.toAddress, attempts: claimed.attempts, error: result.error },
      },
    ];
    if (result.isGone && claimed.endpointId) {
      await tx.update(clientEndpoints).set({ isEnabled: false, disabledReason: 'The endpoint answered 410 Gone.', updatedAt: at }).where(eq(clientEndpoints.id, claimed.endpointId));
      events.push({ type: 'endpoint.disabled', data: { endpointId: claimed.endpointId, clientId: claimed.clientId, reason: '410 Gone' } });
    }
    await appendEvents(tx, claimed.incidentId, events, null, at);
    if (incident) {
      const lead = incident.communicationLeadId ?? incident.incidentManagerId;
      const to = lead ? [lead] : (await rows<{ id: string }>(tx, sql`SELECT id FROM users WHERE role = 'admin' AND NOT is_disabled`)).map((r) => r.id);
      await notify(
        tx,
        {
          userIds: to,
          kind: 'delivery.failed',
          incidentId: incident.id,
          title: `INC-${incident.number}: a message to ${claimed.toName} could not be delivered`,
          body: `${claimed.channel} delivery to ${claimed.toName} (${claimed.toAddress}) failed after ${claimed.attempts} attempt(s): ${result.error}`,
        },
        at,
      );
      await tx.update(incidents).set({ updatedAt: at }).where(eq(incidents.id, incident.id));
    }
    return 'dead';
  });
}

/**
 * How the delivery queues are worked. Each worker fetches a batch of jobs and sends them concurrently;
 * while batches come back full it fetches the next at once (pg-boss burst mode), and only an empty or
 * short fetch waits for the polling interval. (With one job per fetch pg-boss waits the polling
 * interval after every job: 8 workers polling every 0.5 s sent about 16 messages a second.)
 */
export interface DeliveryWorkerOptions {
  /**
   * E-mail deliveries handed to SMTP at once per process (default 10: twice the mailer's pool of 5
   * connections, so no connection waits for the database between messages). Also the most a crash of
   * the process can leave 'sending', i.e. the most recipients that can get a message twice.
   */
  emailInFlight?: number;
  /** Workers on the first-send queue (default 4). */
  concurrency?: number;
  /** Jobs each first-send worker takes at once (default 4; a message's first sends are DELIVERIES_PER_JOB to a job). */
  batchSize?: number;
  /** Workers on the retry queue (default 2), each with retryBatchSize jobs (default 8). */
  retryConcurrency?: number;
  retryBatchSize?: number;
  pollingIntervalSeconds?: number;
}

export const DELIVERY_WORKER_DEFAULTS = { emailInFlight: 10, concurrency: 4, batchSize: 4, retryConcurrency: 2, retryBatchSize: 8, pollingIntervalSeconds: 0.5 } as const;

/** Starts the workers: first sends and retries on separate queues, each with its own concurrency. */
export async function startDeliveryWorkers(deps: DeliveryDeps, opts: DeliveryWorkerOptions = {}) {
  const o = { ...DELIVERY_WORKER_DEFAULTS, ...opts };
  // One set of SMTP slots for both queues: the bound holds for the whole process; so is the lease keeper.
  const withSlots: DeliveryDeps = {
    ...deps,
    emailSlots: deps.emailSlots ?? createLimiter(o.emailInFlight),
    leases: deps.leases ?? createLeaseKeeper(deps.database, 'communication_recipients', leaseMsOf(deps), deps.reportFailure),
  };
  const handler = async (jobs: { data: DeliveryJobData }[]) => {
    await processDeliveries(withSlots, deliveryIdsOf(jobs));
  };
  const common = { pollingIntervalSeconds: o.pollingIntervalSeconds, burstWhenBatchFull: true };
  await deps.queue.boss.work(QUEUES.delivery, { ...common, localConcurrency: o.concurrency, batchSize: o.batchSize } as never, handler as never);
  await deps.queue.boss.work(QUEUES.deliveryRetry, { ...common, localConcurrency: o.retryConcurrency, batchSize: o.retryBatchSize } as never, handler as never);
}
