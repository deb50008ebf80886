// Classifying impact and recording, on the record, whether clients are affected.
import { and, eq, inArray, or } from 'drizzle-orm';
import { clientComponents, clients, components, users } from '../../db/schema.js';
import type { ComponentImpact, IncidentRoles, Severity } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { requireWriter, type Ctx } from '../context.js';
import { assertExisting, dedupeImpacts } from './report-incident.js';
import { runIncidentCommand } from './run-incident-command.js';

export interface ClassifyInput {
  severity: Severity;
  impacts: ComponentImpact[];
  isClientAffected: boolean;
  reason: string;
  addClientIds?: string[] | undefined;
  removeClientIds?: string[] | undefined;
}

async function tiersOf(ctx: Ctx, ids: string[]) {
  if (!ids.length) return [];
  return ctx.tx.select({ clientId: clients.id, tier: clients.tier }).from(clients).where(inArray(clients.id, ids));
}

export async function classifyIncident(ctx: Ctx, idOrKey: string, input: ClassifyInput) {
  // Before any lookup: whether a component or client exists is not for a client user to learn.
  requireWriter(ctx);
  const impacts = dedupeImpacts(input.impacts);
  await assertExisting(ctx, components, impacts.map((i) => i.componentId), 'impacts');
  await assertExisting(ctx, clients, [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])], 'clientIds');
  return runIncidentCommand(ctx, idOrKey, async (record) => {
    const componentIds = impacts.map((i) => i.componentId);
    const derivedClients = componentIds.length
      ? await ctx.tx
          .selectDistinct({ clientId: clients.id, tier: clients.tier })
          .from(clientComponents)
          .innerJoin(clients, eq(clients.id, clientComponents.clientId))
          .where(inArray(clientComponents.componentId, componentIds))
      : [];
    const named = [...new Set([...(input.addClientIds ?? []), ...record.reportedClientIds, ...(record.reporterClientId ? [record.reporterClientId] : [])])];
    return {
      type: 'classify',
      severity: input.severity,
      impacts,
      isClientAffected: input.isClientAffected,
      reason: input.reason,
      derivedClients,
      addClients: await tiersOf(ctx, named),
      removeClientIds: input.removeClientIds ?? [],
    };
  });
}

export async function adjustAffectedClients(ctx: Ctx, idOrKey: string, input: { addClientIds?: string[] | undefined; removeClientIds?: string[] | undefined }) {
  requireWriter(ctx);
  await assertExisting(ctx, clients, [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])], 'clientIds');
  return runIncidentCommand(ctx, idOrKey, async () => ({
    type: 'adjustClients',
    addClients: await tiersOf(ctx, input.addClientIds ?? []),
    removeClientIds: input.removeClientIds ?? [],
  }));
}

/** Incident roles go to active staff who may write (admins and members). */
export async function assignRoles(ctx: Ctx, idOrKey: string, patch: Partial<IncidentRoles>) {
  requireWriter(ctx);
  const ids = [patch.incidentManagerId, patch.communicationLeadId, ...(patch.technicalTeamIds ?? [])].filter((x): x is string => !!x);
  if (ids.length) {
    const ok = await ctx.tx
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, ids), eq(users.isDisabled, false), or(eq(users.role, 'admin'), eq(users.role, 'member'))));
    const found = new Set(ok.map((u) => u.id));
    const missing = [...new Set(ids.filter((id) => !found.has(id)))];
    if (missing.length) throw new AppError('invalid_input', 'Incident roles go to active admins or members.', { field: 'roles', missing });
  }
  return runIncidentCommand(ctx, idOrKey, () => ({ type: 'assignRoles', patch }));
}
