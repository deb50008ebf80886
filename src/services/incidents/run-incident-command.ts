// Every incident command goes through here: lock, decide (the pure lifecycle), persist, in one transaction.
import { randomUUID } from 'node:crypto';
import { decide, type Accepted, type Command } from '../../domain/incident/lifecycle.js';
import type { SlaPolicy } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { requireWriter, type Ctx } from '../context.js';
import { loadIncidentForCommand, saveIncident, type IncidentRecord } from './incident-store.js';

export type CommandBuilder = (record: IncidentRecord) => Command | Promise<Command>;

export async function runIncidentCommand(
  ctx: Ctx,
  idOrKey: string,
  build: CommandBuilder,
  opts: {
    beforeSave?: (record: IncidentRecord, outcome: Accepted, policies: SlaPolicy[]) => Promise<void>;
    /** Only check the command (e.g. a message that waits for approval): nothing of the outcome is saved. */
    isCheckOnly?: boolean;
  } = {},
): Promise<IncidentRecord> {
  requireWriter(ctx);
  const { record, policies } = await loadIncidentForCommand(ctx.tx, idOrKey);
  const command = await build(record);
  const outcome = decide(record.state, command, { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID });
  if (!outcome.ok) throw new AppError(outcome.code, outcome.message, outcome.missing ? { missing: outcome.missing } : {});
  if (opts.beforeSave) await opts.beforeSave(record, outcome, policies);
  if (opts.isCheckOnly) return record;
  if (outcome.state !== record.state || outcome.events.length) {
    await saveIncident(ctx, record.state, outcome.state, outcome.events, outcome.obligationChanges);
  }
  return { ...record, state: outcome.state, updatedAt: ctx.now.toISOString() };
}
