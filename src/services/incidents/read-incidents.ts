// Reading incidents: staff see everything; a client user sees only their organisation's incidents,
// in a view without internal fields, roles, timeline or other clients.
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import { clientComponents, incidentDisclosureVersions, incidentEvents, incidentObligations } from '../../db/schema.js';
import type { Severity, Stage, TechState } from '../../domain/types.js';
import { clientScope, requireStaff, type Ctx } from '../context.js';
import { decodeCursor, encodeCursor, keyset, pageByKey, type Page } from '../pagination.js';
import { loadIncident, queryIncidents, visibleToClient, type IncidentRecord } from './incident-store.js';

export function staffView(r: IncidentRecord, now: Date) {
  const s = r.state;
  const next = s.obligations[0] ?? null;
  return {
    id: r.id,
    key: r.key,
    title: r.title,
    description: r.description,
    source: s.source,
    reporterId: r.reporterId,
    reporterClientId: r.reporterClientId,
    reportedClientIds: r.reportedClientIds,
    suggestedImpacts: r.suggestedImpacts,
    stage: s.stage,
    techState: s.techState,
    severity: s.severity,
    peakSeverity: s.peakSeverity,
    decision: s.decision,
    impacts: s.impacts,
    affectedClients: s.clients,
    disclosures: s.disclosures,
    disclosureVersion: s.disclosureVersion,
    roles: s.roles,
    obligations: s.obligations.map((o) => ({ ...o, isOverdue: Date.parse(o.dueAt) < now.getTime() })),
    nextObligation: next ? { ...next, isOverdue: Date.parse(next.dueAt) < now.getTime() } : null,
    internalSummary: s.internalSummary,
    reportedAt: s.reportedAt,
    classifiedAt: s.classifiedAt,
    resolvedAt: s.resolvedAt,
    reopenedAt: s.reopenedAt,
    closedAt: s.closedAt,
    publicTitle: s.publicTitle,
    publishedAt: s.publishedAt,
    updatedAt: r.updatedAt,
  };
}

export function clientView(r: IncidentRecord, clientId: string, usedComponentIds: Set<string>) {
  const s = r.state;
  const mine = s.clients.find((c) => c.clientId === clientId);
  return {
    id: r.id,
    key: r.key,
    title: r.title,
    description: r.reporterClientId === clientId ? r.description : '',
    isReportedByYou: r.reporterClientId === clientId,
    isAffectingYou: !!mine,
    stage: s.stage === 'closed' ? 'closed' : 'open',
    techState: s.techState,
    severity: mine ? s.severity : null,
    impacts: mine ? s.impacts.filter((i) => usedComponentIds.has(i.componentId)) : [],
    reportedAt: s.reportedAt,
    resolvedAt: s.resolvedAt,
    closedAt: s.closedAt,
  };
}

export type StaffIncidentView = ReturnType<typeof staffView>;
export type ClientIncidentView = ReturnType<typeof clientView>;

async function usedComponents(ctx: Ctx, clientId: string): Promise<Set<string>> {
  const links = await ctx.tx.select({ id: clientComponents.componentId }).from(clientComponents).where(eq(clientComponents.clientId, clientId));
  return new Set(links.map((l) => l.id));
}

export async function getIncident(ctx: Ctx, idOrKey: string): Promise<StaffIncidentView | ClientIncidentView> {
  const scope = clientScope(ctx);
  const record = await loadIncident(ctx.tx, idOrKey, { clientScope: scope });
  return scope ? clientView(record, scope, await usedComponents(ctx, scope)) : staffView(record, ctx.now);
}

export interface IncidentFilters {
  stage?: Stage | 'open' | undefined;
  techState?: TechState | undefined;
  severity?: Severity | undefined;
  clientId?: string | undefined;
  componentId?: string | undefined;
}

