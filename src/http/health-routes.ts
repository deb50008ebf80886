// Liveness, readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { Database } from '../db/open.js';

/** `registry` is the app's: other parts of it (background failures) count into it too. */
export function healthRoutes(app: FastifyInstance, database: Database, registry: Registry) {
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
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
