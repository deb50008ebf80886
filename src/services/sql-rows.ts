// Raw SQL through drizzle returns driver-shaped results; both drivers put rows under `rows`.
import type { SQL } from 'drizzle-orm';
import type { Db } from '../db/open.js';

export async function rows<T>(tx: Db, query: SQL): Promise<T[]> {
  const result = (await tx.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** A json/jsonb column as the driver gave it: parsed already, or as text (PGlite's plan cache, some casts). */
export const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
