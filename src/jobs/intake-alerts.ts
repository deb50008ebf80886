// Works the queue of accepted monitoring payloads. Payloads are independent, except that two of one
// alert group wait for each other (the group row is locked while one is processed).
import type { Database } from '../db/open.js';
import { processAlertPayload } from '../services/intake/alert-payloads.js';
import { QUEUES } from '../services/queues.js';
import type { JobQueue } from './job-queue.js';

export interface IntakeWorkerOptions {
  /** Workers (default: 4 on PostgreSQL, 1 on PGlite, which has one connection anyway). */
  concurrency?: number;
  /** Payloads each worker fetches at once (default 8). */
  batchSize?: number;
  pollingIntervalSeconds?: number;
}

export async function startIntakeWorkers(database: Database, queue: JobQueue, opts: IntakeWorkerOptions = {}): Promise<void> {
  const concurrency = opts.concurrency ?? (database.kind === 'pglite' ? 1 : 4);
  const handler = async (jobs: { data: { payloadId: string } }[]) => {
    // One after another: a batch often holds several payloads of the same group.
    for (const job of jobs) await processAlertPayload(database, job.data.payloadId);
  };
  await queue.boss.work(
    QUEUES.intakeAlerts,
    { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 0.5, batchSize: opts.batchSize ?? 8, localConcurrency: concurrency, burstWhenBatchFull: true } as never,
    handler as never,
  );
}
