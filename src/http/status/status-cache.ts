// Rendered status pages held in memory: rendered once per change, answered with ETag and CDN-friendly
// headers. Any change a page shows (LISTEN/NOTIFY, so every instance hears it) drops every copy; the
// last good copy stays as a fallback for when the database cannot be read, served marked with its age.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../security-headers.js';
import { STALE_MARK } from './status-html.js';

export type Format = 'html' | 'json' | 'atom' | 'rss';

export const CONTENT_TYPES: Record<Format, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
};

/** Public pages: a CDN may keep a copy 5 s and serve it up to 30 s longer while it fetches a new one. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30';
/** Private pages are for one client: never in a shared cache, and revalidated every time. */
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

/** The security headers every other response gets, set here for the fast path (CORP is set per format below). */
const COMMON_HEADERS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'cross-origin-resource-policy')),
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
};

export interface Rendered {
  body: Buffer;
  etag: string;
  format: Format;
  /** Header pairs ready for writeHead (the fast path writes them as they are). */
  headers: Record<string, string | number>;
}

export interface PageEntry {
  formats: Record<Format, Rendered>;
  renderedAt: number;
  /** The next UTC midnight after it was rendered: the uptime bars and history move on then. */
  dayEndsAt: number;
  generation: number;
  /** Whatever the renderer wants to keep with the page (the client page's link hash). */
  extra?: unknown;
}

