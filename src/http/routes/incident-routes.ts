// The incident flow: report, classify, disclosures, roles, state, messages, obligations, close.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Disclosures } from '../../domain/types.js';
import { getCommunication, listIncidentCommunications, listOutbox } from '../../services/communications/read-communications.js';
import { sendCommunication } from '../../services/communications/send-communication.js';
import { findPastOccurrences, PAST_OCCURRENCES_MAX } from '../../services/communications/past-occurrences.js';
import { adjustAffectedClients, assignRoles, classifyIncident } from '../../services/incidents/classify-incident.js';
import { addNote, changeTechState, closeIncident, documentIncident, updateDisclosures, waiveObligation } from '../../services/incidents/incident-commands.js';
import { getIncident, getTimeline, listDisclosureVersions, listIncidents, listObligations, staffView } from '../../services/incidents/read-incidents.js';
import { listPublicUpdates, publishIncident, withdrawPublication } from '../../services/incidents/publish-incident.js';
import { reportIncident } from '../../services/incidents/report-incident.js';
import { requireStaff, type Verb } from '../../services/context.js';
import type { IncidentRecord } from '../../services/incidents/incident-store.js';
import { call, type Runner } from '../request-context.js';
import { pageSchema, replies } from '../response-schemas/common.js';
import { Communication, Recipient, SendResult } from '../response-schemas/communications.js';
import { AnyIncident, DisclosureVersion, Incident, ObligationRecord, PastOccurrence, PublicUpdate, TimelineEvent } from '../response-schemas/incidents.js';
import { definedOnly, disclosuresPatch, idParam, impact, incidentParam, messageKind, optionalText, pageFrom, pageQuery, severity, source, stage, techState, text, uuid, uuidList } from '../schemas.js';

