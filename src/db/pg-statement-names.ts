// Named statements for node-postgres: a parameterised query without a name gets one derived from its
// text, so each connection parses and plans it once and then only binds and executes it. What does not
// qualify runs as before: queries without parameters, texts of several statements, texts that select
// `*` (a prepared statement's result columns are fixed: a column another process's migration adds would
// fail it), and any new text once MAX_NAMES are named (prepared statements live as long as the connection).
import { createHash } from 'node:crypto';
import type pg from 'pg';

const MAX_NAMES = 1000;
const STAR = /(^|[\s,.(])\*\s*(,|from\b)/i;
const names = new Map<string, string>();

function nameFor(text: string): string | null {
  let name = names.get(text);
  if (!name) {
    if (names.size >= MAX_NAMES || text.includes(';') || STAR.test(text)) return null;
    name = `herald_q_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Makes the client's parameterised queries named statements (call once per pooled client, on 'connect'). */
export function nameStatements(client: pg.PoolClient | pg.Client): void {
  const original = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [config, values] = args;
    if (config && typeof config === 'object' && !(config as { name?: string }).name && typeof (config as { text?: unknown }).text === 'string') {
      const c = config as { text: string; values?: unknown[]; submit?: unknown };
      const hasValues = (Array.isArray(values) && values.length > 0) || (Array.isArray(c.values) && c.values.length > 0);
      const name = hasValues && typeof c.submit !== 'function' ? nameFor(c.text) : null;
      if (name) return original({ ...c, name }, ...args.slice(1));
    }
    return original(...args);
  };
}
