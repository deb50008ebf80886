// The maintenance clock's worker: a wake-up job on the maintenance-clock queue, or the timer between
// them, runs one tick (services/maintenance/maintenance-clock.ts decides what is due and sends it).
import { inBackground, type ReportFailure } from '../background-failures.js';
import type { Database } from '../db/open.js';
import type { ServiceSettings } from '../services/context.js';
import { tickMaintenance, type MaintenanceTickResult } from '../services/maintenance/maintenance-clock.js';
import { QUEUES } from '../services/queues.js';
import type { JobQueue } from './job-queue.js';

export interface MaintenanceClock {
  /** Runs the clock once at `now` (tests drive it with their own clock). */
  tick(now: Date): Promise<MaintenanceTickResult>;
  stop(): Promise<void>;
}

export async function startMaintenanceClock(deps: {
  database: Database;
  settings: ServiceSettings;
  queue: JobQueue;
  /** Work the queue and tick on the timer in this process; otherwise only `tick` by hand. */
  runsJobs: boolean;
  /** Ticks besides the scheduled wake-ups (0: none). */
  intervalMs: number;
  reportFailure: ReportFailure;
}): Promise<MaintenanceClock> {
  const tick = (now: Date) => tickMaintenance({ database: deps.database, settings: deps.settings, jobs: deps.queue }, now);
  if (!deps.runsJobs) return { tick, stop: async () => {} };
  // A failed wake-up job is retried by the queue; a failed tick of the timer is reported (the next one tries again).
  await deps.queue.boss.work(QUEUES.maintenanceClock, { pollingIntervalSeconds: 1, batchSize: 10 } as never, (async () => {
    await tick(new Date());
  }) as never);
  let ticking: Promise<void> = Promise.resolve();
  const timer = deps.intervalMs > 0 ? setInterval(() => (ticking = inBackground(deps.reportFailure, 'maintenance-clock', () => tick(new Date()))), deps.intervalMs) : null;
  timer?.unref();
  return {
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      await ticking;
    },
  };
}
