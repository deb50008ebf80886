// Serves the built admin console (dist/ui, made by `npm run build`) at `/`: hashed assets cached for a
// year, index.html never cached, and every other page path answered with index.html (the console
// routes in the browser). Paths of the API, hooks, status pages and setup keep their own 404s.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem.js';

/** Path prefixes that belong to the server, never to the console. */
const SERVER_PATHS = /^\/(api|hooks|status|setup|healthz|readyz|metrics)(\/|\.|$)/;

/** dist/ui at the project root: the same path from the compiled server (dist/http) and from the sources (src/http). */
export function defaultConsoleDir(): string {
  return fileURLToPath(new URL('../../dist/ui/', import.meta.url));
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Herald</title>
<style>:root{color-scheme:light dark;background:Canvas;color:CanvasText;font-family:system-ui,sans-serif}body{max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
<h1>Herald</h1><p>The console is not built. Run <code>npm run build</code> (or <code>npm ci</code>), then reload.</p>
<p>The API and its documentation: <a href="/api/docs">/api/docs</a>.</p></html>`;

export async function consolePages(app: FastifyInstance, dir: string = defaultConsoleDir()): Promise<void> {
  const isBuilt = existsSync(`${dir}/index.html`);
  if (isBuilt) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      schemaHide: true,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (SERVER_PATHS.test(path) || path.startsWith('/assets/')) {
      return sendProblem(reply, request, { status: 404, code: 'not_found', detail: `No route ${request.method} ${path}.` });
    }
    reply.header('cache-control', 'no-cache');
    if (!isBuilt) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}
