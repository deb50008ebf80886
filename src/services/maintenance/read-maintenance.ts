// Reading maintenance windows: what the status pages and the iCal feed show (public windows only),
// and what the API shows staff and client users (scoped to the client's own windows).
import { and, asc, desc, eq, gt, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { clientComponents, clients, communicationRecipients, components, maintenanceClients, maintenanceComponents, maintenanceEvents, maintenanceNotices, maintenanceWindows } from '../../db/schema.js';
import { presentDelivery } from '../communications/delivery-proof.js';
import { notFound } from '../app-error.js';
import { clientScope, isStaff, type Ctx } from '../context.js';
import { decodeCursor, encodeCursor, keyset, pageByKey, type Page } from '../pagination.js';

export type MaintenanceKind = 'planned' | 'emergency';
export type MaintenanceState = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

type WindowRow = typeof maintenanceWindows.$inferSelect;

/** A window as the status pages and feeds show it: nothing internal (no justification, no actors). */
export interface PublicMaintenance {
  id: string;
  key: string;
  title: string;
  description: string;
  kind: MaintenanceKind;
  state: MaintenanceState;
  startsAt: Date;
  endsAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  /** Raised on every change of time and on cancellation (iCal SEQUENCE). */
  sequence: number;
  createdAt: Date;
  updatedAt: Date;
  componentIds: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Public (non-internal) windows overlapping [from, to), oldest start first, with their component ids.
 * With a clientId: only the windows that client is affected by (its private page). Cancelled windows
 * are left out unless asked for (the iCal feed lists them as cancelled).
 */
export async function listPublicMaintenance(
  db: Db,
  opts: { clientId?: string | null; from: Date; to: Date; includeCancelled?: boolean; limit?: number },
): Promise<PublicMaintenance[]> {
  const conds: (SQL | undefined)[] = [
    eq(maintenanceWindows.isInternal, false),
    lt(maintenanceWindows.startsAt, opts.to),
    gt(maintenanceWindows.endsAt, opts.from),
    opts.includeCancelled ? undefined : ne(maintenanceWindows.state, 'cancelled'),
  ];
  if (opts.clientId) {
    if (!UUID.test(opts.clientId)) return [];
    conds.push(sql`EXISTS (SELECT 1 FROM ${maintenanceClients} WHERE ${maintenanceClients.windowId} = ${maintenanceWindows.id} AND ${maintenanceClients.clientId} = ${opts.clientId})`);
  }
  const found = await db
    .select()
    .from(maintenanceWindows)
    .where(and(...conds))
    .orderBy(asc(maintenanceWindows.startsAt), asc(maintenanceWindows.id))
    .limit(opts.limit ?? 1000);
  const ids = await componentIdsOf(db, found.map((w) => w.id));
  // On a client's page, only the components that client uses: another client's never show.
  const used = opts.clientId ? await usedComponentIds(db, opts.clientId) : null;
  return found.map((w) => ({
    id: w.id,
    key: w.key,
    title: w.title,
    description: w.description,
    kind: w.kind as MaintenanceKind,
    state: w.state as MaintenanceState,
    startsAt: w.startsAt,
    endsAt: w.endsAt,
    startedAt: w.startedAt,
    completedAt: w.completedAt,
    cancelledAt: w.cancelledAt,
    sequence: w.sequence,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    componentIds: (ids.get(w.id) ?? []).filter((id) => !used || used.has(id)),
  }));
}

async function usedComponentIds(db: Db, clientId: string): Promise<Set<string>> {
  const found = await db.select({ id: clientComponents.componentId }).from(clientComponents).where(eq(clientComponents.clientId, clientId));
  return new Set(found.map((f) => f.id));
}

async function componentIdsOf(db: Db, windowIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!windowIds.length) return out;
  const links = await db
    .select({ windowId: maintenanceComponents.windowId, componentId: maintenanceComponents.componentId })
    .from(maintenanceComponents)
    .innerJoin(components, eq(components.id, maintenanceComponents.componentId))
    .where(inArray(maintenanceComponents.windowId, windowIds))
    .orderBy(asc(components.position), asc(components.name));
  for (const l of links) out.set(l.windowId, [...(out.get(l.windowId) ?? []), l.componentId]);
  return out;
}

async function clientIdsOf(db: Db, windowIds: string[]): Promise<Map<string, { clientId: string; source: string }[]>> {
  const out = new Map<string, { clientId: string; source: string }[]>();
  if (!windowIds.length) return out;
  const links = await db
    .select({ windowId: maintenanceClients.windowId, clientId: maintenanceClients.clientId, source: maintenanceClients.source })
    .from(maintenanceClients)
    .innerJoin(clients, eq(clients.id, maintenanceClients.clientId))
    .where(inArray(maintenanceClients.windowId, windowIds))
    .orderBy(asc(clients.name));
  for (const l of links) out.set(l.windowId, [...(out.get(l.windowId) ?? []), { clientId: l.clientId, source: l.source }]);
  return out;
}

/** A window for the API. A client user sees only its own client among the affected, and nothing internal. */
export function presentWindow(w: WindowRow, allComponentIds: string[], clientLinks: { clientId: string; source: string }[], scope: string | null, used: Set<string> | null = null) {
  const componentIds = used ? allComponentIds.filter((id) => used.has(id)) : allComponentIds;
  return {
    id: w.id,
    key: w.key,
    title: w.title,
    description: w.description,
    kind: w.kind as MaintenanceKind,
    justification: scope ? null : w.justification,
    incidentId: scope ? null : w.incidentId,
    isInternal: w.isInternal,
    state: w.state as MaintenanceState,
    startsAt: w.startsAt.toISOString(),
    endsAt: w.endsAt.toISOString(),
    sequence: w.sequence,
    componentIds,
    clientIds: clientLinks.filter((c) => !scope || c.clientId === scope).map((c) => c.clientId),
    clients: scope ? [] : clientLinks,
    createdBy: scope ? null : w.createdBy,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    startedAt: w.startedAt?.toISOString() ?? null,
    completedAt: w.completedAt?.toISOString() ?? null,
    cancelledAt: w.cancelledAt?.toISOString() ?? null,
    cancelReason: w.cancelReason,
  };
}

export type WindowView = ReturnType<typeof presentWindow>;

/** Finds a window by id or key (MNT-7); a client user finds only public windows of its own client. */
export async function findWindow(ctx: Ctx, idOrKey: string, opts: { forUpdate?: boolean } = {}): Promise<WindowRow> {
  const byId = UUID.test(idOrKey);
  if (!byId && !/^MNT-\d{1,9}$/i.test(idOrKey)) throw notFound('Maintenance window');
  const scope = clientScope(ctx);
  const q = ctx.tx
    .select()
    .from(maintenanceWindows)
    .where(
      and(
        byId ? eq(maintenanceWindows.id, idOrKey) : eq(maintenanceWindows.key, idOrKey.toUpperCase()),
        scope ? eq(maintenanceWindows.isInternal, false) : undefined,
        scope ? sql`EXISTS (SELECT 1 FROM ${maintenanceClients} WHERE ${maintenanceClients.windowId} = ${maintenanceWindows.id} AND ${maintenanceClients.clientId} = ${scope})` : undefined,
      ),
    );
  const [w] = opts.forUpdate ? await q.for('update') : await q;
  if (!w) throw notFound('Maintenance window');
  return w;
}

export async function viewWindow(ctx: Ctx, w: WindowRow): Promise<WindowView> {
  const comps = await componentIdsOf(ctx.tx, [w.id]);
  const cls = await clientIdsOf(ctx.tx, [w.id]);
  const scope = clientScope(ctx);
  return presentWindow(w, comps.get(w.id) ?? [], cls.get(w.id) ?? [], scope, scope ? await usedComponentIds(ctx.tx, scope) : null);
}

export async function getMaintenance(ctx: Ctx, idOrKey: string): Promise<WindowView & { timeline: unknown[] }> {
  const w = await findWindow(ctx, idOrKey);
  const view = await viewWindow(ctx, w);
  const scope = clientScope(ctx);
  const events = await ctx.tx.select().from(maintenanceEvents).where(eq(maintenanceEvents.windowId, w.id)).orderBy(asc(maintenanceEvents.seq));
  const notices = scope
    ? await ctx.tx.select({ id: maintenanceNotices.id }).from(maintenanceNotices).where(and(eq(maintenanceNotices.windowId, w.id), eq(maintenanceNotices.clientId, scope)))
    : [];
  const mine = new Set(notices.map((n) => n.id));
  const timeline = events
    // A client user sees the state changes and the notices sent to its own client, not internal detail.
    .filter((e) => !scope || PUBLIC_EVENT_TYPES.has(e.type) || (e.type === 'notice.sent' && mine.has((e.data as { noticeId?: string }).noticeId ?? '')))
    .map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      type: e.type,
      actor: scope ? null : e.actorLabel,
      data: scope ? publicEventData(e.type, e.data as Record<string, unknown>) : e.data,
    }));
  return { ...view, timeline };
}

