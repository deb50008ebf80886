// SQL text with $n parameters straight to the driver under a drizzle handle (the pool or a pooled
// client in a transaction on PostgreSQL, the PGlite instance or its transaction): for the hot paths,
// where building the query through the ORM costs more than running it.
//
// A `name` prepares the statement once per PostgreSQL connection (node-postgres parses it once); give
// each distinct text its own name. On PGlite every query goes through the plan cache (pglite-plan-cache.ts).
//
// Parameters go to the driver as they are: pass JSON as a string with a ::jsonb cast, timestamps as
// ISO strings with a ::timestamptz cast, never JS arrays (node-postgres turns them into array literals).
// Every parameter must have a type from its context or a cast. Rows come back as the driver parses
// them: timestamptz as Date, json and jsonb parsed, int8 as a string on PostgreSQL and a number on PGlite.
import { createHash } from 'node:crypto';
import { SQL, sql, StringChunk } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Db } from './open.js';
import { rawSql } from './open.js';

interface PgQueryable {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}
interface PgliteQueryable {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

type Driver = { kind: 'pg'; client: PgQueryable } | { kind: 'pglite'; client: PgliteQueryable } | { kind: 'orm' };

const drivers = new WeakMap<object, Driver>();

function driverOf(db: Db): Driver {
  let found = drivers.get(db);
  if (found) return found;
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client as (object & { query?: unknown }) | undefined;
  if (!client || typeof client.query !== 'function') found = { kind: 'orm' };
  else {
    // node-postgres: the pool, or a pooled client in a transaction; else PGlite (the instance or a transaction).
    found = client instanceof pg.Pool || client instanceof pg.Client ? { kind: 'pg', client: client as PgQueryable } : { kind: 'pglite', client: client as PgliteQueryable };
  }
  drivers.set(db, found);
  return found;
}

/** Runs one statement and returns its rows. */
export async function query<T>(db: Db, text: string, values: unknown[] = [], name?: string): Promise<T[]> {
  const driver = driverOf(db);
  if (driver.kind === 'pg') return (await driver.client.query(name ? { name, text, values } : { text, values })).rows as T[];
  if (driver.kind === 'pglite') return (await driver.client.query(text, values)).rows as T[];
  const result = (await db.execute(values.length ? rawSql(text, values) : sql.raw(text))) as unknown as { rows: T[] };
  return result.rows;
}

const dialect = new PgDialect();
/** Names given to composed statements, by text (bounded: prepared statements live as long as their connection). */
const composedNames = new Map<string, string>();
const MAX_COMPOSED_NAMES = 500;

/**
 * Runs one statement composed with drizzle's `sql` template (it numbers the values: `${value}`, with a
 * cast where the type is not clear from the context) and returns its rows. It is prepared under a name
 * made of `prefix` and a digest of its text, so each distinct composition is parsed once per connection.
 */
export async function queryComposed<T>(db: Db, statement: SQL, prefix: string): Promise<T[]> {
  const { text, params } = composedText(statement);
  let name = composedNames.get(text);
  if (!name && composedNames.size < MAX_COMPOSED_NAMES) {
    name = `${prefix}_${createHash('sha1').update(text).digest('base64url').slice(0, 16)}`;
    composedNames.set(text, name);
  }
  return query<T>(db, text, params, name);
}

/**
 * The text and parameters of a composed statement, as queryComposed sends them. A statement of text,
 * nested `sql` and plain values (what the hot paths compose: a save is ~60 pieces) is rendered here in
 * one pass, the values numbered in order as drizzle numbers them; drizzle's renderer checks every piece
 * against a dozen kinds of query object and merges partial results, several times the cost. Anything
 * else (a table, a column, a Param with an encoder) goes through drizzle's renderer. It reads `SQL.queryChunks`
 * and `StringChunk`, which drizzle exports but does not document: drizzle-orm is pinned exactly, and
 * test/incident-write-path.test.ts compares this rendering with drizzle's own, so an upgrade that changes them fails.
 */
export function composedText(statement: SQL): { text: string; params: unknown[] } {
  const out: string[] = [];
  const params: unknown[] = [];
  const walk = (chunks: readonly unknown[]): boolean => {
    for (const chunk of chunks) {
      if (chunk instanceof StringChunk) out.push(chunk.value.join(''));
      else if (chunk instanceof SQL) {
        if (!walk(chunk.queryChunks)) return false;
      } else if (chunk === undefined) continue;
      else if (chunk === null || typeof chunk === 'string' || typeof chunk === 'number' || typeof chunk === 'boolean' || chunk instanceof Date) {
        params.push(chunk);
        out.push(`$${params.length}`);
      } else return false;
    }
    return true;
  };
  if (walk(statement.queryChunks)) return { text: out.join(''), params };
  const { sql: text, params: all } = dialect.sqlToQuery(statement);
  return { text, params: all };
}
