// Authentication of API requests (session cookie with CSRF token, or bearer API token), and the
// helpers that run a service verb in a transaction with the request's actor.
import '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Db } from '../db/open.js';
import { AppError } from '../services/app-error.js';
import { authenticate, type Authenticated } from '../services/auth/credentials.js';
import type { Ctx, Enqueuer, ServiceSettings, Verb } from '../services/context.js';
import { findKeptAnswer, IdempotencyKey, keepAnswer } from '../services/requests/idempotency-keys.js';
import { pgErrorCode } from './problem.js';

export const SESSION_COOKIE = 'herald_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    isPublic?: boolean;
  }
}

export async function authenticateRequest(database: Database, request: FastifyRequest): Promise<Authenticated> {
  const now = new Date();
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const auth = m ? await authenticate(database.db, m[1]!, 'token', now) : null;
    if (!auth) throw new AppError('unauthenticated', 'The API token is not valid, expired or revoked.');
    return auth;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) throw new AppError('unauthenticated', 'Log in, or send an API token as "Authorization: Bearer …".');
  const auth = await authenticate(database.db, cookie, 'session', now);
  if (!auth) throw new AppError('unauthenticated', 'The session has ended; log in again.');
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || sent !== auth.csrfToken) {
      throw new AppError('csrf_failed', 'Send the X-CSRF-Token header given at login with every change made from a session.');
    }
  }
  return auth;
}

/**
 * A verb with its arguments and how its result is answered (with the same context), for
 * Runner.command: the runner reads from the verb whether it may run outside a transaction.
 */
export interface VerbCall<T> {
  autocommit: boolean;
  run: (ctx: Ctx) => Promise<T>;
}

export function call<A extends unknown[], R, T = R>(verb: Verb<A, R>, args: A, present?: (result: R, ctx: Ctx) => T | Promise<T>): VerbCall<T> {
  return {
    autocommit: verb.autocommit,
    run: async (ctx) => {
      const result = await verb(ctx, ...args);
      return present ? present(result, ctx) : (result as unknown as T);
    },
  };
}

export interface Runner {
  /** Runs a read with the request's actor, outside any transaction. */
  query<T>(request: FastifyRequest, fn: (ctx: Ctx) => Promise<T>): Promise<T>;
  /**
   * Runs a write in one transaction. With an Idempotency-Key header, the answer is stored in the same
   * transaction (sealed under the key: services/requests/idempotency-keys.ts) and replayed for a
   * repeat of the same request within 24 hours. `storedAs` gives the answer without its secret, kept
   * instead under a key too short to protect one. A verb declared `autocommit` (see
   * Verb), given as call(verb, args, present), runs outside a transaction when no Idempotency-Key is
   * sent, saving the BEGIN and COMMIT round trips and holding no lock while it decides.
   */
  command<T>(request: FastifyRequest, reply: FastifyReply, status: number, fn: ((ctx: Ctx) => Promise<T>) | VerbCall<T>, opts?: { storedAs?: (body: T) => unknown }): Promise<unknown>;
}

export function createRunner(database: Database, settings: ServiceSettings, jobs: Enqueuer | null = null): Runner {
  const actorOf = (request: FastifyRequest) => {
    if (!request.auth) throw new AppError('unauthenticated', 'Log in first.');
    return request.auth.actor;
  };
  const announce = (channel: string, payload: string) => database.notify(channel, payload);
  /** Runs `fn` in a transaction whose announcements go out once it has committed. */
  const inTransactionAnnouncing = async <T>(fn: (tx: Db, afterCommit: (channel: string, payload: string) => void) => Promise<T>): Promise<T> => {
    const held: [string, string][] = [];
    const result = await database.transaction((tx) => fn(tx, (channel, payload) => void held.push([channel, payload])));
    for (const [channel, payload] of held) announce(channel, payload);
    return result;
  };
  return {
    query: (request, fn) => fn({ actor: actorOf(request), tx: database.db, now: new Date(), settings, jobs, afterCommit: announce }),
    async command(request, reply, status, fnOrCall, opts) {
      const actor = actorOf(request);
      const rawKey = request.headers['idempotency-key'];
      const key = typeof rawKey === 'string' ? rawKey : null;
      if (key !== null && (key.length < 1 || key.length > 255)) throw new AppError('invalid_input', 'Idempotency-Key must be 1 to 255 characters.', { field: 'Idempotency-Key' });
      const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
      const fn = typeof fnOrCall === 'function' ? fnOrCall : fnOrCall.run;
      if (!key && typeof fnOrCall !== 'function' && fnOrCall.autocommit) {
        const now = new Date();
        const body = await fn({
          actor,
          tx: database.db,
          now,
          settings,
          jobs,
          afterCommit: announce,
          openTransaction: (inner) => inTransactionAnnouncing((tx, afterCommit) => inner({ actor, tx, now, settings, jobs, afterCommit })),
        });
        reply.code(status);
        return body;
      }
      const kept = key ? new IdempotencyKey(actor.userId, key) : null;
      const requestHash = kept ? kept.fingerprint(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`) : '';
      const attempt = () =>
        inTransactionAnnouncing(async (tx, afterCommit) => {
          const now = new Date();
          if (kept) {
            const prior = await findKeptAnswer(tx, kept, now);
            if (prior) {
              if (prior.requestHash !== requestHash) throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used for a different request.', { field: 'Idempotency-Key' });
              return { status: prior.statusCode, body: prior.response, isReplay: true };
            }
          }
          const body = await fn({ actor, tx, now, settings, jobs, afterCommit });
          if (kept) {
            const response = opts?.storedAs && !kept.protectsSecrets ? opts.storedAs(body) : body;
            await keepAnswer(tx, kept, { route, requestHash, statusCode: status, response }, now);
          }
          return { status, body, isReplay: false };
        });
      let result;
      try {
        result = await attempt();
      } catch (err) {
        // Two requests with the same key at once: the loser replays the winner's answer.
        if (key && pgErrorCode(err) === '23505') result = await attempt();
        else throw err;
      }
      if (result.isReplay) reply.header('idempotent-replayed', 'true');
      reply.code(result.status);
      return result.body;
    },
  };
}

export function registerAuthHook(app: FastifyInstance, database: Database): void {
  app.decorateRequest('auth', null);
  // onRequest: who is asking is known from the headers, before a body is read or checked, so a caller
  // without credentials learns nothing from validation errors and costs no body parsing.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.isPublic) return;
    // The route reached, not the URL's text: the router decodes percent-escapes, so /%61pi/v1/events
    // reaches the /api/v1/events handler and must meet its check.
    if (!request.routeOptions.url?.startsWith('/api/v1/')) return;
    request.auth = await authenticateRequest(database, request);
  });
}
