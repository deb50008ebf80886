// The intake's API: monitoring integrations (token shown once), the alerts they sent, the triage queue,
// and each client's secret report link.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IMPACT_STATUSES } from '../../domain/types.js';
import { INTEGRATION_KINDS } from '../../services/intake/alert-formats.js';
import { getIncidentAttachment, listIncidentAttachments } from '../../services/intake/attachments.js';
import { createIntegration, getIntegration, integrationStats, listIntegrations, updateIntegration, type IntegrationRow } from '../../services/intake/integrations.js';
import { listAlerts } from '../../services/intake/read-alerts.js';
import { disableReportLink, getReportLink, rotateReportLink } from '../../services/intake/public-report.js';
import { dismissTriageItem, getTriageItem, listTriageItems, promoteTriageItem, TRIAGE_KINDS, TRIAGE_STATUSES, type TriageRow } from '../../services/intake/triage.js';
import type { Runner } from '../request-context.js';
import { fileResponse, pageSchema, replies } from '../response-schemas/common.js';
import { Alert, Attachment, Integration, IntegrationDetail, IntegrationWithSecrets, Promotion, ReportLink, TriageItem } from '../response-schemas/intake.js';
import { idParam, incidentParam, optionalText, pageFrom, pageQuery, presentPage, severity, slug, text, uuid, uuidList } from '../schemas.js';

/** Types a browser may show inline; anything else (HTML, SVG, scripts) is sent as a download only. */
const SAFE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv']);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const presentIntegration = (row: IntegrationRow) => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  slug: row.slug,
  hookPath: row.kind === 'generic' ? `/hooks/generic/${row.slug}` : `/hooks/${row.kind}`,
  isSigned: row.hmacSecret !== null,
  acceptsUntimedSignatures: row.acceptsUntimedSignatures,
  groupKeyPath: row.groupKeyPath,
  rules: row.rules,
  defaultSeverity: row.defaultSeverity,
  defaultAction: row.defaultAction,
  defaultComponentIds: row.defaultComponentIds,
  isEnabled: row.isEnabled,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
});

const presentTriage = (row: TriageRow) => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  title: row.title,
  description: row.description,
  clientId: row.clientId,
  sender: row.sender,
  reason: row.reason,
  data: row.data,
  incidentId: row.incidentId,
  decidedBy: row.decidedBy,
  decidedAt: iso(row.decidedAt),
  decisionNote: row.decisionNote,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
});

const labelName = z.string().min(1).max(200);
const rule = z
  .object({
    match: z.record(labelName, z.string().max(1000)).optional(),
    matchRegex: z.record(labelName, z.string().max(1000)).optional(),
    componentIds: uuidList.optional(),
    severity: severity.optional(),
    action: z.enum(['open', 'triage']).optional(),
    impact: z.enum(IMPACT_STATUSES).optional(),
  })
  .strict();
const routingFields = {
  groupKeyPath: z.string().max(200).regex(/^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9_-]{1,100}){0,4}$/, 'a dotted path like labels.service').nullable().optional(),
  rules: z.array(rule).max(200).optional(),
  defaultSeverity: severity.optional(),
  defaultAction: z.enum(['open', 'triage']).optional(),
  defaultComponentIds: uuidList.optional(),
  acceptsUntimedSignatures: z
    .boolean()
    .optional()
    .describe('Accept Grafana signatures sent without X-Grafana-Alerting-Signature-Timestamp (such a call can be replayed); off by default'),
};

