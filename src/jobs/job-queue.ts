// Durable jobs in the same database (pg-boss): enqueued inside a command's transaction, so a job
// exists exactly when the change that owes it was committed. On PGlite pg-boss runs through an
// adapter that returns the rows of every statement of a multi-statement query.
import { PgBoss, fromDrizzle, fromPglite, type Db as BossDb } from 'pg-boss';
import { sql } from 'drizzle-orm';
import type { Db, Database } from '../db/open.js';
import type { ReportFailure } from '../background-failures.js';
import { QUEUES } from '../services/queues.js';

export interface JobQueue {
  boss: PgBoss;
  /** Enqueues jobs inside the caller's transaction. */
  enqueue(tx: Db, queue: string, jobs: { data: object; startAfter?: Date; id?: string }[]): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Where errors of pg-boss's own loops go (logged and counted); stderr until one is set. Returns the function that removes it. */
  reportFailuresTo(report: ReportFailure): () => void;
}

/** pg-boss statements run inside a drizzle transaction (or on the database outside one). */
export const drizzleAdapter = (tx: Db): BossDb => fromDrizzle(tx as never, sql as never);

/** How long a job may run and how soon a failed one runs again (pg-boss queue options). */
export interface JobQueueOptions {
  /**
   * A run still going after this long is failed, and the job run again while the first run goes on
   * (default 300). Deliveries are safe from that second run by their lease (jobs/deliver.ts).
   */
  expireInSeconds?: number;
  /** The first wait before a failed job runs again, doubling each time up to 5 minutes (default 5). */
  retryDelaySeconds?: number;
}

const QUEUE_DEFAULTS = { expireInSeconds: 300, retryDelaySeconds: 5 };

export function createJobQueue(database: Database, opts: { databaseUrl?: string | null } & JobQueueOptions = {}): JobQueue {
  const timing = { expireInSeconds: opts.expireInSeconds ?? QUEUE_DEFAULTS.expireInSeconds, retryDelay: opts.retryDelaySeconds ?? QUEUE_DEFAULTS.retryDelaySeconds };
  const common = {
    schema: 'pgboss',
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 10,
    maintenanceIntervalSeconds: 60,
    schedule: false,
    persistWarnings: false,
  };
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({ ...common, db: fromPglite(database.pglite! as never), reindex: false, monitorVacuum: false })
      : new PgBoss({ ...common, connectionString: opts.databaseUrl!, max: 4 });
  const reporters = new Set<ReportFailure>();
  boss.on('error', (err: unknown) => {
    // Errors of pg-boss's own loops (a lost connection, say) are retried by it; keep them visible.
    if (!reporters.size) process.stderr.write(`job queue: ${(err as Error).message ?? String(err)}\n`);
    for (const report of reporters) report('job-queue', err);
  });
  let started = false;
  return {
    boss,
    reportFailuresTo(report) {
      reporters.add(report);
      return () => void reporters.delete(report);
    },
    async enqueue(tx, queue, jobs) {
      if (!jobs.length) return;
      const db = drizzleAdapter(tx);
      for (let i = 0; i < jobs.length; i += 1000) {
        await boss.insert(
          queue,
          jobs.slice(i, i + 1000).map((j) => ({ data: j.data, ...(j.startAfter && { startAfter: j.startAfter }), ...(j.id && { id: j.id }) })),
          { db },
        );
      }
    },
    async start() {
      await boss.start();
      const isChanged = timing.expireInSeconds !== QUEUE_DEFAULTS.expireInSeconds || timing.retryDelay !== QUEUE_DEFAULTS.retryDelaySeconds;
      for (const name of Object.values(QUEUES)) {
        await boss.createQueue(name, { retryLimit: 10, retryBackoff: true, retryDelayMax: 300, heartbeatSeconds: 10, ...timing });
        // A queue made before keeps the options it was made with: other timings are set on it.
        if (isChanged) await boss.updateQueue(name, timing);
      }
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      await boss.stop({ graceful: true, timeout: 10_000, close: true } as never);
    },
  };
}
