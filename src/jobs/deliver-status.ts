// Delivers messages to status-page subscribers: e-mail (with RFC 8058 unsubscribe headers) or a signed
// webhook. One job per delivery; a delivery recorded as sent is never sent again, and one being sent is
// leased to its worker (delivery-lease.ts), so a job run again after its expiry does not send it too.
import { eq, sql } from 'drizzle-orm';
import type { Mailer } from '../channels/email.js';
import type { TargetRule } from '../channels/public-target.js';
import type { DeliveryAttempt } from '../channels/types.js';
import { sendWebhook } from '../channels/webhook.js';
import type { Database } from '../db/open.js';
import { publicUpdates, statusSubscriberDeliveries, statusSubscribers } from '../db/schema.js';
import type { ReportFailure } from '../background-failures.js';
import { retryDelayMs, type DeliverySettings } from './deliver.js';
import { CLAIMABLE_CONDITION, createLeaseKeeper, DEFAULT_LEASE_MS, sendUnderLease, type LeaseKeeper } from './delivery-lease.js';
import { QUEUES } from '../services/queues.js';
import type { JobQueue } from './job-queue.js';

export interface StatusDeliveryDeps {
  database: Database;
  queue: JobQueue;
  mailer: Mailer | null;
  settings: DeliverySettings;
  /** The private-address rule for subscriber webhooks (HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS), enforced on the connection itself. */
  targets: TargetRule;
  /** Renews the leases of the notices this process is sending (startStatusDeliveryWorkers makes one). */
  leases?: LeaseKeeper;
  /** Where a lease that could not be renewed is reported. */
  reportFailure?: ReportFailure;
}

type Delivery = typeof statusSubscriberDeliveries.$inferSelect;

async function attempt(deps: StatusDeliveryDeps, d: Delivery): Promise<DeliveryAttempt> {
  const payload = (d.payload ?? {}) as { headers?: Record<string, string>; body?: object };
  if (d.channel === 'email') {
    if (!deps.mailer) return { ok: true, providerRef: 'local outbox (no SMTP server configured)' };
    return deps.mailer.send({ deliveryId: d.id, to: { name: '', address: d.toAddress }, subject: d.subject, text: d.textBody, html: d.htmlBody ?? '', headers: payload.headers ?? {} });
  }
  const [subscriber] = await deps.database.db.select().from(statusSubscribers).where(eq(statusSubscribers.id, d.subscriberId));
  if (!subscriber || subscriber.status !== 'active') return { ok: false, error: 'The subscription has ended.', isPermanent: true };
  // The name may resolve elsewhere than it did at sign-up: the connection's own lookup checks the
  // address it connects to (channels/public-target.ts), so no separate check could be raced.
  return sendWebhook({ url: subscriber.address, secret: subscriber.secret ?? '', deliveryId: d.id, payload: payload.body ?? {}, timeoutMs: deps.settings.httpTimeoutMs, targets: deps.targets });
}

export async function processStatusDelivery(deps: StatusDeliveryDeps, deliveryId: string): Promise<'sent' | 'retrying' | 'dead' | 'skipped'> {
  const { db } = deps.database;
  // Not sent yet, and leased to no worker alive: a lapsed lease is a worker that died (sent again).
  const [claimed] = await db
    .update(statusSubscriberDeliveries)
    .set({
      status: 'sending',
      attempts: sql`${statusSubscriberDeliveries.attempts} + 1`,
      lastAttemptAt: new Date(),
      claimedUntil: sql`clock_timestamp() + ${deps.settings.leaseMs ?? DEFAULT_LEASE_MS}::int * interval '1 millisecond'`,
    })
    .where(sql`${statusSubscriberDeliveries.id} = ${deliveryId} AND ${sql.raw(CLAIMABLE_CONDITION)}`)
    .returning();
  return sendUnderLease(deps, { table: 'status_subscriber_deliveries', queue: QUEUES.statusSubscriber, deliveryId }, claimed, (delivery) => attemptAndRecord(deps, delivery));
}