export function intakeAdminRoutes(app: FastifyInstance, run: Runner): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['intake'];

  r.get('/api/v1/integrations', { schema: { tags, summary: 'Monitoring integrations (staff); secrets are never shown', querystring: z.object(pageQuery), response: replies({ 200: pageSchema(Integration) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listIntegrations(ctx, pageFrom(req.query)), presentIntegration)),
  );
  r.post(
    '/api/v1/integrations',
    {
      schema: {
        tags,
        summary: 'Create a monitoring integration (admin); its token (and HMAC secret, if signed) are shown only in this answer',
        body: z.object({ kind: z.enum(INTEGRATION_KINDS), name: text(200), slug, isSigned: z.boolean().optional(), ...routingFields }).strict(),
        response: replies({ 201: IntegrationWithSecrets }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 201, async (ctx) => {
        const { row, token, hmacSecret } = await createIntegration(ctx, req.body);
        return { ...presentIntegration(row), token: token as string | null, hmacSecret: hmacSecret as string | null };
      }, { storedAs: (body) => ({ ...body, token: null, hmacSecret: null, note: 'The token is shown only once; this is a replay.' }) }),
  );
  r.get('/api/v1/integrations/:id', { schema: { tags, summary: 'One integration, with what it has sent (payloads waiting, alerts stored and firing)', params: idParam, response: replies({ 200: IntegrationDetail }) } }, (req) =>
    run.query(req, async (ctx) => ({ ...presentIntegration(await getIntegration(ctx, req.params.id)), stats: await integrationStats(ctx, req.params.id) })),
  );
  r.patch(
    '/api/v1/integrations/:id',
    {
      schema: {
        tags,
        summary: 'Change an integration (admin): routing, enable/disable, new token (rotateToken) or HMAC secret (rotateSecret), shown once',
        params: idParam,
        body: z.object({ name: text(200).optional(), isEnabled: z.boolean().optional(), rotateToken: z.boolean().optional(), rotateSecret: z.boolean().optional(), removeSecret: z.boolean().optional(), ...routingFields }).strict(),
        response: replies({ 200: IntegrationWithSecrets }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 200, async (ctx) => {
        const { row, token, hmacSecret } = await updateIntegration(ctx, req.params.id, req.body);
        return { ...presentIntegration(row), token, hmacSecret };
      }, { storedAs: (body) => ({ ...body, token: null, hmacSecret: null }) }),
  );

  r.get(
    '/api/v1/alerts',
    {
      schema: {
        tags,
        summary: 'Stored alerts, de-duplicated by fingerprint (staff)',
        querystring: z.object({ ...pageQuery, integrationId: uuid.optional(), incidentId: uuid.optional(), status: z.enum(['firing', 'resolved']).optional() }),
        response: replies({ 200: pageSchema(Alert) }),
      },
    },
    (req) =>
      run.query(req, async (ctx) => {
        const { cursor, limit, ...filters } = req.query;
        const page = await listAlerts(ctx, filters, { cursor: cursor ?? null, limit });
        return {
          items: page.items.map(({ alert: a, groupKey, incidentId }) => ({
            id: a.id,
            integrationId: a.integrationId,
            groupKey,
            incidentId,
            fingerprint: a.fingerprint,
            status: a.status,
            name: a.name,
            labels: a.labels,
            annotations: a.annotations,
            startsAt: iso(a.startsAt),
            endsAt: iso(a.endsAt),
            url: a.url,
            receiveCount: a.receiveCount,
            firstSeenAt: iso(a.firstSeenAt),
            lastSeenAt: iso(a.lastSeenAt),
          })),
          nextCursor: page.nextCursor,
        };
      }),
  );

  r.get(
    '/api/v1/triage',
    { schema: { tags, summary: 'The triage queue: alert groups, unknown senders, flagged public reports (staff), oldest first', querystring: z.object({ ...pageQuery, status: z.enum(TRIAGE_STATUSES).optional(), kind: z.enum(TRIAGE_KINDS).optional() }), response: replies({ 200: pageSchema(TriageItem) }) } },
    (req) =>
      run.query(req, async (ctx) => {
        const page = await listTriageItems(ctx, { status: req.query.status, kind: req.query.kind }, { cursor: req.query.cursor ?? null, limit: req.query.limit });
        return { items: page.items.map(presentTriage), nextCursor: page.nextCursor };
      }),
  );
  r.get('/api/v1/triage/:id', { schema: { tags, summary: 'One triage item', params: idParam, response: replies({ 200: TriageItem }) } }, (req) => run.query(req, async (ctx) => presentTriage(await getTriageItem(ctx, req.params.id))));
  r.post(
    '/api/v1/triage/:id/promotion',
    {
      schema: {
        tags,
        summary: 'Open an incident from a triage item (its alerts, mail and attachments move to the incident)',
        params: idParam,
        body: z.object({ title: text(200).optional(), severity: severity.optional(), componentIds: uuidList.optional(), clientId: uuid.nullable().optional(), note: optionalText(5000) }).strict(),
        response: replies({ 201: Promotion }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 201, async (ctx) => {
        const { item, incident } = await promoteTriageItem(ctx, req.params.id, req.body);
        return { item: presentTriage(item), incident };
      }),
  );
  r.post('/api/v1/triage/:id/dismissal', { schema: { tags, summary: 'Dismiss a triage item, with the reason', params: idParam, body: z.object({ reason: text(5000) }).strict(), response: replies({ 200: TriageItem }) } }, (req, reply) =>
    run.command(req, reply, 200, async (ctx) => presentTriage(await dismissTriageItem(ctx, req.params.id, req.body))),
  );

  r.get('/api/v1/incidents/:id/attachments', { schema: { tags, summary: 'Files that came in with e-mail about the incident (staff)', params: incidentParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(Attachment) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listIncidentAttachments(ctx, req.params.id, pageFrom(req.query)), (a) => ({ ...a, createdAt: iso(a.createdAt) }))),
  );
  r.get(
    '/api/v1/incidents/:id/attachments/:attachmentId',
    { schema: { tags, summary: 'Download one attachment (staff)', params: incidentParam.extend({ attachmentId: uuid }), response: replies({ 200: fileResponse }) } },
    async (req, reply) => {
      const file = await run.query(req, (ctx) => getIncidentAttachment(ctx, req.params.id, req.params.attachmentId));
      const type = SAFE_TYPES.has(file.contentType.toLowerCase()) ? file.contentType : 'application/octet-stream';
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(file.content);
    },
  );

  r.get('/api/v1/clients/:id/report-link', { schema: { tags, summary: "Whether the client's public report link is on (the link itself is shown only when made)", params: idParam, response: replies({ 200: ReportLink }) } }, (req) =>
    run.query(req, (ctx) => getReportLink(ctx, req.params.id)),
  );
  r.post('/api/v1/clients/:id/report-link', { schema: { tags, summary: 'Make a new secret report link for the client (the old one stops working); shown only in this answer', params: idParam, response: replies({ 201: ReportLink }) } }, (req, reply) =>
    run.command(req, reply, 201, (ctx) => rotateReportLink(ctx, req.params.id), { storedAs: (body) => ({ ...body, url: null }) }),
  );
  r.delete('/api/v1/clients/:id/report-link', { schema: { tags, summary: "Turn the client's public report link off", params: idParam, response: replies({ 200: ReportLink }) } }, (req, reply) =>
    run.command(req, reply, 200, (ctx) => disableReportLink(ctx, req.params.id)),
  );
}
