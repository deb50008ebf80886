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

export function createJobQueue(database: Database, opts: { databaseUrl?: string | null } = {}): JobQueue {
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
      for (const name of Object.values(QUEUES)) {
        await boss.createQueue(name, { retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 300, heartbeatSeconds: 10 });
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
