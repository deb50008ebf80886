// Request URLs can carry secrets: the public report form's link (/report/<secret>), a private status
// page's key, confirmation and unsubscribe tokens. Logged requests show them masked.
const SECRET_QUERY = /([?&](?:key|token|secret)=)[^&#]*/gi;
const SECRET_PATH = /^(\/report\/)[^/?#]+/;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PATH, '$1[redacted]').replace(SECRET_QUERY, '$1[redacted]');
}

/** Fastify's default request serializer, with the URL masked. */
export function serializeRequest(request: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: request.method, url: redactUrl(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}
