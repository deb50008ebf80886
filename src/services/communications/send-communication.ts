// Sending a client message: checked by the lifecycle (the incident command `sendMessage`), held for a
// second person's approval where the severity needs it, else filled from the templates per client and
// contact language and recorded with one delivery per recipient and channel, enqueued with the incident
// written. A small message to the local outbox is written with the incident in its one save statement;
// any other runs locked in a transaction (see run-incident-command.ts).
import { randomUUID } from 'node:crypto';
import type { Accepted } from '../../domain/incident/lifecycle.js';
import type { MessageKind } from '../../domain/types.js';
import { defineVerb, type Ctx } from '../context.js';
import type { IncidentRecord } from '../incidents/incident-store.js';
import { NEEDS_LOCK, runIncidentCommand } from '../incidents/run-incident-command.js';
import { needsApproval } from '../sla/sla-policies.js';
import { buildDeliveriesInChunks, DELIVERY_CHUNK, type MessageInput, type NewDelivery } from './build-deliveries.js';
import { loadMessageContext } from './message-context.js';
import { holdForApproval, newMessageValues, recordAndDeliver, sentTo, type SentCommunication } from './message-record.js';
import { messageWithIncident } from './message-rows.js';
import { newCounts, presentCommunication, tally } from './read-communications.js';

export interface SendInput {
  kind: MessageKind;
  clientIds?: string[] | null | undefined;
  subject?: string | null | undefined;
  body?: string | null | undefined;
}

export interface SendResult {
  record: IncidentRecord;
  communicationId: string;
  clientIds: string[];
  status: 'sent' | 'pending_approval' | 'rejected';
  /** A message sent now: as the API presents it to its (staff) sender, without reading it back. */
  communication?: SentCommunication;
}

/** The lifecycle command that sends (or, approved, completes) a message. */
export const sendMessageCommand = (input: SendInput & { communicationId: string }) =>
  ({ type: 'sendMessage', kind: input.kind, clientIds: input.clientIds ?? null, body: input.body || null, communicationId: input.communicationId }) as const;

async function send(ctx: Ctx, idOrKey: string, input: SendInput): Promise<SendResult> {
  const message = { ...input, communicationId: randomUUID() };
  let result: Omit<SendResult, 'record'> | null = null;
  const record = await runIncidentCommand(
    ctx,
    idOrKey,
    () => sendMessageCommand(message),
    async ({ record: rec, outcome, policies, isLocked }, c) => {
      const clientIds = sentTo(outcome);
      const tiers = outcome.state.clients.filter((k) => clientIds.includes(k.clientId)).map((k) => k.tier);
      // By the highest severity the incident has had, so that lowering it for a moment does not skip the approval.
      const isHeld = needsApproval(policies, tiers, outcome.state.peakSeverity ?? outcome.state.severity ?? 'SEV4');
      if (!isLocked) {
        const one = isHeld ? null : await messageInOneStatement(c, rec, outcome, message);
        if (!one) return NEEDS_LOCK;
        result = one.result;
        return { save: { parts: one.parts } };
      }
      if (isHeld) {
        // Nothing is sent or met yet: the message waits for a second person.
        await holdForApproval(c, rec, input, message.communicationId, clientIds);
        result = { communicationId: message.communicationId, clientIds, status: 'pending_approval' };
        return { isOutcomeSaved: false };
      }
      const communication = await recordAndDeliver(c, rec, outcome, clientIds, { ...message, isNew: true });
      result = { communicationId: message.communicationId, clientIds, status: 'sent', communication };
      return {};
    },
  );
  return { record, ...result! };
}

/** Sends a message to the affected clients (or some of them), or holds it for approval. */
export const sendCommunication = defineVerb({ autocommit: true, run: send });

/**
 * A message whose whole write is one statement, written with the incident: a message to the local
 * outbox (nothing is queued), to at most one chunk of recipients, no webhooks or chat, and no status
 * page subscribers to tell. Null for any other message: it is sent in a transaction.
 */
async function messageInOneStatement(
  ctx: Ctx,
  rec: IncidentRecord,
  outcome: Accepted,
  input: MessageInput,
): Promise<{ parts: ReturnType<typeof messageWithIncident>; result: Omit<SendResult, 'record'> } | null> {
  if (ctx.settings.emailChannel !== 'outbox') return null;
  const clientIds = sentTo(outcome);
  const state = outcome.state;
  const context = await loadMessageContext(ctx, { incidentId: rec.id, clientIds, kind: input.kind, componentIds: state.impacts.map((i) => i.componentId), reportedAt: state.reportedAt });
  if (context.endpoints.length || context.hasSubscribers || !context.contacts || context.contacts.length > DELIVERY_CHUNK) return null;
  const message = newMessageValues(ctx, rec, state, clientIds, input);
  message.pastOccurrences = context.past;
  let deliveries: NewDelivery[] = [];
  await buildDeliveriesInChunks(ctx, context, rec, state, input, undefined, async (chunk, progress) => {
    if (!progress.isLast) throw new Error('a message to at most one chunk of contacts came in several');
    deliveries = chunk;
    Object.assign(message, { subject: input.subject?.trim() || progress.firstSubject || message.subject, templateVersions: progress.usedTemplates });
  });
  const row = { id: input.communicationId, incidentId: rec.id, createdBy: ctx.actor.userId, createdAt: ctx.now, ...message };
  const counts = newCounts();
  for (const d of deliveries) tally(counts, d.clientId, d.status ?? 'queued', d.channel);
  const communication = presentCommunication({ ...row, requiresApproval: false, decidedBy: null, decidedAt: null, decisionNote: null }, counts, null);
  return { parts: messageWithIncident(row, deliveries), result: { communicationId: input.communicationId, clientIds, status: 'sent', communication } };
}
