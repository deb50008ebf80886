// The status pages: /status (public) and /status/{client} (private: the client's users, or its secret
// link), each as HTML, .json, .atom and .rss, served from memory and re-rendered once per change.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/open.js';
import type { ServiceSettings } from '../../services/context.js';
import { buildStatusDocument, pagePath, type StatusScope } from '../../services/status-pages/status-document.js';
import { findStatusPageClient, statusPageAccess, type StatusPageClient } from '../../services/status-pages/status-page-clients.js';
import { SESSION_COOKIE } from '../request-context.js';
import { matchesEtag, rendered, responseFor, StatusCache, type Format, type PageEntry } from './status-cache.js';
import { renderAtom, renderRss } from './status-feeds.js';
import { renderMessagePage, renderStatusHtml } from './status-html.js';

export const STATUS_SCHEMA_PATH = '/status-schema.json';
const SCHEMA_FILE = new URL('../../../docs/status-schema.json', import.meta.url);
const CHANNELS = ['herald_status', 'herald_incident', 'herald_maintenance'];
const FORMATS: Record<string, Format> = { '': 'html', '.json': 'json', '.atom': 'atom', '.rss': 'rss' };

export interface StatusPageDeps {
  database: Database;
  settings: ServiceSettings;
  cache?: StatusCache;
  /**
   * Tells this instance at once that a client's page changed (its secret link was rotated here): other
   * instances hear it by NOTIFY, which may come a moment after the answer to the change.
   */
  onClientPagesChanged?: (listener: () => void) => void;
}

