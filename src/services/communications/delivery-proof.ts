// Proof of what was sent: per incident or per client, every delivery with its recipient, channel,
// time and result, as JSON or CSV, read a page at a time while the answer streams out.
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { clients, communicationRecipients, communications, incidents, maintenanceNotices, maintenanceWindows } from '../../db/schema.js';
import { clientScope, type Ctx } from '../context.js';
import { getClient } from '../clients/clients.js';
import { assertIncidentVisible } from '../incidents/read-incidents.js';

export interface ProofRow {
  deliveryId: string;
  messageId: string;
  /** INC-42 for an incident message; null for a maintenance notice. */
  incidentKey: string | null;
  /** MNT-7 for a maintenance notice; null for an incident message. */
  maintenanceKey: string | null;
  /** The incident message's id, or the maintenance notice's. */
  communicationId: string;
  /** initial, update, resolution, rca; maintenance_scheduled, maintenance_reminder, … for maintenance notices. */
  kind: string;
  clientId: string;
  clientName: string;
  channel: string;
  to: string;
  toName: string;
  language: string;
  subject: string;
  status: string;
  attempts: number;
  result: string;
  createdAt: string;
  sentAt: string | null;
}

/** The columns the proof shows: not the rendered copies (kilobytes each; a message can have 10,000). */
const PROOF_COLUMNS = {
  id: communicationRecipients.id,
  messageId: communicationRecipients.messageId,
  communicationId: communicationRecipients.communicationId,
  maintenanceNoticeId: communicationRecipients.maintenanceNoticeId,
  clientId: communicationRecipients.clientId,
  channel: communicationRecipients.channel,
  toAddress: communicationRecipients.toAddress,
  toName: communicationRecipients.toName,
  language: communicationRecipients.language,
  subject: communicationRecipients.subject,
  status: communicationRecipients.status,
  attempts: communicationRecipients.attempts,
  providerRef: communicationRecipients.providerRef,
  lastError: communicationRecipients.lastError,
  createdAt: communicationRecipients.createdAt,
  sentAt: communicationRecipients.sentAt,
};

/** Deliveries read per statement while a proof streams out (the answer holds one page at a time). */
const PROOF_PAGE = 2_000;

type DeliveryRow = typeof communicationRecipients.$inferSelect;

/** What every view of a delivery shows of it: to whom, on which channel, what, and how it went. */
export function presentDelivery(d: Pick<DeliveryRow, 'channel' | 'toAddress' | 'toName' | 'language' | 'subject' | 'status' | 'attempts' | 'createdAt' | 'sentAt'>) {
  return {
    channel: d.channel,
    to: d.toAddress,
    toName: d.toName,
    language: d.language,
    subject: d.subject,
    status: d.status,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
  };
}

type After = { at: string; to: string; id: string } | null;

/** One page of deliveries matching `where` after `after`, in order of creation. */
function proofPage(ctx: Ctx, where: SQL | undefined, after: After, pageSize: number) {
  const cr = communicationRecipients;
  return ctx.tx
    .select({
      d: PROOF_COLUMNS,
      at: sql<string>`${cr.createdAt}::text`,
      kind: communications.kind,
      number: incidents.number,
      noticeKind: maintenanceNotices.kind,
      maintenanceKey: maintenanceWindows.key,
      clientName: clients.name,
    })
    .from(cr)
    .leftJoin(communications, eq(communications.id, cr.communicationId))
    .leftJoin(incidents, eq(incidents.id, cr.incidentId))
    .leftJoin(maintenanceNotices, eq(maintenanceNotices.id, cr.maintenanceNoticeId))
    .leftJoin(maintenanceWindows, eq(maintenanceWindows.id, maintenanceNotices.windowId))
    .innerJoin(clients, eq(clients.id, cr.clientId))
    .where(and(where, after ? sql`(${cr.createdAt}, ${cr.toAddress}, ${cr.id}) > (${after.at}::timestamptz, ${after.to}, ${after.id}::uuid)` : undefined))
    .orderBy(asc(cr.createdAt), asc(cr.toAddress), asc(cr.id))
    .limit(pageSize);
}

/** Every delivery matching `where`, in order of creation, a page at a time (keyset: no row is read twice or skipped). */
async function* proofPages(ctx: Ctx, where: SQL | undefined, pageSize: number): AsyncGenerator<ProofRow[]> {
  let after: After = null;
  for (;;) {
    const found = await proofPage(ctx, where, after, pageSize);
    if (!found.length) return;
    yield found.map(({ d, kind, number, noticeKind, maintenanceKey, clientName }) => ({
      deliveryId: d.id,
      messageId: d.messageId,
      incidentKey: number === null ? null : `INC-${number}`,
      maintenanceKey,
      communicationId: d.communicationId ?? d.maintenanceNoticeId ?? '',
      kind: kind ?? (noticeKind ? `maintenance_${noticeKind}` : ''),
      clientId: d.clientId,
      clientName,
      ...presentDelivery(d),
      result: d.status === 'sent' ? (d.providerRef ?? 'sent') : (d.lastError ?? ''),
    }));
    if (found.length < pageSize) return;
    const last = found[found.length - 1]!;
    after = { at: last.at, to: last.d.toAddress, id: last.d.id };
  }
}

/** A proof: who may see it is checked before it is returned; its rows are read as they are consumed. */
export type Proof = AsyncIterable<ProofRow[]>;

/** A client user gets the proof of what was sent to their own organisation only. */
export async function incidentDeliveryProof(ctx: Ctx, idOrKey: string, pageSize = PROOF_PAGE): Promise<Proof> {
  const incident = await assertIncidentVisible(ctx, idOrKey);
  const scope = clientScope(ctx);
  return proofPages(ctx, and(eq(communicationRecipients.incidentId, incident.id), scope ? eq(communicationRecipients.clientId, scope) : undefined), pageSize);
}

/** Every delivery to the client: incident messages and maintenance notices. */
export async function clientDeliveryProof(ctx: Ctx, clientId: string, pageSize = PROOF_PAGE): Promise<Proof> {
  await getClient(ctx, clientId);
  return proofPages(ctx, eq(communicationRecipients.clientId, clientId), pageSize);
}

const CSV_COLUMNS: (keyof ProofRow)[] = ['deliveryId', 'messageId', 'incidentKey', 'maintenanceKey', 'communicationId', 'kind', 'clientId', 'clientName', 'channel', 'to', 'toName', 'language', 'subject', 'status', 'attempts', 'result', 'createdAt', 'sentAt'];

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // Keep spreadsheet programs from reading a cell as a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const CSV_HEADER = CSV_COLUMNS.join(',') + '\r\n';

const csvLines = (rows: ProofRow[]) => rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(',') + '\r\n').join('');

/** The proof as CSV (header, then a line per delivery) or as JSON ({"items": [...]}), in chunks. */
export async function* proofText(proof: Proof, format: 'json' | 'csv'): AsyncGenerator<string> {
  if (format === 'csv') {
    yield CSV_HEADER;
    for await (const rows of proof) yield csvLines(rows);
    return;
  }
  yield '{"items":[';
  let first = true;
  for await (const rows of proof) {
    if (!rows.length) continue;
    yield (first ? '' : ',') + rows.map((r) => JSON.stringify(r)).join(',');
    first = false;
  }
  yield ']}';
}