export async function listIncidents(ctx: Ctx, filters: IncidentFilters, page: Page) {
  const scope = clientScope(ctx);
  const conds: SQL[] = [sql`TRUE`];
  if (scope) conds.push(visibleToClient(scope));
  if (filters.stage === 'open') conds.push(sql`i.stage <> 'closed'`);
  else if (filters.stage) conds.push(sql`i.stage = ${filters.stage}`);
  if (filters.techState) conds.push(sql`i.tech_state = ${filters.techState}`);
  if (filters.severity) conds.push(sql`i.severity = ${filters.severity}`);
  // A client user filters within what they may see: their own organisation and the components it uses.
  if (scope && filters.clientId && filters.clientId !== scope) conds.push(sql`FALSE`);
  if (filters.clientId) conds.push(sql`(i.reporter_client_id = ${filters.clientId} OR EXISTS (SELECT 1 FROM incident_clients f WHERE f.incident_id = i.id AND f.client_id = ${filters.clientId}))`);
  const usedByScope = scope ? sql` AND EXISTS (SELECT 1 FROM client_components cc WHERE cc.client_id = ${scope} AND cc.component_id = f.component_id)` : sql``;
  if (filters.componentId) conds.push(sql`EXISTS (SELECT 1 FROM incident_components f WHERE f.incident_id = i.id AND f.component_id = ${filters.componentId}${usedByScope})`);
  const cursor = decodeCursor(page.cursor);
  if (cursor) conds.push(sql`(i.reported_at, i.id) < (${new Date(cursor.at)}, ${cursor.id})`);
  const records = await queryIncidents(ctx.tx, sql.join(conds, sql` AND `), sql`ORDER BY i.reported_at DESC, i.id DESC LIMIT ${page.limit + 1}`);
  const hasMore = records.length > page.limit;
  const pageRows = records.slice(0, page.limit);
  const last = pageRows.at(-1);
  const used = scope ? await usedComponents(ctx, scope) : null;
  return {
    items: pageRows.map((r) => (scope ? clientView(r, scope, used!) : staffView(r, ctx.now))),
    nextCursor: hasMore && last ? encodeCursor({ at: last.state.reportedAt, id: last.id }) : null,
  };
}

export async function getTimeline(ctx: Ctx, idOrKey: string, page: Page) {
  requireStaff(ctx);
  const record = await loadIncident(ctx.tx, idOrKey);
  const cursor = decodeCursor(page.cursor);
  const order = page.order === 'asc' ? asc(incidentEvents.seq) : desc(incidentEvents.seq);
  const after = cursor ? (page.order === 'asc' ? gt(incidentEvents.seq, Number(cursor.id)) : lt(incidentEvents.seq, Number(cursor.id))) : undefined;
  const found = await ctx.tx.select().from(incidentEvents).where(and(eq(incidentEvents.incidentId, record.id), after)).orderBy(order).limit(page.limit + 1);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((e) => ({ seq: e.seq, at: e.at.toISOString(), actorId: e.actorId, actor: e.actorLabel, type: e.type, data: e.data })),
    nextCursor: found.length > page.limit && last ? encodeCursor({ at: '', id: String(last.seq) }) : null,
  };
}

export async function listObligations(ctx: Ctx, idOrKey: string, page: Page) {
  requireStaff(ctx);
  const record = await loadIncident(ctx.tx, idOrKey);
  const k = keyset(page, [incidentObligations.createdAt, incidentObligations.dueAt, incidentObligations.id]);
  const found = await ctx.tx.select().from(incidentObligations).where(and(eq(incidentObligations.incidentId, record.id), k.where)).orderBy(...k.orderBy).limit(k.limit);
  const { items, nextCursor } = pageByKey(found, page, (o) => [o.createdAt, o.dueAt, o.id]);
  const presented = items.map((o) => ({
    id: o.id,
    kind: o.kind,
    clientId: o.clientId,
    dueAt: o.dueAt.toISOString(),
    status: o.status,
    createdAt: o.createdAt.toISOString(),
    closedAt: o.closedAt?.toISOString() ?? null,
    metByCommunicationId: o.metByCommunicationId,
    waiver: o.waiver,
    isOverdue: o.status === 'open' && o.dueAt < ctx.now,
    wasOnTime: o.status === 'met' && o.closedAt ? o.closedAt <= o.dueAt : null,
  }));
  return { items: presented, nextCursor };
}

export async function listDisclosureVersions(ctx: Ctx, idOrKey: string, page: Page) {
  requireStaff(ctx);
  const record = await loadIncident(ctx.tx, idOrKey);
  const k = keyset(page, [incidentDisclosureVersions.version], 'desc');
  const found = await ctx.tx
    .select()
    .from(incidentDisclosureVersions)
    .where(and(eq(incidentDisclosureVersions.incidentId, record.id), k.where))
    .orderBy(...k.orderBy)
    .limit(k.limit);
  const { items, nextCursor } = pageByKey(found, page, (v) => [v.version]);
  return { items: items.map((v) => ({ version: v.version, disclosures: v.disclosures, actorId: v.actorId, at: v.at.toISOString() })), nextCursor };
}

export async function assertIncidentVisible(ctx: Ctx, idOrKey: string): Promise<IncidentRecord> {
  return loadIncident(ctx.tx, idOrKey, { clientScope: clientScope(ctx) });
}
