// Failures of work no request waits for (clock timers, page re-renders, LISTEN connections, mailbox
// polls): each is logged and counted in /metrics as herald_background_failures_total{task}, so that
// none passes unseen. Lower layers take a plain `(task, err) => void` and know nothing of this module.
import { Counter, type Registry } from 'prom-client';

/** Tells of a failed background task, by a short stable name (a metric label: never an id or a message). */
export type ReportFailure = (task: string, err: unknown) => void;

/** The part of a pino logger this needs (Fastify's `app.log`). */
export interface FailureLog {
  error(obj: object, msg: string): void;
}

export function backgroundFailureReporter(log: FailureLog, registry: Registry): ReportFailure {
  const failures = new Counter({
    name: 'herald_background_failures_total',
    help: 'Failures of background work (clock timers, status page re-renders, database listeners, mailbox polls), by task',
    labelNames: ['task'],
    registers: [registry],
  });
  return (task, err) => {
    failures.inc({ task });
    log.error({ err, task }, `background task ${task} failed`);
  };
}

/** Runs `work` for a caller that does not wait for it: a failure is reported instead of dropped. Never rejects. */
export async function inBackground(report: ReportFailure, task: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    report(task, err);
  }
}
