// Taking in a new incident from staff, a client user, or monitoring.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { clientComponents, clients, components, incidentComponents, incidents } from '../../db/schema.js';
import { newIncident } from '../../domain/incident/lifecycle.js';
import type { ComponentImpact, Source } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { recomputeComponentStatuses } from '../catalog/components.js';
import { clientScope, requireWriter, type Ctx } from '../context.js';
import { appendEvents, loadIncident, type IncidentRecord } from './incident-store.js';

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
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('invalid_input', `Unknown ${field}: ${missing.join(', ')}.`, { field, missing });
}

export async function reportIncident(ctx: Ctx, input: ReportInput): Promise<IncidentRecord> {
  const scope = clientScope(ctx);
  if (!scope) requireWriter(ctx);
  if (scope && input.clientIds?.some((c) => c !== scope)) {
    throw new AppError('invalid_input', 'A client user reports for their own organisation only.', { field: 'clientIds' });
  }
  const source: Source = scope ? 'client' : (input.source ?? 'internal');
  const impacts = dedupeImpacts(input.impacts ?? []);
  // A client user names only components their organisation uses; others "do not exist" for them.
  await assertExisting(ctx, components, impacts.map((i) => i.componentId), 'components', scope);
  const clientIds = [...new Set(scope ? [scope] : (input.clientIds ?? []))];
  await assertExisting(ctx, clients, clientIds, 'clientIds');
  const id = randomUUID();
  const { state, events } = newIncident({ id, source, reportedAt: ctx.now.toISOString(), reporterClientId: scope, impacts });
  await ctx.tx.insert(incidents).values({
    id,
    title: input.title,
    description: input.description ?? '',
    source,
    reporterId: ctx.actor.userId,
    reporterClientId: scope,
    reportedClientIds: clientIds,
    stage: state.stage,
    techState: state.techState,
    disclosures: state.disclosures,
    reportedAt: ctx.now,
    updatedAt: ctx.now,
  });
  if (impacts.length) {
    await ctx.tx.insert(incidentComponents).values(impacts.map((i) => ({ incidentId: id, ...i })));
    await recomputeComponentStatuses(ctx.tx, impacts.map((i) => i.componentId), ctx.now, id);
  }
  await appendEvents(ctx.tx, id, [{ type: events[0]!.type, data: { ...events[0]!.data, title: input.title, clientIds } }], ctx.actor, ctx.now);
  return loadIncident(ctx.tx, id);
}

export function dedupeImpacts(impacts: ComponentImpact[]): ComponentImpact[] {
  const byId = new Map<string, ComponentImpact>();
  for (const i of impacts) byId.set(i.componentId, i);
  return [...byId.values()].sort((a, b) => a.componentId.localeCompare(b.componentId));
}
