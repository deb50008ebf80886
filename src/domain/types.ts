// The vocabulary of Herald's domain: shared by the lifecycle, the SLA clock and the message rules.

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The more severe of two severities (SEV1 is the highest); null counts as none. */
export const higherSeverity = (a: Severity | null, b: Severity): Severity => (a !== null && SEVERITIES.indexOf(a) < SEVERITIES.indexOf(b) ? a : b);

export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** Statuses an incident can give a component: "down" is major_outage, "degraded" the two middle ones. */
export const IMPACT_STATUSES = ['degraded_performance', 'partial_outage', 'major_outage'] as const;
export type ImpactStatus = (typeof IMPACT_STATUSES)[number];

const STATUS_RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function worstStatus(statuses: readonly ComponentStatus[]): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}

export const TECH_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type TechState = (typeof TECH_STATES)[number];

/** Where the incident stands in the flow: before the decision, on the client track, internal only, or closed. */
export const STAGES = ['reported', 'active', 'internal', 'closed'] as const;
export type Stage = (typeof STAGES)[number];

export const SOURCES = ['client', 'internal', 'monitoring'] as const;
export type Source = (typeof SOURCES)[number];

export const MESSAGE_KINDS = ['initial', 'update', 'resolution', 'rca'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const OBLIGATION_STATUSES = ['open', 'met', 'waived', 'cancelled'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

export const DISCLOSURE_LEVELS = ['none', 'suspected', 'confirmed'] as const;
export type DisclosureLevel = (typeof DISCLOSURE_LEVELS)[number];

export const INSTALL_ROLES = ['admin', 'member', 'viewer', 'client'] as const;
export type InstallRole = (typeof INSTALL_ROLES)[number];

export const CONTACT_ROLES = ['technical', 'executive', 'billing', 'security', 'other'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export interface Disclosures {
  impactSummary: string | null;
  dataLoss: { level: DisclosureLevel; details: string | null } | null;
  dataExposure: { level: DisclosureLevel; details: string | null; isPersonalData: boolean } | null;
  expectedResolutionAt: string | null;
  nextUpdateAt: string | null;
  remediation: string | null;
}

export const EMPTY_DISCLOSURES: Disclosures = {
  impactSummary: null,
  dataLoss: null,
  dataExposure: null,
  expectedResolutionAt: null,
  nextUpdateAt: null,
  remediation: null,
};

export interface SlaPolicy {
  tier: string;
  severity: Severity;
  initialNoticeMinutes: number;
  updateEveryMinutes: number | null;
  resolutionNoticeMinutes: number;
  rcaBusinessDays: number | null;
  /** Client messages under this policy need a second person's approval (four-eyes). */
  requiresApproval?: boolean;
}

export interface Obligation {
  id: string;
  kind: MessageKind;
  clientId: string;
  dueAt: string;
  status: ObligationStatus;
  createdAt: string;
  closedAt: string | null;
  metByCommunicationId: string | null;
  waiver: { by: string; reason: string } | null;
}

export interface IncidentClient {
  clientId: string;
  tier: string;
  source: 'derived' | 'explicit';
  addedAt: string;
  /** When this client last received each kind of message on this incident. */
  sent: Partial<Record<MessageKind, string>>;
  /** When each kind of obligation was last fulfilled for this client: by a message or a waiver. */
  met: Partial<Record<MessageKind, string>>;
  /**
   * The next update the last message sent to this client promised (null or absent: none did). Fixed
   * when the message goes out: editing the draft disclosures afterwards promises the client nothing.
   */
  promisedNextUpdateAt?: string | null;
}

export interface ComponentImpact {
  componentId: string;
  status: ImpactStatus;
}

export interface IncidentRoles {
  incidentManagerId: string | null;
  communicationLeadId: string | null;
  technicalTeamIds: string[];
}

export interface Decision {
  isClientAffected: boolean;
  by: string;
  at: string;
  reason: string;
}

export interface Actor {
  userId: string;
  role: InstallRole;
  clientId: string | null;
  label: string;
}
