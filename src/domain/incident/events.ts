// Every event an incident's timeline holds, by type, with the shape of its data. The timeline is
// append-only and stored as JSON: a shape may gain optional fields, never lose or rename one.
import type { ComponentImpact, Disclosures, MessageKind, Severity, Source, TechState } from '../types.js';

/** An incident's classification before and after a (re)classification. */
export interface ClassificationSnapshot {
  severity: Severity | null;
  impacts: ComponentImpact[];
  isClientAffected: boolean | null;
  clientIds: string[];
}

interface ObligationRef {
  obligationId: string;
  kind: MessageKind;
  clientId: string;
}

/** What `decide` and `newIncident` emit. */
export type LifecycleEvent =
  | {
      type: 'incident.reported';
      data: {
        source: Source;
        reporterClientId: string | null;
        impacts: ComponentImpact[];
        /** Added when the report is stored. */
        title?: string;
        clientIds?: string[];
        /** Added by the intake (monitoring, e-mail, report form): the severity it chose and where the report came from. */
        severity?: Severity | null;
        intake?: Record<string, unknown>;
      };
    }
  | { type: 'incident.classified' | 'incident.reclassified'; data: { before: ClassificationSnapshot; after: ClassificationSnapshot; reason: string } }
  | { type: 'clients.adjusted'; data: { before: string[]; after: string[] } }
  | { type: 'state.changed' | 'incident.reopened'; data: { from: TechState; to: TechState; note: string | null } }
  | { type: 'disclosures.updated'; data: { version: number; before: Disclosures; after: Disclosures } }
  | { type: 'role.assigned'; data: { role: 'incidentManager' | 'communicationLead' | 'technicalTeam'; before: string | string[] | null; after: string | string[] | null } }
  | { type: 'communication.sent'; data: { communicationId: string; kind: MessageKind; clientIds: string[] } }
  | { type: 'incident.documented'; data: { before: string | null; after: string } }
  | { type: 'incident.closed'; data: { stage: 'internal' | 'active' } }
  | { type: 'note.added'; data: { text: string } }
  | { type: 'publication.published'; data: { publicUpdateId: string; title: string; body: string; state: TechState; isFirst: boolean } }
  | { type: 'publication.withdrawn'; data: { reason: string } }
  | { type: 'obligation.opened'; data: ObligationRef & { dueAt: string } }
  | { type: 'obligation.rescheduled'; data: ObligationRef & { before: string; after: string } }
  | { type: 'obligation.met' | 'obligation.cancelled'; data: ObligationRef & { dueAt: string; isOnTime?: boolean | undefined } }
  | { type: 'obligation.waived'; data: ObligationRef & { dueAt: string; reason: string } };

/** What the services and jobs append around the lifecycle: approvals, reminders, deliveries. */
export type ServiceEvent =
  | { type: 'communication.approval_requested'; data: { communicationId: string; kind: MessageKind; clientIds: string[] } }
  | { type: 'communication.approved' | 'communication.rejected'; data: { communicationId: string; note: string | null } }
  | { type: 'obligation.reminder' | 'obligation.escalated'; data: ObligationRef & { dueAt: string; notifiedUserIds: string[] } }
  | { type: 'obligation.breached'; data: ObligationRef & { dueAt: string } }
  | {
      type: 'delivery.failed';
      data: { deliveryId: string; communicationId: string | null; clientId: string; channel: string; to: string; attempts: number; error: string };
    }
  | { type: 'endpoint.disabled'; data: { endpointId: string; clientId: string; reason: string } };

/** What an alert group tells its incident (the group's counts when it said it). */
interface AlertGroupFacts {
  integration: string;
  groupKey: string;
  firing: number;
  total: number;
  truncatedAlerts?: number;
  payloadId?: string;
}

interface KeptAttachments {
  attachments: { id: string; filename: string; sizeBytes: number }[];
  droppedAttachments: { filename: string; sizeBytes: number; reason: string }[];
}

/** What the intake appends to an incident: alerts from monitoring, e-mail from clients. */
export type IntakeEvent =
  | { type: 'alerts.firing' | 'alerts.resolved'; data: AlertGroupFacts & { count: number; alerts?: string[] } }
  | { type: 'resolve.suggested'; data: AlertGroupFacts & { reason: string } }
  | { type: 'email.received'; data: KeptAttachments & { from: string; subject: string; text: string; messageId: string; clientIds: string[] } }
  | { type: 'email.attachments'; data: KeptAttachments };

/** Any event of an incident's timeline. */
export type DomainEvent = LifecycleEvent | ServiceEvent | IntakeEvent;
export type DomainEventType = DomainEvent['type'];

/** The event of one type among `events` (the first), typed as that event. */
export function findEvent<K extends DomainEventType>(events: readonly DomainEvent[], type: K): Extract<DomainEvent, { type: K }> | undefined {
  return events.find((e): e is Extract<DomainEvent, { type: K }> => e.type === type);
}
