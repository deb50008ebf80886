// What every delivery channel returns, and the channel-neutral content of one client message that
// the webhook, Slack and Teams formats are built from.
import type { ComponentStatus, Disclosures, MessageKind, Severity, TechState } from '../domain/types.js';

/**
 * The outcome of ONE attempt to hand a message to a channel. Channels never retry, never sleep and
 * never touch the database: the delivery job records this and decides whether and when to retry.
 */
export type DeliveryAttempt =
  | {
      ok: true;
      /** The receiver's acknowledgement: the SMTP reply (e.g. "250 2.0.0 Ok: queued as 4F3A1") or "HTTP 200". */
      providerRef: string;
    }
  | {
      ok: false;
      /** Why it failed, fit for a delivery record: never contains credentials or webhook URLs. */
      error: string;
      /** Retrying the same message cannot succeed (SMTP 5xx, HTTP 4xx other than 408/429, invalid address, HTTP 410). */
      isPermanent: boolean;
      /** HTTP 410 Gone: the endpoint is gone for good and must be disabled. */
      isGone?: boolean;
      /** How long the receiver asked us to wait (Retry-After), when it said. */
      retryAfterMs?: number;
    };

export type DeliveryFailure = Extract<DeliveryAttempt, { ok: false }>;

/**
 * One client message as the chat and webhook channels render it: the words the Communication Lead
 * approved (already rendered from the template for this client and language) and the facts around
 * them. The e-mail channel takes its own subject, HTML and text instead.
 */
export interface IncidentMessage {
  /** The communication's id: the same for every recipient of this message. */
  messageId: string;
  kind: MessageKind;
  /** When the message was composed (ISO 8601); fixed, so every attempt sends the same body. */
  createdAt: string;
  incident: {
    id: string;
    /** Human key such as "INC-42". */
    key: string;
    title: string;
    severity: Severity;
    state: TechState;
    /** Where the client can follow the incident (its status page). */
    url: string;
  };
  client: { id: string; name: string };
  subject: string;
  /** The message body as plain text (no markup). */
  text: string;
  components: { name: string; status: ComponentStatus }[];
  disclosures: Disclosures;
  /** When the next update is promised (ISO 8601), null when none is (resolution, RCA). */
  nextUpdateAt: string | null;
}
