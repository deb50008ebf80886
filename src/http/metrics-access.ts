// Who may read /metrics. The figures tell an attacker what runs, how busy it is and which routes fail,
// so they are not public by default: the main listener answers /metrics only to a bearer token
// (HERALD_METRICS_TOKEN), and a second listener (HERALD_METRICS_LISTEN, e.g. on a private interface
// the scraper reaches) serves /metrics and nothing else. With neither set, /metrics answers 404 on
// the main listener. Answering loopback callers instead was rejected: a reverse proxy on the same
// host connects from loopback, and would make /metrics public again.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsAccess {
  /** Bearer token the scraper sends; null: none is accepted (main listener: 404). */
  token: string | null;
  /** A second listener that serves only /metrics; null: none. */
  listen: { host: string; port: number } | null;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether the request carries the metrics token. Compared as SHA-256 digests with timingSafeEqual,
 * so the time taken tells nothing of how much of the token was right (nor of its length).
 */
export function hasMetricsToken(token: string | null, authorization: string | undefined): boolean {
  if (!token || !authorization) return false;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  return !!m && timingSafeEqual(digest(m[1]!), digest(token));
}

export interface MetricsListener {
  /** http://host:port of the listener. */
  url: string;
  close(): Promise<void>;
}

/**
 * The second listener: GET /metrics (with the token when one is set; then 401 without it), 404 for
 * anything else. Bodies are never read, and every request is answered at once.
 */
export async function startMetricsListener(registry: Registry, access: MetricsAccess & { listen: { host: string; port: number } }): Promise<MetricsListener> {
  const server: Server = createServer((request: IncomingMessage, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Not found\n');
      return;
    }
    if (access.token && !hasMetricsToken(access.token, request.headers.authorization)) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('Send the metrics token as "Authorization: Bearer …".\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : text),
      () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected.\n'),
    );
  });
  // Slow or idle scrapers do not hold sockets for long: the answer is small and made at once.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(access.listen.port, access.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
