// Routing rules of a monitoring integration: the labels of an alert group decide the components,
// the severity and whether the group opens an incident at once or waits in triage. Pure: no I/O.
import type { ImpactStatus, Severity } from '../types.js';

export type IntakeAction = 'open' | 'triage';

export interface RoutingRule {
  /** Every label named must have exactly this value. */
  match?: Record<string, string>;
  /** Every label named must match this regular expression as a whole (as Alertmanager matchers do). */
  matchRegex?: Record<string, string>;
  componentIds?: string[];
  severity?: Severity;
  action?: IntakeAction;
  /** What the matched components are marked as (default partial_outage). */
  impact?: ImpactStatus;
}

export interface RoutingDefaults {
  severity: Severity;
  action: IntakeAction;
  componentIds: string[];
}

export interface Routing {
  severity: Severity;
  action: IntakeAction;
  componentIds: string[];
  impact: ImpactStatus;
  /** Index of the rule that matched; null when the defaults applied. */
  ruleIndex: number | null;
}

/** Anchored like Alertmanager's =~ matchers; null when the expression does not compile. */
export function compileMatcher(expression: string): RegExp | null {
  try {
    return new RegExp(`^(?:${expression})$`, 'u');
  } catch {
    return null;
  }
}

export function ruleMatches(rule: RoutingRule, labels: Record<string, string>): boolean {
  for (const [name, value] of Object.entries(rule.match ?? {})) if ((labels[name] ?? '') !== value) return false;
  for (const [name, expression] of Object.entries(rule.matchRegex ?? {})) {
    const re = compileMatcher(expression);
    if (!re || !re.test(labels[name] ?? '')) return false;
  }
  return true;
}

/** The first rule whose matchers all hold decides; what it leaves out comes from the defaults. */
export function route(labels: Record<string, string>, rules: readonly RoutingRule[], defaults: RoutingDefaults): Routing {
  const index = rules.findIndex((r) => ruleMatches(r, labels));
  const rule = index >= 0 ? rules[index]! : null;
  return {
    severity: rule?.severity ?? defaults.severity,
    action: rule?.action ?? defaults.action,
    componentIds: [...new Set(rule?.componentIds ?? defaults.componentIds)],
    impact: rule?.impact ?? 'partial_outage',
    ruleIndex: rule ? index : null,
  };
}
