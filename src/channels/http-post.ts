// One JSON POST to a receiver (signed webhook, Slack, Teams) and the rules that turn its answer into
// a DeliveryAttempt. Errors never repeat the URL: for Slack and Teams the URL is the credential.
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
  const signal = AbortSignal.timeout(post.timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: post.body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...post.headers },
      // A redirect would send the signed body somewhere the client never registered.
      redirect: 'manual',
      signal,
    });
    const isSuccess = response.status >= 200 && response.status < 300;
    // A receiver that answered 2xx has the message; waiting for the rest of its body only risks a timeout.
    let bodyText = '';
    if (isSuccess) await response.body?.cancel().catch(() => undefined);
    else bodyText = await readSnippet(response);
    return classifyHttpResponse(response.status, response.headers.get('retry-after'), bodyText);
  } catch (err) {
    return networkFailure(err, post.timeoutMs, signal);
  }
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
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : null;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  const reason = code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return { ok: false, error: `Could not reach the endpoint: ${reason}.`, isPermanent: false };
}

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < MAX_ERROR_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // The status is what counts; a body cut off by the peer or the timeout only loses detail.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_ERROR_BODY_CHARS ? `${oneLine.slice(0, MAX_ERROR_BODY_CHARS)}…` : oneLine;
}