const PUBLIC_EVENT_TYPES = new Set(['window.created', 'window.rescheduled', 'window.started', 'window.completed', 'window.cancelled', 'window.updated']);

function publicEventData(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const keep = ['startsAt', 'endsAt', 'previousStartsAt', 'previousEndsAt', 'kind', 'title', 'reason', 'noticeId'];
  if (type === 'notice.sent') return { noticeId: data.noticeId, kind: data.kind };
  return Object.fromEntries(Object.entries(data).filter(([k]) => keep.includes(k)));
}

export interface MaintenanceFilters {
  state?: MaintenanceState[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  clientId?: string | undefined;
  componentId?: string | undefined;
}

/** Windows newest start first; a client user gets only public windows its client is affected by. */
export async function listMaintenance(ctx: Ctx, filters: MaintenanceFilters, page: Page) {
  const scope = clientScope(ctx);
  const used = scope ? await usedComponentIds(ctx.tx, scope) : null;
  // A client user filters by its own components only: another client's component matches nothing, as an unknown one.
  if (used && filters.componentId && !used.has(filters.componentId)) return { items: [], nextCursor: null };
  const conds: (SQL | undefined)[] = [];
  if (scope) {
    conds.push(eq(maintenanceWindows.isInternal, false));
    conds.push(sql`EXISTS (SELECT 1 FROM ${maintenanceClients} WHERE ${maintenanceClients.windowId} = ${maintenanceWindows.id} AND ${maintenanceClients.clientId} = ${scope})`);
  }
  if (filters.clientId && isStaff(ctx)) {
    conds.push(sql`EXISTS (SELECT 1 FROM ${maintenanceClients} WHERE ${maintenanceClients.windowId} = ${maintenanceWindows.id} AND ${maintenanceClients.clientId} = ${filters.clientId})`);
  }
  if (filters.componentId) {
    conds.push(sql`EXISTS (SELECT 1 FROM ${maintenanceComponents} WHERE ${maintenanceComponents.windowId} = ${maintenanceWindows.id} AND ${maintenanceComponents.componentId} = ${filters.componentId})`);
  }
  if (filters.state?.length) conds.push(inArray(maintenanceWindows.state, filters.state));
  if (filters.from) conds.push(gt(maintenanceWindows.endsAt, filters.from));
  if (filters.to) conds.push(lt(maintenanceWindows.startsAt, filters.to));
  const cursor = decodeCursor(page.cursor);
  if (cursor) conds.push(sql`(${maintenanceWindows.startsAt}, ${maintenanceWindows.id}) < (${new Date(cursor.at)}, ${cursor.id}::uuid)`);
  const found = await ctx.tx
    .select()
    .from(maintenanceWindows)
    .where(and(...conds))
    .orderBy(desc(maintenanceWindows.startsAt), desc(maintenanceWindows.id))
    .limit(page.limit + 1);
  const items = found.slice(0, page.limit);
  const comps = await componentIdsOf(ctx.tx, items.map((w) => w.id));
  const cls = await clientIdsOf(ctx.tx, items.map((w) => w.id));
  const last = items.at(-1);
  return {
    items: items.map((w) => presentWindow(w, comps.get(w.id) ?? [], cls.get(w.id) ?? [], scope, used)),
    nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.startsAt.toISOString(), id: last.id }) : null,
  };
}

