// Every incident command goes through here, on one of two paths:
// - Outside a transaction (an autocommit verb): decide (the pure lifecycle) on this process's copy of
//   the incident (see incident-memory.ts) and write it, and what the command adds, in ONE statement
//   under the row-version check (incident-save.ts). A command that came first in between makes the
//   write fail; the incident is loaded (without a lock) and decided again. One or two round trips, no
//   BEGIN/COMMIT and no lock held while deciding: that is what lets commands on one incident keep up.
// - In a transaction (the caller's, or one opened because the command asked for it): load the incident
//   locked, decide, let the command write through the transaction, save (no version check needed).
//
// Adding a command: build the lifecycle command from the incident; when it writes more than the
// incident, give `withOutcome`, which answers, for the decided outcome, the rows written with the
// incident (SaveExtension: named CTE parts, an optional guard with the refusal to throw when it held),
// or NEEDS_LOCK when that cannot be one statement (the runner then runs it locked in a transaction,
// where `withOutcome` may write through its context). Declare the verb with
// `defineVerb({ autocommit: true, run })` (context.ts) so that the HTTP runner runs it outside a
// transaction. Examples: incident-commands.ts (plain), assignRoles in classify-incident.ts (a guard),
// sendCommunication in communications/send-communication.ts (rows with the incident, or locked).
import { randomUUID } from 'node:crypto';
import { decide, type Accepted, type Command } from '../../domain/incident/lifecycle.js';
import type { SlaPolicy } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { isAutocommit, notifyByApp, requireWriter, transaction, type Ctx } from '../context.js';
import { memoryOf } from '../handle-memory.js';
import { saveIncident, type IncidentChange, type SaveExtension } from './incident-save.js';
import { loadIncidentForCommand, type IncidentRecord } from './incident-store.js';

export type CommandBuilder = (record: IncidentRecord) => Command | Promise<Command>;

/** The incident as the command was decided on, the accepted outcome and the SLA policies it was decided with. */
export interface Decided {
  record: IncidentRecord;
  outcome: Accepted;
  policies: SlaPolicy[];
  /**
   * True in a transaction with the incident locked: `withOutcome` may write through its context. False
   * outside one: it writes nothing itself, and answers what is written with the incident.
   */
  isLocked: boolean;
}

/** What a command writes besides its outcome (see WithOutcome). */
export interface Addition {
  /** Written with the incident, in its save statement. */
  save?: SaveExtension;
  /**
   * Asked when the save wrote nothing, or the outcome left nothing to write, and `save.guard` may be
   * why: throws the refusal when the guard does not hold (else another command came first, and the
   * command is decided again).
   */
  refuseIfGuarded?: () => Promise<void>;
  /** Locked only: false when the command wrote what it needed itself and its outcome is not saved. */
  isOutcomeSaved?: boolean;
}

/** Returned by WithOutcome outside a transaction: the command runs again, locked, in a transaction. */
export const NEEDS_LOCK = 'needs-lock';

export type WithOutcome = (decided: Decided, ctx: Ctx) => Promise<Addition | typeof NEEDS_LOCK>;

/** How often a command without a lock loads and decides again when other commands keep coming first. */
const MAX_ATTEMPTS = 50;

const announce = (ctx: Ctx, record: IncidentRecord) => ctx.afterCommit?.('herald_incident', JSON.stringify({ id: record.id, key: record.key }));
const hasChanges = (record: IncidentRecord, outcome: Accepted) => outcome.state !== record.state || outcome.events.length > 0;
const changeOf = (record: IncidentRecord, outcome: Accepted): IncidentChange => ({
  before: record.state,
  after: outcome.state,
  events: outcome.events,
  obligationChanges: outcome.obligationChanges,
});

function decideOn(ctx: Ctx, record: IncidentRecord, command: Command, policies: SlaPolicy[]) {
  return decide(record.state, command, { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID });
}