export function incidentRoutes(app: FastifyInstance, run: Runner) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['incidents'];

  r.get(
    '/api/v1/incidents',
    {
      schema: {
        tags,
        summary: 'List incidents, newest first (client users: their organisation only)',
        querystring: z.object({
          ...pageQuery,
          stage: z.union([stage, z.literal('open')]).optional(),
          techState: techState.optional(),
          severity: severity.optional(),
          clientId: uuid.optional(),
          componentId: uuid.optional(),
        }),
        response: replies({ 200: pageSchema(AnyIncident) }),
      },
    },
    (req) => {
      const { cursor, limit, ...filters } = req.query;
      return run.query(req, (ctx) => listIncidents(ctx, filters, { cursor: cursor ?? null, limit }));
    },
  );

  r.post(
    '/api/v1/incidents',
    {
      schema: {
        tags,
        summary: 'Report an incident',
        body: z.object({
          title: text(200),
          description: z.string().max(20000).optional(),
          source: source.optional(),
          impacts: z.array(impact).max(200).optional(),
          clientIds: uuidList.optional(),
        }),
        response: replies({ 201: AnyIncident }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 201, call(reportIncident, [req.body], (record, ctx) => (ctx.actor.role === 'client' ? getIncident(ctx, record.id) : staffView(record, ctx.now)))),
  );

  r.get('/api/v1/incidents/:id', { schema: { tags, summary: 'Get an incident by id or key', params: incidentParam, response: replies({ 200: AnyIncident }) } }, (req) => run.query(req, (ctx) => getIncident(ctx, req.params.id)));

  const command = <B, I = B>(path: string, summary: string, body: z.ZodType<B>, verb: Verb<[string, I], IncidentRecord>, input: (b: B) => I = (b) => b as unknown as I) =>
    r.post(`/api/v1/incidents/:id/${path}`, { schema: { tags, summary, params: incidentParam, body, response: replies({ 200: Incident }) } }, (req, reply) =>
      run.command(req, reply, 200, call(verb, [req.params.id, input(req.body as B)], (record, ctx) => staffView(record, ctx.now))),
    );

  command(
    'classification',
    'Classify: severity, impact per component, and whether clients are affected (with the reason)',
    z.object({
      severity,
      impacts: z.array(impact).max(200),
      isClientAffected: z.boolean(),
      reason: text(5000),
      addClientIds: uuidList.optional(),
      removeClientIds: uuidList.optional(),
    }),
    classifyIncident,
  );
  command('affected-clients', 'Add or remove affected clients explicitly', z.object({ addClientIds: uuidList.optional(), removeClientIds: uuidList.optional() }), adjustAffectedClients);
  command('state', 'Move the technical state (reopen: resolved → investigating, with a note)', z.object({ state: techState, note: optionalText(5000) }), changeTechState);
  command('disclosures', 'Change the disclosures (versioned): impact, data loss, data exposure, timeline, remediation', disclosuresPatch, updateDisclosures, (b) => definedOnly(b) as Partial<Disclosures>);
  command(
    'roles',
    'Assign the Incident Manager (taken freely while nobody holds it, then handed over by its holder or an admin), Communication Lead and Technical Team',
    z.object({ incidentManagerId: uuid.nullable().optional(), communicationLeadId: uuid.nullable().optional(), technicalTeamIds: uuidList.optional() }).strict(),
    assignRoles,
    (b) => definedOnly(b),
  );
  command('internal-summary', 'Document the incident internally (required to close an internal-only incident)', z.object({ summary: text(20000) }), documentIncident, (b) => b.summary);
  command('close', 'Close the incident; the Incident Manager may waive open obligations with a reason', z.object({ waiveReason: optionalText(5000) }), closeIncident);
  command('notes', 'Add an internal note to the timeline', z.object({ text: text(20000) }), addNote, (b) => b.text);

  // The public status page: only what is published here shows there (never a client message's text).
  const publicText = (max: number) => text(max).refine((v) => !/\{\{|\{%/.test(v), 'The public text is shown as written: no template variables ({{ … }} or {% … %}).');
  r.post(
    '/api/v1/incidents/:id/public-updates',
    {
      schema: {
        tags,
        summary: 'Publish an entry to the public status page (Incident Manager, Communication Lead or admin): its own title and Markdown text, shown to everyone as written',
        params: incidentParam,
        body: z.object({
          title: publicText(200).nullable().optional().describe('Required for the first entry (and after a withdrawal); absent: the current public title'),
          body: publicText(20000).describe('Markdown; no template variables'),
          state: techState.nullable().optional().describe("The state the entry announces; absent: the incident's technical state"),
        }),
        response: replies({ 201: Incident }),
      },
    },
    (req, reply) => run.command(req, reply, 201, call(publishIncident, [req.params.id, req.body], (record, ctx) => staffView(record, ctx.now))),
  );
  r.get(
    '/api/v1/incidents/:id/public-updates',
    { schema: { tags, summary: 'Every entry published to the public status page, oldest first, withdrawn ones included (staff)', params: incidentParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(PublicUpdate) }) } },
    (req) => run.query(req, (ctx) => listPublicUpdates(ctx, req.params.id, pageFrom(req.query))),
  );
  r.post(
    '/api/v1/incidents/:id/public-updates/withdrawal',
    {
      schema: {
        tags,
        summary: 'Take the incident off the public status page, with a reason: every entry published so far is withdrawn',
        params: incidentParam,
        body: z.object({ reason: text(5000) }),
        response: replies({ 200: Incident }),
      },
    },
    (req, reply) => run.command(req, reply, 200, call(withdrawPublication, [req.params.id, req.body], (record, ctx) => staffView(record, ctx.now))),
  );

  r.post(
    '/api/v1/incidents/:id/obligations/:obligationId/waiver',
    { schema: { tags, summary: 'Waive an open obligation (Incident Manager only, with a written reason)', params: incidentParam.extend({ obligationId: uuid }), body: z.object({ reason: text(5000) }), response: replies({ 200: Incident }) } },
    (req, reply) =>
      run.command(req, reply, 200, call(waiveObligation, [req.params.id, req.params.obligationId, req.body.reason], (record, ctx) => staffView(record, ctx.now))),
  );

  r.get('/api/v1/incidents/:id/obligations', { schema: { tags, summary: 'Every obligation of the incident, open and closed, with whether it was met on time', params: incidentParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(ObligationRecord) }) } }, (req) =>
    run.query(req, (ctx) => listObligations(ctx, req.params.id, pageFrom(req.query))),
  );
  r.get('/api/v1/incidents/:id/disclosures/versions', { schema: { tags, summary: 'Every version of the disclosures', params: incidentParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(DisclosureVersion) }) } }, (req) =>
    run.query(req, (ctx) => listDisclosureVersions(ctx, req.params.id, pageFrom(req.query))),
  );
  r.get(
    '/api/v1/incidents/:id/timeline',
    { schema: { tags, summary: 'The append-only timeline', params: incidentParam, querystring: z.object({ ...pageQuery, order: z.enum(['asc', 'desc']).default('desc') }), response: replies({ 200: pageSchema(TimelineEvent) }) } },
    (req) => run.query(req, (ctx) => getTimeline(ctx, req.params.id, { cursor: req.query.cursor ?? null, limit: req.query.limit, order: req.query.order })),
  );
  r.get(
    '/api/v1/incidents/:id/past-occurrences',
    { schema: { tags, summary: 'Earlier incidents of a client on the same components (what the initial notice lists)', params: incidentParam, querystring: z.object({ clientId: uuid }), response: replies({ 200: z.object({ items: z.array(PastOccurrence).max(PAST_OCCURRENCES_MAX).describe('At most 25, newest first: what an initial notice lists') }) }) } },
    (req) =>
      run.query(req, async (ctx) => {
        requireStaff(ctx);
        const incident = await getIncident(ctx, req.params.id);
        if (!('impacts' in incident)) return { items: [] };
        return {
          items: await findPastOccurrences(ctx, { incidentId: incident.id, clientId: req.query.clientId, componentIds: incident.impacts.map((i) => i.componentId), before: new Date(incident.reportedAt) }),
        };
      }),
  );

  r.post(
    '/api/v1/incidents/:id/communications',
    {
      schema: {
        tags: ['communications'],
        summary: 'Send a client message (initial, update, resolution, rca) to the affected clients or some of them',
        params: incidentParam,
        body: z.object({ kind: messageKind, clientIds: uuidList.nullable().optional(), subject: optionalText(300), body: optionalText(50000) }),
        response: replies({ 201: SendResult }),
      },
    },
    (req, reply) =>
      run.command(
        req,
        reply,
        201,
        call(sendCommunication, [req.params.id, req.body], async (sent, ctx) => ({
          status: sent.status,
          communication: sent.communication ?? (await getCommunication(ctx, sent.communicationId)),
          incident: staffView(sent.record, ctx.now),
        })),
      ),
  );
  r.get('/api/v1/incidents/:id/communications', { schema: { tags: ['communications'], summary: 'Messages sent on the incident (client users: those sent to them)', params: incidentParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(Communication) }) } }, (req) =>
    run.query(req, (ctx) => listIncidentCommunications(ctx, req.params.id, pageFrom(req.query))),
  );
  r.get('/api/v1/communications/:id', { schema: { tags: ['communications'], summary: 'One message with its recipients', params: idParam, response: replies({ 200: Communication }) } }, (req) =>
    run.query(req, (ctx) => getCommunication(ctx, req.params.id)),
  );
  r.get(
    '/api/v1/outbox',
    { schema: { tags: ['communications'], summary: 'The local outbox: what Herald sent, newest first', querystring: z.object({ ...pageQuery, incidentId: uuid.optional(), clientId: uuid.optional(), to: z.string().max(320).optional() }), response: replies({ 200: pageSchema(Recipient) }) } },
    (req) => {
      const { cursor, limit, ...filters } = req.query;
      return run.query(req, (ctx) => listOutbox(ctx, filters, { cursor: cursor ?? null, limit }));
    },
  );
}
