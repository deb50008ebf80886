// Loads an incident's whole state in one query and writes back what a command changed.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { incidentEvents, slaPolicies } from '../../db/schema.js';
import type { DomainEvent, IncidentState } from '../../domain/incident/lifecycle.js';
import type { Actor, ComponentImpact, Decision, Disclosures, IncidentClient, Obligation, Severity, SlaPolicy, Source, Stage, TechState } from '../../domain/types.js';
import { notFound } from '../app-error.js';
import { notifyByApp, type Ctx } from '../context.js';
import { toPolicy, type SlaPolicyRow } from '../sla/sla-policies.js';
import { iso, json, rows } from '../sql-rows.js';
import { query } from '../../db/raw.js';

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
const INCIDENT_COLUMNS = `i.id, i.number, i.title, i.description, i.source, i.reporter_id, i.reporter_client_id, i.reported_client_ids, i.stage, i.tech_state,
      i.severity, i.decision, i.disclosures, i.disclosure_version, i.incident_manager_id, i.communication_lead_id, i.technical_team_ids, i.internal_summary,
      i.reported_at, i.classified_at, i.resolved_at, i.reopened_at, i.closed_at, i.updated_at`;

/** The impacts, clients and open obligations of incident `i`, as JSON columns (the shape toRecord reads). */
const AGGREGATES = `COALESCE((SELECT json_agg(json_build_object('componentId', component_id, 'status', status) ORDER BY component_id) FROM incident_components WHERE incident_id = i.id), '[]') AS impacts,
      COALESCE((SELECT json_agg(json_build_object('clientId', client_id, 'tier', tier, 'source', source, 'addedAt', added_at, 'sent', sent, 'met', met, 'promisedNextUpdateAt', promised_next_update_at) ORDER BY added_at, client_id) FROM incident_clients WHERE incident_id = i.id), '[]') AS clients,
      COALESCE((SELECT json_agg(json_build_object('id', id, 'kind', kind, 'clientId', client_id, 'dueAt', due_at, 'status', status, 'createdAt', created_at, 'closedAt', closed_at, 'metByCommunicationId', met_by_communication_id, 'waiver', waiver) ORDER BY due_at, id) FROM incident_obligations WHERE incident_id = i.id AND status = 'open'), '[]') AS obligations`;

/** The version of the SLA policies: a number every change to them raises (migration 0014). */
const POLICIES_VERSION = `(SELECT v.version::text FROM sla_policies_version v)`;

/**
 * The statement that loads an incident for a command, with the SLA policies the command decides
 * with and the row version (xmin) a write without a lock checks against.
 * Locked: under READ COMMITTED a statement that had to wait for the row lock sees the incident row as
 * the other command left it, but its subqueries (impacts, clients, obligations) as they were before
 * the wait. `seen_version` is the row as the statement's snapshot saw it: when it differs from the
 * locked row's version the statement waited, and the load runs again (now holding the lock).
 */
const loadText = (by: 'id' | 'number', lock: boolean) =>
  `SELECT ${INCIDENT_COLUMNS}, i.xmin::text AS row_version,${lock ? " (SELECT x.xmin::text FROM incidents x WHERE x.id = i.id) AS seen_version, set_config('herald.notify_by_app', $3, true) AS notify_by_app," : ''}
      ${AGGREGATES},
      pv.version AS policies_version,
      CASE WHEN pv.version = $2::text THEN NULL ELSE (SELECT COALESCE(json_agg(row_to_json(p)), '[]') FROM sla_policies p) END AS policies
    FROM incidents i, (SELECT ${POLICIES_VERSION} AS version) pv
    WHERE ${by === 'id' ? 'i.id = $1' : 'i.number = $1'}${lock ? ' FOR UPDATE OF i' : ''}`;
const LOADS = {
  id: { lock: loadText('id', true), free: loadText('id', false) },
  number: { lock: loadText('number', true), free: loadText('number', false) },
};

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
 * transaction) the row stays locked until the transaction ends; without, the caller writes with
 * saveIncident's version check and loads again when another command came first.
 */
