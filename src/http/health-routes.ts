// Liveness, readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { Database } from '../db/open.js';
import { hasMetricsToken } from './metrics-access.js';
import { sendProblem } from './problem.js';

/**
 * `registry` is the app's: other parts of it (background failures) count into it too. /metrics on
 * this listener answers only to `metricsToken` (metrics-access.ts says why); without one it is 404.
 */
export function healthRoutes(app: FastifyInstance, database: Database, registry: Registry, metricsToken: string | null = null) {
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'herald_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  // The listening connection (LISTEN/NOTIFY): made again after every loss, each time counted here.
  const reconnects = new Counter({
    name: 'herald_database_listener_reconnects_total',
    help: 'Times the database listening connection (LISTEN/NOTIFY) was made again after it was lost or could not be made',
    registers: [registry],
  });
  const stopCounting = database.onNotificationsMissed(() => reconnects.inc());
  app.addHook('onClose', async () => stopCounting());
  new Gauge({
    name: 'herald_database_listener_up',
    help: '1 while the database listening connection listens (or nothing needs it), 0 while it is being made again',
    registers: [registry],
    collect() {
      this.set(database.listenerStatus().state === 'down' ? 0 : 1);
    },
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  // Ready when the database answers and its changes are heard: without the listener, status pages and
  // live streams would keep what they hold without knowing it changed.
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const isAnswering = await database.ping().then(
      () => true,
      () => false,
    );
    const listener = database.listenerStatus();
    const checks = { database: isAnswering ? 'up' : 'down', listener: listener.state };
    if (isAnswering && listener.state !== 'down') return { status: 'ready', database: database.kind, checks };
    const detail = !isAnswering
      ? 'The database does not answer.'
      : `The database answers, but its change notifications are not heard: the listening connection is being made again${listener.downSince ? ` (down since ${listener.downSince.toISOString()})` : ''}.`;
    // The answer itself tells the probe; a failing probe every few seconds would only flood the log.
    return reply
      .code(503)
      .type('application/problem+json')
      .send({ type: 'urn:herald:problem:not_ready', title: 'not ready', status: 503, detail, code: 'not_ready', database: database.kind, checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    // Without the token, the same answer as for a route that does not exist: nothing tells it is there.
    if (!hasMetricsToken(metricsToken, request.headers.authorization)) return sendProblem(reply, request, { status: 404, code: 'not_found', detail: 'No route GET /metrics.' });
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(await registry.metrics());
  });
}
