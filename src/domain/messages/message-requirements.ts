// What every client message must state (DESIGN.md §1) and which of it an incident still lacks.
import type { Disclosures, MessageKind, Severity } from '../types.js';

export type DisclosureField =
  | 'impactSummary'
  | 'dataLoss'
  | 'dataExposure'
  | 'nextUpdateAt'
  | 'expectedResolutionAt'
  | 'remediation'
  | 'body';

/**
 * Returns the disclosure fields a message of `kind` would lack. An empty list means it may go out.
 * Expected timeline: while the incident runs, the next update time must be promised and in the
 * future; where the severity has no update cadence an expected resolution time may stand in for it.
 */
export function missingDisclosures(
  kind: MessageKind,
  disclosures: Disclosures,
  opts: { now: string; severity: Severity; hasUpdateCadence: boolean; body: string | null },
): DisclosureField[] {
  const missing: DisclosureField[] = [];
  if (!disclosures.impactSummary?.trim()) missing.push('impactSummary');
  if (!disclosures.dataLoss) missing.push('dataLoss');
  if (!disclosures.dataExposure) missing.push('dataExposure');
  if (kind === 'initial' || kind === 'update') {
    const now = Date.parse(opts.now);
    const next = disclosures.nextUpdateAt ? Date.parse(disclosures.nextUpdateAt) : NaN;
    const eta = disclosures.expectedResolutionAt ? Date.parse(disclosures.expectedResolutionAt) : NaN;
    const hasNext = Number.isFinite(next) && next > now;
    const hasEta = Number.isFinite(eta) && eta > now;
    if (opts.hasUpdateCadence) {
      if (!hasNext) missing.push('nextUpdateAt');
    } else if (!hasNext && !hasEta) {
      missing.push('expectedResolutionAt');
    }
  }
  // Once it is over, the client is owed what will keep it from happening again.
  if ((kind === 'resolution' || kind === 'rca') && !disclosures.remediation?.trim()) missing.push('remediation');
  if (kind === 'rca' && !opts.body?.trim()) missing.push('body');
  return missing;
}