export async function loadIncidentForCommand(tx: Db, idOrKey: string, opts: { lock: boolean; notifyByApp?: 'on' | 'off' }): Promise<LoadedForCommand> {
  const target = parseIdOrKey(idOrKey);
  const text = LOADS[target.by][opts.lock ? 'lock' : 'free'];
  const name = `herald_incident_load_${target.by}_${opts.lock ? 'lock' : 'free'}`;
  const had = lastPolicies;
  // A locked load starts the command's transaction: it says whether Herald announces the change (see saveIncident).
  const params = opts.lock ? [target.value, had?.version ?? '', opts.notifyByApp ?? 'off'] : [target.value, had?.version ?? ''];
  const load = () => query<Record<string, unknown>>(tx, text, params, name);
  let [row] = await load();
  if (row && opts.lock && row.seen_version !== row.row_version) [row] = await load();
  if (!row) throw notFound('Incident');
  let policies: SlaPolicy[];
  if (row.policies === null || row.policies === undefined) {
    if (!had || had.version !== row.policies_version) throw new Error('the SLA policies came without their rows');
    policies = had.policies;
  } else {
    policies = json<Record<string, unknown>[]>(row.policies).map(policyFromJson);
    lastPolicies = { version: row.policies_version as string, policies };
  }
  return { record: toRecord(row), policies, policiesVersion: row.policies_version as string, version: row.row_version as string };
}

/**
 * Incidents as this process last loaded or wrote them for a command, with their row version: a
 * command on one of them decides on this copy and writes with the version check (and the policies'
 * version check), so another process's change (or a write that rolled back) makes the write fail,
 * and the command loads and decides again. Every write to an incident's impacts, clients or
 * obligations changes its incident row too (saveIncident, and the writers that set updated_at), so
 * the row version covers them. By id only: keys (INC-42) are not unique across databases.
 */
const recent = new Map<string, Pick<LoadedForCommand, 'record' | 'version'>>();
const RECENT_MAX = 2_000;

export function rememberIncident(record: IncidentRecord, version: string): void {
  recent.delete(record.id);
  recent.set(record.id, { record, version });
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
}

export function forgetIncident(id: string): void {
  recent.delete(id);
}

/** The remembered copy of an incident, with the SLA policies as last loaded; null when there is none. */
export function recallIncident(idOrKey: string): LoadedForCommand | null {
  const loaded = recent.get(idOrKey.toLowerCase());
  if (!loaded || !lastPolicies) return null;
  return { ...loaded, policies: lastPolicies.policies, policiesVersion: lastPolicies.version };
}

/**
 * The SLA policies as last loaded, with the version of their rows: a command sends the version and
 * gets the rows only when they changed (they are read with every command and change rarely).
 */
let lastPolicies: { version: string; policies: SlaPolicy[] } | null = null;

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

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
const isLive = (s: IncidentState) => s.stage !== 'closed' && s.techState !== 'resolved';
const isoOrNull = (v: string | null) => (v ? new Date(v).toISOString() : null);

