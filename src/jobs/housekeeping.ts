// Housekeeping on a timer: removes what has outlived its purpose. Today: Idempotency-Key answers
// older than 24 hours (services/requests/idempotency-keys.ts), which a lookup already ignores; deleting
// them keeps the table, and what a copy of the database holds, to one day of requests. Every process
// that runs jobs does it; the DELETE is harmless when another process did it first.
import { inBackground, type ReportFailure } from '../background-failures.js';
import type { Database } from '../db/open.js';
import { pruneExpiredAnswers } from '../services/requests/idempotency-keys.js';

export interface Housekeeping {
  /** One round at `now` (tests drive it): how many records were removed. */
  run(now: Date): Promise<{ idempotencyKeys: number }>;
  stop(): Promise<void>;
}

export function startHousekeeping(deps: { database: Database; runsJobs: boolean; intervalMs: number; reportFailure: ReportFailure }): Housekeeping {
  const run = async (now: Date) => ({ idempotencyKeys: await pruneExpiredAnswers(deps.database.db, now) });
  let running: Promise<void> = Promise.resolve();
  const timer = deps.runsJobs && deps.intervalMs > 0 ? setInterval(() => (running = inBackground(deps.reportFailure, 'housekeeping', () => run(new Date()))), deps.intervalMs) : null;
  timer?.unref();
  return {
    run,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
