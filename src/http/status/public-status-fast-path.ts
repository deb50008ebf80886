// The public status page answered before Fastify: a GET or HEAD of /status, /status.json,
// /status.atom or /status.rss is written straight from the cached copy when a current one is at hand;
// everything else (and the public page while it has no current copy) goes to Fastify as usual.
//
// Why: the public page is what everyone reloads during an incident, and it is the same bytes for all.
// With this path `npm run bench:status` measured /status at 1.02 of a bare node:http server answering
// the same bytes (13,170 against 12,890 requests/s; PostgreSQL, 100 connections, an update published
// every second; the closing measurement of issue 4), and at 0.98 when issue 14 was written. The routed path (Fastify's routing, hooks and
// reply for each request) was not measured on its own then: to re-measure, leave this plugin out of
// app.ts and run `npm run bench:status`; if the ratio stays at 0.9 or more, this file can go.
//
// What a request answered here skips, and why that is safe: the auth hook (the public page needs no
// login), the security-headers hook (the cached copy carries the same fixed set, see status-cache.ts),
// rate limits (none on these routes) and the /metrics request counters (these requests are not counted).
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeCached, type Format, type StatusCache } from './status-cache.js';

const PUBLIC_PATHS: Record<string, Format> = { '/status': 'html', '/status.json': 'json', '/status.atom': 'atom', '/status.rss': 'rss' };

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export const publicStatusFastPath: FastifyPluginAsync<{ cache: StatusCache }> = async (app: FastifyInstance, { cache }) => {
  // Fastify has put its own request listener on the server; this one goes in its place and hands on
  // whatever it does not answer itself.
  const [fastifyHandler] = app.server.listeners('request') as RequestListener[];
  if (!fastifyHandler) return;
  app.server.removeListener('request', fastifyHandler);
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const format = req.url!.startsWith('/status') && (req.method === 'GET' || req.method === 'HEAD') ? PUBLIC_PATHS[req.url!] : undefined;
    const entry = format ? cache.peek('public') : null;
    if (entry && format) return writeCached(req, res, entry.formats[format]);
    fastifyHandler.call(app.server, req, res);
  });
};
