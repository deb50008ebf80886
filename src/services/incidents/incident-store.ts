// Loads an incident's whole state in one query and writes back what a command changed.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { incidentClients, incidentComponents, incidentDisclosureVersions, incidentEvents, incidentObligations, incidents, slaPolicies } from '../../db/schema.js';
import type { DomainEvent, IncidentState } from '../../domain/incident/lifecycle.js';
import type { Actor, ComponentImpact, Decision, Disclosures, IncidentClient, Obligation, Severity, SlaPolicy, Source, Stage, TechState } from '../../domain/types.js';
import { notFound } from '../app-error.js';
import { recomputeComponentStatuses } from '../catalog/components.js';
import type { Ctx } from '../context.js';
import { toPolicy, type SlaPolicyRow } from '../sla/sla-policies.js';
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
  const where = incidentWhere(idOrKey);
  const scope = opts.clientScope ? sql` AND ${visibleToClient(opts.clientScope)}` : sql``;
  if (opts.forUpdate) return (await lockIncident(tx, sql`${where}${scope}`, sql``)).record;
  const [record] = await queryIncidents(tx, sql`${where}${scope}`);
  if (!record) throw notFound('Incident');
  return record;
}

function incidentWhere(idOrKey: string): SQL {
  const key = /^INC-(\d{1,9})$/i.exec(idOrKey);
  if (!key && !UUID.test(idOrKey)) throw notFound('Incident');
  return key ? sql`i.number = ${Number(key[1])}` : sql`i.id = ${idOrKey}`;
}

/**
 * Locks an incident for a command and loads it with the SLA policies the command decides with.
 * The lock is taken in a statement of its own: under READ COMMITTED a statement that had to wait for
 * the row lock sees the incident row as the other command left it, but its subqueries (impacts,
 * clients, obligations) as they were before the wait, which would write back stale state.
 * The policies come with the lock, saving a round trip per command.
 */
export async function loadIncidentForCommand(tx: Db, idOrKey: string): Promise<{ record: IncidentRecord; policies: SlaPolicy[] }> {
  return lockIncident(tx, incidentWhere(idOrKey), sql`, (SELECT COALESCE(json_agg(row_to_json(p)), '[]') FROM sla_policies p) AS policies`);
}

async function lockIncident(tx: Db, where: SQL, extra: SQL): Promise<{ record: IncidentRecord; policies: SlaPolicy[] }> {
  const [locked] = await rows<{ id: string; policies?: unknown }>(tx, sql`SELECT i.id${extra} FROM incidents i WHERE ${where} FOR UPDATE OF i`);
  if (!locked) throw notFound('Incident');
  const [record] = await queryIncidents(tx, sql`i.id = ${locked.id}`);
  if (!record) throw notFound('Incident');
  return { record, policies: locked.policies === undefined ? [] : json<Record<string, unknown>[]>(locked.policies).map(policyFromJson) };
}

const policyColumns = Object.entries(getTableColumns(slaPolicies));

/** A row_to_json(sla_policies) object as drizzle would have selected it, then as the domain policy. */
function policyFromJson(j: Record<string, unknown>): SlaPolicy {
  const row: Record<string, unknown> = {};
  for (const [key, column] of policyColumns) {
    const v = j[column.name] ?? null;
    row[key] = v !== null && column.dataType === 'date' ? new Date(v as string) : v;
  }
  return toPolicy(row as SlaPolicyRow);
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
  await insertEvents(tx, incidentId, events, actor, at);
}

const insertEvents = (tx: Db, incidentId: string, events: DomainEvent[], actor: Actor | null, at: Date) =>
  tx.insert(incidentEvents).values(events.map((e) => ({ incidentId, at, actorId: actor?.userId ?? null, actorLabel: actor?.label ?? 'Herald', type: e.type, data: e.data })));

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isLive = (s: IncidentState) => s.stage !== 'closed' && s.techState !== 'resolved';

/** Writes the new state of an incident, the changed obligations and the events, in the caller's transaction. */
export async function saveIncident(ctx: Ctx, before: IncidentState, after: IncidentState, events: DomainEvent[], obligationChanges: Obligation[]): Promise<void> {
  const { tx, now } = ctx;
  const id = after.id;
  const update = tx
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
  // The incident row, the new disclosure version and the events go in one statement (one round trip).
  const writes: SQL[] = [];
  if (after.disclosureVersion !== before.disclosureVersion) {
    writes.push(tx.insert(incidentDisclosureVersions).values({ incidentId: id, version: after.disclosureVersion, disclosures: after.disclosures, actorId: ctx.actor.userId, at: now }).getSQL());
  }
  if (events.length) writes.push(insertEvents(tx, id, events, ctx.actor, now).getSQL());
  if (writes.length) {
    const ctes = [update.getSQL(), ...writes.slice(0, -1)].map((w, n) => sql`${sql.raw(`w${n}`)} AS (${w})`);
    await tx.execute(sql`WITH ${sql.join(ctes, sql`, `)} ${writes.at(-1)!}`);
  } else {
    await update;
  }
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
          // A deadline that moved is watched afresh: its reminder and escalation were for the old one.
          remindedAt: sql`CASE WHEN incident_obligations.due_at IS DISTINCT FROM excluded.due_at THEN NULL ELSE incident_obligations.reminded_at END`,
          escalatedAt: sql`CASE WHEN incident_obligations.due_at IS DISTINCT FROM excluded.due_at THEN NULL ELSE incident_obligations.escalated_at END`,
        },
      });
  }
  if (impactsChanged || isLive(before) !== isLive(after)) {
    const touched = [...new Set([...before.impacts, ...after.impacts].map((i) => i.componentId))];
    await recomputeComponentStatuses(tx, touched, now, id);
  }
}
