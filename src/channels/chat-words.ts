// Words and limits shared by the chat formats (Slack, Teams): what a status or state reads as.
import type { ComponentStatus, MessageKind, TechState } from '../domain/types.js';

export const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'operational',
  degraded_performance: 'degraded (slower than usual)',
  partial_outage: 'partly unavailable',
  major_outage: 'down',
  under_maintenance: 'under maintenance',
};

export const STATE_WORDS: Record<TechState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

export const KIND_WORDS: Record<MessageKind, string> = {
  initial: 'Incident notice',
  update: 'Incident update',
  resolution: 'Resolved',
  rca: 'Root-cause analysis',
};

/** Cuts to at most `maxChars` characters, marking the cut with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** "2026-03-01 14:30 UTC": readable wherever the receiving app cannot localise a time itself. */
export function utcWords(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