function refusal(outcome: Exclude<ReturnType<typeof decide>, Accepted>): AppError {
  return new AppError(outcome.code, outcome.message, outcome.missing ? { missing: outcome.missing } : {});
}

export async function runIncidentCommand(ctx: Ctx, idOrKey: string, build: CommandBuilder, withOutcome?: WithOutcome): Promise<IncidentRecord> {
  requireWriter(ctx);
  if (!isAutocommit(ctx)) return runLocked(ctx, idOrKey, build, withOutcome);
  const memory = memoryOf(ctx.tx).incidents;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // The first attempt decides on this process's copy when there is one; the others on the incident as stored.
    const copy = attempt === 1 ? memory.recall(idOrKey) : null;
    if (attempt === 1 && !copy) continue;
    const loaded = copy ?? (await loadIncidentForCommand(ctx.tx, idOrKey, { lock: false }));
    const { record, policies } = loaded;
    const outcome = decideOn(ctx, record, await build(record), policies);
    // A refusal, or nothing to do, is only ever decided on the stored incident.
    if (copy && (!outcome.ok || !hasChanges(record, outcome))) continue;
    if (!outcome.ok) throw refusal(outcome);
    const addition = withOutcome ? await withOutcome({ record, outcome, policies, isLocked: false }, ctx) : {};
    if (addition === NEEDS_LOCK) return transaction(ctx, (tctx) => runLocked(tctx, idOrKey, build, withOutcome));
    if (addition.isOutcomeSaved === false) throw new Error('an incident command that does not save its outcome runs locked');
    const after = { ...record, state: outcome.state, updatedAt: ctx.now.toISOString() };
    if (!hasChanges(record, outcome)) {
      // Nothing to write: the guard is still owed an answer.
      await addition.refuseIfGuarded?.();
      return after;
    }
    // A copy is written only while the SLA policies it was decided with are current too.
    const check = { version: loaded.version, policiesVersion: copy ? copy.policiesVersion : null };
    const saved = await saveIncident(ctx, changeOf(record, outcome), check, addition.save ?? null);
    if (saved) {
      memory.remember(after, saved);
      announce(ctx, record);
      return after;
    }
    memory.forget(record.id);
    await addition.refuseIfGuarded?.();
  }
  throw new AppError('conflict', 'The incident is changing too fast; try again.');
}

/** In the caller's transaction: load locked, decide, let the command write, save. */
async function runLocked(ctx: Ctx, idOrKey: string, build: CommandBuilder, withOutcome?: WithOutcome): Promise<IncidentRecord> {
  const memory = memoryOf(ctx.tx).incidents;
  const { record, policies } = await loadIncidentForCommand(ctx.tx, idOrKey, { lock: true, notifyByApp: notifyByApp(ctx) });
  const outcome = decideOn(ctx, record, await build(record), policies);
  if (!outcome.ok) throw refusal(outcome);
  const addition = withOutcome ? await withOutcome({ record, outcome, policies, isLocked: true }, ctx) : {};
  if (addition === NEEDS_LOCK) throw new Error('an incident command asked for the lock it holds');
  // The load marked the transaction (it says who announces the change), and the command may have
  // changed the incident through it: the change is announced whatever is saved below.
  if (addition.isOutcomeSaved === false) {
    memory.forget(record.id);
    announce(ctx, record);
    return record;
  }
  const after = { ...record, state: outcome.state, updatedAt: ctx.now.toISOString() };
  if (!hasChanges(record, outcome)) {
    await addition.refuseIfGuarded?.();
    announce(ctx, record);
    return after;
  }
  const saved = await saveIncident(ctx, changeOf(record, outcome), { version: null, policiesVersion: null }, addition.save ?? null);
  if (!saved) {
    memory.forget(record.id);
    await addition.refuseIfGuarded?.();
    throw new Error(`incident ${record.id} vanished under its lock`);
  }
  // The transaction may still roll back: the copy then no longer matches the row's version, and the
  // next command on it loads it again.
  memory.remember(after, saved);
  announce(ctx, record);
  return after;
}
