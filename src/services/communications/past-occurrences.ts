// Earlier incidents of the same client on the same components, for the initial notice.
import { sql } from 'drizzle-orm';
import type { PastOccurrence } from '../../domain/messages/plain-message.js';
import type { Ctx } from '../context.js';
import { iso, rows } from '../sql-rows.js';

/**
 * Incidents that affected `clientId` before `before`, within the window, sharing a component with
 * `componentIds` (any incident of the client when the current one names no component). Each with
 * a link to the RCA that client received, if any.
 */
export async function findPastOccurrences(
  ctx: Ctx,
  input: { incidentId: string; clientId: string; componentIds: string[]; before: Date },
): Promise<PastOccurrence[]> {
  const since = new Date(input.before);
  since.setUTCMonth(since.getUTCMonth() - ctx.settings.pastOccurrenceMonths);
  const shares = input.componentIds.length
    ? sql`AND EXISTS (SELECT 1 FROM incident_components x WHERE x.incident_id = i.id AND x.component_id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(input.componentIds)}::jsonb)))`
    : sql``;
  const found = await rows<{ id: string; number: number; title: string; reported_at: unknown; rca_id: string | null }>(
    ctx.tx,
    sql`SELECT i.id, i.number, i.title, i.reported_at,
        (SELECT c.id FROM communications c WHERE c.incident_id = i.id AND c.kind = 'rca' AND c.client_ids ? ${input.clientId} ORDER BY c.created_at LIMIT 1) AS rca_id
      FROM incident_clients ic JOIN incidents i ON i.id = ic.incident_id
      WHERE ic.client_id = ${input.clientId} AND ic.incident_id <> ${input.incidentId} AND ic.incident_reported_at >= ${since} AND ic.incident_reported_at < ${input.before} ${shares}
      ORDER BY ic.incident_reported_at DESC LIMIT 25`,
  );
  return found.map((r) => ({
    incidentId: r.id,
    key: `INC-${r.number}`,
    title: r.title,
    reportedAt: iso(r.reported_at)!,
    rcaUrl: r.rca_id ? `${ctx.settings.baseUrl}/api/v1/communications/${r.rca_id}` : null,
  }));
}
