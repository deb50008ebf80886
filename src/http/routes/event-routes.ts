// Server-sent events: `incident` events ({id, key}) whenever an incident changes, so consoles
// refresh without reloading. Client users hear only of incidents they may see. A `resync` event
// ({}) says changes may have been missed (the database's listening connection was lost and is back):
// the console then refetches everything it shows.
import type { FastifyInstance } from 'fastify';
import type { ReportFailure } from '../../background-failures.js';
import type { Database } from '../../db/open.js';
import { isIncidentVisibleToClient } from '../../services/incidents/incident-visibility.js';
import { z } from 'zod';
import { replies } from '../response-schemas/common.js';

const HEARTBEAT_MS = 15_000;
/** How long the database stays listened to after the last stream closed. */
const IDLE_LISTEN_MS = 60_000;

export function eventRoutes(app: FastifyInstance, database: Database, reportFailure: ReportFailure) {
  const subscribers = new Set<(change: { id: string; key: string }) => void>();
  const streams = new Set<{ end: () => void; resync: () => void }>();
  const stopResync = database.onNotificationsMissed(() => {
    for (const s of streams) s.resync();
  });
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
      // Listening before the stream opens: every change committed after the client sees it open reaches it.
      await startListening();
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
      const stream = {
        resync: () => {
          if (!res.writableEnded) res.write('event: resync\ndata: {}\n\n');
        },
        end: () => {
          clearInterval(heartbeat);
          subscribers.delete(send);
          streams.delete(stream);
          stopListeningSoon();
          if (!res.writableEnded) res.end();
        },
      };
      streams.add(stream);
      request.raw.on('close', stream.end);
    },
  );
}