async function attemptAndRecord(deps: StatusDeliveryDeps, claimed: Delivery): Promise<'sent' | 'retrying' | 'dead'> {
  const { db } = deps.database;
  const deliveryId = claimed.id;
  // An update for a subscription that ended before it went out is not sent.
  if (claimed.kind === 'update') {
    const [s] = await db.select({ status: statusSubscribers.status }).from(statusSubscribers).where(eq(statusSubscribers.id, claimed.subscriberId));
    if (s?.status !== 'active') {
      await db.update(statusSubscriberDeliveries).set({ status: 'dead', lastError: 'The subscription ended first.', deadAt: new Date(), claimedUntil: null }).where(eq(statusSubscriberDeliveries.id, deliveryId));
      return 'dead';
    }
    // A public entry withdrawn before its notice went out is not sent (the page no longer shows it).
    if (claimed.publicUpdateId) {
      const [entry] = await db.select({ withdrawnAt: publicUpdates.withdrawnAt }).from(publicUpdates).where(eq(publicUpdates.id, claimed.publicUpdateId));
      if (!entry || entry.withdrawnAt) {
        await db.update(statusSubscriberDeliveries).set({ status: 'dead', lastError: 'The entry was withdrawn from the public page first.', deadAt: new Date() }).where(eq(statusSubscriberDeliveries.id, deliveryId));
        return 'dead';
      }
    }
  }
  const result = await attempt(deps, claimed);
  const at = new Date();
  if (result.ok) {
    await db.update(statusSubscriberDeliveries).set({ status: 'sent', sentAt: at, providerRef: result.providerRef.slice(0, 500), lastError: null, claimedUntil: null }).where(eq(statusSubscriberDeliveries.id, deliveryId));
    return 'sent';
  }
  const isFinal = result.isPermanent || claimed.attempts >= deps.settings.maxAttempts;
  if (isFinal) {
    await db.update(statusSubscriberDeliveries).set({ status: 'dead', lastError: result.error.slice(0, 2000), deadAt: at, claimedUntil: null }).where(eq(statusSubscriberDeliveries.id, deliveryId));
    // A webhook that answers 410 Gone wants no more: the subscription ends.
    if (result.isGone) await db.update(statusSubscribers).set({ status: 'unsubscribed', unsubscribedAt: at }).where(eq(statusSubscribers.id, claimed.subscriberId));
    return 'dead';
  }
  const next = new Date(at.getTime() + retryDelayMs(claimed.attempts, deps.settings, result.retryAfterMs));
  await deps.database.transaction(async (tx) => {
    await tx.update(statusSubscriberDeliveries).set({ status: 'retrying', lastError: result.error.slice(0, 2000), claimedUntil: null }).where(eq(statusSubscriberDeliveries.id, deliveryId));
    await deps.queue.enqueue(tx, QUEUES.statusSubscriber, [{ data: { deliveryId }, startAfter: next }]);
  });
  return 'retrying';
}

export async function startStatusDeliveryWorkers(deps: StatusDeliveryDeps): Promise<void> {
  const withLeases: StatusDeliveryDeps = {
    ...deps,
    leases: deps.leases ?? createLeaseKeeper(deps.database, 'status_subscriber_deliveries', deps.settings.leaseMs ?? DEFAULT_LEASE_MS, deps.reportFailure),
  };
  const handler = async (jobs: { data: { deliveryId: string } }[]) => {
    const settled = await Promise.allSettled(jobs.map((j) => processStatusDelivery(withLeases, j.data.deliveryId)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  };
  await deps.queue.boss.work(QUEUES.statusSubscriber, { pollingIntervalSeconds: 0.5, localConcurrency: 2, batchSize: 16, burstWhenBatchFull: true } as never, handler as never);
}
