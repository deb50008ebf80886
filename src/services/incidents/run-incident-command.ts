// Every incident command goes through here: lock, decide (the pure lifecycle), persist, in one transaction.
import { randomUUID } from 'node:crypto';
import { decide, type Accepted, type Command } from '../../domain/incident/lifecycle.js';
import type { SlaPolicy } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { requireWriter, type Ctx } from '../context.js';
import { loadPolicies } from '../sla/sla-policies.js';
import { loadIncident, saveIncident, type IncidentRecord } from './incident-store.js';

export type CommandBuilder = (record: IncidentRecord) => Command | Promise<Command>;

export async function runIncidentCommand(
  ctx: Ctx,
  idOrKey: string,
  build: CommandBuilder,
  opts: { beforeSave?: (record: IncidentRecord, outcome: Accepted, policies: SlaPolicy[]) => Promise<void> } = {},
): Promise<IncidentRecord> {
  requireWriter(ctx);
  const record = await loadIncident(ctx.tx, idOrKey, { forUpdate: true });
  const command = await build(record);
  const policies = await loadPolicies(ctx.tx);
  const outcome = decide(record.state, command, { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID });
  if (!outcome.ok) throw new AppError(outcome.code, outcome.message, outcome.missing ? { missing: outcome.missing } : {});
  if (opts.beforeSave) await opts.beforeSave(record, outcome, policies);
  if (outcome.state !== record.state || outcome.events.length) {
    await saveIncident(ctx, record.state, outcome.state, outcome.events, outcome.obligationChanges);
  }
  return { ...record, state: outcome.state, updatedAt: ctx.now.toISOString() };
}
