// Microsoft Teams incoming webhooks (Workflows, and the classic connectors while they last): an
// Adaptive Card in a message envelope, and one POST of it. MessageCard is not used: Microsoft
// retired it with the Office 365 connectors; Workflows accept only Adaptive Cards.
import { KIND_WORDS, STATE_WORDS, STATUS_WORDS, truncate, utcWords } from './chat-words.js';
import { postJson } from './http-post.js';
import type { TargetRule } from './public-target.js';
import type { DeliveryAttempt, IncidentMessage } from './types.js';

const TEXT_MAX_CHARS = 10_000;

export type AdaptiveElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap: true;
      size?: 'Medium' | 'Large';
      weight?: 'Bolder';
      isSubtle?: boolean;
      spacing?: 'None' | 'Medium';
      style?: 'heading';
    }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.4';
  msteams: { width: 'Full' };
  body: AdaptiveElement[];
  actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
}

/** The envelope a Teams webhook takes: one message with the card as its attachment. */
export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }];
}

/** Teams renders DATE()/TIME() in the reader's time zone; it needs RFC 3339 without milliseconds. */
function teamsDate(iso: string): string {
  const rfc3339 = new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${rfc3339}, SHORT)}} {{TIME(${rfc3339})}}`;
}

export function buildTeamsMessage(message: IncidentMessage): TeamsMessage {
  const { incident } = message;
  const body: AdaptiveElement[] = [
    { type: 'TextBlock', text: message.subject, size: 'Large', weight: 'Bolder', style: 'heading', wrap: true },
    {
      type: 'TextBlock',
      text: `${incident.key} · ${incident.severity} · ${STATE_WORDS[incident.state]} · ${message.client.name} · ${KIND_WORDS[message.kind]}`,
      isSubtle: true,
      spacing: 'None',
      wrap: true,
    },
    { type: 'TextBlock', text: truncate(message.text, TEXT_MAX_CHARS), spacing: 'Medium', wrap: true },
  ];
  if (message.components.length) {
    body.push({ type: 'TextBlock', text: 'Affected components', weight: 'Bolder', spacing: 'Medium', wrap: true });
    body.push({ type: 'FactSet', facts: message.components.map((c) => ({ title: c.name, value: STATUS_WORDS[c.status] })) });
  }
  if (message.nextUpdateAt) {
    body.push({
      type: 'TextBlock',
      text: `Next update by ${teamsDate(message.nextUpdateAt)} (${utcWords(message.nextUpdateAt)})`,
      spacing: 'Medium',
      wrap: true,
    });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          actions: [{ type: 'Action.OpenUrl', title: `Follow ${incident.key}`, url: incident.url }],
        },
      },
    ],
  };
}

export interface TeamsSend {
  /** The webhook URL; it carries the signature that authorises posting, so it never appears in an error. */
  url: string;
  message: TeamsMessage;
  timeoutMs: number;
  /** Which addresses may be reached (the private-address rule of public-target.ts). */
  targets: TargetRule;
}

/** One POST; Workflows answer 202 Accepted, classic connectors 200. */
export function sendTeams(send: TeamsSend): Promise<DeliveryAttempt> {
  return postJson({ url: send.url, body: JSON.stringify(send.message), timeoutMs: send.timeoutMs, targets: send.targets });
}
