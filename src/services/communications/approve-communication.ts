// Approving (and so sending) or rejecting a message held for approval: by the Incident Manager or the
// Communication Lead, never its author. Runs in its caller's transaction: the message row is locked
// while it is decided.
import { eq, sql } from 'drizzle-orm';
import { communications } from '../../db/schema.js';
import type { MessageKind } from '../../domain/types.js';
import { AppError, notFound } from '../app-error.js';
import { defineVerb, requireWriter, type Ctx } from '../context.js';
import { appendEvents, loadIncident } from '../incidents/incident-store.js';
import { NEEDS_LOCK, runIncidentCommand } from '../incidents/run-incident-command.js';
import { notify } from '../notifications.js';
import { recordAndDeliver, sentTo, type SentCommunication } from './message-record.js';
import { sendMessageCommand, type SendInput, type SendResult } from './send-communication.js';

async function decide(ctx: Ctx, communicationId: string, input: { isApproved: boolean; note?: string | null | undefined }): Promise<SendResult> {
  // Before any lookup: a client user must not learn whether (or in which state) a message exists.
  requireWriter(ctx);
  const [c] = await ctx.tx.select().from(communications).where(eq(communications.id, communicationId)).for('update');
  if (!c) throw notFound('Communication');
  if (c.status !== 'pending_approval') throw new AppError('conflict', `The message is ${c.status.replace('_', ' ')}, not waiting for approval.`);
  const [incident] = await ctx.tx.execute(sql`SELECT incident_manager_id, communication_lead_id FROM incidents WHERE id = ${c.incidentId}`).then((r) => (r as unknown as { rows: { incident_manager_id: string | null; communication_lead_id: string | null }[] }).rows);
  const approvers = [incident?.incident_manager_id, incident?.communication_lead_id].filter(Boolean);
  if (!approvers.includes(ctx.actor.userId)) throw new AppError('not_approver', 'Messages are approved by the Incident Manager or the Communication Lead.');
  if (c.createdBy === ctx.actor.userId) throw new AppError('not_approver', 'A second person must approve: the author cannot approve their own message.');
  await ctx.tx.update(communications).set({ decidedBy: ctx.actor.userId, decidedAt: ctx.now, decisionNote: input.note ?? null }).where(eq(communications.id, c.id));
  if (!input.isApproved) {
    await ctx.tx.update(communications).set({ status: 'rejected' }).where(eq(communications.id, c.id));
    await appendEvents(ctx.tx, c.incidentId, [{ type: 'communication.rejected', data: { communicationId: c.id, note: input.note ?? null } }], ctx.actor, ctx.now);
    if (c.createdBy) {
      await notify(ctx.tx, { userIds: [c.createdBy], kind: 'communication.rejected', incidentId: c.incidentId, title: `Your ${c.kind} message was not approved`, body: input.note ?? '' }, ctx.now);
    }
    await ctx.tx.execute(sql`UPDATE incidents SET updated_at = ${ctx.now} WHERE id = ${c.incidentId}`);
    return { record: await loadIncident(ctx.tx, c.incidentId), communicationId: c.id, clientIds: c.clientIds as string[], status: 'rejected' };
  }
  await appendEvents(ctx.tx, c.incidentId, [{ type: 'communication.approved', data: { communicationId: c.id, note: input.note ?? null } }], ctx.actor, ctx.now);
  return sendApproved(ctx, c.incidentId, { kind: c.kind as MessageKind, clientIds: c.clientIds as string[], subject: c.subject, body: c.body, communicationId: c.id });
}

export const decideCommunication = defineVerb({ autocommit: false, run: decide });

/** The approved message sent as the lifecycle decides it now (the incident may have moved on since it was held). */
async function sendApproved(ctx: Ctx, incidentId: string, input: SendInput & { communicationId: string }): Promise<SendResult> {
  let clientIds: string[] = [];
  let communication: SentCommunication | undefined;
  const record = await runIncidentCommand(
    ctx,
    incidentId,
    () => sendMessageCommand(input),
    async ({ record: rec, outcome, isLocked }, c) => {
      if (!isLocked) return NEEDS_LOCK;
      clientIds = sentTo(outcome);
      communication = await recordAndDeliver(c, rec, outcome, clientIds, { ...input, isNew: false });
      return {};
    },
  );
  return { record, communicationId: input.communicationId, clientIds, status: 'sent', ...(communication && { communication }) };
}
