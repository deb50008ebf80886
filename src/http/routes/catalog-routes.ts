// Components, component groups, clients and their contacts, SLA policies.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createComponent, createGroup, getComponent, listComponents, listGroups, updateComponent, updateGroup } from '../../services/catalog/components.js';
import { addContact, createClient, getClient, listClients, listContacts, removeContact, updateClient, updateContact } from '../../services/clients/clients.js';
import { createSlaPolicy, listSlaPolicies, updateSlaPolicy } from '../../services/sla/sla-policies.js';
import { pageOf, presentClient, presentComponent, presentContact, presentGroup, presentPolicy } from '../presenters.js';
import type { Runner } from '../request-context.js';
import { noContent, pageSchema, replies } from '../response-schemas/common.js';
import { Client, Component, ComponentGroup, Contact, SlaPolicy } from '../response-schemas/catalog.js';
import { componentStatus, contactRole, email, idParam, language, messageKind, optionalText, pageFrom, pageQuery, presentPage, severity, slug, text, uuid, uuidList } from '../schemas.js';

const listQuery = z.object({ cursor: uuid.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const minutes = z.number().int().min(1).max(60 * 24 * 30);

export function catalogRoutes(app: FastifyInstance, run: Runner) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/component-groups', { schema: { tags: ['catalog'], summary: 'List component groups', querystring: z.object(pageQuery), response: replies({ 200: pageSchema(ComponentGroup) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listGroups(ctx, pageFrom(req.query)), presentGroup)),
  );
  r.post(
    '/api/v1/component-groups',
    { schema: { tags: ['catalog'], summary: 'Create a component group', body: z.object({ name: text(200), description: optionalText(2000), position: z.number().int().min(0).max(100000).optional() }), response: replies({ 201: ComponentGroup }) } },
    (req, reply) => run.command(req, reply, 201, async (ctx) => presentGroup(await createGroup(ctx, req.body))),
  );
  r.patch(
    '/api/v1/component-groups/:id',
    { schema: { tags: ['catalog'], summary: 'Change a component group', params: idParam, body: z.object({ name: text(200).optional(), description: optionalText(2000), position: z.number().int().min(0).max(100000).optional() }), response: replies({ 200: ComponentGroup }) } },
    (req, reply) => run.command(req, reply, 200, async (ctx) => presentGroup(await updateGroup(ctx, req.params.id, req.body))),
  );

  r.get('/api/v1/components', { schema: { tags: ['catalog'], summary: 'List components with their current status', querystring: listQuery, response: replies({ 200: pageSchema(Component) }) } }, (req) =>
    run.query(req, async (ctx) => pageOf(await listComponents(ctx, { after: req.query.cursor ?? null, limit: req.query.limit }), req.query.limit, presentComponent)),
  );
  r.post(
    '/api/v1/components',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Create a component',
        body: z.object({ name: text(200), description: optionalText(2000), groupId: uuid.nullable().optional(), position: z.number().int().min(0).max(100000).optional() }),
        response: replies({ 201: Component }),
      },
    },
    (req, reply) => run.command(req, reply, 201, async (ctx) => presentComponent(await createComponent(ctx, req.body))),
  );
  r.get('/api/v1/components/:id', { schema: { tags: ['catalog'], summary: 'Get a component', params: idParam, response: replies({ 200: Component }) } }, (req) =>
    run.query(req, async (ctx) => presentComponent(await getComponent(ctx, req.params.id))),
  );
  r.patch(
    '/api/v1/components/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a component, or set its status by hand',
        params: idParam,
        body: z.object({ name: text(200).optional(), description: optionalText(2000), groupId: uuid.nullable().optional(), position: z.number().int().min(0).max(100000).optional(), status: componentStatus.optional() }),
        response: replies({ 200: Component }),
      },
    },
    (req, reply) => run.command(req, reply, 200, async (ctx) => presentComponent(await updateComponent(ctx, req.params.id, req.body))),
  );

  r.get('/api/v1/clients', { schema: { tags: ['clients'], summary: 'List clients', querystring: listQuery, response: replies({ 200: pageSchema(Client) }) } }, (req) =>
    run.query(req, async (ctx) => pageOf(await listClients(ctx, { after: req.query.cursor ?? null, limit: req.query.limit }), req.query.limit, presentClient)),
  );
  r.post(
    '/api/v1/clients',
    { schema: { tags: ['clients'], summary: 'Create a client organisation', body: z.object({ name: text(200), slug, tier: text(50).optional(), componentIds: uuidList.optional() }), response: replies({ 201: Client }) } },
    (req, reply) => run.command(req, reply, 201, async (ctx) => presentClient(await createClient(ctx, req.body))),
  );
  r.get('/api/v1/clients/:id', { schema: { tags: ['clients'], summary: 'Get a client', params: idParam, response: replies({ 200: Client }) } }, (req) =>
    run.query(req, async (ctx) => presentClient(await getClient(ctx, req.params.id))),
  );
  r.patch(
    '/api/v1/clients/:id',
    { schema: { tags: ['clients'], summary: 'Change a client: name, tier, components used', params: idParam, body: z.object({ name: text(200).optional(), tier: text(50).optional(), componentIds: uuidList.optional() }), response: replies({ 200: Client }) } },
    (req, reply) => run.command(req, reply, 200, async (ctx) => presentClient(await updateClient(ctx, req.params.id, req.body))),
  );

  const contactBody = z.object({
    name: text(200),
    email,
    language: language.optional(),
    role: contactRole.optional(),
    channels: z.array(z.enum(['email'])).max(1).optional(),
    kinds: z.array(messageKind).max(4).nullable().optional(),
  });
  r.get('/api/v1/clients/:id/contacts', { schema: { tags: ['clients'], summary: "List a client's contacts", params: idParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(Contact) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listContacts(ctx, req.params.id, pageFrom(req.query)), presentContact)),
  );
  r.post('/api/v1/clients/:id/contacts', { schema: { tags: ['clients'], summary: 'Add a contact', params: idParam, body: contactBody, response: replies({ 201: Contact }) } }, (req, reply) =>
    run.command(req, reply, 201, async (ctx) => presentContact(await addContact(ctx, req.params.id, req.body))),
  );
  const contactParams = z.object({ id: uuid, contactId: uuid });
  r.patch('/api/v1/clients/:id/contacts/:contactId', { schema: { tags: ['clients'], summary: 'Change a contact', params: contactParams, body: contactBody.partial(), response: replies({ 200: Contact }) } }, (req, reply) =>
    run.command(req, reply, 200, async (ctx) => presentContact(await updateContact(ctx, req.params.id, req.params.contactId, req.body))),
  );
  r.delete('/api/v1/clients/:id/contacts/:contactId', { schema: { tags: ['clients'], summary: 'Remove a contact', params: contactParams, response: replies({ 204: noContent }) } }, async (req, reply) => {
    await run.command(req, reply, 204, (ctx) => removeContact(ctx, req.params.id, req.params.contactId));
    return reply.send();
  });

  const policyFields = z.object({
    initialNoticeMinutes: minutes,
    updateEveryMinutes: minutes.nullable(),
    resolutionNoticeMinutes: minutes,
    rcaBusinessDays: z.number().int().min(1).max(60).nullable(),
    requiresApproval: z.boolean().optional(),
    ownerId: uuid.nullable().optional(),
  });
  r.get('/api/v1/sla-policies', { schema: { tags: ['sla'], summary: "SLA policies per tier and severity ('*' is every other tier)", querystring: z.object(pageQuery), response: replies({ 200: pageSchema(SlaPolicy) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listSlaPolicies(ctx, pageFrom(req.query)), presentPolicy)),
  );
  r.post('/api/v1/sla-policies', { schema: { tags: ['sla'], summary: 'Create a policy for a tier', body: policyFields.extend({ tier: text(50), severity }), response: replies({ 201: SlaPolicy }) } }, (req, reply) =>
    run.command(req, reply, 201, async (ctx) => presentPolicy(await createSlaPolicy(ctx, req.body))),
  );
  r.patch('/api/v1/sla-policies/:id', { schema: { tags: ['sla'], summary: 'Change a policy', params: idParam, body: policyFields.partial(), response: replies({ 200: SlaPolicy }) } }, (req, reply) =>
    run.command(req, reply, 200, async (ctx) => presentPolicy(await updateSlaPolicy(ctx, req.params.id, req.body))),
  );
}
