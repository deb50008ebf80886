// Puts one Herald instance together on an open database: templates, job queue, delivery workers,
// the SLA and maintenance clocks, and the HTTP application. The server and the tests build Herald the same way.
import type { FastifyInstance } from 'fastify';
import { createMailer, type Mailer } from './channels/email.js';
import type { HostResolver, TargetRule } from './channels/public-target.js';
import type { TrustProxy } from './config.js';
import type { Database } from './db/open.js';
import { buildApp, type ServerTimeouts } from './http/app.js';
import type { EventStreamLimits } from './http/routes/event-routes.js';
import { startMetricsListener, type MetricsAccess, type MetricsListener } from './http/metrics-access.js';
import type { CacheOptions } from './http/status/status-cache.js';
import { startIntake, type Intake, type IntakeOptions } from './intake.js';
import { startDeliveryWorkers, type DeliverySettings } from './jobs/deliver.js';
import { startStatusDeliveryWorkers } from './jobs/deliver-status.js';
import { startHousekeeping } from './jobs/housekeeping.js';
import { createJobQueue, type JobQueue, type JobQueueOptions } from './jobs/job-queue.js';
import { startMaintenanceClock } from './jobs/maintenance-clock.js';
import { startObligationWatch } from './jobs/obligation-watch.js';
import type { ServiceSettings } from './services/context.js';
import type { SignupLimits } from './services/status-pages/subscription-signups.js';
import type { MaintenanceTickResult } from './services/maintenance/maintenance-clock.js';
import { dropCachesAfterMissedNotifications } from './services/missed-notifications.js';
import { ensureDefaultTemplates } from './services/templates/templates.js';

export interface HeraldOptions {
  database: Database;
  /** For pg-boss's own pool on PostgreSQL. */
  databaseUrl?: string | null;
  baseUrl: string;
  pastOccurrenceMonths?: number;
  companyName?: string;
  smtpUrl?: string | null;
  mailFrom?: string;
  delivery?: Partial<DeliverySettings>;
  /** How long a job may run and how soon a failed one runs again (tests shorten them). */
  jobQueue?: JobQueueOptions;
  /** Run delivery workers and the SLA clock in this process (default true). */
  runsJobs?: boolean;
  /** How often the SLA clock looks at the obligations (default 15 s; 0 turns it off). */
  watchIntervalMs?: number;
  /** How often the maintenance clock ticks besides its scheduled wake-ups (default: watchIntervalMs, else 30 s; 0 turns it off). */
  maintenanceIntervalMs?: number;
  /** How often expired records (Idempotency-Key answers) are removed (default hourly; 0 turns it off). */
  housekeepingIntervalMs?: number;
  isCookieSecure?: boolean;
  /** Whose X-Forwarded-For is believed (HERALD_TRUST_PROXY; default none). */
  trustProxy?: TrustProxy;
  /** Webhook subscriptions and client endpoints may point into private networks (default false). */
  allowsPrivateWebhookTargets?: boolean;
  /** Bounds on status-page sign-ups: pending per page, mails per address (default DEFAULT_SIGNUP_LIMITS). */
  signupLimits?: Partial<SignupLimits>;
  /** Resolves the host names of outgoing requests (default: the system resolver; tests stand in for hostile DNS). */
  resolveHost?: HostResolver;
  logLevel?: string;
  /** How long the HTTP server waits for a client (headers, whole request, idle connection). */
  serverTimeouts?: Partial<ServerTimeouts>;
  /** Monitoring hooks, the report form, and incoming mail (SMTP listener, IMAP mailbox). */
  intake?: IntakeOptions;
  /** How the rendered status pages are kept in memory (tests shorten the times). */
  statusPages?: CacheOptions;
  /** Who reads /metrics: a bearer token, and/or a second listener serving only /metrics (default: neither, /metrics is 404). */
  metrics?: Partial<MetricsAccess>;
  /** Event streams (/api/v1/events): how often each checks its credential, how many one user may hold. */
  eventStreams?: EventStreamLimits;
}

export interface Herald {
  app: FastifyInstance;
  queue: JobQueue;
  mailer: Mailer | null;
  settings: ServiceSettings;
  /** Incoming mail and alert processing of this process. */
  intake: Intake;
  /** The listener that serves only /metrics (HERALD_METRICS_LISTEN), when there is one. */
  metricsListener: MetricsListener | null;
  /** Runs the SLA clock once at `now` (tests drive it with their own clock). */
  checkObligations(now: Date): Promise<{ reminders: number; escalations: number }>;
  /** Runs the maintenance clock once at `now`: advance notices, starts and ends of windows (tests drive it). */
  tickMaintenance(now: Date): Promise<MaintenanceTickResult>;
  /** Removes expired records once at `now` (tests drive it). */
  runHousekeeping(now: Date): Promise<{ idempotencyKeys: number }>;
  stop(): Promise<void>;
}

