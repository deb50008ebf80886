// Everything the intake adds to the HTTP application: the monitoring hooks, the intake API and the
// public report form.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/open.js';
import type { Enqueuer } from '../../services/context.js';
import type { SpamGuardSettings } from '../../services/intake/public-report.js';
import type { HookLimitSettings } from '../hook-limits.js';
import { reportFormPage } from '../report-form-page.js';
import type { Runner } from '../request-context.js';
import { intakeAdminRoutes } from './intake-admin-routes.js';
import { intakeHookRoutes } from './intake-hook-routes.js';

export interface IntakeHttpOptions {
  /** Largest monitoring hook body (default 32 MB). */
  hookMaxBytes?: number;
  /** Hook bodies in flight (in all, per integration) and failed hook calls per address per minute. */
  hookLimits?: Partial<HookLimitSettings>;
  /** The report form's spam guard (minimum fill time, maximum form age). */
  reportGuard?: Partial<SpamGuardSettings>;
  /** Reports per address per minute through the public form (default 5). */
  reportsPerMinute?: number;
}

export function intakeRoutes(app: FastifyInstance, deps: { database: Database; run: Runner; jobs: Enqueuer | null; options?: IntakeHttpOptions | undefined }): void {
  const o = deps.options ?? {};
  intakeHookRoutes(app, { database: deps.database, jobs: deps.jobs, ...(o.hookMaxBytes !== undefined && { hookMaxBytes: o.hookMaxBytes }), ...(o.hookLimits && { limits: o.hookLimits }) });
  intakeAdminRoutes(app, deps.run);
  reportFormPage(app, { database: deps.database, ...(o.reportGuard && { guard: o.reportGuard }), ...(o.reportsPerMinute !== undefined && { reportsPerMinute: o.reportsPerMinute }) });
}
