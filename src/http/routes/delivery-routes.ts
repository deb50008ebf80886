// Client endpoints (webhook, Slack, Teams), staff notifications, and the proof of what was sent.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EndpointRow } from '../../services/clients/client-endpoints.js';
import { addEndpoint, endpointAsSeenBy, listEndpoints, maskSecret, removeEndpoint, updateEndpoint } from '../../services/clients/client-endpoints.js';
import type { Ctx } from '../../services/context.js';
import { Readable } from 'node:stream';
import { clientDeliveryProof, incidentDeliveryProof, proofText, type Proof } from '../../services/communications/delivery-proof.js';
import { listCommunicationRecipients } from '../../services/communications/read-communications.js';
import { listNotifications, markNotificationsRead } from '../../services/notifications.js';
import type { Runner } from '../request-context.js';
import { noContent, pageSchema, replies } from '../response-schemas/common.js';
import { Endpoint } from '../response-schemas/catalog.js';
import { Notification, proofResponse, Recipient } from '../response-schemas/communications.js';
import { idParam, incidentParam, pageFrom, pageQuery, presentPage, text, uuid } from '../schemas.js';

const presentEndpoint = (ctx: Ctx, e: EndpointRow, isSecretShown: boolean) => ({
  id: e.id,
  clientId: e.clientId,
  kind: e.kind,
  name: e.name,
  ...endpointAsSeenBy(ctx, e, isSecretShown),
  isEnabled: e.isEnabled,
  disabledReason: e.disabledReason,
  createdAt: e.createdAt.toISOString(),
});

export function deliveryRoutes(app: FastifyInstance, run: Runner) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['delivery'];
  const endpointParams = z.object({ id: uuid, endpointId: uuid });

  r.get('/api/v1/clients/:id/endpoints', { schema: { tags, summary: "A client's webhook, Slack and Teams endpoints", params: idParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(Endpoint) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listEndpoints(ctx, req.params.id, pageFrom(req.query)), (e) => presentEndpoint(ctx, e, false))),
  );
  r.post(
    '/api/v1/clients/:id/endpoints',
    {
      schema: {
        tags,
        summary: 'Add an endpoint; a webhook gets a signing secret (whsec_…), shown in full only in this answer',
        params: idParam,
        body: z.object({ kind: z.enum(['webhook', 'slack', 'teams']), name: text(200), url: z.url().max(2000) }),
        response: replies({ 201: Endpoint }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 201, async (ctx) => presentEndpoint(ctx, await addEndpoint(ctx, req.params.id, req.body), true), {
        storedAs: (body) => ({ ...body, secret: null }),
      }),
  );
  r.patch(
    '/api/v1/clients/:id/endpoints/:endpointId',
    {
      schema: {
        tags,
        summary: 'Change, enable or disable an endpoint, or rotate its secret (the new secret is in the answer)',
        params: endpointParams,
        body: z.object({ name: text(200).optional(), url: z.url().max(2000).optional(), isEnabled: z.boolean().optional(), rotateSecret: z.boolean().optional() }),
        response: replies({ 200: Endpoint }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 200, async (ctx) => presentEndpoint(ctx, await updateEndpoint(ctx, req.params.id, req.params.endpointId, req.body), !!req.body.rotateSecret), {
        storedAs: (body) => ({ ...body, secret: maskSecret(body.secret) }),
      }),
  );
  r.delete('/api/v1/clients/:id/endpoints/:endpointId', { schema: { tags, summary: 'Remove an endpoint', params: endpointParams, response: replies({ 204: noContent }) } }, async (req, reply) => {
    await run.command(req, reply, 204, (ctx) => removeEndpoint(ctx, req.params.id, req.params.endpointId));
    return reply.send();
  });

  const formatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });
  // Streamed: a proof of a message to 10,000 recipients is read and written a page at a time.
  const sendProof = (proof: Proof, format: 'json' | 'csv', name: string, reply: import('fastify').FastifyReply) => {
    const body = Readable.from(proofText(proof, format));
    return format === 'csv'
      ? reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(body)
      : reply.type('application/json; charset=utf-8').send(body);
  };
  r.get(
    '/api/v1/incidents/:id/deliveries',
    { schema: { tags, summary: 'Proof: every delivery of the incident (what, to whom, channel, when, result) as JSON or CSV', params: incidentParam, querystring: formatQuery, response: replies({ 200: proofResponse }) } },
    async (req, reply) => sendProof(await run.query(req, (ctx) => incidentDeliveryProof(ctx, req.params.id)), req.query.format, `deliveries-${req.params.id}`, reply),
  );
  r.get(
    '/api/v1/clients/:id/deliveries',
    { schema: { tags, summary: 'Proof: every delivery to the client (incident messages and maintenance notices) as JSON or CSV', params: idParam, querystring: formatQuery, response: replies({ 200: proofResponse }) } },
    async (req, reply) => sendProof(await run.query(req, (ctx) => clientDeliveryProof(ctx, req.params.id)), req.query.format, `deliveries-client-${req.params.id}`, reply),
  );

  r.get(
    '/api/v1/communications/:id/recipients',
    {
      schema: {
        tags: ['communications'],
        summary: "A message's recipients with their copies and delivery results, a page at a time (client users: their organisation's)",
        params: idParam,
        querystring: z.object({
          ...pageQuery,
          clientId: uuid.optional(),
          status: z.enum(['queued', 'sending', 'sent', 'retrying', 'dead']).optional(),
          channel: z.enum(['email', 'outbox', 'webhook', 'slack', 'teams']).optional(),
        }),
        response: replies({ 200: pageSchema(Recipient) }),
      },
    },
    (req) => {
      const { cursor, limit, ...filters } = req.query;
      return run.query(req, (ctx) => listCommunicationRecipients(ctx, req.params.id, filters, { cursor: cursor ?? null, limit }));
    },
  );

  r.get(
    '/api/v1/notifications',
    { schema: { tags: ['notifications'], summary: 'Your notifications: reminders, escalations, approvals, failed deliveries', querystring: z.object({ unread: z.enum(['true', 'false']).default('false'), ...pageQuery }), response: replies({ 200: pageSchema(Notification) }) } },
    (req) =>
      run.query(req, async (ctx) =>
        presentPage(await listNotifications(ctx, { isUnreadOnly: req.query.unread === 'true', page: pageFrom(req.query) }), (n) => ({
          id: n.id,
          kind: n.kind,
          incidentId: n.incidentId,
          title: n.title,
          body: n.body,
          createdAt: n.createdAt.toISOString(),
          readAt: n.readAt?.toISOString() ?? null,
        })),
      ),
  );
  r.post('/api/v1/notifications/read', { schema: { tags: ['notifications'], summary: 'Mark notifications read', body: z.object({ ids: z.array(uuid).min(1).max(500) }), response: replies({ 200: z.object({ read: z.number().int().describe('How many were unread') }) }) } }, (req, reply) =>
    run.command(req, reply, 200, async (ctx) => ({ read: (await markNotificationsRead(ctx, req.body.ids)).length })),
  );
}