/** The parts of the save statement; each command's statement has the ones it needs (and is prepared under its own name). */
const SAVE_PARTS = {
  disclosureVersion: `dv AS (INSERT INTO incident_disclosure_versions (incident_id, version, disclosures, actor_id, at)
      SELECT upd.id, $8, $7::jsonb, $18, $17::timestamptz FROM upd)`,
  events: `ev AS (INSERT INTO incident_events (incident_id, at, actor_id, actor_label, type, data)
      SELECT upd.id, $17::timestamptz, $18, $19, e.v->>'type', e.v->'data' FROM upd, jsonb_array_elements($20::jsonb) WITH ORDINALITY AS e(v, n) ORDER BY e.n)`,
  impacts: `cd AS (DELETE FROM incident_components c USING upd WHERE c.incident_id = upd.id
        AND c.component_id NOT IN (SELECT (n->>'componentId')::uuid FROM jsonb_array_elements($21::jsonb) n)),
    cu AS (INSERT INTO incident_components (incident_id, component_id, status, is_live)
      SELECT upd.id, (n->>'componentId')::uuid, n->>'status', $28::boolean FROM upd, jsonb_array_elements($21::jsonb) n
      ON CONFLICT (incident_id, component_id) DO UPDATE SET status = excluded.status, is_live = excluded.is_live)`,
  clients: `kd AS (DELETE FROM incident_clients c USING upd WHERE c.incident_id = upd.id
        AND c.client_id NOT IN (SELECT (n->>'clientId')::uuid FROM jsonb_array_elements($22::jsonb) n)),
    ku AS (INSERT INTO incident_clients (incident_id, client_id, tier, source, added_at, sent, met, promised_next_update_at, incident_reported_at)
      SELECT upd.id, (n->>'clientId')::uuid, n->>'tier', n->>'source', (n->>'addedAt')::timestamptz, COALESCE(n->'sent', '{}'), COALESCE(n->'met', '{}'), (n->>'promisedNextUpdateAt')::timestamptz, upd.reported_at
      FROM upd, jsonb_array_elements($22::jsonb) n
      ON CONFLICT (incident_id, client_id) DO UPDATE SET tier = excluded.tier, source = excluded.source, added_at = excluded.added_at, sent = excluded.sent, met = excluded.met,
        promised_next_update_at = excluded.promised_next_update_at)`,
  obligations: `ob AS (INSERT INTO incident_obligations (id, incident_id, client_id, kind, due_at, status, created_at, closed_at, met_by_communication_id, waiver)
      SELECT (o->>'id')::uuid, upd.id, (o->>'clientId')::uuid, o->>'kind', (o->>'dueAt')::timestamptz, o->>'status', (o->>'createdAt')::timestamptz,
        (o->>'closedAt')::timestamptz, (o->>'metByCommunicationId')::uuid, NULLIF(o->'waiver', 'null'::jsonb)
      FROM upd, jsonb_array_elements($23::jsonb) o
      ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, status = excluded.status, closed_at = excluded.closed_at,
        met_by_communication_id = excluded.met_by_communication_id, waiver = excluded.waiver,
        -- A deadline that moved is watched afresh: its reminder and escalation were for the old one.
        reminded_at = CASE WHEN incident_obligations.due_at IS DISTINCT FROM excluded.due_at THEN NULL ELSE incident_obligations.reminded_at END,
        escalated_at = CASE WHEN incident_obligations.due_at IS DISTINCT FROM excluded.due_at THEN NULL ELSE incident_obligations.escalated_at END)`,
  // The status of each component the command touched ($24), from the other live incidents on it as
  // stored and this incident as the command leaves it ($25: its impacts while live, else none); the
  // statement cannot see what its other parts write. Under maintenance when a public window on it is
  // in progress, else operational, when no live incident impacts it. See recomputeComponentStatuses.
  components: `cs_calc AS (
      SELECT t.id, COALESCE((
        SELECT s.status FROM (
          SELECT ic.status FROM incident_components ic WHERE ic.component_id = t.id AND ic.is_live AND ic.incident_id <> $1
          UNION ALL
          SELECT n->>'status' FROM jsonb_array_elements($25::jsonb) n WHERE (n->>'componentId')::uuid = t.id
        ) s ORDER BY CASE s.status WHEN 'major_outage' THEN 3 WHEN 'partial_outage' THEN 2 ELSE 1 END DESC LIMIT 1
      ), CASE WHEN EXISTS (
        SELECT 1 FROM maintenance_components mc JOIN maintenance_windows mw ON mw.id = mc.window_id
        WHERE mc.component_id = t.id AND mw.state = 'in_progress' AND NOT mw.is_internal
      ) THEN 'under_maintenance' ELSE 'operational' END) AS status
      FROM (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text($24::jsonb)) t
      WHERE EXISTS (SELECT 1 FROM upd)
    ),
    cs_upd AS (UPDATE components c SET status = cs_calc.status, updated_at = $17::timestamptz FROM cs_calc
      WHERE c.id = cs_calc.id AND c.status IS DISTINCT FROM cs_calc.status RETURNING c.id, c.status),
    cs_hist AS (INSERT INTO component_status_history (component_id, status, at, incident_id, maintenance_window_id)
      SELECT cs_upd.id, cs_upd.status, $17::timestamptz, $1, NULL FROM cs_upd)`,
  // The incident became live or stopped being live ($28) with the same impacts (changed impacts are
  // written with the flag by the impacts part).
  liveness: `lv AS (UPDATE incident_components c SET is_live = $28::boolean FROM upd WHERE c.incident_id = upd.id AND c.is_live IS DISTINCT FROM $28::boolean)`,
} as const;
type SavePart = keyof typeof SAVE_PARTS;
const PART_NAMES = Object.keys(SAVE_PARTS) as SavePart[];