function mailDomain(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'herald.local';
}

export async function createHerald(opts: HeraldOptions): Promise<Herald> {
  const { database } = opts;
  const mailFrom = opts.mailFrom ?? 'Herald <herald@localhost>';
  const allowsPrivateWebhookTargets = opts.allowsPrivateWebhookTargets ?? false;
  const targets: TargetRule = { allowsPrivate: allowsPrivateWebhookTargets, ...(opts.resolveHost && { resolve: opts.resolveHost }) };
  const settings: ServiceSettings = {
    baseUrl: opts.baseUrl,
    pastOccurrenceMonths: opts.pastOccurrenceMonths ?? 12,
    companyName: opts.companyName ?? 'Herald',
    emailChannel: opts.smtpUrl ? 'email' : 'outbox',
    messageIdDomain: mailDomain(mailFrom),
    endpointTargets: targets,
  };
  const delivery: DeliverySettings = { maxAttempts: 8, retryBaseMs: 30_000, retryMaxMs: 3_600_000, httpTimeoutMs: 10_000, ...opts.delivery };
  await ensureDefaultTemplates(database.db, new Date());
  const queue = createJobQueue(database, { databaseUrl: opts.databaseUrl ?? null, ...opts.jobQueue });
  // The app first: its logger and /metrics are where every background failure below is reported.
  const app = await buildApp({
    database,
    settings,
    jobs: queue,
    isCookieSecure: opts.isCookieSecure ?? false,
    trustProxy: opts.trustProxy ?? false,
    allowsPrivateWebhookTargets,
    ...(opts.resolveHost && { resolveHost: opts.resolveHost }),
    ...(opts.signupLimits && { signupLimits: opts.signupLimits }),
    logLevel: opts.logLevel ?? 'info',
    ...(opts.serverTimeouts && { serverTimeouts: opts.serverTimeouts }),
    metricsToken: opts.metrics?.token ?? null,
    ...(opts.eventStreams && { eventStreams: opts.eventStreams }),
    ...(opts.intake?.http && { intake: opts.intake.http }),
    ...(opts.statusPages && { statusPages: opts.statusPages }),
  });
  // Started before anything else runs, so an address in use stops start-up with nothing to undo but the app.
  const metricsListen = opts.metrics?.listen ?? null;
  const metricsListener: MetricsListener | null = metricsListen
    ? await startMetricsListener(app.metricsRegistry, { token: opts.metrics?.token ?? null, listen: metricsListen }).catch(async (err: unknown) => {
        await app.close();
        throw err;
      })
    : null;
  const { reportFailure } = app;
  const stopReporting = [
    database.reportFailuresTo(reportFailure),
    queue.reportFailuresTo(reportFailure),
    // The pages and live streams drop their copies themselves (status-routes.ts, event-routes.ts).
    database.onNotificationsMissed(() => dropCachesAfterMissedNotifications(database.db)),
  ];
  await queue.start();
  const mailer = opts.smtpUrl ? createMailer({ smtpUrl: opts.smtpUrl, from: mailFrom, messageIdDomain: settings.messageIdDomain }) : null;
  const runsJobs = opts.runsJobs ?? true;
  if (runsJobs) await startDeliveryWorkers({ database, queue, mailer, settings: delivery, targets, reportFailure });
  if (runsJobs) await startStatusDeliveryWorkers({ database, queue, mailer, settings: delivery, targets, reportFailure });
  const watch = startObligationWatch({ database, mailer, runsJobs, intervalMs: opts.watchIntervalMs ?? 15_000, reportFailure });
  const clock = await startMaintenanceClock({ database, settings, queue, runsJobs, intervalMs: opts.maintenanceIntervalMs ?? opts.watchIntervalMs ?? 30_000, reportFailure });
  const housekeeping = startHousekeeping({ database, runsJobs, intervalMs: opts.housekeepingIntervalMs ?? 3_600_000, reportFailure });
  const intake = await startIntake(
    { database, queue, runsJobs, mailFrom, log: (line) => app.log.info(line), logError: (line) => reportFailure('mail-intake', new Error(line)) },
    opts.intake,
  );
  let stopping: Promise<void> | null = null;
  return {
    app,
    queue,
    mailer,
    settings,
    intake,
    metricsListener,
    checkObligations: watch.check,
    tickMaintenance: clock.tick,
    runHousekeeping: housekeeping.run,
    stop: () =>
      (stopping ??= (async () => {
        await watch.stop();
        await clock.stop();
        await housekeeping.stop();
        await intake.stop();
        await metricsListener?.close();
        await app.close();
        await queue.stop();
        mailer?.close();
        for (const stop of stopReporting) stop();
      })()),
  };
}
