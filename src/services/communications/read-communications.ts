// Reading what was sent. A client user sees only messages to their organisation, and only its copies.
// A message is presented with how many recipients it has per delivery state, channel and client; the
// copies themselves (with their rendered bodies) are read page by page: a message can go to 10,000
// recipients.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { communicationRecipients, communications } from '../../db/schema.js';
import { AppError, notFound } from '../app-error.js';
import { clientScope, requireStaff, type Ctx } from '../context.js';
import { assertIncidentVisible } from '../incidents/read-incidents.js';
import { decodeCursor, encodeCursor, keyset, pageByKey, type Page } from '../pagination.js';
import { rows } from '../sql-rows.js';

type CommunicationRow = typeof communications.$inferSelect;
type RecipientRow = typeof communicationRecipients.$inferSelect;

/** A message as the API shows it to the actor (a client user: its own organisation's part only). */
export function presentCommunication(c: Omit<CommunicationRow, 'clientIds' | 'pastOccurrences' | 'disclosures' | 'templateVersions'> & { clientIds: unknown; pastOccurrences: unknown; disclosures: unknown; templateVersions: unknown }, counts: RecipientCounts, scope: string | null) {
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
    recipientCounts: counts,
  };
}

export interface RecipientTally {
  total: number;
  /** queued, sending, sent, retrying, dead. */
  byStatus: Record<string, number>;
  /** email, outbox, webhook, slack, teams. */
  byChannel: Record<string, number>;
}

export interface RecipientCounts extends RecipientTally {
  byClient: ({ clientId: string } & RecipientTally)[];
}

const emptyTally = (): RecipientTally => ({ total: 0, byStatus: {}, byChannel: {} });

/** Counts to add recipients to one at a time (tally), e.g. while a message's deliveries are built. */
export const newCounts = (): RecipientCounts => ({ ...emptyTally(), byClient: [] });

/** Adds `n` recipients of a client in a state and channel; clients are kept in id order. */
export function tally(counts: RecipientCounts, clientId: string, status: string, channel: string, n = 1) {
  addTo(counts, status, channel, n);
  let at = counts.byClient.findIndex((c) => c.clientId >= clientId);
  if (at < 0) at = counts.byClient.length;
  if (counts.byClient[at]?.clientId !== clientId) counts.byClient.splice(at, 0, { clientId, ...emptyTally() });
  addTo(counts.byClient[at]!, status, channel, n);
}

function addTo(t: RecipientTally, status: string, channel: string, n: number) {
  t.total += n;
  t.byStatus[status] = (t.byStatus[status] ?? 0) + n;
  t.byChannel[channel] = (t.byChannel[channel] ?? 0) + n;
}

/** Recipient counts of each message, by state, channel and client (one grouped query for all of them). */
async function countRecipients(ctx: Ctx, ids: string[], scope: string | null): Promise<Map<string, RecipientCounts>> {
  const out = new Map<string, RecipientCounts>(ids.map((id) => [id, newCounts()]));
  if (!ids.length) return out;
  const grouped = await rows<{ communication_id: string; client_id: string; channel: string; status: string; n: number }>(
    ctx.tx,
    sql`SELECT communication_id::text AS communication_id, client_id::text AS client_id, channel, status, count(*)::int AS n
      FROM communication_recipients
      WHERE communication_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid) ${scope ? sql`AND client_id = ${scope}` : sql``}
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`,
  );
  for (const g of grouped) {
    const counts = out.get(g.communication_id);
    if (counts) tally(counts, g.client_id, g.status, g.channel, g.n);
  }
  return out;
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

export async function listIncidentCommunications(ctx: Ctx, idOrKey: string, page: Page) {
  const scope = clientScope(ctx);
  const incident = await assertIncidentVisible(ctx, idOrKey);
  const k = keyset(page, [communications.createdAt, communications.id]);
  const found = await ctx.tx
    .select()
    .from(communications)
    // A client sees a message once it is sent: not while it waits for approval, nor when it was rejected.
    .where(and(eq(communications.incidentId, incident.id), scope ? sql`${communications.clientIds} ? ${scope}` : undefined, scope ? eq(communications.status, 'sent') : undefined, k.where))
    .orderBy(...k.orderBy)
    .limit(k.limit);
  const { items, nextCursor } = pageByKey(found, page, (c) => [c.createdAt, c.id]);
  const counts = await countRecipients(ctx, items.map((c) => c.id), scope);
  return { items: items.map((c) => presentCommunication(c, counts.get(c.id)!, scope)), nextCursor };
}

/** One message the actor may see (a client user: one sent to their organisation), or not found. */
async function visibleCommunication(ctx: Ctx, id: string, scope: string | null): Promise<CommunicationRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Communication');
  const [c] = await ctx.tx
    .select()
    .from(communications)
    .where(and(eq(communications.id, id), scope ? sql`${communications.clientIds} ? ${scope}` : undefined, scope ? eq(communications.status, 'sent') : undefined));
  if (!c) throw notFound('Communication');
  return c;
}

export async function getCommunication(ctx: Ctx, id: string) {
  const scope = clientScope(ctx);
  const c = await visibleCommunication(ctx, id, scope);
  return presentCommunication(c, (await countRecipients(ctx, [c.id], scope)).get(c.id)!, scope);
}

export interface RecipientFilters {
  clientId?: string | undefined;
  status?: string | undefined;
  channel?: string | undefined;
}

const encodeRecipientCursor = (r: { toAddress: string; id: string }) => Buffer.from(JSON.stringify([r.toAddress, r.id])).toString('base64url');

function decodeRecipientCursor(cursor: string | null): { to: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [to, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof to !== 'string' || to.includes('\u0000') || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('shape');
    return { to, id };
  } catch {
    throw new AppError('invalid_input', 'The cursor is not valid.', { field: 'cursor' });
  }
}

/**
 * The recipients of one message with their copies (subject, text, HTML) and delivery results, a page at
 * a time in address order. A client user sees only their organisation's copies of a sent message.
 */
export async function listCommunicationRecipients(ctx: Ctx, communicationId: string, filters: RecipientFilters, page: Page) {
  const scope = clientScope(ctx);
  const c = await visibleCommunication(ctx, communicationId, scope);
  const cursor = decodeRecipientCursor(page.cursor);
  const found = await ctx.tx
    .select()
    .from(communicationRecipients)
    .where(
      and(
        eq(communicationRecipients.communicationId, c.id),
        scope ? eq(communicationRecipients.clientId, scope) : undefined,
        filters.clientId ? eq(communicationRecipients.clientId, filters.clientId) : undefined,
        filters.status ? eq(communicationRecipients.status, filters.status) : undefined,
        filters.channel ? eq(communicationRecipients.channel, filters.channel) : undefined,
        cursor ? sql`(${communicationRecipients.toAddress}, ${communicationRecipients.id}) > (${cursor.to}, ${cursor.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(communicationRecipients.toAddress), asc(communicationRecipients.id))
    .limit(page.limit + 1);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(presentRecipient), nextCursor: found.length > page.limit && last ? encodeRecipientCursor(last) : null };
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
