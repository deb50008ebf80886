// What the console reads from /api/v1: the shapes of the server's presenters, named for the screens.
import type {
  ComponentImpact,
  ComponentStatus,
  ContactRole,
  Decision,
  Disclosures,
  IncidentClient,
  IncidentRoles,
  InstallRole,
  MessageKind,
  Obligation,
  Severity,
  Source,
  Stage,
  TechState,
} from '../../domain/types';

export type { ComponentImpact, ComponentStatus, Disclosures, IncidentClient, InstallRole, MessageKind, Severity, Stage, TechState };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: InstallRole;
  clientId: string | null;
  isDisabled: boolean;
  hasPassword: boolean;
  createdAt: string;
}

export interface Session {
  user: User;
  via: 'session' | 'token';
  csrfToken: string | null;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  token?: string | null;
}

export interface Component {
  id: string;
  name: string;
  description: string | null;
  groupId: string | null;
  status: ComponentStatus;
  position: number;
  updatedAt: string;
}

export interface ComponentGroup {
  id: string;
  name: string;
  description: string | null;
  position: number;
}

export interface Client {
  id: string;
  name: string;
  slug: string;
  tier: string;
  componentIds: string[];
  createdAt: string;
}

export interface Contact {
  id: string;
  clientId: string;
  name: string;
  email: string;
  language: string;
  role: ContactRole;
}

export interface SlaPolicyRow {
  id: string;
  tier: string;
  severity: Severity;
  initialNoticeMinutes: number;
  updateEveryMinutes: number | null;
  resolutionNoticeMinutes: number;
  rcaBusinessDays: number | null;
  ownerId: string | null;
  /** Four-eyes: messages of this severity wait for a second person's approval. */
  requiresApproval: boolean;
  updatedAt: string;
}

export type ObligationView = Obligation & { isOverdue: boolean; wasOnTime?: boolean | null };

/** The staff view of an incident (GET /incidents/:id as admin, member or viewer). */
export interface Incident {
  id: string;
  key: string;
  title: string;
  description: string;
  source: Source;
  reporterId: string | null;
  reporterClientId: string | null;
  reportedClientIds: string[];
  stage: Stage;
  techState: TechState;
  severity: Severity | null;
  decision: Decision | null;
  impacts: ComponentImpact[];
  affectedClients: IncidentClient[];
  disclosures: Disclosures;
  disclosureVersion: number;
  roles: IncidentRoles;
  obligations: ObligationView[];
  nextObligation: ObligationView | null;
  internalSummary: string | null;
  reportedAt: string;
  classifiedAt: string | null;
  resolvedAt: string | null;
  reopenedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
}

/** What a client user sees of an incident. */
export interface ClientIncident {
  id: string;
  key: string;
  title: string;
  description: string;
  isReportedByYou: boolean;
  isAffectingYou: boolean;
  stage: 'open' | 'closed';
  techState: TechState;
  severity: Severity | null;
  impacts: ComponentImpact[];
  reportedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}

export interface TimelineEvent {
  seq: number;
  at: string;
  actorId: string | null;
  actor: string;
  type: string;
  data: Record<string, unknown>;
}

export interface PastOccurrence {
  incidentId: string;
  key: string;
  title: string;
  reportedAt: string;
  rcaUrl: string | null;
}

export interface Recipient {
  id: string;
  /** Null for a maintenance notice (it belongs to a maintenance window, not an incident). */
  communicationId: string | null;
  incidentId: string | null;
  clientId: string;
  contactId: string | null;
  to: string;
  toName: string | null;
  language: string;
  subject: string;
  text: string;
  channel: string;
  status: string;
  /** The HTML part of an e-mail copy; null for chat and webhook deliveries. */
  html?: string | null;
  /** Delivery details, where the server reports them (attempts, provider answer or last error, next retry). */
  attempts?: number;
  result?: string | null;
  nextAttemptAt?: string | null;
  messageId: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface Communication {
  id: string;
  incidentId: string;
  kind: MessageKind;
  subject: string;
  body: string;
  clientIds: string[];
  disclosures: Disclosures;
  pastOccurrences: Record<string, PastOccurrence[]>;
  /** 'sent'; 'pending_approval' while a second person must approve it; 'rejected' when they did not. */
  status: CommunicationStatus;
  requiresApproval?: boolean;
  decidedBy?: string | null;
  decidedAt?: string | null;
  decisionNote?: string | null;
  sentAt?: string | null;
  promisedNextUpdateAt?: string | null;
  isPromiseKept?: boolean | null;
  /** Template versions used, keyed "channel/language". */
  templateVersions?: Record<string, number>;
  createdBy: string | null;
  createdAt: string;
  /** How many copies the message has, by delivery state, channel and client; the copies are read page by page. */
  recipientCounts: RecipientCounts;
}

export interface RecipientTally {
  total: number;
  byStatus: Record<string, number>;
  byChannel: Record<string, number>;
}

export interface RecipientCounts extends RecipientTally {
  byClient: ({ clientId: string } & RecipientTally)[];
}

export type CommunicationStatus = 'sent' | 'pending_approval' | 'rejected';

/** One recipient's copy in a preview (POST /incidents/:id/communications/preview). */
export interface PreviewRecipient {
  clientId: string;
  channel: string;
  to: string;
  toName: string | null;
  language: string;
  subject: string;
  text: string;
  html: string | null;
}

export interface CommunicationPreview {
  canSend: boolean;
  refusal: { code: string; message: string; missing: string[] } | null;
  requiresApproval: boolean;
  /** Every recipient of the message; `recipients` holds all their copies or, for a large message, a sample. */
  recipientTotal: number;
  copies: { channel: string; language: string; count: number }[];
  recipients: PreviewRecipient[];
}

export type TemplateChannel = 'email' | 'chat';
export type TemplateOwnerRole = 'communication_lead' | 'incident_manager';

export interface TemplateVersion {
  version: number;
  parts: Record<string, string>;
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}

export interface Template {
  id: string;
  kind: MessageKind;
  language: string;
  channel: TemplateChannel;
  ownerUserId: string | null;
  ownerRole: TemplateOwnerRole | null;
  currentVersion: number;
  parts: Record<string, string>;
  updatedAt: string;
  versions?: TemplateVersion[];
}

export interface TemplateVariables {
  variables: { name: string; type: string; description: string; example: string }[];
  filters: { name: string; usage: string; description: string; example: string }[];
}

export interface RenderedTemplate {
  channel: TemplateChannel;
  to: string;
  language: string;
  subject: string | null;
  text: string;
  html: string | null;
}
