// Writes what an incident command changed, in ONE statement: the incident row (`upd`) and, as further
// named parts (CTEs) that read `upd` so that they write only when the incident is written, its new
// disclosure version, events, impacts, clients, obligations, the statuses of the components it touches,
// and whatever the command adds (SaveExtension). One statement is one round trip, and with the version
// check it needs no transaction: a command that came first makes the whole statement write nothing.
// Parts are composed with drizzle's `sql` template, which numbers the values; a value whose type the
// context does not give (a SELECT list, jsonb_array_elements) carries a cast.
import { sql, type SQL } from 'drizzle-orm';
import { queryComposed } from '../../db/raw.js';
import type { DomainEvent, IncidentState } from '../../domain/incident/lifecycle.js';
import type { Obligation } from '../../domain/types.js';
import { notifyByApp, type Ctx } from '../context.js';
import { POLICIES_VERSION } from './incident-store.js';

/**
 * What a command writes with the incident, in the same statement (see runIncidentCommand).
 * `parts`: named CTEs (`name AS (INSERT … SELECT … FROM upd …)` or `… WHERE EXISTS (SELECT 1 FROM upd)`),
 * so that they write only when the incident is written. `guard`: a condition the incident is written
 * under (the statement writes nothing when it does not hold).
 */
export interface SaveExtension {
  parts?: SQL[];
  guard?: SQL;
}

/** What the save checks before writing: the incident row's version and the SLA policies' version it was decided on (null: no check, the row is locked). */
export interface SaveCheck {
  version: string | null;
  policiesVersion: string | null;
}

