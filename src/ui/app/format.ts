// Words and colours for the incident vocabulary, and how times are shown.
import type { ComponentStatus, MessageKind, Severity, Stage, TechState } from '../api/types';

export const SEVERITY_COLOR: Record<Severity, string> = { SEV1: 'red', SEV2: 'orange', SEV3: 'yellow', SEV4: 'blue' };
export const SEVERITY_WORDS: Record<Severity, string> = {
  SEV1: 'SEV1 · critical',
  SEV2: 'SEV2 · major',
  SEV3: 'SEV3 · minor',
  SEV4: 'SEV4 · low',
};

export const TECH_STATE_WORDS: Record<TechState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};
export const TECH_STATE_COLOR: Record<TechState, string> = { investigating: 'red', identified: 'orange', monitoring: 'yellow', resolved: 'teal' };

export const STAGE_WORDS: Record<Stage, string> = {
  reported: 'Awaiting classification',
  active: 'Clients affected',
  internal: 'Internal only',
  closed: 'Closed',
};

export const KIND_WORDS: Record<MessageKind, string> = {
  initial: 'Initial notice',
  update: 'Status update',
  resolution: 'Resolution notice',
  rca: 'Root-cause analysis',
};

export const COMPONENT_STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};
export const COMPONENT_STATUS_COLOR: Record<ComponentStatus, string> = {
  operational: 'teal',
  degraded_performance: 'yellow',
  partial_outage: 'orange',
  major_outage: 'red',
  under_maintenance: 'blue',
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return new Date().toDateString() === d.toDateString() ? `today ${timeOnly.format(d)}` : dateTime.format(d);
}

/** "in 12 min 03 s" / "4 min 10 s overdue": a deadline relative to now. */
export function formatCountdown(dueIso: string, nowMs: number): { text: string; isOverdue: boolean } {
  const diff = Date.parse(dueIso) - nowMs;
  const isOverdue = diff < 0;
  let s = Math.floor(Math.abs(diff) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const span = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(s).padStart(2, '0')} s`;
  return { text: isOverdue ? `${span} overdue` : `in ${span}`, isOverdue };
}

/** "in about 14 minutes" / "in 40 seconds": a wait given in seconds (a Retry-After), in words; rounded up, never "in 0". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `in ${Math.max(1, Math.ceil(seconds))} second${Math.ceil(seconds) > 1 ? 's' : ''}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in about ${minutes} minute${minutes > 1 ? 's' : ''}`;
  const hours = Math.ceil(minutes / 60);
  return `in about ${hours} hour${hours > 1 ? 's' : ''}`;
}

/** A datetime-local input's value for an ISO time, and back. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
