// Planned and unplanned changes (maintenance windows), their notice schedules per tier, and the
// maintenance calendar (iCal): public at /maintenance.ics, and per client at
// /status/{client}/maintenance.ics?key=… with the client's secret status-page link.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/open.js';
import { MAINTENANCE_KINDS, MAINTENANCE_STATES } from '../../domain/maintenance.js';
import type { ServiceSettings } from '../../services/context.js';
import { buildCalendar } from '../../services/maintenance/ical.js';
import {
  cancelMaintenance,
  completeMaintenanceNow,
  createMaintenance,
  rescheduleMaintenance,
  startMaintenanceNow,
  updateMaintenance,
} from '../../services/maintenance/maintenance-commands.js';
import { deleteNoticeSchedule, listNoticeSchedules, putNoticeSchedule } from '../../services/maintenance/maintenance-schedules.js';
import { readMaintenanceCalendar } from '../../services/maintenance/maintenance-calendar.js';
import { getMaintenance, listMaintenance, listMaintenanceNotices } from '../../services/maintenance/read-maintenance.js';
import { findStatusPageClient, statusPageAccess } from '../../services/status-pages/status-page-clients.js';
import { sendProblem } from '../problem.js';
import type { Runner } from '../request-context.js';
import { pageSchema, replies } from '../response-schemas/common.js';
import { MaintenanceDetail, MaintenanceNotice, MaintenanceWindow, NoticeSchedule, NoticeScheduleRemoval } from '../response-schemas/maintenance.js';
import { isoDate, optionalText, pageFrom, pageQuery, text, uuid, uuidList } from '../schemas.js';