/**
 * Further rows a command writes with the incident, in the same statement, only when the incident is
 * written: CTE parts (`name AS (INSERT … WHERE EXISTS (SELECT 1 FROM upd))`) whose parameters are
 * numbered from $28. `key` names the text (it is prepared under the save's name and this key).
 */
export interface SaveWith {
  key: string;
  /** CTE parts written with the incident ('' for none). */
  parts: string;
  /** A condition the incident is written under (its parameters numbered as the parts'): the caller learns why it failed. */
  guard?: string;
  params: unknown[];
}

/** The first parameter number of a SaveWith's parts. */
export const SAVE_WITH_FIRST_PARAM = 29;

const saveTexts = new Map<string, string>();
function saveText(mask: number, extra: SaveWith | null): string {
  const cacheKey = extra ? `${mask}:${extra.key}` : String(mask);
  let text = saveTexts.get(cacheKey);
  if (!text) {
    const parts: string[] = PART_NAMES.filter((_, n) => mask & (1 << n)).map((p) => SAVE_PARTS[p]);
    if (extra?.parts) parts.push(extra.parts);
    // Every parameter appears in the text whichever parts it has, so that each has a known type.
    text = `WITH upd AS (
      UPDATE incidents i SET stage = $3, tech_state = $4, severity = $5, decision = $6::jsonb, disclosures = COALESCE($7::jsonb, i.disclosures), disclosure_version = $8,
        incident_manager_id = $9, communication_lead_id = $10, technical_team_ids = $11::jsonb, internal_summary = $12,
        classified_at = $13::timestamptz, resolved_at = $14::timestamptz, reopened_at = $15::timestamptz, closed_at = $16::timestamptz, updated_at = $17::timestamptz
      WHERE i.id = $1 AND ($2::text IS NULL OR i.xmin = $2::text::xid) AND ($27::text IS NULL OR ${POLICIES_VERSION} = $27::text)${extra?.guard ? ` AND ${extra.guard}` : ''}
        -- Set before the row is written, so that the incident's row trigger is not even called (migration 0012).
        AND set_config('herald.notify_by_app', $26, true) IS NOT NULL
      RETURNING i.id, i.reported_at, i.xmin::text AS row_version
    )${parts.map((p) => `,\n    ${p}`).join('')}
    SELECT upd.row_version, $18::uuid IS NULL AND $19::text IS NULL AND $20::jsonb IS NULL AND $21::jsonb IS NULL AND $22::jsonb IS NULL AND $23::jsonb IS NULL
      AND $24::jsonb IS NULL AND $25::jsonb IS NULL AND $28::boolean IS NULL AS unused,
      -- 'on': the caller announces the change once it has committed, so the triggers do not (migration 0009).
      set_config('herald.notify_by_app', $26, true) AS notify_by_app FROM upd`;
    saveTexts.set(cacheKey, text);
  }
  return text;
}

