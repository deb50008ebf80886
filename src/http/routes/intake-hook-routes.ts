// Monitoring webhooks: POST /hooks/alertmanager, /hooks/grafana and /hooks/generic/{integration}.
// Who is calling is settled from the headers before a byte of the body is read (onRequest): a bearer
// token, or the integration named in the path for a signed call. An unknown, disabled or throttled
// caller is answered at once and its connection closed, so its body is never read. A known caller
// takes one of a bounded number of slots, then its body is streamed up to hookMaxBytes (signature
// checked chunk by chunk, nothing kept but the text), stored with its job in one transaction, and
// answered 202. Processing happens in a job.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/open.js';
import { AppError } from '../../services/app-error.js';
import type { Enqueuer } from '../../services/context.js';
import { acceptAlertPayload } from '../../services/intake/alert-payloads.js';
import { countAlerts, parseJsonBody, readAlertPayload, type IntegrationKind } from '../../services/intake/alert-formats.js';
import { identifyHookCaller, requireSignedBody, type IdentifiedHookCaller } from '../../services/intake/integrations.js';
import { DEFAULT_HOOK_LIMITS, FailureThrottle, InFlightLimit, type HookLimitSettings } from '../hook-limits.js';
import { sendProblem } from '../problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The integration calling a hook, known from the headers before the body is read. */
    hookCaller?: IdentifiedHookCaller;
  }
}

