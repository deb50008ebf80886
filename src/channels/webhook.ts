// Signed outgoing webhooks per the Standard Webhooks spec (https://www.standardwebhooks.com):
// the documented payload, the signature scheme, and one delivery attempt to a client's endpoint.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ComponentStatus, DisclosureLevel, MessageKind, Severity, TechState } from '../domain/types.js';
import { postJson } from './http-post.js';
import type { TargetRule } from './public-target.js';
import type { DeliveryAttempt, IncidentMessage } from './types.js';

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/**
 * The JSON body Herald POSTs to a client's webhook endpoint for every client message.
 *
 * Headers (Standard Webhooks): `webhook-id` is the delivery id, the same on every retry of the
 * same delivery (use it to drop duplicates); `webhook-timestamp` is the attempt time in Unix
 * seconds; `webhook-signature` is `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` keyed
 * with the base64-decoded part of the endpoint secret after `whsec_`. Reject a request whose
 * timestamp is more than five minutes away from your clock.
 *
 * Every timestamp is ISO 8601 in UTC. Fields may be added in later versions; none will be removed
 * or change meaning without a new `type`.
 */
export interface WebhookPayload {
  type: 'incident.message';
  /** When the message was composed; the same on every retry. */
  timestamp: string;
  data: {
    /** The message's id: shared by every recipient of the same message (one per client and channel is delivered). */
    messageId: string;
    /** `initial` notice, status `update`, `resolution` notice or `rca` (root-cause analysis). */
    kind: MessageKind;
    incident: {
      id: string;
      /** Human key, e.g. "INC-42". */
      key: string;
      title: string;
      /** SEV1 (most severe) to SEV4. */
      severity: Severity;
      /** investigating, identified, monitoring or resolved. */
      state: TechState;
      /** Page where the client follows the incident. */
      url: string;
    };
    client: { id: string; name: string };
    subject: string;
    /** The message as plain text, exactly as the e-mail recipients read it. */
    text: string;
    /** Affected components and their status: operational, degraded_performance, partial_outage, major_outage, under_maintenance. */
    components: { name: string; status: ComponentStatus }[];
    /** What Herald requires every client message to state; null where not (yet) stated. */
    disclosures: {
      impactSummary: string | null;
      /** Whether data was lost: none, suspected or confirmed. */
      dataLoss: { level: DisclosureLevel; details: string | null } | null;
      /** Whether data was or may have been accessible to unintended third parties. */
      dataExposure: { level: DisclosureLevel; details: string | null; isPersonalData: boolean } | null;
      expectedResolutionAt: string | null;
      /** Planned remediation (always present in an RCA). */
      remediation: string | null;
    };
    /** When the next update is promised; null when no further update is owed. */
    nextUpdateAt: string | null;
  };
}

/** Builds the documented payload from a message; pure, so every retry sends identical bytes. */
export function buildWebhookPayload(message: IncidentMessage): WebhookPayload {
  const { incident, client, disclosures: d } = message;
  return {
    type: 'incident.message',
    timestamp: message.createdAt,
    data: {
      messageId: message.messageId,
      kind: message.kind,
      incident: { id: incident.id, key: incident.key, title: incident.title, severity: incident.severity, state: incident.state, url: incident.url },
      client: { id: client.id, name: client.name },
      subject: message.subject,
      text: message.text,
      components: message.components.map((c) => ({ name: c.name, status: c.status })),
      disclosures: {
        impactSummary: d.impactSummary,
        dataLoss: d.dataLoss ? { level: d.dataLoss.level, details: d.dataLoss.details } : null,
        dataExposure: d.dataExposure
          ? { level: d.dataExposure.level, details: d.dataExposure.details, isPersonalData: d.dataExposure.isPersonalData }
          : null,
        expectedResolutionAt: d.expectedResolutionAt,
        remediation: d.remediation,
      },
      nextUpdateAt: message.nextUpdateAt,
    },
  };
}

/** A new endpoint secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The key bytes of a secret; throws on a secret that is not (optionally `whsec_`-prefixed) base64. */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new Error('The webhook secret must be "whsec_" followed by base64.');
  }
  return Buffer.from(encoded, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the decoded secret. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type WebhookVerification =
  | { isValid: true; id: string; timestampSeconds: number }
  | { isValid: false; reason: 'missing_headers' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'invalid_signature' };

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(' ') : value;
}

/**
 * Checks a received webhook the way a client should: all three headers present, timestamp within
 * `toleranceSeconds` of now (either way), and one of the space-separated `v1,` signatures matching
 * in constant time. `body` must be the raw request body, not re-serialised JSON.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1000),
): WebhookVerification {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return { isValid: false, reason: 'missing_headers' };
  if (!/^\d+$/.test(timestamp)) return { isValid: false, reason: 'invalid_timestamp' };
  const timestampSeconds = Number(timestamp);
  if (Math.abs(nowSeconds - timestampSeconds) > toleranceSeconds) return { isValid: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(signWebhook(secret, id, timestampSeconds, body).slice('v1,'.length), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { isValid: true, id, timestampSeconds };
  }
  return { isValid: false, reason: 'invalid_signature' };
}

export interface WebhookSend {
  url: string;
  secret: string;
  /** Stable per delivery: sent as `webhook-id` on every attempt so the receiver can drop duplicates. */
  deliveryId: string;
  /** Serialised once with JSON.stringify; normally a WebhookPayload. */
  payload: object;
  timeoutMs: number;
  /** Which addresses may be reached (the private-address rule of public-target.ts). */
  targets: TargetRule;
  /** The attempt time to sign; defaults to now. */
  timestampSeconds?: number;
}

/** One signed POST; see classifyHttpResponse for how the answer becomes a DeliveryAttempt. */
export async function sendWebhook(send: WebhookSend): Promise<DeliveryAttempt> {
  if (!send.deliveryId || /[\s\p{Cc}]/u.test(send.deliveryId)) {
    return { ok: false, error: 'The delivery id is not usable as a webhook-id (empty, or contains whitespace).', isPermanent: true };
  }
  const body = JSON.stringify(send.payload);
  const timestampSeconds = send.timestampSeconds ?? Math.floor(Date.now() / 1000);
  let signature: string;
  try {
    signature = signWebhook(send.secret, send.deliveryId, timestampSeconds, body);
  } catch (err) {
    return { ok: false, error: (err as Error).message, isPermanent: true };
  }
  return postJson({
    url: send.url,
    body,
    timeoutMs: send.timeoutMs,
    targets: send.targets,
    headers: {
      'webhook-id': send.deliveryId,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': signature,
    },
  });
}
