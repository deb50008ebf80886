// Taking in a new incident from staff, a client user, or monitoring.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { clientComponents, clients, components } from '../../db/schema.js';
import { newIncident } from '../../domain/incident/lifecycle.js';
import type { ComponentImpact, Source } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { clientScope, defineVerb, notifyByApp, requireWriter, transaction, type Ctx } from '../context.js';
import { memoryOf } from '../handle-memory.js';
import type { IncidentRecord } from './incident-store.js';
import { recomputeComponentStatuses } from '../catalog/components.js';
import type { Db } from '../../db/open.js';
import { queryComposed } from '../../db/raw.js';

export interface ReportInput {
  title: string;
  description?: string | undefined;
  source?: Source | undefined;
  impacts?: ComponentImpact[] | undefined;
  clientIds?: string[] | undefined;
}

export async function assertExisting(ctx: Ctx, table: typeof components | typeof clients, ids: string[], field: string, usedByClient: string | null = null): Promise<void> {
  if (!ids.length) return;
  const found = new Set(
    usedByClient
      ? (await ctx.tx.select({ id: clientComponents.componentId }).from(clientComponents).where(and(eq(clientComponents.clientId, usedByClient), inArray(clientComponents.componentId, ids)))).map((r) => r.id)
      : (await ctx.tx.select({ id: table.id }).from(table).where(inArray(table.id, ids))).map((r) => r.id),
  );
  refuseUnknown(ids, found, field);
}

/** Refuses the ids of `ids` not in `found`, naming them and the field. */
export function refuseUnknown(ids: string[], found: Set<string>, field: string): void {
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('invalid_input', `Unknown ${field}: ${missing.join(', ')}.`, { field, missing });
}

async function report(ctx: Ctx, input: ReportInput): Promise<IncidentRecord> {
  const scope = clientScope(ctx);
  if (!scope) requireWriter(ctx);
  if (scope && input.clientIds?.some((c) => c !== scope)) {
    throw new AppError('invalid_input', 'A client user reports for their own organisation only.', { field: 'clientIds' });
  }
  const source: Source = scope ? 'client' : (input.source ?? 'internal');
  const named = dedupeImpacts(input.impacts ?? []);
  // A client user names only components their organisation uses; others "do not exist" for them.
  await assertExisting(ctx, components, named.map((i) => i.componentId), 'components', scope);
  // What a client user says is down is a suggestion: a component is shared by other clients and shown
  // on the status pages, and one client's word must not set its status for everyone. It is kept on
  // the incident (suggestedImpacts) and its timeline for staff, who confirm it by classifying.
  const impacts = scope ? [] : named;
  const suggestedImpacts = scope ? named.map((i) => ({ componentId: i.componentId.toLowerCase(), status: i.status })) : [];
  const clientIds = [...new Set(scope ? [scope] : (input.clientIds ?? []))];
  await assertExisting(ctx, clients, clientIds, 'clientIds');
  const id = randomUUID();
  const { state, events } = newIncident({ id, source, reportedAt: ctx.now.toISOString(), reporterClientId: scope, impacts });
  const description = input.description ?? '';
  // The incident, its impacts and the event in one statement; the component statuses in a second one,
  // in the same transaction.
  const at = ctx.now.toISOString();
  const insert = (tx: Db) =>
    queryComposed<{ number: number; row_version: string }>(
      tx,
      sql`WITH ins AS (
    INSERT INTO incidents (id, title, description, source, reporter_id, reporter_client_id, reported_client_ids, suggested_impacts, stage, tech_state, disclosures, reported_at, updated_at)
    VALUES (${id}, ${input.title}, ${description}, ${source}, ${ctx.actor.userId}, ${scope}, ${JSON.stringify(clientIds)}::jsonb, ${JSON.stringify(suggestedImpacts)}::jsonb, ${state.stage}, ${state.techState},
      ${JSON.stringify(state.disclosures)}::jsonb, ${at}::timestamptz, ${at}::timestamptz)
    RETURNING id, number, xmin::text AS row_version
  ),
  -- A new incident is live (see migration 0010).
  ic AS (INSERT INTO incident_components (incident_id, component_id, status, is_live)
    SELECT ins.id, (n->>'componentId')::uuid, n->>'status', true FROM ins, jsonb_array_elements(${JSON.stringify(impacts.map((i) => ({ componentId: i.componentId, status: i.status })))}::jsonb) n),
  ev AS (INSERT INTO incident_events (incident_id, at, actor_id, actor_label, type, data)
    SELECT ins.id, ${at}::timestamptz, ${ctx.actor.userId}::uuid, ${ctx.actor.label}::text, ${events[0]!.type}::text, ${JSON.stringify({ ...events[0]!.data, title: input.title, clientIds, ...(suggestedImpacts.length && { suggestedImpacts }) })}::jsonb FROM ins)
  -- 'on': the caller announces the new incident once it has committed (migration 0009).
  SELECT number, row_version, set_config('herald.notify_by_app', ${notifyByApp(ctx)}, true) AS notify_by_app FROM ins`,
      'herald_incident_report',
    );
  const withStatuses = async (c: Ctx) => {
    const found = await insert(c.tx);
    await recomputeComponentStatuses(c.tx, impacts.map((i) => i.componentId), ctx.now, id);
    return found;
  };
  const [row] = !impacts.length ? await insert(ctx.tx) : await transaction(ctx, withStatuses);
  const number = Number(row!.number);
  ctx.afterCommit?.('herald_incident', JSON.stringify({ id, key: `INC-${number}` }));
  // What loading the incident back would give (impacts as stored: ids in lower case, in their order).
  const stored = impacts.map((i) => ({ componentId: i.componentId.toLowerCase(), status: i.status })).sort((a, b) => (a.componentId < b.componentId ? -1 : a.componentId > b.componentId ? 1 : 0));
  const record: IncidentRecord = {
    id,
    number,
    key: `INC-${number}`,
    title: input.title,
    description,
    reporterId: ctx.actor.userId,
    reporterClientId: scope,
    reportedClientIds: clientIds,
    suggestedImpacts,
    updatedAt: ctx.now.toISOString(),
    state: { ...state, impacts: stored },
  };
  // The next command on it decides on this copy (see runIncidentCommand).
  memoryOf(ctx.tx).incidents.remember(record, row!.row_version);
  return record;
}

/** Outside a transaction, an incident without impacts is one statement; one with impacts opens a transaction. */
export const reportIncident = defineVerb({ autocommit: true, run: report });

export function dedupeImpacts(impacts: ComponentImpact[]): ComponentImpact[] {
  const byId = new Map<string, ComponentImpact>();
  for (const i of impacts) byId.set(i.componentId, i);
  return [...byId.values()].sort((a, b) => a.componentId.localeCompare(b.componentId));
}
