// Every incident command goes through here: decide (the pure lifecycle) on this process's copy of the
// incident and write it in one statement under a version check; or load, decide and persist (locked,
// in one transaction).
import { randomUUID } from 'node:crypto';
import { decide, type Accepted, type Command } from '../../domain/incident/lifecycle.js';
import type { SlaPolicy } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { notifyByApp, requireWriter, type Ctx } from '../context.js';
import { forgetIncident, loadIncidentForCommand, recallIncident, rememberIncident, saveIncident, type IncidentRecord, type SaveWith } from './incident-store.js';

export type CommandBuilder = (record: IncidentRecord) => Command | Promise<Command>;

/** How often a command without a lock loads and decides again when other commands keep coming first. */
const MAX_ATTEMPTS = 50;

/** What a command writes with the incident in one statement, decided on the outcome (see SaveWith); null: not in one statement. */
export type OneStatement = (record: IncidentRecord, outcome: Accepted, policies: SlaPolicy[]) => Promise<SaveWith | null>;

export async function runIncidentCommand(
  ctx: Ctx,
  idOrKey: string,
  build: CommandBuilder,
  opts: {
    /**
     * Runs in the command's transaction (`tctx`: write through it) before the outcome is saved; 'discard'
     * saves nothing of it (the record is returned as loaded).
     */
    beforeSave?: (record: IncidentRecord, outcome: Accepted, policies: SlaPolicy[], tctx: Ctx) => Promise<void | 'save' | 'discard'>;
    /**
     * Written with the incident (see SaveWith). When the write fails, `refusal` is asked first whether
     * the guard was the reason (it throws the refusal then); else another command came first.
     */
    saveWith?: SaveWith & { refusal: () => Promise<void> };
    /**
     * For a command with beforeSave: tried first, outside a transaction, on this process's copy of the
     * incident. What it returns is written with the incident in one statement; when it returns null, or
     * the copy is outdated, the command runs in a transaction with beforeSave.
     */
    inOneStatement?: OneStatement;
  } = {},
): Promise<IncidentRecord> {
  requireWriter(ctx);
  // Outside a transaction the command is one read and one conditional write: a command that came first
  // in between makes the write fail, and the command is decided again on the new state. What writes
  // more than the incident (beforeSave) runs in a transaction, with the incident locked, unless
  // inOneStatement makes it one statement.
  const isLocked = !ctx.inTransaction;
  if (!isLocked && opts.beforeSave) {
    const done = opts.inOneStatement ? await onCopy(ctx, idOrKey, build, { extraFor: opts.inOneStatement }) : null;
    return done ?? ctx.inTransaction!((tctx) => runIncidentCommand(tctx, idOrKey, build, opts));
  }
  const saveWith = opts.saveWith ?? null;
  for (let attempt = 1; ; attempt++) {
    // Without a lock, the first attempt decides on this process's copy of the incident when it has one.
    if (!isLocked && attempt === 1) {
      const done = await onCopy(ctx, idOrKey, build, { saveWith });
      if (done) return done;
      continue;
    }
    const { record, policies, version } = await loadIncidentForCommand(ctx.tx, idOrKey, { lock: isLocked, notifyByApp: notifyByApp(ctx) });
    const outcome = decide(record.state, await build(record), { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID });
    if (!outcome.ok) throw new AppError(outcome.code, outcome.message, outcome.missing ? { missing: outcome.missing } : {});
    const verdict = opts.beforeSave ? await opts.beforeSave(record, outcome, policies, ctx) : 'save';
    // Locked, the command's transaction was marked (the load) and may have changed the incident in beforeSave.
    const announce = () => ctx.afterCommit?.('herald_incident', JSON.stringify({ id: record.id, key: record.key }));
    if (verdict === 'discard') {
      forgetIncident(record.id);
      announce();
      return record;
    }
    const updatedAt = ctx.now.toISOString();
    if (outcome.state !== record.state || outcome.events.length) {
      const check = { version: isLocked ? null : version, policiesVersion: null };
      const saved = await saveIncident(ctx, record.state, outcome.state, outcome.events, outcome.obligationChanges, check, saveWith);
      if (!saved) {
        forgetIncident(record.id);
        await saveWith?.refusal();
        if (isLocked) throw new Error(`incident ${record.id} vanished under its lock`);
        if (attempt >= MAX_ATTEMPTS) throw new AppError('conflict', 'The incident is changing too fast; try again.');
        continue;
      }
      // Locked, the transaction may still roll back: the copy then no longer matches the row's version.
      rememberIncident({ ...record, state: outcome.state, updatedAt }, saved);
      announce();
    } else {
      // Nothing to write: the guard is still owed an answer.
      await saveWith?.refusal();
      if (isLocked) announce();
    }
    return { ...record, state: outcome.state, updatedAt };
  }
}

/**
 * The command decided on this process's copy of the incident and written in one statement, only while
 * the incident row and the SLA policies are still the versions it was decided on: with `saveWith`, or
 * with what `extraFor` returns for the outcome. Null (nothing written) when there is no copy, when the
 * copy refuses the command or leaves nothing to do (a refusal is only ever decided on the stored
 * incident), when `extraFor` returns null, or when the write failed: another command came first, or
 * the guard of `saveWith` held it back (its `refusal` throws then).
 */
async function onCopy(
  ctx: Ctx,
  idOrKey: string,
  build: CommandBuilder,
  how: { saveWith: (SaveWith & { refusal: () => Promise<void> }) | null } | { extraFor: OneStatement },
): Promise<IncidentRecord | null> {
  const recalled = recallIncident(idOrKey);
  if (!recalled) return null;
  const { record, policies, policiesVersion, version } = recalled;
  const outcome = decide(record.state, await build(record), { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID });
  if (!outcome.ok || (outcome.state === record.state && !outcome.events.length)) return null;
  const extra = 'extraFor' in how ? await how.extraFor(record, outcome, policies) : how.saveWith;
  if ('extraFor' in how && !extra) return null;
  const saved = await saveIncident(ctx, record.state, outcome.state, outcome.events, outcome.obligationChanges, { version, policiesVersion }, extra);
  if (!saved) {
    forgetIncident(record.id);
    if ('saveWith' in how) await how.saveWith?.refusal();
    return null;
  }
  const after = { ...record, state: outcome.state, updatedAt: ctx.now.toISOString() };
  rememberIncident(after, saved);
  ctx.afterCommit?.('herald_incident', JSON.stringify({ id: record.id, key: record.key }));
  return after;
}
