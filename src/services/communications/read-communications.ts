// Reading what was sent. A client user sees only messages to their organisation, and only its copies.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { communicationRecipients, communications } from '../../db/schema.js';
import { notFound } from '../app-error.js';
import { clientScope, requireStaff, type Ctx } from '../context.js';
import { assertIncidentVisible } from '../incidents/read-incidents.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';

type CommunicationRow = typeof communications.$inferSelect;
type RecipientRow = typeof communicationRecipients.$inferSelect;

function present(c: CommunicationRow, recipients: RecipientRow[], scope: string | null) {
  const clientIds = c.clientIds as string[];
  const past = c.pastOccurrences as Record<string, unknown[]>;
  return {
    id: c.id,
    incidentId: c.incidentId,
    kind: c.kind,
    subject: c.subject,
    body: c.body,
    clientIds: scope ? clientIds.filter((id) => id === scope) : clientIds,
    disclosures: c.disclosures,
    pastOccurrences: scope ? { [scope]: past[scope] ?? [] } : past,
    status: c.status,
    requiresApproval: c.requiresApproval,
    decidedBy: scope ? null : c.decidedBy,
    decidedAt: c.decidedAt?.toISOString() ?? null,
    decisionNote: scope ? null : c.decisionNote,
    sentAt: c.sentAt?.toISOString() ?? null,
    promisedNextUpdateAt: c.promisedNextUpdateAt?.toISOString() ?? null,
    isPromiseKept: c.isPromiseKept,
    templateVersions: scope ? {} : c.templateVersions,
    createdBy: scope ? null : c.createdBy,
    createdAt: c.createdAt.toISOString(),
    recipients: recipients.map((r) => presentRecipient(r)),
  };
}

export function presentRecipient(r: RecipientRow) {
  return {
    id: r.id,
    communicationId: r.communicationId,
    incidentId: r.incidentId,
    clientId: r.clientId,
    contactId: r.contactId,
    to: r.toAddress,
    toName: r.toName,
    language: r.language,
    subject: r.subject,
    text: r.textBody,
    html: r.htmlBody,
    channel: r.channel,
    status: r.status,
    attempts: r.attempts,
    result: r.status === 'sent' ? r.providerRef : r.lastError,
    nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
    messageId: r.messageId,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
  };
}

async function recipientsOf(ctx: Ctx, ids: string[], scope: string | null): Promise<RecipientRow[]> {
  if (!ids.length) return [];
  return ctx.tx
    .select()
    .from(communicationRecipients)
    .where(
      and(
        sql`${communicationRecipients.communicationId}::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
        scope ? eq(communicationRecipients.clientId, scope) : undefined,
      ),
    )
    .orderBy(asc(communicationRecipients.toAddress));
}

export async function listIncidentCommunications(ctx: Ctx, idOrKey: string) {
  const scope = clientScope(ctx);
  const incident = await assertIncidentVisible(ctx, idOrKey);
  const found = await ctx.tx
    .select()
    .from(communications)
    .where(and(eq(communications.incidentId, incident.id), scope ? sql`${communications.clientIds} ? ${scope}` : undefined))
    .orderBy(asc(communications.createdAt));
  const recipients = await recipientsOf(ctx, found.map((c) => c.id), scope);
  return found.map((c) => present(c, recipients.filter((r) => r.communicationId === c.id), scope));
}

export async function getCommunication(ctx: Ctx, id: string) {
  const scope = clientScope(ctx);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Communication');
  const [c] = await ctx.tx
    .select()
    .from(communications)
    .where(and(eq(communications.id, id), scope ? sql`${communications.clientIds} ? ${scope}` : undefined));
  if (!c) throw notFound('Communication');
  return present(c, await recipientsOf(ctx, [c.id], scope), scope);
}

/** The local outbox: every message Herald recorded as sent, newest first. Staff only. */
export async function listOutbox(ctx: Ctx, filters: { incidentId?: string | undefined; clientId?: string | undefined; to?: string | undefined }, page: Page) {
  requireStaff(ctx);
  const conds: (SQL | undefined)[] = [eq(communicationRecipients.channel, 'outbox')];
  if (filters.incidentId) conds.push(eq(communicationRecipients.incidentId, filters.incidentId));
  if (filters.clientId) conds.push(eq(communicationRecipients.clientId, filters.clientId));
  if (filters.to) conds.push(sql`lower(${communicationRecipients.toAddress}) = ${filters.to.toLowerCase()}`);
  const cursor = decodeCursor(page.cursor);
  if (cursor) conds.push(sql`(${communicationRecipients.createdAt}, ${communicationRecipients.id}) < (${new Date(cursor.at)}, ${cursor.id}::uuid)`);
  const found = await ctx.tx
    .select()
    .from(communicationRecipients)
    .where(and(...conds))
    .orderBy(desc(communicationRecipients.createdAt), desc(communicationRecipients.id))
    .limit(page.limit + 1);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(presentRecipient),
    nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
  };
}
