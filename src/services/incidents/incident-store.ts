// Loads an incident's whole state in one query and writes back what a command changed.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { incidentClients, incidentComponents, incidentDisclosureVersions, incidentEvents, incidentObligations, incidents } from '../../db/schema.js';
import type { DomainEvent, IncidentState } from '../../domain/incident/lifecycle.js';
import type { Actor, ComponentImpact, Decision, Disclosures, IncidentClient, Obligation, Severity, Source, Stage, TechState } from '../../domain/types.js';
import { notFound } from '../app-error.js';
import { recomputeComponentStatuses } from '../catalog/components.js';
import type { Ctx } from '../context.js';
import { iso, rows } from '../sql-rows.js';

export interface IncidentRecord {
  id: string;
  number: number;
  key: string;
  title: string;
  description: string;
  reporterId: string | null;
  reporterClientId: string | null;
  reportedClientIds: string[];
  updatedAt: string;
  state: IncidentState;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The condition for "incident `i` may be seen by client `clientId`": affected, or reported by them. */
export const visibleToClient = (clientId: string) =>
  sql`(i.reporter_client_id = ${clientId} OR EXISTS (SELECT 1 FROM incident_clients vc WHERE vc.incident_id = i.id AND vc.client_id = ${clientId}))`;

export async function loadIncident(tx: Db, idOrKey: string, opts: { forUpdate?: boolean; clientScope?: string | null } = {}): Promise<IncidentRecord> {
  const key = /^INC-(\d{1,9})$/i.exec(idOrKey);
  if (!key && !UUID.test(idOrKey)) throw notFound('Incident');
  const where = key ? sql`i.number = ${Number(key[1])}` : sql`i.id = ${idOrKey}`;
  const scope = opts.clientScope ? sql` AND ${visibleToClient(opts.clientScope)}` : sql``;
  const [record] = await queryIncidents(tx, sql`${where}${scope}`, opts.forUpdate ? sql`FOR UPDATE OF i` : sql``);
  if (!record) throw notFound('Incident');
  return record;
}

/** Incidents with their impacts, clients and open obligations, in one query. */
export async function queryIncidents(tx: Db, where: SQL, tail: SQL = sql``): Promise<IncidentRecord[]> {
  const found = await rows<Record<string, unknown>>(
    tx,
    sql`SELECT i.*,
      COALESCE((SELECT json_agg(json_build_object('componentId', component_id, 'status', status) ORDER BY component_id) FROM incident_components WHERE incident_id = i.id), '[]') AS impacts,
      COALESCE((SELECT json_agg(json_build_object('clientId', client_id, 'tier', tier, 'source', source, 'addedAt', added_at, 'sent', sent, 'met', met) ORDER BY added_at, client_id) FROM incident_clients WHERE incident_id = i.id), '[]') AS clients,
      COALESCE((SELECT json_agg(json_build_object('id', id, 'kind', kind, 'clientId', client_id, 'dueAt', due_at, 'status', status, 'createdAt', created_at, 'closedAt', closed_at, 'metByCommunicationId', met_by_communication_id, 'waiver', waiver) ORDER BY due_at, id) FROM incident_obligations WHERE incident_id = i.id AND status = 'open'), '[]') AS obligations
    FROM incidents i WHERE ${where} ${tail}`,
  );
  return found.map(toRecord);
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

function toRecord(r: Record<string, unknown>): IncidentRecord {
  const clients = json<(IncidentClient & { addedAt: string })[]>(r.clients).map((c) => ({ ...c, addedAt: iso(c.addedAt)! }));
  const obligations = json<Obligation[]>(r.obligations).map((o) => ({ ...o, dueAt: iso(o.dueAt)!, createdAt: iso(o.createdAt)!, closedAt: iso(o.closedAt) }));
  const state: IncidentState = {
    id: r.id as string,
    stage: r.stage as Stage,
    techState: r.tech_state as TechState,
    severity: (r.severity as Severity | null) ?? null,
    source: r.source as Source,
    decision: json<Decision | null>(r.decision ?? null),
    impacts: json<ComponentImpact[]>(r.impacts),
    clients,
    disclosures: json<Disclosures>(r.disclosures),
    disclosureVersion: Number(r.disclosure_version),
    roles: {
      incidentManagerId: (r.incident_manager_id as string | null) ?? null,
      communicationLeadId: (r.communication_lead_id as string | null) ?? null,
      technicalTeamIds: json<string[]>(r.technical_team_ids),
    },
    obligations,
    internalSummary: (r.internal_summary as string | null) ?? null,
    reportedAt: iso(r.reported_at)!,
    classifiedAt: iso(r.classified_at),
    resolvedAt: iso(r.resolved_at),
    reopenedAt: iso(r.reopened_at),
    closedAt: iso(r.closed_at),
  };
  const number = Number(r.number);
  return {
    id: state.id,
    number,
    key: `INC-${number}`,
    title: r.title as string,
    description: r.description as string,
    reporterId: (r.reporter_id as string | null) ?? null,
    reporterClientId: (r.reporter_client_id as string | null) ?? null,
    reportedClientIds: json<string[]>(r.reported_client_ids ?? []),
    updatedAt: iso(r.updated_at)!,
    state,
  };
}

export async function appendEvents(tx: Db, incidentId: string, events: DomainEvent[], actor: Actor | null, at: Date): Promise<void> {
  if (!events.length) return;
  await tx.insert(incidentEvents).values(
    events.map((e) => ({ incidentId, at, actorId: actor?.userId ?? null, actorLabel: actor?.label ?? 'Herald', type: e.type, data: e.data })),
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isLive = (s: IncidentState) => s.stage !== 'closed' && s.techState !== 'resolved';

/** Writes the new state of an incident, the changed obligations and the events, in the caller's transaction. */
export async function saveIncident(ctx: Ctx, before: IncidentState, after: IncidentState, events: DomainEvent[], obligationChanges: Obligation[]): Promise<void> {
  const { tx, now } = ctx;
  const id = after.id;
  await tx
    .update(incidents)
    .set({
      stage: after.stage,
      techState: after.techState,
      severity: after.severity,
      decision: after.decision,
      disclosures: after.disclosures,
      disclosureVersion: after.disclosureVersion,
      incidentManagerId: after.roles.incidentManagerId,
      communicationLeadId: after.roles.communicationLeadId,
      technicalTeamIds: after.roles.technicalTeamIds,
      internalSummary: after.internalSummary,
      classifiedAt: after.classifiedAt ? new Date(after.classifiedAt) : null,
      resolvedAt: after.resolvedAt ? new Date(after.resolvedAt) : null,
      reopenedAt: after.reopenedAt ? new Date(after.reopenedAt) : null,
      closedAt: after.closedAt ? new Date(after.closedAt) : null,
      updatedAt: now,
    })
    .where(sql`${incidents.id} = ${id}`);
  const impactsChanged = !same(before.impacts, after.impacts);
  if (impactsChanged) {
    await tx.delete(incidentComponents).where(sql`${incidentComponents.incidentId} = ${id}`);
    if (after.impacts.length) await tx.insert(incidentComponents).values(after.impacts.map((i) => ({ incidentId: id, ...i })));
  }
  if (!same(before.clients, after.clients)) {
    await tx.delete(incidentClients).where(sql`${incidentClients.incidentId} = ${id}`);
    if (after.clients.length) {
      await tx.insert(incidentClients).values(after.clients.map((c) => ({ incidentId: id, clientId: c.clientId, tier: c.tier, source: c.source, addedAt: new Date(c.addedAt), sent: c.sent, met: c.met })));
    }
  }
  if (obligationChanges.length) {
    await tx
      .insert(incidentObligations)
      .values(
        obligationChanges.map((o) => ({
          id: o.id,
          incidentId: id,
          clientId: o.clientId,
          kind: o.kind,
          dueAt: new Date(o.dueAt),
          status: o.status,
          createdAt: new Date(o.createdAt),
          closedAt: o.closedAt ? new Date(o.closedAt) : null,
          metByCommunicationId: o.metByCommunicationId,
          waiver: o.waiver,
        })),
      )
      .onConflictDoUpdate({
        target: incidentObligations.id,
        set: {
          dueAt: sql`excluded.due_at`,
          status: sql`excluded.status`,
          closedAt: sql`excluded.closed_at`,
          metByCommunicationId: sql`excluded.met_by_communication_id`,
          waiver: sql`excluded.waiver`,
        },
      });
  }
  if (after.disclosureVersion !== before.disclosureVersion) {
    await tx.insert(incidentDisclosureVersions).values({ incidentId: id, version: after.disclosureVersion, disclosures: after.disclosures, actorId: ctx.actor.userId, at: now });
  }
  await appendEvents(tx, id, events, ctx.actor, now);
  if (impactsChanged || isLive(before) !== isLive(after)) {
    const touched = [...new Set([...before.impacts, ...after.impacts].map((i) => i.componentId))];
    await recomputeComponentStatuses(tx, touched, now, id);
  }
}