export function statusRoutes(app: FastifyInstance, deps: StatusPageDeps): StatusCache {
  const { database, settings } = deps;
  const cache = deps.cache ?? new StatusCache();
  const unlisten: (() => Promise<void>)[] = [];
  app.addHook('onReady', async () => {
    for (const channel of CHANNELS) unlisten.push(await database.listen(channel, () => cache.invalidate()));
    // Changes made while nobody listened are not known: start afresh.
    cache.invalidate();
  });
  app.addHook('onClose', async () => {
    stopResync();
    // Closing: a listening connection that already broke has nothing left to release.
    for (const u of unlisten) await u().catch(() => {});
  });

  /**
   * Renders a page; when nothing shown differs from the last copy (a change elsewhere, an internal
   * note), the last copy is kept as it was, with its time and ETag, so readers and CDNs keep it too.
   */
  const renderScope = async (key: string, scope: StatusScope, query: string): Promise<Omit<PageEntry, 'generation' | 'dayEndsAt' | 'renderedAt'>> => {
    const doc = await buildStatusDocument(database.db, scope, { baseUrl: settings.baseUrl, companyName: settings.companyName, now: new Date() });
    const contentHash = createHash('sha256')
      .update(`${query}\n${JSON.stringify({ ...doc, generatedAt: null })}`)
      .digest('base64url');
    const last = cache.last(key);
    if (last && (last.extra as { contentHash?: string } | undefined)?.contentHash === contentHash) return { formats: last.formats, extra: last.extra };
    const isPrivate = scope.kind === 'client';
    const path = pagePath(scope);
    return {
      formats: {
        html: rendered('html', renderStatusHtml(doc, { path, query }), isPrivate),
        json: rendered('json', JSON.stringify(doc), isPrivate),
        atom: rendered('atom', renderAtom(doc, `${settings.baseUrl}${path}.atom`), isPrivate),
        rss: rendered('rss', renderRss(doc, `${settings.baseUrl}${path}.rss`), isPrivate),
      },
      extra: { contentHash },
    };
  };

  const send = (request: FastifyRequest, reply: FastifyReply, entry: PageEntry, format: Format, staleSeconds: number | null) => {
    const r = entry.formats[format];
    const out = responseFor(r, staleSeconds);
    reply.headers(out.headers);
    if (matchesEtag(request.headers['if-none-match'], String(out.headers.etag))) {
      reply.removeHeader('content-length');
      return reply.code(304).send();
    }
    return reply.code(200).send(out.body);
  };

  const publicPage = async (request: FastifyRequest, reply: FastifyReply, format: Format) => {
    const served = await cache.get('public', () => renderScope('public', { kind: 'public' }, ''));
    return send(request, reply, served.entry, format, served.staleSeconds);
  };

  // When a current copy is at hand, the public page is answered before routing by the plugin in
  // public-status-fast-path.ts (registered in app.ts); these routes answer the rest.
  for (const [suffix, format] of Object.entries(FORMATS)) {
    app.get(`/status${suffix}`, { schema: { hide: true }, config: { isPublic: true } }, (request, reply) => publicPage(request, reply, format));
  }

  // Which client a page name means, and the hash of its secret link; re-read after any change.
  const clientPages = new Map<string, { generation: number; page: StatusPageClient | null }>();
  let clientGeneration = 0;
  app.addHook('onReady', async () => {
    unlisten.push(await database.listen('herald_status', () => clientGeneration++));
    deps.onClientPagesChanged?.(() => clientGeneration++);
  });
  // The listening connection was lost and is back: the changes announced meanwhile were never heard,
  // so every rendered page and every client lookup (with its secret link's hash) is taken as stale.
  const stopResync = database.onNotificationsMissed(() => {
    cache.invalidate();
    clientGeneration++;
  });

  const findClient = async (slug: string): Promise<StatusPageClient | null> => {
    const known = clientPages.get(slug);
    if (known && known.generation === clientGeneration) return known.page;
    try {
      const page = await findStatusPageClient(database.db, slug);
      if (clientPages.size > 10_000) clientPages.clear();
      clientPages.set(slug, { generation: clientGeneration, page });
      return page;
    } catch (err) {
      // The database is away: what was known last still decides who may see the last copy.
      if (known) return known.page;
      throw err;
    }
  };

  /** The secret link, or a session of a user who may see this client's page (its own users, or staff). */
  // A session that cannot be checked (the database away) sees what a visitor without one sees.
  const mayView = (request: FastifyRequest, client: StatusPageClient, key: string | undefined) =>
    statusPageAccess(database.db, client, { key, sessionToken: request.cookies[SESSION_COOKIE] }, new Date()).catch((err: unknown) => {
      request.log.warn({ err }, 'a status page session could not be checked');
      return null;
    });

  const notFoundPage = (reply: FastifyReply) =>
    reply
      .code(404)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderMessagePage('No status page here', 'There is no status page at this address, or it is private: log in as a user of the client, or use the secret link the client was given.'));

  app.get('/status/:page', { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
    const { page } = request.params as { page: string };
    const m = /^([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)(\.json|\.atom|\.rss)?$/.exec(page);
    if (!m) return notFoundPage(reply);
    const format = FORMATS[m[2] ?? '']!;
    const rawKey = (request.query as Record<string, unknown>).key;
    const key = typeof rawKey === 'string' && rawKey ? rawKey : undefined;
    const client = await findClient(m[1]!);
    if (!client) return notFoundPage(reply);
    const how = await mayView(request, client, key);
    if (!how) return notFoundPage(reply);
    const scope: StatusScope = { kind: 'client', clientId: client.id, name: client.name, slug: client.slug };
    const query = how === 'key' ? `?key=${encodeURIComponent(key!)}` : '';
    const slot = `client:${client.id}:${how}`;
    const served = await cache.get(slot, () => renderScope(slot, scope, query));
    return send(request, reply, served.entry, format, served.staleSeconds);
  });

  const schemaText = readFileSync(SCHEMA_FILE, 'utf8');
  const schema = rendered('json', schemaText, false);
  app.get(STATUS_SCHEMA_PATH, { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
    reply.headers({ ...schema.headers, 'content-type': 'application/schema+json; charset=utf-8', 'cache-control': 'public, max-age=3600' });
    if (matchesEtag(request.headers['if-none-match'], schema.etag)) {
      reply.removeHeader('content-length');
      return reply.code(304).send();
    }
    return reply.send(schema.body);
  });

  return cache;
}
