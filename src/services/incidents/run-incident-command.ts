// Every incident command goes through here: lock, decide (the pure lifecycle), persist, in one transaction.
import { randomUUID } from 'node:crypto';
import { decide, type Accepted, type Command } from '../../domain/incident/lifecycle.js';
import type { SlaPolicy } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { notifyByApp, requireWriter, type Ctx } from '../context.js';
import { forgetIncident, loadIncidentForCommand, recallIncident, rememberIncident, saveIncident, type IncidentRecord, type SaveWith } from './incident-store.js';

export type CommandBuilder = (record: IncidentRecord) => Command | Promise<Command>;

/** How often a command without a lock loads and decides again when other commands keep coming first. */
const MAX_ATTEMPTS = 50;

export async function runIncidentCommand(
  ctx: Ctx,
  idOrKey: string,
  build: CommandBuilder,
  opts: {
    /** Runs in the command's transaction before the outcome is saved; 'discard' saves nothing of it (the record is returned as loaded). */
    beforeSave?: (record: IncidentRecord, outcome: Accepted, policies: SlaPolicy[]) => Promise<void | 'save' | 'discard'>;
    /**
     * Written with the incident (see SaveWith). When the write fails, `refusal` is asked first whether
     * the guard was the reason (it throws the refusal then); else another command came first.
     */
    saveWith?: SaveWith & { refusal: () => Promise<void> };
  } = {},
): Promise<IncidentRecord> {
  requireWriter(ctx);
  // Outside a transaction the command is one read and one conditional write: a command that came first
  // in between makes the write fail, and the command is decided again on the new state. What writes
  // more than the incident (beforeSave) runs in a transaction, with the incident locked.
  const isLocked = !ctx.inTransaction;
  if (!isLocked && opts.beforeSave) return ctx.inTransaction!((tctx) => runIncidentCommand(tctx, idOrKey, build, opts));
  for (let attempt = 1; ; attempt++) {
    // Without a lock, the first attempt decides on this process's copy of the incident when it has one.
    const recalled = !isLocked && attempt === 1 ? recallIncident(idOrKey) : null;
    const { record, policies, policiesVersion, version } =
      recalled ?? (await loadIncidentForCommand(ctx.tx, idOrKey, { lock: isLocked, notifyByApp: notifyByApp(ctx) }));
    const command = await build(record);
    const outcome = decide(record.state, command, { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID });
    // A refusal (or nothing to do) is only ever decided on the incident as stored.
    if (recalled && (!outcome.ok || (outcome.state === record.state && !outcome.events.length))) continue;
    if (!outcome.ok) throw new AppError(outcome.code, outcome.message, outcome.missing ? { missing: outcome.missing } : {});
    const verdict = opts.beforeSave ? await opts.beforeSave(record, outcome, policies) : 'save';
    // Locked, the command's transaction was marked (the load) and may have changed the incident in beforeSave.
    const announce = () => ctx.afterCommit?.('herald_incident', JSON.stringify({ id: record.id, key: record.key }));
    if (verdict === 'discard') {
      forgetIncident(record.id);
      announce();
      return record;
    }
    const updatedAt = ctx.now.toISOString();
    if (outcome.state !== record.state || outcome.events.length) {
      const check = isLocked ? { version: null, policiesVersion: null } : { version, policiesVersion: recalled ? policiesVersion : null };
      const saved = await saveIncident(ctx, record.state, outcome.state, outcome.events, outcome.obligationChanges, check, opts.saveWith ?? null);
      if (!saved) {
        forgetIncident(record.id);
        await opts.saveWith?.refusal();
        if (isLocked) throw new Error(`incident ${record.id} vanished under its lock`);
        if (attempt >= MAX_ATTEMPTS) throw new AppError('conflict', 'The incident is changing too fast; try again.');
        continue;
      }
      // Locked, the transaction may still roll back: the copy then no longer matches the row's version.
      rememberIncident({ ...record, state: outcome.state, updatedAt }, saved);
      announce();
    } else {
      // Nothing to write: the guard is still owed an answer.
      await opts.saveWith?.refusal();
      if (isLocked) announce();
    }
    return { ...record, state: outcome.state, updatedAt };
  }
}
