// Cursor pagination: an opaque, URL-safe position after the last item of the previous page.
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