/** Whether a command's outcome changes the status of components (and so needs recomputeComponentStatuses too). */
export const changesComponentStatus = (before: IncidentState, after: IncidentState) => !same(before.impacts, after.impacts) || isLive(before) !== isLive(after);

/**
 * Writes the new state of an incident, the changed obligations, the events and, when the outcome
 * changes them (changesComponentStatus), the statuses of the components it touches, in one statement.
 * With `check.version` it writes only while the incident row is still that version (and with
 * `check.policiesVersion` only while the SLA policies are that version) and returns null when another
 * command came first (nothing is written then); else the row's new version.
 */
export async function saveIncident(
  ctx: Ctx,
  before: IncidentState,
  after: IncidentState,
  events: DomainEvent[],
  obligationChanges: Obligation[],
  check: { version: string | null; policiesVersion: string | null } = { version: null, policiesVersion: null },
  extra: SaveWith | null = null,
): Promise<string | null> {
  const { tx, now } = ctx;
  const impactsChanged = !same(before.impacts, after.impacts);
  const flags: Record<SavePart, boolean> = {
    disclosureVersion: after.disclosureVersion !== before.disclosureVersion,
    events: events.length > 0,
    impacts: impactsChanged,
    clients: !same(before.clients, after.clients),
    obligations: obligationChanges.length > 0,
    components: changesComponentStatus(before, after),
    liveness: !impactsChanged && isLive(before) !== isLive(after),
  };
  const mask = PART_NAMES.reduce((m, p, n) => (flags[p] ? m | (1 << n) : m), 0);
  // One row when the incident was written (by its id), none when the checks kept it from being written.
  const [result] = await query<{ row_version: string }>(
    tx,
    saveText(mask, extra),
    [
      after.id,
      check.version,
      after.stage,
      after.techState,
      after.severity,
      after.decision === null ? null : JSON.stringify(after.decision),
      // Unchanged disclosures are not sent (the statement keeps the stored ones): they are the largest value of most saves.
      flags.disclosureVersion || !same(before.disclosures, after.disclosures) ? JSON.stringify(after.disclosures) : null,
      after.disclosureVersion,
      after.roles.incidentManagerId,
      after.roles.communicationLeadId,
      JSON.stringify(after.roles.technicalTeamIds),
      after.internalSummary,
      isoOrNull(after.classifiedAt),
      isoOrNull(after.resolvedAt),
      isoOrNull(after.reopenedAt),
      isoOrNull(after.closedAt),
      now.toISOString(),
      ctx.actor.userId,
      ctx.actor.label,
      flags.events ? JSON.stringify(events.map((e) => ({ type: e.type, data: e.data }))) : null,
      flags.impacts ? JSON.stringify(after.impacts.map((i) => ({ componentId: i.componentId, status: i.status }))) : null,
      flags.clients
        ? JSON.stringify(after.clients.map((c) => ({ ...c, addedAt: new Date(c.addedAt).toISOString(), promisedNextUpdateAt: c.promisedNextUpdateAt ? new Date(c.promisedNextUpdateAt).toISOString() : null })))
        : null,
      flags.obligations ? JSON.stringify(obligationChanges.map((o) => ({ ...o, dueAt: isoOrNull(o.dueAt), createdAt: isoOrNull(o.createdAt), closedAt: isoOrNull(o.closedAt) }))) : null,
      flags.components ? JSON.stringify([...new Set([...before.impacts, ...after.impacts].map((i) => i.componentId))]) : null,
      flags.components ? JSON.stringify(isLive(after) ? after.impacts.map((i) => ({ componentId: i.componentId, status: i.status })) : []) : null,
      notifyByApp(ctx),
      check.policiesVersion,
      isLive(after),
      ...(extra?.params ?? []),
    ],
    extra ? `herald_incident_save_${mask}_${extra.key}` : `herald_incident_save_${mask}`,
  );
  return result ? result.row_version : null;
}
