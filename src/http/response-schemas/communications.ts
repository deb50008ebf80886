// What the API answers about client messages: a message with its recipient counts, each recipient's
// copy, the composer's preview, and the answers of sending and approving.
import { z } from 'zod';
import { id, isoTime, MessageKind } from './common.js';
import { Disclosures, Incident, PastOccurrence } from './incidents.js';

const counts = z.record(z.string(), z.number().int());
export const RecipientTally = z
  .object({ total: z.number().int(), byStatus: counts.describe('queued, sending, sent, retrying, dead'), byChannel: counts.describe('email, outbox, webhook, slack, teams') })
  .meta({ id: 'RecipientTally' });
export const RecipientCounts = RecipientTally.extend({ byClient: z.array(RecipientTally.extend({ clientId: id })) }).meta({ id: 'RecipientCounts' });

export const CommunicationStatus = z.enum(['sent', 'pending_approval', 'rejected']).meta({ id: 'CommunicationStatus' });

export const Communication = z
  .object({
    id,
    incidentId: id,
    kind: MessageKind,
    subject: z.string(),
    body: z.string(),
    clientIds: z.array(id),
    disclosures: Disclosures,
    pastOccurrences: z.record(z.string(), z.array(PastOccurrence)).describe('Past occurrences listed to each client, by client id'),
    status: CommunicationStatus,
    requiresApproval: z.boolean(),
    decidedBy: id.nullable(),
    decidedAt: isoTime.nullable(),
    decisionNote: z.string().nullable(),
    sentAt: isoTime.nullable(),
    promisedNextUpdateAt: isoTime.nullable(),
    isPromiseKept: z.boolean().nullable(),
    templateVersions: z.record(z.string(), z.number().int()).describe('Template versions used, keyed "channel/language"'),
    createdBy: id.nullable(),
    createdAt: isoTime,
    recipientCounts: RecipientCounts,
  })
  .meta({ id: 'Communication' });

/** One recipient's copy of a message (or of a maintenance notice) and how its delivery went. */
export const Recipient = z
  .object({
    id,
    communicationId: id.nullable().describe('Null for a maintenance notice'),
    incidentId: id.nullable(),
    clientId: id,
    contactId: id.nullable(),
    to: z.string(),
    toName: z.string(),
    language: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string().nullable().describe('The HTML part of an e-mail copy; null for chat and webhook deliveries'),
    channel: z.string(),
    status: z.string(),
    attempts: z.number().int(),
    result: z.string().nullable().describe('The provider answer once sent, else the last error'),
    nextAttemptAt: isoTime.nullable(),
    messageId: z.string(),
    createdAt: isoTime,
    sentAt: isoTime.nullable(),
  })
  .meta({ id: 'Recipient' });

/** What sending answers: the message (waiting for approval, or sent) and the incident after it. */
export const SendResult = z
  .object({ status: CommunicationStatus, communication: Communication, incident: Incident })
  .meta({ id: 'SendResult' });
export const ApprovalResult = z.object({ communication: Communication, incident: Incident }).meta({ id: 'ApprovalResult' });

export const PreviewRecipient = z
  .object({ clientId: id, channel: z.string(), to: z.string(), toName: z.string(), language: z.string(), subject: z.string(), text: z.string(), html: z.string().nullable() })
  .meta({ id: 'PreviewRecipient' });

export const CommunicationPreview = z
  .object({
    canSend: z.boolean(),
    refusal: z.object({ code: z.string(), message: z.string(), missing: z.array(z.string()) }).nullable(),
    requiresApproval: z.boolean(),
    recipientTotal: z.number().int().describe('Every recipient of the message; `recipients` holds all their copies or, for a large message, a sample'),
    copies: z.array(z.object({ channel: z.string(), language: z.string(), count: z.number().int() })),
    recipients: z.array(PreviewRecipient),
  })
  .meta({ id: 'CommunicationPreview' });

export const Notification = z
  .object({ id, kind: z.string(), incidentId: id.nullable(), title: z.string(), body: z.string(), createdAt: isoTime, readAt: isoTime.nullable() })
  .meta({ id: 'Notification' });

/** What every view of one delivery shows: where it went, in which language, and how it went. */
export const deliveryFields = {
  channel: z.string(),
  to: z.string(),
  toName: z.string(),
  language: z.string(),
  subject: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  createdAt: isoTime,
  sentAt: isoTime.nullable(),
};

/** One delivery in the proof of what was sent (per incident or per client). */
export const ProofRow = z
  .object({
    deliveryId: id,
    messageId: z.string(),
    incidentKey: z.string().nullable().describe('INC-42 for an incident message; null for a maintenance notice'),
    maintenanceKey: z.string().nullable().describe('MNT-7 for a maintenance notice; null for an incident message'),
    communicationId: id.describe('The incident message’s id, or the maintenance notice’s'),
    kind: z.string(),
    clientId: id,
    clientName: z.string(),
    ...deliveryFields,
    result: z.string(),
  })
  .meta({ id: 'ProofRow' });

/** The proof as JSON, or as CSV with one line per delivery (format=csv). */
export const proofResponse = {
  description: 'Every delivery: JSON by default, CSV with format=csv',
  content: {
    'application/json': { schema: z.object({ items: z.array(ProofRow) }) },
    'text/csv': { schema: z.string() },
  },
};
