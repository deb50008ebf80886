// Proof of what was sent: per incident or per client, every delivery with its recipient, channel,
// time and result, as JSON or CSV.
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { clients, communicationRecipients, communications, incidents } from '../../db/schema.js';
import { clientScope, type Ctx } from '../context.js';
import { getClient } from '../clients/clients.js';
import { assertIncidentVisible } from '../incidents/read-incidents.js';

export interface ProofRow {
  deliveryId: string;
  messageId: string;
  incidentKey: string;
  communicationId: string;
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

async function proofRows(ctx: Ctx, where: SQL | undefined): Promise<ProofRow[]> {
  const found = await ctx.tx
    .select({ d: PROOF_COLUMNS, kind: communications.kind, number: incidents.number, clientName: clients.name })
    .from(communicationRecipients)
    .innerJoin(communications, eq(communications.id, communicationRecipients.communicationId))
    .innerJoin(incidents, eq(incidents.id, communicationRecipients.incidentId))
    .innerJoin(clients, eq(clients.id, communicationRecipients.clientId))
    .where(where)
    .orderBy(asc(communicationRecipients.createdAt), asc(communicationRecipients.toAddress))
    .limit(100_000);
  return found.map(({ d, kind, number, clientName }) => ({
    deliveryId: d.id,
    messageId: d.messageId,
    incidentKey: `INC-${number}`,
    communicationId: d.communicationId ?? '',
    kind,
    clientId: d.clientId,
    clientName,
    channel: d.channel,
    to: d.toAddress,
    toName: d.toName,
    language: d.language,
    subject: d.subject,
    status: d.status,
    attempts: d.attempts,
    result: d.status === 'sent' ? (d.providerRef ?? 'sent') : (d.lastError ?? ''),
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
  }));
}

/** A client user gets the proof of what was sent to their own organisation only. */
export async function incidentDeliveryProof(ctx: Ctx, idOrKey: string): Promise<ProofRow[]> {
  const incident = await assertIncidentVisible(ctx, idOrKey);
  const scope = clientScope(ctx);
  return proofRows(ctx, and(eq(communicationRecipients.incidentId, incident.id), scope ? eq(communicationRecipients.clientId, scope) : undefined));
}

export async function clientDeliveryProof(ctx: Ctx, clientId: string): Promise<ProofRow[]> {
  await getClient(ctx, clientId);
  return proofRows(ctx, eq(communicationRecipients.clientId, clientId));
}

const CSV_COLUMNS: (keyof ProofRow)[] = ['deliveryId', 'messageId', 'incidentKey', 'communicationId', 'kind', 'clientId', 'clientName', 'channel', 'to', 'toName', 'language', 'subject', 'status', 'attempts', 'result', 'createdAt', 'sentAt'];

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // Keep spreadsheet programs from reading a cell as a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(rows: ProofRow[]): string {
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}
