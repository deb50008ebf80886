// Cursor pagination: an opaque, URL-safe position after the last item of the previous page.
import { and, eq, gt, or, type AnyColumn, type SQL } from 'drizzle-orm';
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
