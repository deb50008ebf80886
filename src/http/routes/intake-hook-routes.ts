// Monitoring webhooks: POST /hooks/alertmanager, /hooks/grafana and /hooks/generic/{integration}.
// The body is read raw (signatures are over the exact bytes), up to hookMaxBytes on these routes only;
// checked, stored with its job in one transaction, then answered 202. Processing happens in a job.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../../db/open.js';
import { AppError } from '../../services/app-error.js';
import type { Enqueuer } from '../../services/context.js';
import { acceptAlertPayload } from '../../services/intake/alert-payloads.js';
import { countAlerts, parseJsonBody, readAlertPayload, type IntegrationKind } from '../../services/intake/alert-formats.js';
import { authenticateHook } from '../../services/intake/integrations.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export interface HookRouteOptions {
  database: Database;
  jobs: Enqueuer | null;
  /** Largest hook body (default 32 MB; other routes keep the app's 1 MB). */
  hookMaxBytes?: number;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function intakeHookRoutes(app: FastifyInstance, opts: HookRouteOptions): void {
  const bodyLimit = opts.hookMaxBytes ?? 32 * 1024 * 1024;
  void app.register(async (hooks) => {
    // Raw bytes for the signature check; the text (not the Buffer) is the body the app's hooks see.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      request.rawBody = body;
      done(null, body.toString('utf8'));
    });

    const handle = (kind: IntegrationKind) => async (request: FastifyRequest<{ Params: { integration?: string } }>, reply: import('fastify').FastifyReply) => {
      const now = new Date();
      const slug = request.params.integration ?? null;
      if (slug !== null && !SLUG.test(slug)) throw new AppError('unauthenticated', 'No integration has this name.');
      const integration = await authenticateHook(opts.database.db, {
        kind,
        slug,
        authorization: request.headers.authorization,
        headers: request.headers,
        rawBody: request.rawBody ?? Buffer.alloc(0),
        now,
      });
      const text = typeof request.body === 'string' ? request.body : '';
      const groups = readAlertPayload(kind, parseJsonBody(text), { groupKeyPath: integration.groupKeyPath });
      if (!opts.jobs) throw new Error('The job queue is not running.');
      const alerts = countAlerts(groups);
      const { payloadId } = await acceptAlertPayload(opts.database, opts.jobs, { integration, bodyText: text, alertCount: alerts, now });
      return reply.code(202).send({ status: 'accepted', payloadId, integration: integration.slug, alerts, groups: groups.length });
    };
    const config = { schema: { hide: true }, bodyLimit };
    hooks.post('/hooks/alertmanager', config, handle('alertmanager'));
    hooks.post('/hooks/alertmanager/:integration', config, handle('alertmanager'));
    hooks.post('/hooks/grafana', config, handle('grafana'));
    hooks.post('/hooks/grafana/:integration', config, handle('grafana'));
    hooks.post('/hooks/generic/:integration', config, handle('generic'));
  });
}
