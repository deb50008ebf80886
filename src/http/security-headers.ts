// The security headers of every response: what helmet sets by default, without a Content-Security-Policy
// (each HTML page that needs one sets its own) and without Cross-Origin-Embedder-Policy. They never
// change, so they are written as they are instead of being worked out by a middleware on each request.
import type { FastifyInstance } from 'fastify';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const PAIRS = Object.entries(SECURITY_HEADERS);

/** Sets the security headers on every response (a route may still replace one, e.g. CORP on public feeds). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    const res = reply.raw;
    for (const [name, value] of PAIRS) res.setHeader(name, value);
    done();
  });
}
