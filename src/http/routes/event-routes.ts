// Server-sent events: `incident` events ({id, key}) whenever an incident changes, so consoles
// refresh without reloading. Client users hear only of incidents they may see. A `resync` event
// ({}) says changes may have been missed (the database's listening connection was lost and is back):
// the console then refetches everything it shows.
//
// A stream lives only as long as the credential that opened it: every `recheckMs` the session or
// token is checked again (as a request would be), and once it is logged out, revoked, expired or its
// user disabled the stream is closed. Logging out or revoking ends it within recheckMs on this
// process, and within recheckMs plus the credential cache's 10 s on the others. A user holds at most
// `maxStreamsPerUser` streams on one process: one more is refused with 429 rather than closing the
// oldest, since a browser reconnects a closed stream by itself (tabs would then close each other's
// streams in turn for ever), whereas it gives up on a 429.
import type { FastifyInstance } from 'fastify';
import type { ReportFailure } from '../../background-failures.js';
import type { Database } from '../../db/open.js';
import { authenticateRequest } from '../request-context.js';
import { sendProblem } from '../problem.js';
import { isIncidentVisibleToClient } from '../../services/incidents/incident-visibility.js';
import { z } from 'zod';
import { replies } from '../response-schemas/common.js';

const HEARTBEAT_MS = 15_000;

export interface EventStreamLimits {
  /** How often an open stream's session or token is checked again (default 15 s). */
  recheckMs?: number;
  /** Streams one user may hold open on this process (default 5; HERALD_EVENT_STREAMS_PER_USER). */
  maxStreamsPerUser?: number;
}
/** How long the database stays listened to after the last stream closed. */
const IDLE_LISTEN_MS = 60_000;

export function eventRoutes(app: FastifyInstance, database: Database, reportFailure: ReportFailure, limits: EventStreamLimits = {}) {
  const recheckMs = limits.recheckMs ?? 15_000;
  const maxStreamsPerUser = limits.maxStreamsPerUser ?? 5;
  const subscribers = new Set<(change: { id: string; key: string }) => void>();
  const streams = new Set<{ end: () => void; resync: () => void }>();
  const stopResync = database.onNotificationsMissed(() => {
    for (const s of streams) s.resync();
  });
  const streamsByUser = new Map<string, number>();
  const onPayload = (payload: string) => {
    let change: { id: string; key: string };
    try {
      change = JSON.parse(payload) as { id: string; key: string };
    } catch (err) {
      reportFailure('live-updates-payload', err);
      return;
    }
    for (const s of subscribers) s(change);
  };
  // The database is listened to only while a stream is open (and a while after the last one closed):
  // a server nobody watches takes no notification for every change it and the other servers make.
  let listening: Promise<() => Promise<void>> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  const startListening = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    // A callback of its own per LISTEN: the one being let go must not take the new one's with it.
    listening ??= database.listen('herald_incident', (payload) => onPayload(payload)).catch((err: unknown) => {
      listening = null;
      throw err;
    });
    return listening;
  };
  const stopListening = async () => {
    const current = listening;
    listening = null;
    // A LISTEN that never started has nothing to stop (its failure was the stream's to answer).
    if (current) await (await current.catch(() => async () => {}))();
  };
  const stopListeningSoon = () => {
    if (subscribers.size || idleTimer) return;
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (!subscribers.size) void stopListening().catch((err: unknown) => reportFailure('live-updates-unlisten', err));
    }, IDLE_LISTEN_MS);
    idleTimer.unref();
  };
  // Open streams would hold the server open: end them before it closes.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });
  app.addHook('onClose', async () => {
    stopResync();
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    await stopListening();
  });

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Server-sent events: `incident` with {id, key} whenever an incident you may see changes; `resync` when changes may have been missed (refetch)',
        response: replies({ 200: { description: 'An event stream that stays open', content: { 'text/event-stream': { schema: z.string() } } } }),
      },
    },
    async (request, reply) => {
      const actor = request.auth!.actor;
      const held = streamsByUser.get(actor.userId) ?? 0;
      if (held >= maxStreamsPerUser) {
        reply.header('retry-after', '60');
        return sendProblem(reply, request, {
          status: 429,
          code: 'too_many_streams',
          detail: `You have ${held} event streams open, the most one user may hold; close one (another tab or program) first.`,
        });
      }
      // Counted before the first await, so streams opened at the same moment cannot pass the cap together.
      streamsByUser.set(actor.userId, held + 1);
      let isCounted = true;
      const uncount = () => {
        if (!isCounted) return;
        isCounted = false;
        const left = (streamsByUser.get(actor.userId) ?? 1) - 1;
        if (left > 0) streamsByUser.set(actor.userId, left);
        else streamsByUser.delete(actor.userId);
      };
      try {
        // Listening before the stream opens: every change committed after the client sees it open reaches it.
        await startListening();
      } catch (err) {
        uncount();
        throw err;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n: connected\n\n');
      const isVisible = async (id: string) => {
        if (actor.role !== 'client' || !actor.clientId) return actor.role !== 'client';
        return isIncidentVisibleToClient(database.db, id, actor.clientId);
      };
      const send = (change: { id: string; key: string }) => {
        void isVisible(change.id).then(
          (ok) => {
            if (ok && !res.writableEnded) res.write(`event: incident\ndata: ${JSON.stringify({ id: change.id, key: change.key })}\n\n`);
          },
          // Not passed on: the console refreshes on the next change or reload anyway.
          (err: unknown) => reportFailure('live-updates-visibility', err),
        );
      };
      subscribers.add(send);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const recheck = setInterval(() => {
        authenticateRequest(database, request).then(
          (auth) => {
            if (auth.credentialId !== request.auth!.credentialId) stream.end();
          },
          // Logged out, revoked, expired, or the user disabled (or the check itself failed: the
          // console reconnects, and is then let in again only with a valid credential).
          () => {
            if (!res.writableEnded) res.write('event: end\ndata: {"reason":"credential_ended"}\n\n');
            stream.end();
          },
        );
      }, recheckMs);
      const stream = {
        resync: () => {
          if (!res.writableEnded) res.write('event: resync\ndata: {}\n\n');
        },
        end: () => {
          clearInterval(heartbeat);
          clearInterval(recheck);
          uncount();
          subscribers.delete(send);
          streams.delete(stream);
          stopListeningSoon();
          if (!res.writableEnded) res.end();
        },
      };
      streams.add(stream);
      request.raw.on('close', stream.end);
      // Gone while the LISTEN started: 'close' has already fired.
      if (request.raw.destroyed || res.destroyed) stream.end();
    },
  );
}