/** The notices sent about a window, each with its deliveries (recipient, channel, result): the proof. A client user sees its own. */
export async function listMaintenanceNotices(ctx: Ctx, idOrKey: string, page: Page) {
  const w = await findWindow(ctx, idOrKey);
  const scope = clientScope(ctx);
  const k = keyset(page, [maintenanceNotices.createdAt, maintenanceNotices.id]);
  const found = await ctx.tx
    .select()
    .from(maintenanceNotices)
    .where(and(eq(maintenanceNotices.windowId, w.id), scope ? eq(maintenanceNotices.clientId, scope) : undefined, k.where))
    .orderBy(...k.orderBy)
    .limit(k.limit);
  const { items: notices, nextCursor } = pageByKey(found, page, (n) => [n.createdAt, n.id]);
  const deliveries = notices.length
    ? await ctx.tx
        .select()
        .from(communicationRecipients)
        .where(inArray(communicationRecipients.maintenanceNoticeId, notices.map((n) => n.id)))
        .orderBy(asc(communicationRecipients.createdAt), asc(communicationRecipients.toAddress))
    : [];
  return {
    items: notices.map((n) => ({
      id: n.id,
      kind: n.kind,
      clientId: n.clientId,
      sequence: n.sequence,
      startsAt: n.startsAt.toISOString(),
      endsAt: n.endsAt.toISOString(),
      subject: n.subject,
      createdAt: n.createdAt.toISOString(),
      deliveries: deliveries
        .filter((d) => d.maintenanceNoticeId === n.id)
        .map((d) => ({ id: d.id, ...presentDelivery(d), result: d.status === 'sent' ? d.providerRef : d.lastError, messageId: d.messageId })),
    })),
    nextCursor,
  };
}
