// Slack incoming webhooks: the Block Kit message for a client message, and one POST of it.
import { KIND_WORDS, STATE_WORDS, STATUS_WORDS, truncate, utcWords } from './chat-words.js';
import { postJson } from './http-post.js';
import type { TargetRule } from './public-target.js';
import type { DeliveryAttempt, IncidentMessage } from './types.js';

/** Slack's limits: a section's text and the header's plain text. */
const SECTION_MAX_CHARS = 3000;
const HEADER_MAX_CHARS = 150;

type SlackText = { type: 'mrkdwn' | 'plain_text'; text: string };

export type SlackBlock =
  | { type: 'header'; text: SlackText & { type: 'plain_text' } }
  | { type: 'section'; text: SlackText }
  | { type: 'context'; elements: SlackText[] };

/** The JSON an incoming webhook takes: `text` is the notification fallback, `blocks` what is shown. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack treats &, < and > as control characters in every text field. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeSlack(label)}>`;
}

/** A time every reader sees in their own time zone, with a UTC fallback for old clients. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${utcWords(iso)}>`;
}

export function buildSlackMessage(message: IncidentMessage): SlackMessage {
  const { incident } = message;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.subject, HEADER_MAX_CHARS) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(escapeSlack(message.text), SECTION_MAX_CHARS) } },
  ];
  if (message.components.length) {
    const lines = message.components.map((c) => `• ${escapeSlack(c.name)}: ${STATUS_WORDS[c.status]}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Affected components*\n${lines.join('\n')}`, SECTION_MAX_CHARS) } });
  }
  const context = [
    `${link(incident.url, incident.key)} · ${incident.severity} · ${STATE_WORDS[incident.state]}`,
    escapeSlack(message.client.name),
    KIND_WORDS[message.kind],
  ];
  if (message.nextUpdateAt) context.push(`Next update by ${slackDate(message.nextUpdateAt)}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text: escapeSlack(`${message.subject} (${incident.key}, ${incident.severity})`), blocks };
}

export interface SlackSend {
  /** The incoming-webhook URL; it is the credential, so it never appears in an error. */
  url: string;
  message: SlackMessage;
  timeoutMs: number;
  /** Which addresses may be reached (the private-address rule of public-target.ts). */
  targets: TargetRule;
}

/** One POST; Slack answers errors as text (e.g. 404 "no_service", 410 "channel_is_archived"), kept in the error. */
export function sendSlack(send: SlackSend): Promise<DeliveryAttempt> {
  return postJson({ url: send.url, body: JSON.stringify(send.message), timeoutMs: send.timeoutMs, targets: send.targets });
}
