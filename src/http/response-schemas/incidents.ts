// What the API answers about incidents: the staff and client views, their timeline, obligations and
// disclosure versions. The shapes follow src/domain/types.ts; the routes' types check that they agree.
import { z } from 'zod';
import { DisclosureLevel, id, ImpactStatus, isoTime, MessageKind, ObligationStatus, Severity, Source, Stage, TechState } from './common.js';

export const Disclosures = z
  .object({
    impactSummary: z.string().nullable(),
    dataLoss: z.object({ level: DisclosureLevel, details: z.string().nullable() }).nullable(),
    dataExposure: z.object({ level: DisclosureLevel, details: z.string().nullable(), isPersonalData: z.boolean() }).nullable(),
    expectedResolutionAt: isoTime.nullable(),
    nextUpdateAt: isoTime.nullable(),
    remediation: z.string().nullable(),
  })
  .meta({ id: 'Disclosures' });

export const ComponentImpact = z.object({ componentId: id, status: ImpactStatus }).meta({ id: 'ComponentImpact' });

/** When each kind of message was last sent (or met) for a client. */
const byKind = z.object({ initial: isoTime, update: isoTime, resolution: isoTime, rca: isoTime }).partial();

export const IncidentClient = z
  .object({
    clientId: id,
    tier: z.string(),
    source: z.enum(['derived', 'explicit']),
    addedAt: isoTime,
    sent: byKind,
    met: byKind,
    promisedNextUpdateAt: isoTime.nullable().optional(),
  })
  .meta({ id: 'IncidentClient' });

export const Decision = z.object({ isClientAffected: z.boolean(), by: z.string(), at: isoTime, reason: z.string() }).meta({ id: 'Decision' });
export const IncidentRoles = z.object({ incidentManagerId: id.nullable(), communicationLeadId: id.nullable(), technicalTeamIds: z.array(id) }).meta({ id: 'IncidentRoles' });

const obligationFields = {
  id,
  kind: MessageKind,
  clientId: id,
  dueAt: isoTime,
  status: ObligationStatus,
  createdAt: isoTime,
  closedAt: isoTime.nullable(),
  metByCommunicationId: id.nullable(),
  waiver: z.object({ by: z.string(), reason: z.string() }).nullable(),
  isOverdue: z.boolean(),
};
/** An open obligation as the incident carries it. */
export const ObligationView = z.object(obligationFields).meta({ id: 'ObligationView' });
/** Any obligation of the incident, open or closed (GET …/obligations). */
export const ObligationRecord = z.object({ ...obligationFields, wasOnTime: z.boolean().nullable().describe('For a met obligation: whether it was met by its deadline') }).meta({ id: 'ObligationRecord' });

/** The staff view of an incident. */
export const Incident = z
  .object({
    id,
    key: z.string(),
    title: z.string(),
    description: z.string(),
    source: Source,
    reporterId: id.nullable(),
    reporterClientId: id.nullable(),
    reportedClientIds: z.array(id),
    suggestedImpacts: z
      .array(ComponentImpact)
      .describe("The impacts a client user's report suggested: they change no component's status until staff classify the incident with them"),
    stage: Stage,
    techState: TechState,
    severity: Severity.nullable(),
    peakSeverity: Severity.nullable().describe('The highest severity the incident has had; four-eyes approval follows it'),
    decision: Decision.nullable(),
    impacts: z.array(ComponentImpact),
    affectedClients: z.array(IncidentClient),
    disclosures: Disclosures,
    disclosureVersion: z.number().int(),
    roles: IncidentRoles,
    obligations: z.array(ObligationView),
    nextObligation: ObligationView.nullable(),
    internalSummary: z.string().nullable(),
    reportedAt: isoTime,
    classifiedAt: isoTime.nullable(),
    resolvedAt: isoTime.nullable(),
    reopenedAt: isoTime.nullable(),
    closedAt: isoTime.nullable(),
    publicTitle: z.string().nullable().describe('The title on the public status page (the last one published; kept after a withdrawal)'),
    publishedAt: isoTime.nullable().describe('When the incident was published to the public status page; null while it is not there'),
    updatedAt: isoTime,
  })
  .meta({ id: 'Incident' });

/** What a client user sees of an incident: no internal fields, roles or other clients. */
export const ClientIncident = z
  .object({
    id,
    key: z.string(),
    title: z.string(),
    description: z.string(),
    isReportedByYou: z.boolean(),
    isAffectingYou: z.boolean(),
    stage: z.enum(['open', 'closed']),
    techState: TechState,
    severity: Severity.nullable(),
    impacts: z.array(ComponentImpact),
    reportedAt: isoTime,
    resolvedAt: isoTime.nullable(),
    closedAt: isoTime.nullable(),
  })
  .meta({ id: 'ClientIncident' });

/** Staff get the staff view, client users the client view. */
export const AnyIncident = z.union([Incident, ClientIncident]);

export const TimelineEvent = z
  .object({
    seq: z.number().int(),
    at: isoTime,
    actorId: id.nullable(),
    actor: z.string(),
    type: z.string().describe('The event type, e.g. incident.reported, communication.sent'),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEvent' });

export const DisclosureVersion = z.object({ version: z.number().int(), disclosures: Disclosures, actorId: id.nullable(), at: isoTime }).meta({ id: 'DisclosureVersion' });

export const PastOccurrence = z.object({ incidentId: id, key: z.string(), title: z.string(), reportedAt: isoTime, rcaUrl: z.string().nullable() }).meta({ id: 'PastOccurrence' });


/** An entry published to the public status page (what everyone sees, as written). */
export const PublicUpdate = z
  .object({
    id,
    title: z.string(),
    body: z.string().describe('Markdown, shown as written (no template variables)'),
    state: TechState,
    at: isoTime,
    actorId: id.nullable(),
    actor: z.string(),
    withdrawnAt: isoTime.nullable().describe('When the incident was taken off the public page; a withdrawn entry never shows again'),
  })
  .meta({ id: 'PublicUpdate' });