export interface IncidentChange {
  before: IncidentState;
  after: IncidentState;
  events: DomainEvent[];
  obligationChanges: Obligation[];
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
const isLive = (s: IncidentState) => s.stage !== 'closed' && s.techState !== 'resolved';
const isoOrNull = (v: string | null) => (v ? new Date(v).toISOString() : null);
const impactsJson = (impacts: IncidentState['impacts']) => JSON.stringify(impacts.map((i) => ({ componentId: i.componentId, status: i.status })));

/** Whether a command's outcome changes the status of components (the save then recomputes those it touches). */
export const changesComponentStatus = (before: IncidentState, after: IncidentState) => !same(before.impacts, after.impacts) || isLive(before) !== isLive(after);

/** The values several parts write: who acted and when. */
interface Stamp {
  at: string;
  actorId: string;
  actorLabel: string;
}

/** The incident row, written only while `conditions` hold; its id, reported_at and new row version for the other parts. */
function incidentRow(c: IncidentChange, conditions: SQL[], notify: string, disclosuresChanged: boolean, stamp: Stamp): SQL {
  const { after } = c;
  // Unchanged disclosures are not sent (the statement keeps the stored ones): they are the largest value of most saves.
  const disclosures = disclosuresChanged ? JSON.stringify(after.disclosures) : null;
  return sql`upd AS (
      UPDATE incidents i SET stage = ${after.stage}, tech_state = ${after.techState}, severity = ${after.severity}, peak_severity = ${after.peakSeverity},
        decision = ${after.decision === null ? null : JSON.stringify(after.decision)}::jsonb,
        disclosures = COALESCE(${disclosures}::jsonb, i.disclosures), disclosure_version = ${after.disclosureVersion},
        incident_manager_id = ${after.roles.incidentManagerId}, communication_lead_id = ${after.roles.communicationLeadId},
        technical_team_ids = ${JSON.stringify(after.roles.technicalTeamIds)}::jsonb, internal_summary = ${after.internalSummary},
        classified_at = ${isoOrNull(after.classifiedAt)}::timestamptz, resolved_at = ${isoOrNull(after.resolvedAt)}::timestamptz,
        reopened_at = ${isoOrNull(after.reopenedAt)}::timestamptz, closed_at = ${isoOrNull(after.closedAt)}::timestamptz, updated_at = ${stamp.at}::timestamptz,
        public_title = ${after.publicTitle}, published_at = ${isoOrNull(after.publishedAt)}::timestamptz
      WHERE ${sql.join(conditions, sql` AND `)}
        -- Set before the row is written, so that the incident's row trigger is not even called (migration 0012).
        AND set_config('herald.notify_by_app', ${notify}, true) IS NOT NULL
      RETURNING i.id, i.reported_at, i.xmin::text AS row_version
    )`;
}

const disclosureVersion = (c: IncidentChange, stamp: Stamp) =>
  sql`dv AS (INSERT INTO incident_disclosure_versions (incident_id, version, disclosures, actor_id, at)
      SELECT upd.id, ${c.after.disclosureVersion}::int, ${JSON.stringify(c.after.disclosures)}::jsonb, ${stamp.actorId}::uuid, ${stamp.at}::timestamptz FROM upd)`;

const events = (c: IncidentChange, stamp: Stamp) =>
  sql`ev AS (INSERT INTO incident_events (incident_id, at, actor_id, actor_label, type, data)
      SELECT upd.id, ${stamp.at}::timestamptz, ${stamp.actorId}::uuid, ${stamp.actorLabel}::text, e.v->>'type', e.v->'data'
      FROM upd, jsonb_array_elements(${JSON.stringify(c.events.map((e) => ({ type: e.type, data: e.data })))}::jsonb) WITH ORDINALITY AS e(v, n) ORDER BY e.n)`;

/** The impacts as the command leaves them (with whether the incident is live, see migration 0010); others are deleted. */
const impacts = (c: IncidentChange) =>
  sql`new_impacts AS (SELECT (n->>'componentId')::uuid AS component_id, n->>'status' AS status FROM jsonb_array_elements(${impactsJson(c.after.impacts)}::jsonb) n),
    cd AS (DELETE FROM incident_components c USING upd WHERE c.incident_id = upd.id AND c.component_id NOT IN (SELECT component_id FROM new_impacts)),
    cu AS (INSERT INTO incident_components (incident_id, component_id, status, is_live)
      SELECT upd.id, n.component_id, n.status, ${isLive(c.after)}::boolean FROM upd, new_impacts n
      ON CONFLICT (incident_id, component_id) DO UPDATE SET status = excluded.status, is_live = excluded.is_live)`;

const clients = (c: IncidentChange) => {
  const rows = c.after.clients.map((k) => ({ ...k, addedAt: new Date(k.addedAt).toISOString(), promisedNextUpdateAt: isoOrNull(k.promisedNextUpdateAt ?? null) }));
  return sql`new_clients AS (SELECT value AS n FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb)),
    kd AS (DELETE FROM incident_clients c USING upd WHERE c.incident_id = upd.id AND c.client_id NOT IN (SELECT (n->>'clientId')::uuid FROM new_clients)),
    ku AS (INSERT INTO incident_clients (incident_id, client_id, tier, source, added_at, sent, met, promised_next_update_at, incident_reported_at)
      SELECT upd.id, (n->>'clientId')::uuid, n->>'tier', n->>'source', (n->>'addedAt')::timestamptz, COALESCE(n->'sent', '{}'), COALESCE(n->'met', '{}'), (n->>'promisedNextUpdateAt')::timestamptz, upd.reported_at
      FROM upd, new_clients
      ON CONFLICT (incident_id, client_id) DO UPDATE SET tier = excluded.tier, source = excluded.source, added_at = excluded.added_at, sent = excluded.sent, met = excluded.met,
        promised_next_update_at = excluded.promised_next_update_at)`;
};

const obligations = (c: IncidentChange) => {
  const rows = c.obligationChanges.map((o) => ({ ...o, dueAt: isoOrNull(o.dueAt), createdAt: isoOrNull(o.createdAt), closedAt: isoOrNull(o.closedAt) }));
  return sql`ob AS (INSERT INTO incident_obligations (id, incident_id, client_id, kind, due_at, status, created_at, closed_at, met_by_communication_id, waiver)
      SELECT (o->>'id')::uuid, upd.id, (o->>'clientId')::uuid, o->>'kind', (o->>'dueAt')::timestamptz, o->>'status', (o->>'createdAt')::timestamptz,
        (o->>'closedAt')::timestamptz, (o->>'metByCommunicationId')::uuid, NULLIF(o->'waiver', 'null'::jsonb)
      FROM upd, jsonb_array_elements(${JSON.stringify(rows)}::jsonb) o
      ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, status = excluded.status, closed_at = excluded.closed_at,
        met_by_communication_id = excluded.met_by_communication_id, waiver = excluded.waiver,
        -- A deadline that moved is watched afresh: its reminder and escalation were for the old one.
        reminded_at = CASE WHEN incident_obligations.due_at IS DISTINCT FROM excluded.due_at THEN NULL ELSE incident_obligations.reminded_at END,
        escalated_at = CASE WHEN incident_obligations.due_at IS DISTINCT FROM excluded.due_at THEN NULL ELSE incident_obligations.escalated_at END)`;
};

/**
 * The status of each component the command touched, from the other live incidents on it as stored and
 * this incident as the command leaves it (its impacts while live, else none): the statement cannot see
 * what its other parts write. Under maintenance when a public window on it is in progress, else
 * operational, when no live incident impacts it. See recomputeComponentStatuses.
 */
const componentStatuses = (c: IncidentChange, stamp: Stamp) => {
  const touched = JSON.stringify([...new Set([...c.before.impacts, ...c.after.impacts].map((i) => i.componentId))]);
  const own = impactsJson(isLive(c.after) ? c.after.impacts : []);
  return sql`cs_calc AS (
      SELECT t.id, COALESCE((
        SELECT s.status FROM (
          SELECT ic.status FROM incident_components ic WHERE ic.component_id = t.id AND ic.is_live AND ic.incident_id <> ${c.after.id}::uuid
          UNION ALL
          SELECT n->>'status' FROM jsonb_array_elements(${own}::jsonb) n WHERE (n->>'componentId')::uuid = t.id
        ) s ORDER BY CASE s.status WHEN 'major_outage' THEN 3 WHEN 'partial_outage' THEN 2 ELSE 1 END DESC LIMIT 1
      ), CASE WHEN EXISTS (
        SELECT 1 FROM maintenance_components mc JOIN maintenance_windows mw ON mw.id = mc.window_id
        WHERE mc.component_id = t.id AND mw.state = 'in_progress' AND NOT mw.is_internal
      ) THEN 'under_maintenance' ELSE 'operational' END) AS status
      FROM (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text(${touched}::jsonb)) t
      WHERE EXISTS (SELECT 1 FROM upd)
    ),
    cs_upd AS (UPDATE components c SET status = cs_calc.status, updated_at = ${stamp.at}::timestamptz FROM cs_calc
      WHERE c.id = cs_calc.id AND c.status IS DISTINCT FROM cs_calc.status RETURNING c.id, c.status),
    cs_hist AS (INSERT INTO component_status_history (component_id, status, at, incident_id, maintenance_window_id)
      SELECT cs_upd.id, cs_upd.status, ${stamp.at}::timestamptz, upd.id, NULL FROM cs_upd, upd)`;
};

/** The incident became live or stopped being live with the same impacts (changed impacts are written with the flag by the impacts part). */
const liveness = (c: IncidentChange) =>
  sql`lv AS (UPDATE incident_components c SET is_live = ${isLive(c.after)}::boolean FROM upd WHERE c.incident_id = upd.id AND c.is_live IS DISTINCT FROM ${isLive(c.after)}::boolean)`;

/** The save statement for a change: the incident row and the parts the change needs, then the extension's. */
export function saveStatement(ctx: Ctx, c: IncidentChange, check: SaveCheck, extension: SaveExtension | null): SQL {
  const stamp: Stamp = { at: ctx.now.toISOString(), actorId: ctx.actor.userId, actorLabel: ctx.actor.label };
  const impactsChanged = !same(c.before.impacts, c.after.impacts);
  const versionChanged = c.after.disclosureVersion !== c.before.disclosureVersion;
  // Both checks are in every text, a null value skipping one: a composition of parts is then one
  // prepared statement whichever path writes it (on PGlite a new text costs a PREPARE of its own).
  const conditions = [
    sql`i.id = ${c.after.id}`,
    sql`(${check.version}::text IS NULL OR i.xmin = ${check.version}::text::xid)`,
    sql`(${check.policiesVersion}::text IS NULL OR ${sql.raw(POLICIES_VERSION)} = ${check.policiesVersion}::text)`,
  ];
  if (extension?.guard) conditions.push(extension.guard);
  // 'on': the caller announces the change once it has committed, so the triggers do not (migration 0009).
  const notify = notifyByApp(ctx);
  const parts = [incidentRow(c, conditions, notify, versionChanged || !same(c.before.disclosures, c.after.disclosures), stamp)];
  if (versionChanged) parts.push(disclosureVersion(c, stamp));
  if (c.events.length) parts.push(events(c, stamp));
  if (impactsChanged) parts.push(impacts(c));
  if (!same(c.before.clients, c.after.clients)) parts.push(clients(c));
  if (c.obligationChanges.length) parts.push(obligations(c));
  if (changesComponentStatus(c.before, c.after)) parts.push(componentStatuses(c, stamp));
  if (!impactsChanged && isLive(c.before) !== isLive(c.after)) parts.push(liveness(c));
  parts.push(...(extension?.parts ?? []));
  return sql`WITH ${sql.join(parts, sql`,\n    `)}
    SELECT upd.row_version, set_config('herald.notify_by_app', ${notify}, true) AS notify_by_app FROM upd`;
}

/**
 * Writes the change in one statement (see saveStatement). With `check.version` it writes only while the
 * incident row is still that version (and with `check.policiesVersion` only while the SLA policies are
 * that version); with an extension's guard only while it holds. Returns the row's new version, or null
 * when a check kept it from being written (nothing is written then).
 */
export async function saveIncident(ctx: Ctx, change: IncidentChange, check: SaveCheck, extension: SaveExtension | null = null): Promise<string | null> {
  // One row when the incident was written, none when the checks kept it from being written.
  const [result] = await queryComposed<{ row_version: string }>(ctx.tx, saveStatement(ctx, change, check, extension), 'herald_incident_save');
  return result ? result.row_version : null;
}