export const maintenanceParam = z.object({
  id: z.string().regex(/^(MNT-\d{1,9}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/i, 'a window id or key like MNT-7').describe('Window id or key (MNT-7)'),
});
const tierParam = z.object({ tier: z.string().trim().min(1).max(50) });
const note = optionalText(20000);
const description = z.string().max(20000);

export function maintenanceRoutes(app: FastifyInstance, run: Runner, database: Database, settings: ServiceSettings) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['maintenance'];

  r.get(
    '/api/v1/maintenance',
    {
      schema: {
        tags,
        summary: 'List maintenance windows, latest start first (client users: their organisation’s public windows)',
        querystring: z.object({
          ...pageQuery,
          state: z.enum(MAINTENANCE_STATES).optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          clientId: uuid.optional(),
          componentId: uuid.optional(),
        }),
        response: replies({ 200: pageSchema(MaintenanceWindow) }),
      },
    },
    (req) => {
      const { cursor, limit, state, from, to, ...filters } = req.query;
      return run.query(req, (ctx) =>
        listMaintenance(ctx, { ...filters, state: state ? [state] : undefined, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined }, { cursor: cursor ?? null, limit }),
      );
    },
  );

  r.post(
    '/api/v1/maintenance',
    {
      schema: {
        tags,
        summary: 'Schedule a maintenance window, or record an emergency change (justification required; communicated at once)',
        body: z.object({
          title: text(200),
          description: description.optional(),
          kind: z.enum(MAINTENANCE_KINDS).optional(),
          justification: optionalText(5000),
          incidentId: uuid.nullable().optional(),
          componentIds: uuidList.min(1),
          addClientIds: uuidList.optional(),
          removeClientIds: uuidList.optional(),
          startsAt: isoDate.nullable().optional(),
          endsAt: isoDate,
          isInternal: z.boolean().optional(),
          note,
        }),
        response: replies({ 201: MaintenanceDetail }),
      },
    },
    (req, reply) => run.command(req, reply, 201, (ctx) => createMaintenance(ctx, req.body)),
  );

  r.get('/api/v1/maintenance/notice-schedules', { schema: { tags, summary: "Advance-notice schedules per client tier ('*' is every other tier)", querystring: z.object(pageQuery), response: replies({ 200: pageSchema(NoticeSchedule) }) } }, (req) =>
    run.query(req, (ctx) => listNoticeSchedules(ctx, pageFrom(req.query))),
  );
  r.put(
    '/api/v1/maintenance/notice-schedules/:tier',
    {
      schema: {
        tags,
        summary: 'Set when clients of a tier hear of planned maintenance: lead times in minutes (the longest is the announcement), at start, at completion',
        params: tierParam,
        body: z.object({ advanceMinutes: z.array(z.number().int().min(1).max(525_600)).max(10), atStart: z.boolean(), atCompletion: z.boolean() }),
        response: replies({ 200: NoticeSchedule }),
      },
    },
    (req, reply) => run.command(req, reply, 200, (ctx) => putNoticeSchedule(ctx, req.params.tier, req.body)),
  );
  r.delete('/api/v1/maintenance/notice-schedules/:tier', { schema: { tags, summary: "Remove a tier's own schedule (it falls back to '*')", params: tierParam, response: replies({ 200: NoticeScheduleRemoval }) } }, (req, reply) =>
    run.command(req, reply, 200, (ctx) => deleteNoticeSchedule(ctx, req.params.tier)),
  );

  r.get('/api/v1/maintenance/:id', { schema: { tags, summary: 'Get a window by id or key, with its timeline', params: maintenanceParam, response: replies({ 200: MaintenanceDetail }) } }, (req) =>
    run.query(req, (ctx) => getMaintenance(ctx, req.params.id)),
  );
  r.get('/api/v1/maintenance/:id/notices', { schema: { tags, summary: 'The notices sent about a window, with every delivery and its result', params: maintenanceParam, querystring: z.object(pageQuery), response: replies({ 200: pageSchema(MaintenanceNotice) }) } }, (req) =>
    run.query(req, (ctx) => listMaintenanceNotices(ctx, req.params.id, pageFrom(req.query))),
  );

  r.patch(
    '/api/v1/maintenance/:id',
    {
      schema: {
        tags,
        summary: 'Change what a window is about: title, description, components, affected clients (its time: reschedule)',
        params: maintenanceParam,
        body: z
          .object({
            title: text(200).optional(),
            description: description.optional(),
            justification: optionalText(5000),
            incidentId: uuid.nullable().optional(),
            componentIds: uuidList.min(1).optional(),
            addClientIds: uuidList.optional(),
            removeClientIds: uuidList.optional(),
            isInternal: z.boolean().optional(),
          })
          .strict(),
        response: replies({ 200: MaintenanceDetail }),
      },
    },
    (req, reply) => run.command(req, reply, 200, (ctx) => updateMaintenance(ctx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/maintenance/:id/reschedule',
    {
      schema: {
        tags,
        summary: 'Move a window (a time left out stays; a window in progress moves its end only); clients already told hear of it at once',
        params: maintenanceParam,
        body: z.object({ startsAt: isoDate.nullable().optional(), endsAt: isoDate.nullable().optional(), note }),
        response: replies({ 200: MaintenanceDetail }),
      },
    },
    (req, reply) => run.command(req, reply, 200, (ctx) => rescheduleMaintenance(ctx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/maintenance/:id/cancel',
    { schema: { tags, summary: 'Cancel a window that has not started; clients already told hear of it at once', params: maintenanceParam, body: z.object({ reason: text(5000) }), response: replies({ 200: MaintenanceDetail }) } },
    (req, reply) => run.command(req, reply, 200, (ctx) => cancelMaintenance(ctx, req.params.id, req.body)),
  );
  r.post('/api/v1/maintenance/:id/start', { schema: { tags, summary: 'Start a scheduled window now', params: maintenanceParam, body: z.object({ note }), response: replies({ 200: MaintenanceDetail }) } }, (req, reply) =>
    run.command(req, reply, 200, (ctx) => startMaintenanceNow(ctx, req.params.id, req.body)),
  );
  r.post('/api/v1/maintenance/:id/complete', { schema: { tags, summary: 'Complete a window in progress now', params: maintenanceParam, body: z.object({ note }), response: replies({ 200: MaintenanceDetail }) } }, (req, reply) =>
    run.command(req, reply, 200, (ctx) => completeMaintenanceNow(ctx, req.params.id, req.body)),
  );

  // The calendars: public windows from 90 days back, two years ahead; cancelled ones stay as STATUS:CANCELLED.
  const host = (() => {
    try {
      return new URL(settings.baseUrl).hostname || 'herald.local';
    } catch {
      return 'herald.local';
    }
  })();
  const base = settings.baseUrl.replace(/\/+$/, '');
  const calendar = async (request: FastifyRequest, reply: FastifyReply, clientId: string | null, name: string, url: string) => {
    let shown;
    try {
      shown = await readMaintenanceCalendar(database.db, clientId, new Date());
    } catch (err) {
      request.log.error({ err }, 'the maintenance calendar could not be read');
      return sendProblem(reply.header('retry-after', '5'), request, { status: 503, code: 'unavailable', detail: 'The calendar cannot be read right now; try again shortly.' });
    }
    const body = buildCalendar(shown.windows, { name, uidDomain: host, url, componentNames: shown.componentNames });
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    reply.headers({
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'inline; filename="maintenance.ics"',
      etag,
      'cache-control': clientId ? 'private, max-age=0, must-revalidate' : 'public, max-age=0, s-maxage=30, stale-while-revalidate=60',
    });
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(body);
  };

  app.get('/maintenance.ics', { schema: { hide: true }, config: { isPublic: true } }, (request, reply) => calendar(request, reply, null, `${settings.companyName} maintenance`, `${base}/status`));

  app.get('/status/:page/maintenance.ics', { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
    const { page } = request.params as { page: string };
    const rawKey = (request.query as Record<string, unknown>).key;
    const key = typeof rawKey === 'string' ? rawKey : '';
    const notFound = () => sendProblem(reply.header('cache-control', 'no-store'), request, { status: 404, code: 'not_found', detail: 'No calendar here, or it is private: use the secret link of the client’s status page.' });
    if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(page) || !key) return notFound();
    // The database away: answered as no calendar here (a private calendar is never guessed at).
    const client = await findStatusPageClient(database.db, page).catch((err: unknown) => void request.log.error({ err }, 'the status page client could not be read'));
    if (!client || (await statusPageAccess(database.db, client, { key }, new Date())) !== 'key') return notFound();
    return calendar(request, reply, client.id, `${settings.companyName} maintenance for ${client.name}`, `${base}/status/${page}`);
  });
}
