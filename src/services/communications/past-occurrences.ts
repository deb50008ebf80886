// Earlier incidents of the same client on the same components, for the initial notice: one SQL
// expression, used by the message context (per client of a message) and by the API (one client).
import type { PastOccurrence } from '../../domain/messages/past-occurrence.js';
import { sql, type SQL } from 'drizzle-orm';
import { queryComposed } from '../../db/raw.js';
import type { Ctx } from '../context.js';
import { json } from '../sql-rows.js';

/** The most past occurrences a notice lists (and the API answers: a list bounded by design, not paged). */
export const PAST_OCCURRENCES_MAX = 25;

/**
 * A JSON array of the incidents (at most 25, newest first) that affected client `client` in
 * [`since`, `before`), other than `incident`, sharing a component with the ids `impacted` selects
 * (any incident of the client when it selects none); each with the RCA that client received, if any.
 * The arguments are SQL expressions (values or outer columns).
 */
export const pastOccurrencesSql = (a: { client: SQL; incident: SQL; since: SQL; before: SQL; impacted: SQL }) =>
  sql`(SELECT COALESCE(json_agg(json_build_object('id', p.id, 'number', p.number, 'title', p.title, 'reportedAt', p.reported_at, 'rcaId', p.rca_id) ORDER BY p.reported_at DESC), '[]')
    FROM (SELECT i.id, i.number, i.title, i.reported_at,
        (SELECT r.id FROM communications r WHERE r.incident_id = i.id AND r.kind = 'rca' AND r.client_ids ? (${a.client})::text ORDER BY r.created_at LIMIT 1) AS rca_id
      FROM incident_clients ic JOIN incidents i ON i.id = ic.incident_id
      WHERE ic.client_id = ${a.client} AND ic.incident_id <> ${a.incident} AND ic.incident_reported_at >= ${a.since} AND ic.incident_reported_at < ${a.before}
        AND (NOT EXISTS (${a.impacted}) OR EXISTS (SELECT 1 FROM incident_components x WHERE x.incident_id = ic.incident_id AND x.component_id IN (${a.impacted})))
      ORDER BY ic.incident_reported_at DESC LIMIT ${sql.raw(String(PAST_OCCURRENCES_MAX))}) p)`;

/** The start of the window past occurrences are looked for in. */
export function pastOccurrencesSince(ctx: Ctx, before: Date): Date {
  const since = new Date(before);
  since.setUTCMonth(since.getUTCMonth() - ctx.settings.pastOccurrenceMonths);
  return since;
}

/** pastOccurrencesSql's JSON as the domain's past occurrences. */
export function toPastOccurrences(ctx: Ctx, found: unknown): PastOccurrence[] {
  return json<{ id: string; number: number; title: string; reportedAt: string; rcaId: string | null }[]>(found).map((p) => ({
    incidentId: p.id,
    key: `INC-${p.number}`,
    title: p.title,
    reportedAt: new Date(p.reportedAt).toISOString(),
    rcaUrl: p.rcaId ? `${ctx.settings.baseUrl}/api/v1/communications/${p.rcaId}` : null,
  }));
}

/** The past occurrences one client would be told of in an initial notice of this incident. */
export async function findPastOccurrences(
  ctx: Ctx,
  input: { incidentId: string; clientId: string; componentIds: string[]; before: Date },
): Promise<PastOccurrence[]> {
  const since = pastOccurrencesSince(ctx, input.before);
  const past = pastOccurrencesSql({
    client: sql`${input.clientId}::uuid`,
    incident: sql`${input.incidentId}::uuid`,
    since: sql`${since.toISOString()}::timestamptz`,
    before: sql`${input.before.toISOString()}::timestamptz`,
    impacted: sql`SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(input.componentIds)}::jsonb)`,
  });
  const [row] = await queryComposed<{ past: unknown }>(ctx.tx, sql`SELECT ${past} AS past`, 'herald_past_occurrences');
  return toPastOccurrences(ctx, row?.past ?? '[]');
}