export interface HookRouteOptions {
  database: Database;
  jobs: Enqueuer | null;
  /** Largest hook body (default 32 MB; other routes keep the app's 1 MB). */
  hookMaxBytes?: number;
  /** Bodies in flight and failed authentications per address (DEFAULT_HOOK_LIMITS). */
  limits?: Partial<HookLimitSettings>;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

const tooLarge = (limit: number) => Object.assign(new Error(`The body is larger than the hooks' limit of ${limit} bytes.`), { statusCode: 413 });

/**
 * Reads a hook body as UTF-8 text, stopping with 413 at `limit` bytes; a signed call's signature is
 * fed each chunk as it arrives, so no copy of the raw bytes is kept beside the text.
 */
function readHookBody(payload: Readable, limit: number, caller: IdentifiedHookCaller | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let received = 0;
    const cleanup = () => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      caller?.signature?.update(bytes);
      text += decoder.write(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(text + decoder.end());
    };
    const onError = (err: Error) => {
      cleanup();
      reject(Object.assign(err, { statusCode: 400 }));
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

/** How long a refused caller's connection is kept after the answer, at most, before it is cut. */
const LINGER_MS = 2000;

/**
 * Closes the connection once the answer is sent, without reading the rest of the body. Not by
 * `Connection: close` alone: Node then destroys the socket with the unread body still in its receive
 * buffer, which resets the connection, and a reset makes the caller's system drop the answer before
 * the caller has read it (half of a flood's callers never saw their 401). Instead, after the answer:
 * the request stream is paused (Node would otherwise read and discard the whole body), the sending
 * side is closed (FIN), so the caller reads the answer, stops and closes; the socket is cut when the
 * caller has closed or LINGER_MS have passed, whichever comes first.
 */
function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply) {
  const socket = reply.raw.socket;
  if (!socket || typeof socket.end !== 'function') return; // app.inject: no real socket
  // After Node's own 'finish' listener, which starts reading the rest of the body to discard it.
  reply.raw.once('finish', () => {
    request.raw.pause();
    socket.pause();
    socket.end();
    const cut = setTimeout(() => socket.destroy(), LINGER_MS);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
  });
}

/** A refusal before the body is read: the answer, then the connection is closed without waiting for the body. */
function refuseEarly(reply: FastifyReply, request: FastifyRequest, status: number, code: string, detail: string, retryAfterSeconds?: number) {
  closeAfterAnswer(request, reply);
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return sendProblem(reply, request, { status, code, detail });
}

export function intakeHookRoutes(app: FastifyInstance, opts: HookRouteOptions): void {
  const bodyLimit = opts.hookMaxBytes ?? 32 * 1024 * 1024;
  const limits = { ...DEFAULT_HOOK_LIMITS, ...opts.limits };
  const inFlight = new InFlightLimit(limits);
  const failures = new FailureThrottle(limits.failuresPerMinute);

  void app.register(async (hooks) => {
    hooks.removeAllContentTypeParsers();
    // Any content type: the body is the integration's payload, read only for a caller already known.
    hooks.addContentTypeParser('*', (request: FastifyRequest, payload: Readable, done: (err: Error | null, body?: unknown) => void) => {
      readHookBody(payload, bodyLimit, request.hookCaller).then((text) => done(null, text), done);
    });

    const identify = (kind: IntegrationKind) => async (request: FastifyRequest, reply: FastifyReply) => {
      const now = new Date();
      const wait = failures.retryAfterSeconds(request.ip, now.getTime());
      if (wait > 0) return refuseEarly(reply, request, 429, 'rate_limited', 'Too many failed calls from this address; try again later.', wait);
      const slug = (request.params as { integration?: string }).integration ?? null;
      let caller: IdentifiedHookCaller;
      try {
        if (slug !== null && !SLUG.test(slug)) throw new AppError('unauthenticated', 'No integration has this name.');
        caller = await identifyHookCaller(opts.database.db, { kind, slug, authorization: request.headers.authorization, headers: request.headers, now });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === 'unauthenticated') failures.recordFailure(request.ip, now.getTime());
        return refuseEarly(reply, request, err.code === 'unauthenticated' ? 401 : 403, err.code, err.message);
      }
      const declared = request.headers['content-length'] === undefined ? NaN : Number(request.headers['content-length']);
      if (declared > bodyLimit) return refuseEarly(reply, request, 413, 'payload_too_large', tooLarge(bodyLimit).message);
      const slot = inFlight.acquire(caller.integration.id, Number.isFinite(declared) ? declared : bodyLimit);
      if (!slot.ok) {
        return slot.reason === 'integration_busy'
          ? refuseEarly(reply, request, 429, 'rate_limited', `This integration already has ${limits.maxInFlightPerIntegration} calls in progress; try again shortly.`, 1)
          : refuseEarly(reply, request, 503, 'server_busy', 'The hooks are handling as many calls as they take at once; try again shortly.', 1);
      }
      // 'close' comes once the answer is sent or the connection is gone, whichever way the call ends.
      reply.raw.once('close', slot.release);
      request.hookCaller = caller;
    };

    const handle = (kind: IntegrationKind) => async (request: FastifyRequest, reply: FastifyReply) => {
      const now = new Date();
      const caller = request.hookCaller!;
      try {
        requireSignedBody(caller.signature);
      } catch (err) {
        failures.recordFailure(request.ip, now.getTime());
        throw err;
      }
      const text = typeof request.body === 'string' ? request.body : '';
      const groups = readAlertPayload(kind, parseJsonBody(text), { groupKeyPath: caller.integration.groupKeyPath });
      if (!opts.jobs) throw new Error('The job queue is not running.');
      const alerts = countAlerts(groups);
      const { payloadId } = await acceptAlertPayload(opts.database, opts.jobs, { integration: caller.integration, bodyText: text, alertCount: alerts, now });
      return reply.code(202).send({ status: 'accepted', payloadId, integration: caller.integration.slug, alerts, groups: groups.length });
    };
    // onRequest per route: it runs before the body is read (the content-type parser comes later).
    const route = (kind: IntegrationKind) => ({ schema: { hide: true }, bodyLimit, config: { isPublic: true }, onRequest: identify(kind) });
    hooks.post('/hooks/alertmanager', route('alertmanager'), handle('alertmanager'));
    hooks.post('/hooks/alertmanager/:integration', route('alertmanager'), handle('alertmanager'));
    hooks.post('/hooks/grafana', route('grafana'), handle('grafana'));
    hooks.post('/hooks/grafana/:integration', route('grafana'), handle('grafana'));
    hooks.post('/hooks/generic/:integration', route('generic'), handle('generic'));
  });
}
