// Previews: what a message would look like for every recipient and whether it could go out now, and a
// template rendered against a real incident for one recipient. Nothing is written.
import { randomUUID } from 'node:crypto';
import { decide } from '../../domain/incident/lifecycle.js';
import type { MessageKind } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import { requireWriter, type Ctx } from '../context.js';
import { loadIncident } from '../incidents/incident-store.js';
import { loadPolicies, requiresApproval } from '../sla/sla-policies.js';
import { buildDeliveries } from './build-deliveries.js';
import { sendMessageCommand, type SendInput } from './send-communication.js';

/**
 * What a message would look like for every recipient, and whether it could go out now (the refusal
 * the lifecycle would give, with the missing disclosures named). Nothing is written.
 */
export async function previewCommunication(ctx: Ctx, idOrKey: string, input: SendInput) {
  requireWriter(ctx);
  const record = await loadIncident(ctx.tx, idOrKey);
  const policies = await loadPolicies(ctx.tx);
  const outcome = decide(
    record.state,
    sendMessageCommand({ ...input, communicationId: randomUUID() }),
    { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID },
  );
  let refusal = outcome.ok ? null : { code: outcome.code as string, message: outcome.message, missing: outcome.missing ?? [] };
  const affected = new Set(record.state.clients.map((c) => c.clientId));
  const clientIds = (input.clientIds ?? [...affected]).filter((id) => affected.has(id));
  const tiers = record.state.clients.filter((c) => clientIds.includes(c.clientId)).map((c) => c.tier);
  const needsApproval = clientIds.length > 0 && (await requiresApproval(ctx.tx, tiers, record.state.peakSeverity ?? record.state.severity ?? 'SEV4'));
  let recipients: { clientId: string; channel: string; to: string; toName: string; language: string; subject: string; text: string; html: string | null }[] = [];
  if (clientIds.length) {
    try {
      const built = await buildDeliveries(ctx, record, record.state, clientIds, { ...input, communicationId: randomUUID() });
      recipients = built.deliveries.map((d) => ({
        clientId: d.clientId,
        channel: d.channel,
        to: d.toAddress,
        toName: d.toName,
        language: d.language,
        subject: d.subject,
        text: d.textBody,
        html: d.htmlBody ?? null,
      }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refusal ??= { code: err.code, message: err.message, missing: err.details.missing ?? [] };
    }
  }
  const summary = new Map<string, { channel: string; language: string; count: number }>();
  for (const r of recipients) {
    const k = `${r.channel}\u0000${r.language}`;
    const entry = summary.get(k) ?? { channel: r.channel, language: r.language, count: 0 };
    entry.count++;
    summary.set(k, entry);
  }
  return {
    canSend: refusal === null,
    refusal,
    requiresApproval: needsApproval,
    recipientTotal: recipients.length,
    copies: [...summary.values()],
    recipients: previewSample(recipients),
  };
}

/** Copies a preview shows at most in all, and of each client, channel and language. */
export const PREVIEW_SAMPLE_MAX = 300;
export const PREVIEW_SAMPLE_PER_GROUP = 5;

/**
 * The copies a preview answers with: every copy for an ordinary message; for a message to thousands,
 * a few of each client in each channel and language (they differ only in the name of the person), so
 * the answer stays small while every client and language can still be looked at.
 */
export function previewSample<T extends { clientId: string; channel: string; language: string }>(all: T[]): T[] {
  if (all.length <= PREVIEW_SAMPLE_MAX) return all;
  const taken = new Map<string, number>();
  const sample: T[] = [];
  for (const r of all) {
    const k = `${r.clientId}\u0000${r.channel}\u0000${r.language}`;
    const n = taken.get(k) ?? 0;
    if (n >= PREVIEW_SAMPLE_PER_GROUP) continue;
    taken.set(k, n + 1);
    sample.push(r);
  }
  return sample.slice(0, PREVIEW_SAMPLE_MAX);
}

/**
 * Renders a template (its current version, or draft parts) against a real incident for one client
 * and, for e-mail, one of its contacts: what that person would receive.
 */
export async function previewTemplate(
  ctx: Ctx,
  template: { kind: MessageKind; language: string; channel: 'email' | 'chat'; parts: Record<string, string> },
  input: { incidentId: string; clientId: string; contactId?: string | null | undefined; body?: string | null | undefined },
) {
  requireWriter(ctx);
  const record = await loadIncident(ctx.tx, input.incidentId);
  if (!record.state.clients.some((c) => c.clientId === input.clientId) && record.reporterClientId !== input.clientId) {
    throw new AppError('client_not_affected', 'Pick a client of this incident.', { field: 'clientId' });
  }
  const built = await buildDeliveries(ctx, record, record.state, [input.clientId], { kind: template.kind, body: input.body ?? null, communicationId: randomUUID() }, template);
  const chosen =
    template.channel === 'email'
      ? built.deliveries.find((d) => d.contactId && (!input.contactId || d.contactId === input.contactId))
      : built.deliveries.find((d) => !d.contactId);
  if (!chosen) throw new AppError('no_contacts', template.channel === 'email' ? 'The client has no such contact receiving e-mail.' : 'The client has no chat or webhook endpoint.', { field: 'contactId' });
  return { channel: template.channel, to: chosen.toAddress, language: chosen.language, subject: template.channel === 'email' ? chosen.subject : null, text: chosen.textBody, html: chosen.htmlBody ?? null };
}
