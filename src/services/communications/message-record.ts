// Recording a message: held for approval (nothing sent yet), or sent now: its row, its deliveries a
// chunk at a time, their delivery jobs and the status page subscribers' notices, in the caller's
// transaction (the outbox: what is recorded is what gets delivered, exactly once).
import { eq, sql } from 'drizzle-orm';
import { communications } from '../../db/schema.js';
import { findEvent, type Accepted, type IncidentState } from '../../domain/incident/lifecycle.js';
import type { PastOccurrence } from '../../domain/messages/past-occurrence.js';
import type { Ctx } from '../context.js';
import { appendEvents, type IncidentRecord } from '../incidents/incident-store.js';
import { notify } from '../notifications.js';
import { QUEUES } from '../queues.js';
import { queueSubscriberNotices } from '../status-pages/subscriptions.js';
import { buildDeliveriesInChunks, type MessageInput } from './build-deliveries.js';
import { DELIVERIES_PER_JOB } from './delivery-jobs.js';
import { loadMessageContext } from './message-context.js';
import { insertMessageWithDeliveries } from './message-rows.js';
import { newCounts, presentCommunication, tally } from './read-communications.js';

/** A message sent now, as the API presents it (read-communications' shape for a staff reader). */
export type SentCommunication = ReturnType<typeof presentCommunication>;

/** The clients a message goes to, as the lifecycle decided them. */
export const sentTo = (outcome: Accepted) => findEvent(outcome.events, 'communication.sent')?.data.clientIds ?? [];

/** The columns of a message sent now (its subject, past occurrences and template versions are completed as it is built). */
export function newMessageValues(ctx: Ctx, rec: IncidentRecord, state: IncidentState, clientIds: string[], input: Omit<MessageInput, 'communicationId'>) {
  const promised = input.kind === 'initial' || input.kind === 'update' ? state.disclosures.nextUpdateAt : null;
  // Kept when every client it goes to hears from us no later than the last message sent to that client
  // promised (null when none of them was promised anything).
  const promises = rec.state.clients.filter((c) => clientIds.includes(c.clientId) && c.promisedNextUpdateAt).map((c) => Date.parse(c.promisedNextUpdateAt!));
  const isPromiseKept = promises.length ? promises.every((p) => ctx.now.getTime() <= p) : null;
  return {
    kind: input.kind,
    subject: input.subject?.trim() || `${rec.key}: ${rec.title}`,
    body: input.body ?? '',
    clientIds,
    disclosures: state.disclosures,
    pastOccurrences: {} as Record<string, PastOccurrence[]>,
    status: 'sent',
    sentAt: ctx.now,
    promisedNextUpdateAt: promised ? new Date(promised) : null,
    isPromiseKept,
    templateVersions: {} as Record<string, number>,
  };
}

/** A message that needs a second person's approval: recorded, with the request on the timeline and to the approvers; nothing is sent. */
export async function holdForApproval(ctx: Ctx, checked: IncidentRecord, input: Omit<MessageInput, 'communicationId'>, communicationId: string, clientIds: string[]) {
  await ctx.tx.insert(communications).values({
    id: communicationId,
    incidentId: checked.id,
    kind: input.kind,
    subject: input.subject?.trim() ?? '',
    body: input.body ?? '',
    clientIds,
    disclosures: checked.state.disclosures,
    pastOccurrences: {},
    status: 'pending_approval',
    requiresApproval: true,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  await appendEvents(ctx.tx, checked.id, [{ type: 'communication.approval_requested', data: { communicationId, kind: input.kind, clientIds } }], ctx.actor, ctx.now);
  const approvers = [checked.state.roles.incidentManagerId, checked.state.roles.communicationLeadId].filter((u): u is string => !!u && u !== ctx.actor.userId);
  await notify(
    ctx.tx,
    { userIds: approvers, kind: 'communication.approval_requested', incidentId: checked.id, title: `${checked.key}: a ${input.kind} message waits for your approval`, body: input.body ?? '' },
    ctx.now,
  );
  await ctx.tx.execute(sql`UPDATE incidents SET updated_at = ${ctx.now} WHERE id = ${checked.id}`);
}

/**
 * A message sent now (new, or approved earlier and so already recorded): its row completed, its
 * deliveries written and enqueued a chunk at a time. Returns it as the API presents it when it is new.
 */
export async function recordAndDeliver(
  ctx: Ctx,
  rec: IncidentRecord,
  outcome: Accepted,
  clientIds: string[],
  input: MessageInput & { isNew: boolean },
): Promise<SentCommunication | undefined> {
  const state = outcome.state;
  const values = newMessageValues(ctx, rec, state, clientIds, input);
  const context = await loadMessageContext(ctx, { incidentId: rec.id, clientIds, kind: input.kind, componentIds: state.impacts.map((i) => i.componentId), reportedAt: state.reportedAt });
  values.pastOccurrences = context.past;
  // A message approved earlier exists; a new one is written with its first deliveries (they refer to it).
  if (!input.isNew) await ctx.tx.update(communications).set(values).where(eq(communications.id, input.communicationId));
  let isWritten = !input.isNew;
  let isComplete = false;
  const counts = newCounts();
  await buildDeliveriesInChunks(ctx, context, rec, state, input, undefined, async (chunk, progress) => {
    for (const d of chunk) tally(counts, d.clientId, d.status ?? 'queued', d.channel);
    const complete = { ...values, subject: input.subject?.trim() || progress.firstSubject || values.subject, templateVersions: progress.usedTemplates };
    if (!isWritten) {
      // Written complete when this is the only chunk; else completed by the update below.
      await insertMessageWithDeliveries(ctx, { id: input.communicationId, incidentId: rec.id, createdBy: ctx.actor.userId, createdAt: ctx.now, ...complete }, chunk);
      isWritten = true;
      isComplete = progress.isLast;
      Object.assign(values, complete);
    } else if (chunk.length) {
      await insertMessageWithDeliveries(ctx, null, chunk);
    }
    if (progress.isLast && !isComplete) {
      Object.assign(values, complete);
      await ctx.tx
        .update(communications)
        .set({ subject: values.subject, pastOccurrences: values.pastOccurrences, templateVersions: values.templateVersions })
        .where(eq(communications.id, input.communicationId));
    }
    const queued = chunk.filter((d) => d.status === 'queued').map((d) => d.id!);
    if (!queued.length) return;
    if (!ctx.jobs) throw new Error('deliveries are queued but no job queue is running');
    // A job per few deliveries, not per delivery: fewer job rows to write, fetch and complete.
    const jobs: { data: { deliveryIds: string[] } }[] = [];
    for (let i = 0; i < queued.length; i += DELIVERIES_PER_JOB) jobs.push({ data: { deliveryIds: queued.slice(i, i + DELIVERIES_PER_JOB) } });
    await ctx.jobs.enqueue(ctx.tx, QUEUES.delivery, jobs);
  });
  if (context.hasSubscribers) {
    await queueSubscriberNotices({ tx: ctx.tx, now: ctx.now, baseUrl: ctx.settings.baseUrl, companyName: ctx.settings.companyName, jobs: ctx.jobs ?? null }, input.communicationId);
  }
  if (!input.isNew) return undefined;
  return presentCommunication(
    {
      id: input.communicationId,
      incidentId: rec.id,
      ...values,
      requiresApproval: false,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      createdBy: ctx.actor.userId,
      createdAt: ctx.now,
    },
    counts,
    null,
  );
}

