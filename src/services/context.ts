// What every service verb receives: who acts, in which transaction, at what time.
import type { TargetRule } from '../channels/public-target.js';
import type { Db } from '../db/open.js';
import type { Actor } from '../domain/types.js';
import { AppError } from './app-error.js';

export interface ServiceSettings {
  /** Public address of this install, for links in messages. */
  baseUrl: string;
  pastOccurrenceMonths: number;
  /** The sender's name in messages ("Brightline Hosting"). */
  companyName: string;
  /** 'email' when an SMTP server is configured; else messages go to the local outbox. */
  emailChannel: 'email' | 'outbox';
  /** Right-hand side of the Message-IDs of e-mails Herald sends. */
  messageIdDomain: string;
  /** The private-address rule clients' endpoints are held to when staff save them (HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS); absent: the strict rule with the system's DNS. */
  endpointTargets?: TargetRule;
}

/** Enqueues durable jobs inside the caller's transaction (the job queue implements it). */
export interface Enqueuer {
  enqueue(tx: Db, queue: string, jobs: { data: object; startAfter?: Date }[]): Promise<void>;
}

export interface Ctx {
  actor: Actor;
  tx: Db;
  now: Date;
  settings: ServiceSettings;
  /** Absent where nothing is delivered in the background (everything goes to the local outbox). */
  jobs?: Enqueuer | null;
  /**
   * How the verb opens a transaction, present when it runs outside one (it is declared with
   * `autocommit: true` and its caller runs it so): `tx` is then the database itself and every statement
   * commits on its own. Absent: `tx` is the caller's transaction. Verbs call `transaction(ctx, fn)`.
   */
  openTransaction?: (<T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>) | undefined;
  /**
   * Announces a change (NOTIFY `channel`) once what the verb wrote has committed: at once outside a
   * transaction, else when the transaction commits (nothing when it rolls back). Where it is set, the
   * incident commands tell the database not to announce their changes itself (see migration 0009).
   */
  afterCommit?: ((channel: string, payload: string) => void) | undefined;
}

/** Whether the verb runs outside a transaction (see Ctx.openTransaction). */
export const isAutocommit = (ctx: Ctx): boolean => !!ctx.openTransaction;

/**
 * Runs `fn` in a transaction: a new one (with a context of its own) when the verb runs outside one,
 * else the current one. For a verb that must write with more than one statement.
 */
export const transaction = <T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> => (ctx.openTransaction ? ctx.openTransaction(fn) : fn(ctx));

/**
 * A service verb, `(ctx, ...args)`, that says whether it may run outside a transaction. One with
 * `autocommit: true` writes in one statement at a time, each safe alone (the incident commands: one
 * conditional write), or opens a transaction itself through `transaction(ctx, fn)`: the HTTP runner
 * runs it without BEGIN and COMMIT, holding no lock while it decides. Any other verb runs in its
 * caller's transaction.
 */
export type Verb<A extends unknown[], R> = ((ctx: Ctx, ...args: A) => Promise<R>) & { readonly autocommit: boolean };

export const defineVerb = <A extends unknown[], R>(def: { autocommit: boolean; run: (ctx: Ctx, ...args: A) => Promise<R> }): Verb<A, R> =>
  Object.assign((ctx: Ctx, ...args: A) => def.run(ctx, ...args), { autocommit: def.autocommit });

/** The value for set_config('herald.notify_by_app', …, true) in a statement run with this context. */
export const notifyByApp = (ctx: Ctx) => (ctx.afterCommit ? 'on' : 'off');

export const isStaff = (ctx: Ctx) => ctx.actor.role !== 'client';
export const isWriter = (ctx: Ctx) => ctx.actor.role === 'admin' || ctx.actor.role === 'member';

export function requireStaff(ctx: Ctx): void {
  if (!isStaff(ctx)) throw new AppError('forbidden', 'This is for staff only.');
}

export function requireWriter(ctx: Ctx): void {
  if (!isWriter(ctx)) throw new AppError('forbidden', 'Only admins and members may do this.');
}

export function requireAdmin(ctx: Ctx): void {
  if (ctx.actor.role !== 'admin') throw new AppError('forbidden', 'Only admins may do this.');
}

/** The client organisation a client user is tied to; null for staff, who see every client. */
export function clientScope(ctx: Ctx): string | null {
  if (ctx.actor.role !== 'client') return null;
  if (!ctx.actor.clientId) throw new AppError('forbidden', 'This client user is not tied to a client.');
  return ctx.actor.clientId;
}
