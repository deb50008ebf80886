// Deadlines of the communication obligations, from the SLA policy of a severity and a client tier.
import type { MessageKind, Severity, SlaPolicy } from '../types.js';

/** The published defaults: initial notice / update cadence / resolution notice / RCA. */
export const DEFAULT_SLA_POLICIES: readonly Omit<SlaPolicy, 'tier'>[] = [
  { severity: 'SEV1', initialNoticeMinutes: 15, updateEveryMinutes: 30, resolutionNoticeMinutes: 60, rcaBusinessDays: 5 },
  { severity: 'SEV2', initialNoticeMinutes: 30, updateEveryMinutes: 60, resolutionNoticeMinutes: 120, rcaBusinessDays: 5 },
  { severity: 'SEV3', initialNoticeMinutes: 60, updateEveryMinutes: 120, resolutionNoticeMinutes: 240, rcaBusinessDays: 10 },
  { severity: 'SEV4', initialNoticeMinutes: 240, updateEveryMinutes: null, resolutionNoticeMinutes: 480, rcaBusinessDays: null },
];

/** The tier name of the policies that apply to every client whose tier has none of its own. */
export const DEFAULT_TIER = '*';

export function findPolicy(policies: readonly SlaPolicy[], tier: string, severity: Severity): SlaPolicy {
  const own = policies.find((p) => p.tier === tier && p.severity === severity);
  if (own) return own;
  const fallback = policies.find((p) => p.tier === DEFAULT_TIER && p.severity === severity);
  if (fallback) return fallback;
  const builtIn = DEFAULT_SLA_POLICIES.find((p) => p.severity === severity);
  if (!builtIn) throw new Error(`no SLA policy for ${severity}`);
  return { tier: DEFAULT_TIER, ...builtIn };
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

/** Adds business days (Monday to Friday, UTC): a deadline that falls on a weekend moves to Monday. */
export function addBusinessDays(iso: string, days: number): string {
  const d = new Date(iso);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d.toISOString();
}

/** When an obligation of this kind, started at `from`, falls due; null when the policy owes none. */
export function deadlineFor(kind: MessageKind, policy: SlaPolicy, from: string): string | null {
  switch (kind) {
    case 'initial':
      return addMinutes(from, policy.initialNoticeMinutes);
    case 'update':
      return policy.updateEveryMinutes === null ? null : addMinutes(from, policy.updateEveryMinutes);
    case 'resolution':
      return addMinutes(from, policy.resolutionNoticeMinutes);
    case 'rca':
      return policy.rcaBusinessDays === null ? null : addBusinessDays(from, policy.rcaBusinessDays);
  }
}