export function rendered(format: Format, text: string, isPrivate: boolean): Rendered {
  const body = Buffer.from(text, 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return {
    body,
    etag,
    format,
    headers: {
      'content-type': CONTENT_TYPES[format],
      'content-length': body.length,
      etag,
      'cache-control': isPrivate ? PRIVATE_CACHE_CONTROL : PUBLIC_CACHE_CONTROL,
      ...(isPrivate && { 'x-robots-tag': 'noindex' }),
      ...COMMON_HEADERS,
      // The public JSON and feeds may be read by pages elsewhere (status widgets).
      'cross-origin-resource-policy': !isPrivate && format !== 'html' ? 'cross-origin' : 'same-origin',
      ...(!isPrivate && format !== 'html' && { 'access-control-allow-origin': '*' }),
    },
  };
}

const DAY_MS = 86_400_000;
const nextMidnight = (now: number) => (Math.floor(now / DAY_MS) + 1) * DAY_MS;

export interface CacheOptions {
  /** Longest a copy is used without re-rendering, in case a notification was missed (default 60 s). */
  maxAgeMs?: number;
  /** Longest a render may take before the last good copy is served (default 3 s). */
  renderTimeoutMs?: number;
  /** After a failed render, how long to serve the old copy before trying again (default 2 s). */
  retryAfterFailureMs?: number;
  /** How long after a change the previous copy may still be answered while the new one renders (default 500 ms). */
  refreshWindowMs?: number;
}

interface Slot {
  entry: PageEntry | null;
  pending: Promise<PageEntry> | null;
  failedAt: number;
  /** When the copy was first outdated by a change (0 while it is current). */
  outdatedAt: number;
  render: (() => Promise<Omit<PageEntry, 'generation' | 'dayEndsAt' | 'renderedAt'>>) | null;
}

export interface Served {
  entry: PageEntry;
  /** Seconds since the copy was rendered, when it is served because the database could not be read. */
  staleSeconds: number | null;
}

export class StatusCache {
  private generation = 0;
  private readonly slots = new Map<string, Slot>();
  private readonly maxAgeMs: number;
  private readonly renderTimeoutMs: number;
  private readonly retryAfterFailureMs: number;
  private readonly refreshWindowMs: number;
  private readonly onRenderFailure: (err: unknown) => void;

  /** `onRenderFailure` hears of every render that failed, whether a reader waited for it or not (the last copy is served meanwhile). */
  constructor(opts: CacheOptions = {}, onRenderFailure: (err: unknown) => void = () => {}) {
    this.onRenderFailure = onRenderFailure;
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.renderTimeoutMs = opts.renderTimeoutMs ?? 3_000;
    this.retryAfterFailureMs = opts.retryAfterFailureMs ?? 2_000;
    this.refreshWindowMs = opts.refreshWindowMs ?? 500;
  }

  /** Something shown changed: every copy is re-rendered on its next request. */
  invalidate(): void {
    this.generation++;
    const now = Date.now();
    for (const slot of this.slots.values()) if (!slot.outdatedAt) slot.outdatedAt = now;
  }

  /**
   * While a new copy renders, the previous one is still answered, but only within `refreshWindowMs`
   * of the change that outdated it: readers never wait on a render, and never see a change later
   * than that window (plus the time the notification takes).
   */
  private isServableWhileRendering(slot: Slot, now: number): boolean {
    return !!slot.entry && slot.outdatedAt > 0 && now - slot.outdatedAt < this.refreshWindowMs && now < slot.entry.dayEndsAt && now - slot.entry.renderedAt < this.maxAgeMs;
  }

  private isFresh(entry: PageEntry | null, now: number): boolean {
    return !!entry && entry.generation === this.generation && now < entry.dayEndsAt && now - entry.renderedAt < this.maxAgeMs;
  }

  /** The current copy, if there is one: no waiting, for the fast path (which may start a re-render). */
  peek(key: string, now = Date.now()): PageEntry | null {
    const slot = this.slots.get(key);
    const entry = slot?.entry ?? null;
    if (!slot || !entry) return null;
    if (this.isFresh(entry, now)) return entry;
    if (slot.render && this.isServableWhileRendering(slot, now) && now - slot.failedAt >= this.retryAfterFailureMs) {
      // A failure is reported where the render fails (startRender); nobody waits for this one.
      this.startRender(slot, slot.render).catch(() => {});
      return entry;
    }
    return null;
  }

  private startRender(s: Slot, render: NonNullable<Slot['render']>): Promise<PageEntry> {
    if (s.pending) return s.pending;
    const generation = this.generation;
    const startedAt = Date.now();
    s.pending = withTimeout(render(), this.renderTimeoutMs)
      .then((r) => {
        const entry: PageEntry = { ...r, generation, dayEndsAt: nextMidnight(startedAt), renderedAt: startedAt };
        s.entry = entry;
        s.failedAt = 0;
        // Outdated again if a change came in while this rendered.
        s.outdatedAt = generation === this.generation ? 0 : s.outdatedAt || Date.now();
        return entry;
      })
      .catch((err: unknown) => {
        s.failedAt = Date.now();
        this.onRenderFailure(err);
        throw err;
      })
      .finally(() => {
        s.pending = null;
      });
    return s.pending;
  }

  /** The last copy rendered, fresh or not (to check a secret against when the database is away). */
  last(key: string): PageEntry | null {
    return this.slots.get(key)?.entry ?? null;
  }

  /** The current copy, rendering it once (concurrent requests share the render) if it is missing or old. */
  async get(key: string, render: NonNullable<Slot['render']>): Promise<Served> {
    const now = Date.now();
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { entry: null, pending: null, failedAt: 0, outdatedAt: 0, render: null }));
    slot.render = render;
    const current = slot.entry;
    if (current && this.isFresh(current, now)) return { entry: current, staleSeconds: null };
    const ageOf = (e: PageEntry) => Math.round((Date.now() - e.renderedAt) / 1000);
    if (current && now - slot.failedAt < this.retryAfterFailureMs) return { entry: current, staleSeconds: ageOf(current) };
    const pending = this.startRender(slot, render);
    if (current && this.isServableWhileRendering(slot, now)) {
      // Reported where it fails (startRender); this reader has its answer already.
      pending.catch(() => {});
      return { entry: current, staleSeconds: null };
    }
    try {
      return { entry: await pending, staleSeconds: null };
    } catch (err) {
      if (!slot.entry) throw err;
      return { entry: slot.entry, staleSeconds: ageOf(slot.entry) };
    }
  }

  clear(): void {
    this.slots.clear();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rendering took longer than ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The copy to send: as rendered, or, when stale, with a notice of its age (HTML) and headers saying so. */
export function responseFor(r: Rendered, staleSeconds: number | null): { body: Buffer; headers: Record<string, string | number> } {
  if (staleSeconds === null) return { body: r.body, headers: r.headers };
  const minutes = Math.max(1, Math.round(staleSeconds / 60));
  const body =
    r.format === 'html'
      ? Buffer.from(
          r.body
            .toString('utf8')
            .replace(STALE_MARK, `<p class="stale" role="status">This page could not be refreshed: it shows the state of about ${minutes} minute${minutes > 1 ? 's' : ''} ago (${staleSeconds} s).</p>`),
          'utf8',
        )
      : r.body;
  const etag = `W/${r.etag}`;
  return {
    body,
    headers: { ...r.headers, 'content-length': body.length, etag, 'cache-control': 'no-cache', age: staleSeconds, 'x-herald-stale-seconds': staleSeconds, warning: '110 - "Response is Stale"' },
  };
}

/** True when the request's If-None-Match names this ETag (or *). */
export function matchesEtag(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const list = (Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch).split(',').map((s) => s.trim().replace(/^W\//, ''));
  return list.includes('*') || list.includes(etag.replace(/^W\//, ''));
}

/** Writes a cached copy (or 304) straight to the socket: the fast path for public pages. */
export function writeCached(req: IncomingMessage, res: ServerResponse, r: Rendered): void {
  if (matchesEtag(req.headers['if-none-match'], r.etag)) {
    res.writeHead(304, { etag: r.etag, 'cache-control': r.headers['cache-control'] as string });
    res.end();
    return;
  }
  res.writeHead(200, r.headers);
  res.end(req.method === 'HEAD' ? undefined : r.body);
}
