// Liveness, readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
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

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await database.ping();
      return { status: 'ready', database: database.kind };
    } catch {
      // The answer itself tells the probe; a failing probe every few seconds would only flood the log.
      return reply.code(503).type('application/problem+json').send({ type: 'urn:herald:problem:not_ready', title: 'not ready', status: 503, detail: 'The database does not answer.', code: 'not_ready' });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    // Without the token, the same answer as for a route that does not exist: nothing tells it is there.
    if (!hasMetricsToken(metricsToken, request.headers.authorization)) return sendProblem(reply, request, { status: 404, code: 'not_found', detail: 'No route GET /metrics.' });
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(await registry.metrics());
  });
}
