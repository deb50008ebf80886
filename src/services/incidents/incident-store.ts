// Loads an incident's whole state in one query (for reading, or for a command with the SLA policies)
// and maps its row to the record commands decide on; the save is in incident-save.ts.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { incidentEvents, slaPolicies } from '../../db/schema.js';
import type { DomainEvent, IncidentState } from '../../domain/incident/lifecycle.js';
import type { Actor, ComponentImpact, Decision, Disclosures, IncidentClient, Obligation, Severity, SlaPolicy, Source, Stage, TechState } from '../../domain/types.js';
import { notFound } from '../app-error.js';
import { toPolicy, type SlaPolicyRow } from '../sla/sla-policies.js';
import { iso, json, rows } from '../sql-rows.js';
import { queryComposed } from '../../db/raw.js';
import { memoryOf } from '../handle-memory.js';

export interface IncidentRecord {
  id: string;
  number: number;
  key: string;
  title: string;
  description: string;
  reporterId: string | null;
  reporterClientId: string | null;
  reportedClientIds: string[];
  /** Impacts a client user's report suggested; staff confirm them by classifying. */
  suggestedImpacts: ComponentImpact[];
  updatedAt: string;
  state: IncidentState;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The condition for "incident `i` may be seen by client `clientId`": affected, or reported by them. */
export const visibleToClient = (clientId: string) =>
  sql`(i.reporter_client_id = ${clientId} OR EXISTS (SELECT 1 FROM incident_clients vc WHERE vc.incident_id = i.id AND vc.client_id = ${clientId}))`;

export async function loadIncident(tx: Db, idOrKey: string, opts: { forUpdate?: boolean; clientScope?: string | null } = {}): Promise<IncidentRecord> {
  if (opts.forUpdate && !opts.clientScope) return (await loadIncidentForCommand(tx, idOrKey, { lock: true })).record;
  const where = incidentWhere(idOrKey);
  const scope = opts.clientScope ? sql` AND ${visibleToClient(opts.clientScope)}` : sql``;
  const [record] = await queryIncidents(tx, sql`${where}${scope}${opts.forUpdate ? sql` FOR UPDATE OF i` : sql``}`);
  if (!record) throw notFound('Incident');
  return record;
}

function parseIdOrKey(idOrKey: string): { by: 'id'; value: string } | { by: 'number'; value: number } {
  const key = /^INC-(\d{1,9})$/i.exec(idOrKey);
  if (key) return { by: 'number', value: Number(key[1]) };
  if (!UUID.test(idOrKey)) throw notFound('Incident');
  return { by: 'id', value: idOrKey };
}

function incidentWhere(idOrKey: string): SQL {
  const target = parseIdOrKey(idOrKey);
  return target.by === 'number' ? sql`i.number = ${target.value}` : sql`i.id = ${target.value}`;
}

/** The columns of incident `i` toRecord reads (named, not i.*: a prepared statement's result columns are fixed). */
const INCIDENT_COLUMNS = `i.id, i.number, i.title, i.description, i.source, i.reporter_id, i.reporter_client_id, i.reported_client_ids, i.suggested_impacts, i.stage, i.tech_state,
      i.severity, i.peak_severity, i.decision, i.disclosures, i.disclosure_version, i.incident_manager_id, i.communication_lead_id, i.technical_team_ids, i.internal_summary,
      i.reported_at, i.classified_at, i.resolved_at, i.reopened_at, i.closed_at, i.updated_at, i.public_title, i.published_at`;

/** The impacts, clients and open obligations of incident `i`, as JSON columns (the shape toRecord reads). */
const AGGREGATES = `COALESCE((SELECT json_agg(json_build_object('componentId', component_id, 'status', status) ORDER BY component_id) FROM incident_components WHERE incident_id = i.id), '[]') AS impacts,
      COALESCE((SELECT json_agg(json_build_object('clientId', client_id, 'tier', tier, 'source', source, 'addedAt', added_at, 'sent', sent, 'met', met, 'promisedNextUpdateAt', promised_next_update_at) ORDER BY added_at, client_id) FROM incident_clients WHERE incident_id = i.id), '[]') AS clients,
      COALESCE((SELECT json_agg(json_build_object('id', id, 'kind', kind, 'clientId', client_id, 'dueAt', due_at, 'status', status, 'createdAt', created_at, 'closedAt', closed_at, 'metByCommunicationId', met_by_communication_id, 'waiver', waiver) ORDER BY due_at, id) FROM incident_obligations WHERE incident_id = i.id AND status = 'open'), '[]') AS obligations`;

/** The version of the SLA policies: a number every change to them raises (migration 0014). */
export const POLICIES_VERSION = `(SELECT v.version::text FROM sla_policies_version v)`;

/**
 * The statement that loads an incident for a command, with the SLA policies the command decides with
 * (their rows only when their version is not `knownPoliciesVersion`) and the row version (xmin) a write
 * without a lock checks against.
 * Locked: under READ COMMITTED a statement that had to wait for the row lock sees the incident row as
 * the other command left it, but its subqueries (impacts, clients, obligations) as they were before
 * the wait. `seen_version` is the row as the statement's snapshot saw it: when it differs from the
 * locked row's version the statement waited, and the load runs again (now holding the lock). A locked
 * load starts the command's transaction: it also says whether Herald announces the change (see the save).
 */
function loadStatement(where: SQL, knownPoliciesVersion: string, lock: { notifyByApp: 'on' | 'off' } | null): SQL {
  const locked = lock
    ? sql` (SELECT x.xmin::text FROM incidents x WHERE x.id = i.id) AS seen_version, set_config('herald.notify_by_app', ${lock.notifyByApp}, true) AS notify_by_app,`
    : sql``;
  return sql`SELECT ${sql.raw(INCIDENT_COLUMNS)}, i.xmin::text AS row_version,${locked}
      ${sql.raw(AGGREGATES)},
      pv.version AS policies_version,
      CASE WHEN pv.version = ${knownPoliciesVersion}::text THEN NULL ELSE (SELECT COALESCE(json_agg(row_to_json(p)), '[]') FROM sla_policies p) END AS policies
    FROM incidents i, (SELECT ${sql.raw(POLICIES_VERSION)} AS version) pv
    WHERE ${where}${lock ? sql` FOR UPDATE OF i` : sql``}`;
}

export interface LoadedForCommand {
  record: IncidentRecord;
  policies: SlaPolicy[];
  /** The version of `policies` (see POLICIES_VERSION). */
  policiesVersion: string;
  /** The incident row's version as loaded; a write without a lock succeeds only while it is current. */
  version: string;
}

/**
 * Loads an incident with the SLA policies for a command, in one statement. With `lock` (inside a
 * transaction) the row stays locked until the transaction ends; without, the caller writes with the
 * save's version check and loads again when another command came first.
 */
export async function loadIncidentForCommand(tx: Db, idOrKey: string, opts: { lock: boolean; notifyByApp?: 'on' | 'off' }): Promise<LoadedForCommand> {
  const memory = memoryOf(tx).incidents;
  const had = memory.policies;
  const statement = loadStatement(incidentWhere(idOrKey), had?.version ?? '', opts.lock ? { notifyByApp: opts.notifyByApp ?? 'off' } : null);
  const load = () => queryComposed<Record<string, unknown>>(tx, statement, 'herald_incident_load');
  let [row] = await load();
  if (row && opts.lock && row.seen_version !== row.row_version) [row] = await load();
  if (!row) throw notFound('Incident');
  let policies: SlaPolicy[];
  if (row.policies === null || row.policies === undefined) {
    if (!had || had.version !== row.policies_version) throw new Error('the SLA policies came without their rows');
    policies = had.policies;
  } else {
    policies = json<Record<string, unknown>[]>(row.policies).map(policyFromJson);
    memory.policies = { version: row.policies_version as string, policies };
  }
  return { record: toRecord(row), policies, policiesVersion: row.policies_version as string, version: row.row_version as string };
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
    sql`SELECT ${sql.raw(INCIDENT_COLUMNS)}, ${sql.raw(AGGREGATES)} FROM incidents i WHERE ${where} ${tail}`,
  );
  return found.map(toRecord);
}

function toRecord(r: Record<string, unknown>): IncidentRecord {
  const clients = json<(IncidentClient & { addedAt: string })[]>(r.clients).map((c) => ({ ...c, addedAt: iso(c.addedAt)!, promisedNextUpdateAt: iso(c.promisedNextUpdateAt) }));
  const obligations = json<Obligation[]>(r.obligations).map((o) => ({ ...o, dueAt: iso(o.dueAt)!, createdAt: iso(o.createdAt)!, closedAt: iso(o.closedAt) }));
  const state: IncidentState = {
    id: r.id as string,
    stage: r.stage as Stage,
    techState: r.tech_state as TechState,
    severity: (r.severity as Severity | null) ?? null,
    peakSeverity: (r.peak_severity as Severity | null) ?? null,
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
    publicTitle: (r.public_title as string | null) ?? null,
    publishedAt: iso(r.published_at),
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
    suggestedImpacts: json<ComponentImpact[]>(r.suggested_impacts ?? []),
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
