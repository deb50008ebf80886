// Writing a message and its deliveries: each chunk of deliveries is one JSON value unpacked by the
// database (jsonb_populate_recordset), so a message to 10,000 recipients is a handful of statements,
// not 200,000 bound values. The same rows can be written as parts of the incident's save statement.
import { sql, type SQL } from 'drizzle-orm';
import { queryComposed } from '../../db/raw.js';
import { communicationRecipients, communications } from '../../db/schema.js';
import type { Ctx } from '../context.js';
import { DELIVERY_CHUNK, type NewDelivery } from './build-deliveries.js';

export type NewMessage = Partial<typeof communications.$inferInsert>;

/** The columns of a delivery written: every one buildDeliveries fills (the others keep their defaults). */
const DELIVERY_COLUMNS = [
  'id',
  'communicationId',
  'incidentId',
  'clientId',
  'contactId',
  'toAddress',
  'toName',
  'language',
  'subject',
  'textBody',
  'htmlBody',
  'channel',
  'endpointId',
  'payload',
  'status',
  'providerRef',
  'messageId',
  'createdAt',
  'sentAt',
] as const satisfies readonly (keyof NewDelivery)[];

const COMMUNICATION_COLUMNS = [
  'id',
  'incidentId',
  'kind',
  'subject',
  'body',
  'clientIds',
  'disclosures',
  'pastOccurrences',
  'status',
  'sentAt',
  'promisedNextUpdateAt',
  'isPromiseKept',
  'templateVersions',
  'createdBy',
  'createdAt',
] as const satisfies readonly (keyof typeof communications.$inferInsert)[];

const columnList = (names: string[], alias = '') => sql.raw(names.map((c) => `${alias}"${c}"`).join(', '));
const DELIVERY_NAMES = DELIVERY_COLUMNS.map((key) => communicationRecipients[key].name);
const COMMUNICATION_NAMES = COMMUNICATION_COLUMNS.map((key) => communications[key].name);

function toJsonRow<K extends string>(keys: readonly K[], names: Record<K, { name: string }>, source: Partial<Record<K, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of keys) {
    const v = source[key];
    row[names[key].name] = v instanceof Date ? v.toISOString() : (v ?? null);
  }
  return row;
}

const messageJson = (message: NewMessage) => JSON.stringify(toJsonRow(COMMUNICATION_COLUMNS, communications, message));
const deliveriesJson = (deliveries: NewDelivery[]) => JSON.stringify(deliveries.map((d) => toJsonRow(DELIVERY_COLUMNS, communicationRecipients, d)));

/** The message row (`r`) from its JSON, for an INSERT … SELECT. */
const messageRow = (message: NewMessage) => sql`jsonb_populate_record(NULL::communications, ${messageJson(message)}::jsonb) r`;
/** The delivery rows (`r`) from their JSON. */
const deliveryRows = (deliveries: NewDelivery[]) => sql`jsonb_populate_recordset(NULL::communication_recipients, ${deliveriesJson(deliveries)}::jsonb) r`;

const insertDeliveries = (deliveries: NewDelivery[], condition: SQL = sql``) =>
  sql`INSERT INTO communication_recipients (${columnList(DELIVERY_NAMES)}) SELECT ${columnList(DELIVERY_NAMES, 'r.')} FROM ${deliveryRows(deliveries)}${condition}`;
const insertMessage = (message: NewMessage, condition: SQL = sql``) =>
  sql`INSERT INTO communications (${columnList(COMMUNICATION_NAMES)}) SELECT ${columnList(COMMUNICATION_NAMES, 'r.')} FROM ${messageRow(message)}${condition}`;

/**
 * Writes the deliveries (and, given, the message first, in the same statement as the first chunk: the
 * deliveries' reference to it is checked at the statement's end), one statement per DELIVERY_CHUNK rows.
 */
export async function insertMessageWithDeliveries(ctx: Ctx, message: NewMessage | null, deliveries: NewDelivery[]): Promise<void> {
  for (let i = 0; i < deliveries.length || (i === 0 && message); i += DELIVERY_CHUNK) {
    const chunk = deliveries.slice(i, i + DELIVERY_CHUNK);
    if (message && i === 0) {
      await queryComposed(ctx.tx, sql`WITH m AS (${insertMessage(message)}) ${insertDeliveries(chunk)}`, 'herald_message_insert_with_deliveries');
    } else {
      await queryComposed(ctx.tx, insertDeliveries(chunk), 'herald_message_insert_deliveries');
    }
  }
}

/** The message and its deliveries as parts of the incident's save statement: written only when the incident is (see incident-save.ts). */
export function messageWithIncident(message: NewMessage, deliveries: NewDelivery[]): SQL[] {
  const whenSaved = sql` WHERE EXISTS (SELECT 1 FROM upd)`;
  return [sql`m AS (${insertMessage(message, whenSaved)})`, sql`md AS (${insertDeliveries(deliveries, whenSaved)})`];
}
