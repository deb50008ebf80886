// Cursor pagination: an opaque, URL-safe position after the last item of the previous page.
import { and, eq, gt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { AppError } from './app-error.js';

export interface Page {
  cursor: string | null;
  limit: number;
  order?: 'asc' | 'desc';
}

export const encodeCursor = (c: { at: string; id: string }) => Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');

export function decodeCursor(cursor: string | null): { at: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at !== 'string' || typeof id !== 'string') throw new Error('shape');
    if (at && Number.isNaN(Date.parse(at))) throw new Error('date');
    if (!/^[0-9a-f-]{1,36}$/i.test(id)) throw new Error('id');
    return { at, id };
  } catch {
    throw new AppError('invalid_input', 'The cursor is not valid.', { field: 'cursor' });
  }
}

/** Rows after `cursor` in the order (at, id), both ascending: the condition for the next page; undefined for the first. */
export function afterCursor(at: AnyColumn, id: AnyColumn, cursor: { at: string; id: string } | null): SQL | undefined {
  if (!cursor) return undefined;
  const time = new Date(cursor.at);
  return or(gt(at, time), and(eq(at, time), gt(id, cursor.id)));
}

/** A page from rows fetched with limit+1 (the extra row only tells that there is more), with the cursor after its last item. */
export function keysetPage<T>(found: T[], limit: number, positionOf: (row: T) => { at: Date; id: string }) {
  const items = found.slice(0, limit);
  const last = items.at(-1);
  const position = found.length > limit && last ? positionOf(last) : null;
  return { items, nextCursor: position ? encodeCursor({ at: position.at.toISOString(), id: position.id }) : null };
}

/**
 * Keyset pages over any sort key: the cursor holds the last item's key values, and the next page is
 * the rows whose key compares after it, as one row comparison `(a, b, id) > (…)` (every column the
 * same direction, none nullable; the last one unique, usually the id). A list that is small by nature
 * (policies, templates) is paged the same way, so no answer is ever an unbounded array.
 */
export interface Keyset {
  /** The condition for rows after the cursor; undefined for the first page. */
  where: SQL | undefined;
  orderBy: SQL[];
  /** One more than the page: the extra row only tells that there is more. */
  limit: number;
}

type KeyValue = string | number;

export function keyset(page: Page, columns: AnyColumn[], order: 'asc' | 'desc' = 'asc'): Keyset {
  const after = decodeKeyCursor(page.cursor, columns.length);
  if (after && !after.every((v, i) => fitsColumn(v, columns[i]!))) throw new AppError('invalid_input', 'The cursor is not valid.', { field: 'cursor' });
  const list = (parts: SQL[]) => sql.join(parts, sql`, `);
  return {
    where: after ? sql`(${list(columns.map((c) => sql`${c}`))}) ${order === 'asc' ? sql`>` : sql`<`} (${list(after.map((v) => sql`${v}`))})` : undefined,
    orderBy: columns.map((c) => (order === 'asc' ? sql`${c} asc` : sql`${c} desc`)),
    limit: page.limit + 1,
  };
}

/** The page from rows fetched with a Keyset, with the cursor after its last item (`keyOf` gives the same columns' values). */
export function pageByKey<T>(found: T[], page: Page, keyOf: (row: T) => (KeyValue | Date)[]) {
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  const key = found.length > page.limit && last ? keyOf(last).map((v) => (v instanceof Date ? v.toISOString() : v)) : null;
  return { items, nextCursor: key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null };
}

/** A cursor is the client's to send back: its values are checked against the columns, so a forged one is a 400 naming it. */
function fitsColumn(value: KeyValue, column: AnyColumn): boolean {
  if (column.columnType === 'PgUUID') return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
  if (column.dataType === 'date') return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  if (column.dataType === 'number') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === 'string';
}

function decodeKeyCursor(cursor: string | null, length: number): KeyValue[] | null {
  if (!cursor) return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(values) || values.length !== length) throw new Error('shape');
    if (!values.every((v) => (typeof v === 'string' && v.length <= 1000) || (typeof v === 'number' && Number.isFinite(v)))) throw new Error('value');
    return values as KeyValue[];
  } catch {
    throw new AppError('invalid_input', 'The cursor is not valid.', { field: 'cursor' });
  }
}
