// Builds the Fastify application: plugins first, then the API, health and pages.
import { serializeRequest } from './log-redaction.js';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import { backgroundFailureReporter, type ReportFailure } from '../background-failures.js';
import type { HostResolver } from '../channels/public-target.js';
import type { TrustProxy } from '../config.js';
import type { Database } from '../db/open.js';
import type { Enqueuer, ServiceSettings } from '../services/context.js';
import type { SignupLimits } from '../services/status-pages/subscription-signups.js';
import { consolePages } from './console-page.js';
import { healthRoutes } from './health-routes.js';
import { errorHandler, rejectNulCharacters, sendProblem } from './problem.js';
import { createRunner, registerAuthHook } from './request-context.js';
import { componentsTransform, plainJsonSerializer } from './response-schemas/openapi-setup.js';
import { registerSecurityHeaders } from './security-headers.js';
import { authRoutes } from './routes/auth-routes.js';
import { catalogRoutes } from './routes/catalog-routes.js';
import { deliveryRoutes } from './routes/delivery-routes.js';
import { eventRoutes, type EventStreamLimits } from './routes/event-routes.js';
import { templateRoutes } from './routes/template-routes.js';
import { incidentRoutes } from './routes/incident-routes.js';
import { intakeRoutes, type IntakeHttpOptions } from './routes/intake-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { maintenanceRoutes } from './routes/maintenance-routes.js';
import { setupPage } from './setup-page.js';
import { publicStatusFastPath } from './status/public-status-fast-path.js';
import { StatusCache, type CacheOptions } from './status/status-cache.js';
import { statusRoutes } from './status/status-routes.js';
import { subscriptionRoutes } from './status/subscription-routes.js';

/** How long the HTTP server waits for a client; a slow or stalled sender (slow-loris) is cut off. */
export interface ServerTimeouts {
  /** All request headers received (default 10 s). */
  headersTimeoutMs: number;
  /** The whole request, body included, received (default 60 s: a 32 MB hook body at about 0.5 MB/s). */
  requestTimeoutMs: number;
  /** A connection with nothing sent either way (default 120 s; event streams send a heartbeat every 15 s). */
  idleTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, idleTimeoutMs: 120_000 };

export interface AppOptions {
  database: Database;
  settings: ServiceSettings;
  /** The job queue client messages are delivered through; without it everything goes to the outbox. */
  jobs?: Enqueuer | null;
  isCookieSecure?: boolean;
  /** Whose X-Forwarded-For is believed (HERALD_TRUST_PROXY; default none). */
  trustProxy?: TrustProxy;
  logLevel?: string;
  /** The built console (default: dist/ui). */
  consoleDir?: string;
  /** Monitoring hooks and the public report form. */
  intake?: IntakeHttpOptions;
  /** How the rendered status pages are kept in memory. */
  statusPages?: CacheOptions;
  /** Public webhook subscriptions may point into private networks (HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS). */
  allowsPrivateWebhookTargets?: boolean;
  /** Resolves webhook host names at sign-up (default: the system resolver). */
  resolveHost?: HostResolver;
  /** Bounds on status-page sign-ups (pending per page, mails per address). */
  signupLimits?: Partial<SignupLimits>;
  /** HERALD_SERVER_*_TIMEOUT_MS (DEFAULT_SERVER_TIMEOUTS). */
  serverTimeouts?: Partial<ServerTimeouts>;
  /** The bearer token /metrics answers to (HERALD_METRICS_TOKEN); without it /metrics is 404 here. */
  metricsToken?: string | null;
  /** How often open event streams check their credential, and how many one user may hold. */
  eventStreams?: EventStreamLimits;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Logs a failure of background work and counts it in /metrics (herald_background_failures_total):
     * the app's routes use it, and so does everything else the Herald instance runs beside them.
     */
    reportFailure: ReportFailure;
    /** What /metrics shows: a second listener (metrics-access.ts) serves it too. */
    metricsRegistry: Registry;
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...opts.serverTimeouts };
  const app = Fastify({
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    // Node checks the headers and request deadlines on a timer (30 s by default): often enough that
    // a connection is cut off close to its deadline, not up to 30 s after it.
    http: { headersTimeout: timeouts.headersTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 2))) },
    logger: {
      level: opts.logLevel ?? 'info',
      serializers: { req: serializeRequest },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    },
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: opts.logLevel !== 'debug' && opts.logLevel !== 'trace' }),
  });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers; they are not parsed on the way out (why: openapi-setup.ts).
  app.setSerializerCompiler(plainJsonSerializer);
  app.setErrorHandler(errorHandler);
  app.addHook('preValidation', rejectNulCharacters);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, { status: 404, code: 'not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}.` }));

  const metrics = new Registry();
  const reportFailure = backgroundFailureReporter(app.log, metrics);
  app.decorate('reportFailure', reportFailure);
  app.decorate('metricsRegistry', metrics);

  registerSecurityHeaders(app);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: '1',
        description:
          'Incident management and client communication. Authenticate with a session cookie (POST /api/v1/auth/login; send X-CSRF-Token on changes) or an API token (Authorization: Bearer …). Errors are RFC 9457 problem+json. Lists page with `limit` (at most 200) and `cursor`. Creating POSTs accept an Idempotency-Key header (send a random UUID; the answer is replayed for 24 hours).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'herald_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: componentsTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuthHook(app, opts.database);
  const run = createRunner(opts.database, opts.settings, opts.jobs ?? null);
  healthRoutes(app, opts.database, metrics, opts.metricsToken ?? null);
  setupPage(app);
  authRoutes(app, opts.database, run, { isCookieSecure: opts.isCookieSecure ?? false });
  userRoutes(app, run);
  catalogRoutes(app, run);
  incidentRoutes(app, run);
  deliveryRoutes(app, run);
  templateRoutes(app, run);
  maintenanceRoutes(app, run, opts.database, opts.settings);
  eventRoutes(app, opts.database, reportFailure, opts.eventStreams);
  intakeRoutes(app, { database: opts.database, run, jobs: opts.jobs ?? null, options: opts.intake });
  const clientPageListeners: (() => void)[] = [];
  const statusCache = new StatusCache(opts.statusPages, (err) => reportFailure('status-page-render', err));
  statusRoutes(app, { database: opts.database, settings: opts.settings, cache: statusCache, onClientPagesChanged: (l) => void clientPageListeners.push(l) });
  // A speed-up: /status and its feeds are answered from memory before Fastify routes them (1.02 of a
  // bare node:http server in bench:status); the measurement and what the path skips are in its file.
  await app.register(publicStatusFastPath, { cache: statusCache });
  await subscriptionRoutes(app, {
    database: opts.database,
    settings: opts.settings,
    jobs: opts.jobs ?? null,
    run,
    allowsPrivateWebhookTargets: opts.allowsPrivateWebhookTargets ?? false,
    ...(opts.resolveHost && { resolveHost: opts.resolveHost }),
    ...(opts.signupLimits && { signupLimits: opts.signupLimits }),
    clientPagesChanged: () => clientPageListeners.forEach((l) => l()),
  });
  await consolePages(app, opts.consoleDir);
  return app;
}
