// One JSON POST to a receiver (signed webhook, Slack, Teams) and the rules that turn its answer into
// a DeliveryAttempt. Errors never repeat the URL: for Slack and Teams the URL is the credential.
// The request is made with node's http/https and a checked lookup (public-target.ts), so it connects
// only to an address that passed the private-address rule, never to one a second resolution chose.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkedLookup, hostOf, isNonPublicAddress, NonPublicTargetError, type TargetRule } from './public-target.js';
import type { DeliveryAttempt, DeliveryFailure } from './types.js';

export const USER_AGENT = 'Herald-Webhooks/1.0 (Herald)';

/** Response bodies are read only this far, for the error text; the rest is discarded. */
const MAX_ERROR_BODY_CHARS = 300;

export interface JsonPost {
  url: string;
  /** The exact bytes to send (already serialised, so a signature over it stays valid). */
  body: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Which addresses the request may reach (HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS) and how names resolve. */
  targets: TargetRule;
}

/** POSTs once and classifies the answer; never throws for anything the network or receiver does. */
export async function postJson(post: JsonPost): Promise<DeliveryAttempt> {
  let url: URL;
  try {
    url = new URL(post.url);
  } catch {
    return { ok: false, error: 'The endpoint URL is not a valid URL.', isPermanent: true };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: `The endpoint URL must be http or https, not ${url.protocol.slice(0, -1)}.`, isPermanent: true };
  }
  // An IP literal (after URL parsing: 2130706433, 0x7f.1 and [::ffff:127.0.0.1] included) skips
  // the lookup, so it is checked here.
  const host = hostOf(url);
  if (isIP(host) && !post.targets.allowsPrivate && isNonPublicAddress(host)) return refused();
  const signal = AbortSignal.timeout(post.timeoutMs);
  try {
    const response = await send(url, post, signal);
    const isSuccess = response.statusCode! >= 200 && response.statusCode! < 300;
    // A receiver that answered 2xx has the message; waiting for the rest of its body only risks a timeout.
    let bodyText = '';
    if (isSuccess) response.destroy();
    else bodyText = await readSnippet(response);
    const retryAfter = response.headers['retry-after'];
    return classifyHttpResponse(response.statusCode!, typeof retryAfter === 'string' ? retryAfter : null, bodyText);
  } catch (err) {
    if (err instanceof NonPublicTargetError) return refused();
    return networkFailure(err, post.timeoutMs, signal);
  }
}

const refused = (): DeliveryFailure => ({ ok: false, error: `Refused: ${new NonPublicTargetError().message}.`, isPermanent: true });

/**
 * The POST itself. Redirects are not followed (node's http never does): a redirect would send the
 * signed body somewhere the client never registered. Each request has its own connection (no shared
 * agent), so every connection goes through the checked lookup of the rule it was made under.
 */
function send(url: URL, post: JsonPost, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(post.body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': USER_AGENT, ...post.headers },
      lookup: checkedLookup(post.targets),
      agent: false,
      signal,
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * 2xx is delivered; 410 means the endpoint is gone (disable it); 408, 429 and 5xx are worth another
 * try; every other 4xx (and a redirect, which we do not follow) will fail the same way again.
 */
export function classifyHttpResponse(status: number, retryAfter: string | null, bodyText = '', nowMs = Date.now()): DeliveryAttempt {
  if (status >= 200 && status < 300) return { ok: true, providerRef: `HTTP ${status}` };
  const detail = bodyText.trim() ? `HTTP ${status}: ${bodyText.trim()}` : `HTTP ${status}`;
  if (status === 410) return { ok: false, error: `${detail} (the endpoint is gone)`, isPermanent: true, isGone: true };
  if (status >= 300 && status < 400) {
    return { ok: false, error: `${detail} (redirects are not followed: register the final URL)`, isPermanent: true };
  }
  const isTemporary = status === 408 || status === 429 || status >= 500;
  const failure: DeliveryFailure = { ok: false, error: detail, isPermanent: !isTemporary };
  const retryAfterMs = isTemporary ? parseRetryAfter(retryAfter, nowMs) : undefined;
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  return failure;
}

/** Retry-After as delay-seconds ("120") or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function networkFailure(err: unknown, timeoutMs: number, signal: AbortSignal): DeliveryFailure {
  if (signal.aborted || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) {
    return { ok: false, error: `No answer within ${timeoutMs} ms (timed out).`, isPermanent: false };
  }
  const codeOf = (e: unknown) => (e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : null);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : null;
  const reason = codeOf(err) ?? codeOf(cause) ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return { ok: false, error: `Could not reach the endpoint: ${reason}.`, isPermanent: false };
}

async function readSnippet(response: IncomingMessage): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length >= MAX_ERROR_BODY_CHARS) break;
    }
  } catch {
    // The status is what counts; a body cut off by the peer or the timeout only loses detail.
  } finally {
    response.destroy();
  }
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_ERROR_BODY_CHARS ? `${oneLine.slice(0, MAX_ERROR_BODY_CHARS)}…` : oneLine;
}
