// The vocabulary of the lifecycle: an incident's state, the commands on it, and what deciding one
// answers (the new state and events, or a refusal naming what is missing).
import type { Actor, ComponentImpact, Decision, Disclosures, IncidentClient, IncidentRoles, MessageKind, Obligation, Severity, SlaPolicy, Source, Stage, TechState } from '../types.js';
import type { LifecycleEvent } from './events.js';

export interface IncidentState {
  id: string;
  stage: Stage;
  techState: TechState;
  severity: Severity | null;
  /** The highest severity the incident has had: whether a message needs approval follows it, not the current one. */
  peakSeverity: Severity | null;
  source: Source;
  decision: Decision | null;
  impacts: ComponentImpact[];
  clients: IncidentClient[];
  disclosures: Disclosures;
  disclosureVersion: number;
  roles: IncidentRoles;
  /** Open obligations only; closed ones live in history. */
  obligations: Obligation[];
  internalSummary: string | null;
  reportedAt: string;
  classifiedAt: string | null;
  resolvedAt: string | null;
  reopenedAt: string | null;
  closedAt: string | null;
  /** The title of the incident on the public status page (the last one published; kept after a withdrawal). */
  publicTitle: string | null;
  /** When the incident was published to the public status page; null while it is not there. */
  publishedAt: string | null;
}

export type Command =
  | {
      type: 'classify';
      severity: Severity;
      impacts: ComponentImpact[];
      isClientAffected: boolean;
      reason: string;
      /** Clients using the impacted components, with their tiers (looked up by the caller). */
      derivedClients: { clientId: string; tier: string }[];
      addClients: { clientId: string; tier: string }[];
      removeClientIds: string[];
    }
  | { type: 'adjustClients'; addClients: { clientId: string; tier: string }[]; removeClientIds: string[] }
  | { type: 'setTechState'; to: TechState; note: string | null }
  | { type: 'updateDisclosures'; patch: Partial<Disclosures> }
  | { type: 'assignRoles'; patch: Partial<IncidentRoles> }
  | { type: 'sendMessage'; kind: MessageKind; clientIds: string[] | null; body: string | null; communicationId: string }
  | { type: 'waiveObligation'; obligationId: string; reason: string }
  | { type: 'document'; summary: string }
  | { type: 'close'; waiveReason: string | null }
  | { type: 'addNote'; text: string }
  /** A public entry: its own title (null: the current public title) and Markdown body; state null: the incident's. */
  | { type: 'publish'; publicUpdateId: string; title: string | null; body: string; state: TechState | null }
  | { type: 'unpublish'; reason: string };

export interface DecideContext {
  actor: Actor;
  now: string;
  policies: readonly SlaPolicy[];
  newId: () => string;
}

export type RefusalCode =
  | 'forbidden'
  | 'incident_closed'
  | 'not_classified'
  | 'clients_not_affected'
  | 'clients_already_notified'
  | 'client_already_notified'
  | 'client_not_affected'
  | 'no_affected_clients'
  | 'reason_required'
  | 'transition_not_allowed'
  | 'already_in_state'
  | 'missing_disclosures'
  | 'initial_already_sent'
  | 'initial_not_sent'
  | 'incident_resolved'
  | 'not_resolved'
  | 'resolution_already_sent'
  | 'resolution_not_sent'
  | 'rca_already_sent'
  | 'open_obligations'
  | 'internal_summary_required'
  | 'not_incident_manager'
  | 'not_communication_lead'
  | 'obligation_not_open'
  | 'not_publisher'
  | 'not_published'
  | 'public_text_required'
  | 'public_text_has_variables';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  missing?: string[];
}

export interface Accepted {
  ok: true;
  state: IncidentState;
  events: LifecycleEvent[];
  /** Obligations created, rescheduled or closed by this command (to upsert). */
  obligationChanges: Obligation[];
}

export type Outcome = Accepted | Refusal;

export function refuse(code: RefusalCode, message: string, missing?: string[]): Refusal {
  return missing ? { ok: false, code, message, missing } : { ok: false, code, message };
}

export type Step =
  | Refusal
  | {
      state: IncidentState;
      events: LifecycleEvent[];
      obligationChanges?: Obligation[];
      fulfilled?: { communicationId: string; kind: MessageKind; clientIds: string[] };
    };

export type Handler<T extends Command['type']> = (i: IncidentState, c: Extract<Command, { type: T }>, x: DecideContext) => Step;
