// Classifying impact and recording, on the record, whether clients are affected.
import { inArray, sql, type SQL } from 'drizzle-orm';
import { clients } from '../../db/schema.js';
import type { ComponentImpact, IncidentRoles, Severity } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { defineVerb, requireWriter, type Ctx } from '../context.js';
import { queryComposed } from '../../db/raw.js';
import { json } from '../sql-rows.js';
import { assertExisting, dedupeImpacts, refuseUnknown } from './report-incident.js';
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

/** The components and clients a classification names, and the clients using those components, in one statement. */
const classifyLookup = (componentIds: string[], clientIds: string[]) =>
  sql`WITH wanted_components AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text(${JSON.stringify(componentIds)}::jsonb)),
  wanted_clients AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text(${JSON.stringify(clientIds)}::jsonb))
SELECT
  (SELECT COALESCE(json_agg(co.id), '[]') FROM components co WHERE co.id IN (SELECT id FROM wanted_components)) AS components,
  (SELECT COALESCE(json_agg(json_build_object('clientId', c.id, 'tier', c.tier)), '[]') FROM clients c WHERE c.id IN (SELECT id FROM wanted_clients)) AS clients,
  (SELECT COALESCE(json_agg(json_build_object('clientId', c.id, 'tier', c.tier)), '[]') FROM clients c
    WHERE EXISTS (SELECT 1 FROM client_components cc WHERE cc.client_id = c.id AND cc.component_id IN (SELECT id FROM wanted_components))) AS derived`;

async function classify(ctx: Ctx, idOrKey: string, input: ClassifyInput) {
  // Before any lookup: whether a component or client exists is not for a client user to learn.
  requireWriter(ctx);
  const impacts = dedupeImpacts(input.impacts);
  const componentIds = impacts.map((i) => i.componentId);
  const namedClientIds = [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])];
  const [found] = await queryComposed<{ components: unknown; clients: unknown; derived: unknown }>(ctx.tx, classifyLookup(componentIds, namedClientIds), 'herald_classify_lookup');
  refuseUnknown(componentIds, new Set(json<string[]>(found!.components)), 'impacts');
  const tiers = json<{ clientId: string; tier: string }[]>(found!.clients);
  refuseUnknown(namedClientIds, new Set(tiers.map((c) => c.clientId)), 'clientIds');
  // The clients using the impacted components: they are affected.
  const derivedClients = json<{ clientId: string; tier: string }[]>(found!.derived);
  return runIncidentCommand(ctx, idOrKey, async (record) => {
    const named = [...new Set([...(input.addClientIds ?? []), ...record.reportedClientIds, ...(record.reporterClientId ? [record.reporterClientId] : [])])];
    // The clients named here were looked up above; those the incident was reported for are looked up now.
    const unknown = named.filter((id) => !tiers.some((c) => c.clientId === id));
    return {
      type: 'classify',
      severity: input.severity,
      impacts,
      isClientAffected: input.isClientAffected,
      reason: input.reason,
      derivedClients,
      addClients: [...tiers.filter((c) => named.includes(c.clientId)), ...(await tiersOf(ctx, unknown))],
      removeClientIds: input.removeClientIds ?? [],
    };
  });
}

export const classifyIncident = defineVerb({ autocommit: true, run: classify });

async function adjustClients(ctx: Ctx, idOrKey: string, input: { addClientIds?: string[] | undefined; removeClientIds?: string[] | undefined }) {
  requireWriter(ctx);
  await assertExisting(ctx, clients, [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])], 'clientIds');
  return runIncidentCommand(ctx, idOrKey, async () => ({
    type: 'adjustClients',
    addClients: await tiersOf(ctx, input.addClientIds ?? []),
    removeClientIds: input.removeClientIds ?? [],
  }));
}

export const adjustAffectedClients = defineVerb({ autocommit: true, run: adjustClients });

/** The rule for who may hold an incident role: an active admin or member. `userId`: a uuid expression. */
const mayHoldRoles = (userId: SQL) => sql`EXISTS (SELECT 1 FROM users u WHERE u.id = ${userId} AND NOT u.is_disabled AND u.role IN ('admin', 'member'))`;

/** The user ids named (a jsonb array of text), as rows `r.value`. */
const named = (ids: string[]) => sql`jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) r`;

/** Incident roles go to active staff who may write (admins and members): checked by the statement that writes them. */
async function assign(ctx: Ctx, idOrKey: string, patch: Partial<IncidentRoles>) {
  requireWriter(ctx);
  const ids = [...new Set([patch.incidentManagerId, patch.communicationLeadId, ...(patch.technicalTeamIds ?? [])].filter((x): x is string => !!x))];
  if (!ids.length) return runIncidentCommand(ctx, idOrKey, () => ({ type: 'assignRoles', patch }));
  const refuseIfGuarded = async () => {
    const refused = await queryComposed<{ id: string }>(ctx.tx, sql`SELECT r.value AS id FROM ${named(ids)} WHERE NOT ${mayHoldRoles(sql`r.value::uuid`)}`, 'herald_role_refused');
    if (refused.length) throw new AppError('invalid_input', 'Incident roles go to active admins or members.', { field: 'roles', missing: refused.map((u) => u.id) });
  };
  // The incident is written only while every one of them may hold a role.
  const guard = sql`NOT EXISTS (SELECT 1 FROM ${named(ids)} WHERE NOT ${mayHoldRoles(sql`r.value::uuid`)})`;
  return runIncidentCommand(ctx, idOrKey, () => ({ type: 'assignRoles', patch }), async () => ({ save: { guard }, refuseIfGuarded }));
}

export const assignRoles = defineVerb({ autocommit: true, run: assign });
