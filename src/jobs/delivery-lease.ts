// Deliveries being sent are leased to the worker sending them (`claimed_until`, on the database's clock,
// migration 0022), for client deliveries (deliver.ts) and status-page subscriber notices
// (deliver-status.ts) alike. pg-boss runs a job again once a run has outlived the job's expiry, while
// that first run goes on (nothing can stop it): deliveries that waited long for SMTP are then being sent
// when the second run starts, and that run must not send them too. So a claim takes a delivery only
// when it is 'queued', 'retrying', or 'sending' under a lapsed lease (its worker died, its outcome is
// unknown: it is sent again with the same Message-ID / webhook-id), and the worker renews the leases of
// everything it is sending. No expiry could do the same: none is longer than every wait for SMTP.
import type { ReportFailure } from '../background-failures.js';
import type { Database } from '../db/open.js';
import { query } from '../db/raw.js';
import type { JobQueue } from './job-queue.js';

/** How long a claim holds a delivery without being renewed. */
export const DEFAULT_LEASE_MS = 30_000;

/** The tables whose rows are leased (each has `status` and `claimed_until`). */
export type LeasedTable = 'communication_recipients' | 'status_subscriber_deliveries';

/** The condition a claim writes under: not settled, and leased to nobody alive. */
export const CLAIMABLE_CONDITION = `(status IN ('queued', 'retrying') OR (status = 'sending' AND (claimed_until IS NULL OR claimed_until <= clock_timestamp())))`;

/** The `claimed_until` a claim or renewal writes for a lease of `$n` milliseconds. */
export const leaseEnd = (param: string) => `clock_timestamp() + ${param}::int * interval '1 millisecond'`;

/**
 * The leases of the deliveries of one table this process is sending, renewed together (one statement)
 * every third of the lease while any is held. A renewal that fails is reported; a lease lapses only when
 * the renewals fail for a whole lease.
 */
export interface LeaseKeeper {
  hold(deliveryId: string): void;
  release(deliveryId: string): void;
}

export function createLeaseKeeper(database: Database, table: LeasedTable, leaseMs: number, report: ReportFailure = () => {}): LeaseKeeper {
  const renewal = `UPDATE ${table} SET claimed_until = ${leaseEnd('$2')} WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) AND status = 'sending'`;
  const held = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const renew = () => {
    if (!held.size) return;
    query(database.db, renewal, [JSON.stringify([...held]), leaseMs], `herald_lease_renew_${table}`).catch((err: unknown) => report('delivery-lease', err));
  };
  return {
    hold(deliveryId) {
      held.add(deliveryId);
      if (timer) return;
      timer = setInterval(renew, Math.max(1, Math.floor(leaseMs / 3)));
      // A lease is only worth keeping while the process runs: it never holds the process open.
      timer.unref();
    },
    release(deliveryId) {
      held.delete(deliveryId);
      if (held.size || !timer) return;
      clearInterval(timer);
      timer = null;
    },
  };
}

/**
 * When the live lease on a delivery another worker is sending ends; null when none is held (the
 * delivery is settled, or nobody holds it any more). A delivery that could not be claimed is looked at
 * again then: by that time it is settled, still held (renewed: looked at again later), or its worker
 * died and it is taken over. So no delivery is left 'sending' with nobody to finish it.
 */
export async function leaseHeldUntil(database: Database, table: LeasedTable, deliveryId: string): Promise<Date | null> {
  const [held] = await query<{ claimedUntil: string | Date }>(
    database.db,
    `SELECT claimed_until AS "claimedUntil" FROM ${table} WHERE id = $1 AND status = 'sending' AND claimed_until > clock_timestamp()`,
    [deliveryId],
    `herald_lease_held_${table}`,
  );
  return held ? new Date(held.claimedUntil) : null;
}

/**
 * Sends a delivery this worker has just tried to claim, holding its lease while it is sent. One it could
 * not claim (`claimed` undefined) is being sent by another worker, or is settled: it is queued on `queue`
 * to be looked at again when that lease ends (see leaseHeldUntil), and the outcome is 'skipped'.
 */
export async function sendUnderLease<T, R>(
  deps: { database: Database; queue: JobQueue; leases?: LeaseKeeper | undefined },
  where: { table: LeasedTable; queue: string; deliveryId: string },
  claimed: T | undefined,
  send: (claimed: T) => Promise<R>,
): Promise<R | 'skipped'> {
  const { deliveryId } = where;
  if (!claimed) {
    const heldUntil = await leaseHeldUntil(deps.database, where.table, deliveryId);
    if (heldUntil) await deps.queue.enqueue(deps.database.db, where.queue, [{ data: { deliveryId }, startAfter: new Date(heldUntil.getTime() + 100) }]);
    return 'skipped';
  }
  deps.leases?.hold(deliveryId);
  try {
    return await send(claimed);
  } finally {
    deps.leases?.release(deliveryId);
  }
}

