// Classifying impact and recording, on the record, whether clients are affected.
import { inArray } from 'drizzle-orm';
import { clients } from '../../db/schema.js';
import type { ComponentImpact, IncidentRoles, Severity } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { requireWriter, type Ctx } from '../context.js';
import { query } from '../../db/raw.js';
import { json } from '../sql-rows.js';
import { assertExisting, dedupeImpacts, refuseUnknown } from './report-incident.js';
import { SAVE_WITH_FIRST_PARAM } from './incident-store.js';
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

// The components and clients a classification names, and the clients using those components, in one
// statement: $1 component ids, $2 client ids (jsonb arrays).
const CLASSIFY_LOOKUP = `WITH wanted_components AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text($1::jsonb)),
  wanted_clients AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text($2::jsonb))
SELECT
  (SELECT COALESCE(json_agg(co.id), '[]') FROM components co WHERE co.id IN (SELECT id FROM wanted_components)) AS components,
  (SELECT COALESCE(json_agg(json_build_object('clientId', c.id, 'tier', c.tier)), '[]') FROM clients c WHERE c.id IN (SELECT id FROM wanted_clients)) AS clients,
  (SELECT COALESCE(json_agg(json_build_object('clientId', c.id, 'tier', c.tier)), '[]') FROM clients c
    WHERE EXISTS (SELECT 1 FROM client_components cc WHERE cc.client_id = c.id AND cc.component_id IN (SELECT id FROM wanted_components))) AS derived`;

export async function classifyIncident(ctx: Ctx, idOrKey: string, input: ClassifyInput) {
  // Before any lookup: whether a component or client exists is not for a client user to learn.
  requireWriter(ctx);
  const impacts = dedupeImpacts(input.impacts);
  const componentIds = impacts.map((i) => i.componentId);
  const namedClientIds = [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])];
  const [found] = await query<{ components: unknown; clients: unknown; derived: unknown }>(
    ctx.tx,
    CLASSIFY_LOOKUP,
    [JSON.stringify(componentIds), JSON.stringify(namedClientIds)],
    'herald_classify_lookup',
  );
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

export async function adjustAffectedClients(ctx: Ctx, idOrKey: string, input: { addClientIds?: string[] | undefined; removeClientIds?: string[] | undefined }) {
  requireWriter(ctx);
  await assertExisting(ctx, clients, [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])], 'clientIds');
  return runIncidentCommand(ctx, idOrKey, async () => ({
    type: 'adjustClients',
    addClients: await tiersOf(ctx, input.addClientIds ?? []),
    removeClientIds: input.removeClientIds ?? [],
  }));
}

/** Of the user ids given ($1, a jsonb array), those of active admins and members. */
const ROLE_HOLDERS = `SELECT u.id FROM users u
  WHERE u.id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)) AND NOT u.is_disabled AND u.role IN ('admin', 'member')`;

/** The condition (in the save statement) that every id of $SAVE_WITH_FIRST_PARAM (a jsonb array) is an active admin or member. */
const ROLE_GUARD = `NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text($${SAVE_WITH_FIRST_PARAM}::jsonb) r
  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = r.value::uuid AND NOT u.is_disabled AND u.role IN ('admin', 'member')))`;

/** Incident roles go to active staff who may write (admins and members): checked by the statement that writes them. */
export async function assignRoles(ctx: Ctx, idOrKey: string, patch: Partial<IncidentRoles>) {
  requireWriter(ctx);
  const ids = [...new Set([patch.incidentManagerId, patch.communicationLeadId, ...(patch.technicalTeamIds ?? [])].filter((x): x is string => !!x))];
  const refuseOthers = async () => {
    const ok = await query<{ id: string }>(ctx.tx, ROLE_HOLDERS, [JSON.stringify(ids)], 'herald_role_holders');
    const found = new Set(ok.map((u) => u.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new AppError('invalid_input', 'Incident roles go to active admins or members.', { field: 'roles', missing });
  };
  return runIncidentCommand(ctx, idOrKey, () => ({ type: 'assignRoles', patch }), {
    ...(ids.length && { saveWith: { key: 'roles', parts: '', guard: ROLE_GUARD, params: [JSON.stringify(ids)], refusal: refuseOthers } }),
  });
}
