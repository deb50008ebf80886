// Templates (versioned, owned, validated on save), the composer's preview, and message approval.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FILTERS } from '../../templates/filters.js';
import { VARIABLES } from '../../templates/variables.js';
import { validateTemplate } from '../../templates/index.js';
import type { MessageKind } from '../../domain/types.js';
import { decideCommunication } from '../../services/communications/approve-communication.js';
import { previewCommunication, previewTemplate } from '../../services/communications/preview-communication.js';
import { getCommunication } from '../../services/communications/read-communications.js';
import { staffView } from '../../services/incidents/read-incidents.js';
import { createTemplate, getTemplate, listTemplates, OWNER_ROLES, updateTemplate } from '../../services/templates/templates.js';
import type { Runner } from '../request-context.js';
import { pageSchema, replies } from '../response-schemas/common.js';
import { ApprovalResult, CommunicationPreview } from '../response-schemas/communications.js';
import { Template, TemplatePreview, TemplateVariables } from '../response-schemas/templates.js';
import { idParam, incidentParam, language, messageKind, optionalText, pageFrom, pageQuery, presentPage, uuid, uuidList } from '../schemas.js';

const part = z.string().max(100_000);
const parts = z.object({ subject: part.optional(), html: part.optional(), text: part }).strict();

function presentTemplate(t: Awaited<ReturnType<typeof getTemplate>> | Awaited<ReturnType<typeof listTemplates>>['items'][number]) {
  return {
    id: t.id,
    kind: t.kind,
    language: t.language,
    channel: t.channel,
    ownerUserId: t.ownerUserId,
    ownerRole: t.ownerRole,
    currentVersion: t.currentVersion,
    parts: t.parts,
    updatedAt: t.updatedAt.toISOString(),
    ...('versions' in t && {
      versions: t.versions.map((v) => ({ version: v.version, parts: v.parts, note: v.note, createdBy: v.createdBy, createdAt: v.createdAt.toISOString() })),
    }),
  };
}

export function templateRoutes(app: FastifyInstance, run: Runner) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['templates'];

  r.get('/api/v1/templates', { schema: { tags, summary: 'Every template with its current version', querystring: z.object(pageQuery), response: replies({ 200: pageSchema(Template) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listTemplates(ctx, pageFrom(req.query)), presentTemplate)),
  );
  r.get('/api/v1/templates/variables', { schema: { tags, summary: 'The variables and filters templates can use', response: replies({ 200: TemplateVariables }) } }, (req) =>
    run.query(req, async (ctx) => {
      if (ctx.actor.role === 'client') return { variables: [], filters: [] };
      return { variables: VARIABLES, filters: FILTERS };
    }),
  );
  r.get('/api/v1/templates/:id', { schema: { tags, summary: 'A template with its version history', params: idParam, response: replies({ 200: Template }) } }, (req) =>
    run.query(req, async (ctx) => presentTemplate(await getTemplate(ctx, req.params.id))),
  );
  r.post(
    '/api/v1/templates',
    {
      schema: {
        tags,
        summary: 'Create a template for a kind, language and channel (refused, naming part and line, if it would not render)',
        body: z.object({
          kind: messageKind,
          language,
          channel: z.enum(['email', 'chat']),
          parts,
          ownerUserId: uuid.nullable().optional(),
          ownerRole: z.enum(OWNER_ROLES).nullable().optional(),
          note: optionalText(2000),
        }),
        response: replies({ 201: Template }),
      },
    },
    (req, reply) => run.command(req, reply, 201, async (ctx) => presentTemplate(await createTemplate(ctx, { ...req.body, parts: req.body.parts as Record<string, string> }))),
  );
  r.patch(
    '/api/v1/templates/:id',
    {
      schema: {
        tags,
        summary: 'Save a new version (the history is kept) and/or change the owner',
        params: idParam,
        body: z.object({ parts: parts.optional(), note: optionalText(2000), ownerUserId: uuid.nullable().optional(), ownerRole: z.enum(OWNER_ROLES).nullable().optional() }),
        response: replies({ 200: Template }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 200, async (ctx) =>
        presentTemplate(await updateTemplate(ctx, req.params.id, { ...req.body, parts: req.body.parts as Record<string, string> | undefined })),
      ),
  );

  r.post(
    '/api/v1/templates/:id/preview',
    {
      schema: {
        tags,
        summary: 'Render the template (or draft parts) against a real incident for a chosen client and contact; writes nothing',
        params: idParam,
        body: z.object({ incidentId: incidentParam.shape.id, clientId: uuid, contactId: uuid.nullable().optional(), parts: parts.optional(), body: optionalText(50000) }),
        response: replies({ 200: TemplatePreview }),
      },
    },
    (req) =>
      run.query(req, async (ctx) => {
        const t = await getTemplate(ctx, req.params.id);
        const draft = (req.body.parts ?? t.parts) as Record<string, string>;
        if (req.body.parts) {
          const issues = validateTemplate(t.channel as 'email' | 'chat', draft, { kinds: [t.kind as MessageKind], language: t.language });
          if (issues.length) return { issues, rendered: null };
        }
        const rendered = await previewTemplate(ctx, { kind: t.kind as MessageKind, language: t.language, channel: t.channel as 'email' | 'chat', parts: draft }, req.body);
        return { issues: [], rendered };
      }),
  );
  r.post(
    '/api/v1/incidents/:id/communications/preview',
    {
      schema: {
        tags: ['communications'],
        summary: 'What each recipient would receive (every copy, or for a message to more than 300 a few of each client, channel and language, with the totals), and whether the message may go out now (missing disclosures named); writes nothing',
        params: incidentParam,
        body: z.object({ kind: messageKind, clientIds: uuidList.nullable().optional(), subject: optionalText(300), body: optionalText(50000) }),
        response: replies({ 200: CommunicationPreview }),
      },
    },
    (req) => run.query(req, (ctx) => previewCommunication(ctx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/communications/:id/approval',
    {
      schema: {
        tags: ['communications'],
        summary: 'Approve (and so send) or reject a message waiting for approval: the Incident Manager or Communication Lead, not its author',
        params: idParam,
        body: z.object({ isApproved: z.boolean(), note: optionalText(5000) }),
        response: replies({ 200: ApprovalResult }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 200, async (ctx) => {
        const result = await decideCommunication(ctx, req.params.id, req.body);
        return { communication: await getCommunication(ctx, result.communicationId), incident: staffView(result.record, ctx.now) };
      }),
  );
}
