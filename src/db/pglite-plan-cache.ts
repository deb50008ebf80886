// A plan cache for PGlite. PGlite runs every parameterised query as an unnamed statement, so each one is
// parsed and planned again, which in WebAssembly costs more than running a small query. Wrapped here,
// a query's text is PREPAREd once in the instance's one session and run as EXECUTE name('…', …) with its
// parameters written as quoted literals (typed by the prepared statement, as a bound parameter would
// be); results are parsed by PGlite as they would be for the query. What cannot go this way runs as
// before: statements other than SELECT, INSERT, UPDATE, DELETE and WITH, several statements in one text,
// parameters other than strings, numbers, booleans and dates (or holding a NUL), queries with options
// beyond rowMode and parsers, and anything once the cache is full.
import type { PGlite, QueryOptions, Results, Transaction } from '@electric-sql/pglite';

type Queryable = Pick<PGlite, 'query' | 'exec'> | Pick<Transaction, 'query' | 'exec'>;

const MAX_STATEMENTS = 2000;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

interface Entry {
  name: string;
  ready: Promise<void>;
  isReady: boolean;
  /** Who is preparing it: another caller must not wait for it (a transaction may hold the session). */
  preparer: Queryable;
}

interface Cache {
  names: Map<string, Entry>;
  next: number;
}

/** A drop-in for the instance (drizzle and the hot paths query through it); transactions get the same treatment. */
export function withPlanCache(instance: PGlite): PGlite {
  const cache: Cache = { names: new Map(), next: 1 };
  const wrapTx = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'query') return (text: string, params?: unknown[], options?: QueryOptions) => cachedQuery(cache, target, text, params, options);
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  return new Proxy(instance, {
    get(target, prop) {
      if (prop === 'query') return (text: string, params?: unknown[], options?: QueryOptions) => cachedQuery(cache, target, text, params, options);
      if (prop === 'transaction') return <T>(fn: (tx: Transaction) => Promise<T>) => target.transaction((tx) => fn(wrapTx(tx)));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function cachedQuery<T>(cache: Cache, client: Queryable, text: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<Results<T>> {
  const literals = isPreparable(text, options) ? toLiterals(params ?? []) : null;
  const entry = literals ? prepared(cache, client, text) : null;
  if (!entry || (!entry.isReady && entry.preparer !== client)) return client.query<T>(text, params, options);
  await entry.ready;
  const results = await client.exec(`EXECUTE ${entry.name}${literals!.length ? `(${literals!.join(', ')})` : ''}`, options);
  return results.at(-1) as Results<T>;
}

function isPreparable(text: string, options: QueryOptions | undefined): boolean {
  if (options && Object.keys(options).some((k) => k !== 'rowMode' && k !== 'parsers')) return false;
  return PREPARABLE.test(text) && !text.includes(';');
}

function prepared(cache: Cache, client: Queryable, text: string): Entry | null {
  let entry = cache.names.get(text);
  if (!entry) {
    if (cache.names.size >= MAX_STATEMENTS) return null;
    const name = `herald_plan_${cache.next++}`;
    // A prepared statement belongs to the session, not to the transaction it was made in.
    const made: Entry = { name, ready: client.exec(`PREPARE ${name} AS ${text}`).then(() => undefined), isReady: false, preparer: client };
    made.ready.then(
      () => (made.isReady = true),
      () => {
        if (cache.names.get(text) === made) cache.names.delete(text);
      },
    );
    cache.names.set(text, made);
    entry = made;
  }
  return entry;
}

/** The parameters as SQL literals (quoted as node-postgres's escapeLiteral does), or null when one cannot be one. */
function toLiterals(values: unknown[]): string[] | null {
  const out: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) {
      out.push('NULL');
      continue;
    }
    const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : null;
    // A NUL would end the statement text early: such a value goes as a parameter (and is refused there).
    if (s === null || s.includes('\0')) return null;
    out.push(literal(s));
  }
  return out;
}

/** A quoted SQL literal, as node-postgres's escapeLiteral writes it (E'…' when it holds a backslash), without its loop per character. */
function literal(s: string): string {
  const quoted = s.includes("'") ? s.replaceAll("'", "''") : s;
  return s.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
