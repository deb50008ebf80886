// One delivery attempt per job: at least once underneath, exactly once to the recipient. A delivery
// recorded as sent is never sent again; a retry carries the same stable id (the e-mail Message-ID,
// the webhook-id) so a receiver that saw it already can drop the copy.
import { eq, sql } from 'drizzle-orm';
import type { Mailer } from '../channels/email.js';
import { sendSlack, type SlackMessage } from '../channels/slack.js';
import { sendTeams, type TeamsMessage } from '../channels/teams.js';
import type { DeliveryAttempt } from '../channels/types.js';
import { sendWebhook } from '../channels/webhook.js';
import type { Database } from '../db/open.js';
import { clientEndpoints, communicationRecipients, incidents } from '../db/schema.js';
import { appendEvents } from '../services/incidents/incident-store.js';
import { notify } from '../services/notifications.js';
import { rows } from '../services/sql-rows.js';
import { QUEUES, type JobQueue } from './job-queue.js';

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
}

export interface DeliveryDeps {
  database: Database;
  queue: JobQueue;
  mailer: Mailer | null;
  settings: DeliverySettings;
  now?: () => Date;
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
  switch (d.channel) {
    case 'webhook':
      return sendWebhook({ url: endpoint.url, secret: endpoint.secret ?? '', deliveryId: d.id, payload: payload.body ?? {}, timeoutMs });
    case 'slack':
      return sendSlack({ url: endpoint.url, message: payload.body as SlackMessage, timeoutMs });
    case 'teams':
      return sendTeams({ url: endpoint.url, message: payload.body as TeamsMessage, timeoutMs });
    default:
      return { ok: false, error: `Unknown channel ${d.channel}.`, isPermanent: true };
  }
}

/**
 * Claims the attempt of each delivery in one statement: a delivery already sent (or given up) is left
 * alone. 'sending' is claimable again: it is a delivery whose attempt was cut off by a crash, so the
 * outcome is unknown and it is sent again (with the same Message-ID / webhook-id).
 */
async function claim(deps: DeliveryDeps, deliveryIds: string[], at: Date): Promise<Delivery[]> {
  if (!deliveryIds.length) return [];
  return deps.database.db
    .update(communicationRecipients)
    .set({ status: 'sending', attempts: sql`${communicationRecipients.attempts} + 1`, lastAttemptAt: at })
    .where(
      sql`${communicationRecipients.id} IN (SELECT jsonb_array_elements_text(${JSON.stringify(deliveryIds)}::jsonb)::uuid) AND ${communicationRecipients.status} IN ('queued', 'retrying', 'sending')`,
    )
    .returning();
}

export async function processDelivery(deps: DeliveryDeps, deliveryId: string): Promise<DeliveryOutcome> {
  const [claimed] = await claim(deps, [deliveryId], deps.now?.() ?? new Date());
  if (!claimed) return 'skipped';
  return attemptAndRecord(deps, claimed);
}

/**
 * Several deliveries at once (one job batch): claimed together, attempted concurrently (the SMTP pool
 * and the HTTP timeouts bound them), each outcome recorded as soon as it is known. Throws the first
 * error after all have settled, so the batch's jobs are retried; those recorded as sent are skipped then.
 */
export async function processDeliveries(deps: DeliveryDeps, deliveryIds: string[]): Promise<DeliveryOutcome[]> {
  const claimed = await claim(deps, deliveryIds, deps.now?.() ?? new Date());
  const settled = await Promise.allSettled(claimed.map((d) => attemptAndRecord(deps, d)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const outcomes = new Map(claimed.map((d, i) => [d.id, (settled[i] as PromiseFulfilledResult<DeliveryOutcome>).value]));
  return deliveryIds.map((id) => outcomes.get(id) ?? 'skipped');
}

async function attemptAndRecord(deps: DeliveryDeps, claimed: Delivery): Promise<DeliveryOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const { database } = deps;
  const deliveryId = claimed.id;
  const result = await attempt(deps, claimed);
  const at = now();
  if (result.ok) {
    await database.db
      .update(communicationRecipients)
      .set({ status: 'sent', sentAt: at, providerRef: result.providerRef.slice(0, 500), lastError: null, nextAttemptAt: null })
      .where(eq(communicationRecipients.id, deliveryId));
    return 'sent';
  }
  const isFinal = result.isPermanent || claimed.attempts >= deps.settings.maxAttempts;
  return database.transaction(async (tx) => {
    if (!isFinal) {
      const next = new Date(at.getTime() + retryDelayMs(claimed.attempts, deps.settings, result.retryAfterMs));
      await tx.update(communicationRecipients).set({ status: 'retrying', lastError: result.error.slice(0, 2000), nextAttemptAt: next }).where(eq(communicationRecipients.id, deliveryId));
      await deps.queue.enqueue(tx, QUEUES.deliveryRetry, [{ data: { deliveryId }, startAfter: next }]);
      return 'retrying';
    }
    await tx.update(communicationRecipients).set({ status: 'dead', lastError: result.error.slice(0, 2000), deadAt: at, nextAttemptAt: null }).where(eq(communicationRecipients.id, deliveryId));
    const [incident] = await tx.select().from(incidents).where(eq(incidents.id, claimed.incidentId));
    const events = [
      {
        type: 'delivery.failed',
        data: { deliveryId, communicationId: claimed.communicationId, clientId: claimed.clientId, channel: claimed.channel, to: claimed.toAddress, attempts: claimed.attempts, error: result.error },
      },
    ];
    if (result.isGone && claimed.endpointId) {
      await tx.update(clientEndpoints).set({ isEnabled: false, disabledReason: 'The endpoint answered 410 Gone.', updatedAt: at }).where(eq(clientEndpoints.id, claimed.endpointId));
      events.push({ type: 'endpoint.disabled', data: { endpointId: claimed.endpointId, clientId: claimed.clientId, reason: '410 Gone' } } as never);
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
  /** Workers on the first-send queue (default 4). */
  concurrency?: number;
  /** Jobs each first-send worker takes at once (default 16). */
  batchSize?: number;
  /** Workers on the retry queue (default 2), each with retryBatchSize jobs (default 8). */
  retryConcurrency?: number;
  retryBatchSize?: number;
  pollingIntervalSeconds?: number;
}

export const DELIVERY_WORKER_DEFAULTS = { concurrency: 4, batchSize: 16, retryConcurrency: 2, retryBatchSize: 8, pollingIntervalSeconds: 0.5 } as const;

/** Starts the workers: first sends and retries on separate queues, each with its own concurrency. */
export async function startDeliveryWorkers(deps: DeliveryDeps, opts: DeliveryWorkerOptions = {}) {
  const o = { ...DELIVERY_WORKER_DEFAULTS, ...opts };
  const handler = async (jobs: { data: { deliveryId: string } }[]) => {
    await processDeliveries(deps, jobs.map((j) => j.data.deliveryId));
  };
  const common = { pollingIntervalSeconds: o.pollingIntervalSeconds, burstWhenBatchFull: true };
  await deps.queue.boss.work(QUEUES.delivery, { ...common, localConcurrency: o.concurrency, batchSize: o.batchSize } as never, handler as never);
  await deps.queue.boss.work(QUEUES.deliveryRetry, { ...common, localConcurrency: o.retryConcurrency, batchSize: o.retryBatchSize } as never, handler as never);
}
