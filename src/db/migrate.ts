// Applies the committed SQL migrations in order, once each, under a lock so concurrent starts agree.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

function migrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, 'migrations'), join(here, '../../src/db/migrations')]) {
    if (existsSync(join(dir, 'meta/_journal.json'))) return dir;
  }
  throw new Error('SQL migrations not found');
}

export interface Migration {
  tag: string;
  hash: string;
  statements: string[];
}

/**
 * The migrations in the order meta/_journal.json lists them (only each entry's `tag` is read; the file
 * keeps drizzle-kit's format, which the first migrations were generated in). See docs/migrations.md.
 */
export function loadMigrations(): Migration[] {
  const dir = migrationsDir();
  const journal = JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map(({ tag }) => {
    const text = readFileSync(join(dir, `${tag}.sql`), 'utf8');
    return {
      tag,
      hash: createHash('sha256').update(text).digest('hex'),
      statements: text.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean),
    };
  });
}

const LOCK_KEY = 4242_0001;

/** `runner` must hold one connection for the whole call (a transaction): the advisory lock is per transaction. */
export async function migrate(runner: SqlRunner): Promise<string[]> {
  await runner.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
  await runner.query(
    `CREATE TABLE IF NOT EXISTS herald_migrations (tag text PRIMARY KEY, hash text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const done = new Map((await runner.query<{ tag: string; hash: string }>('SELECT tag, hash FROM herald_migrations')).map((r) => [r.tag, r.hash]));
  const applied: string[] = [];
  for (const m of loadMigrations()) {
    const prior = done.get(m.tag);
    if (prior) {
      if (prior !== m.hash) throw new Error(`Migration ${m.tag} was changed after it was applied; add a new migration instead.`);
      continue;
    }
    for (const statement of m.statements) await runner.query(statement);
    await runner.query('INSERT INTO herald_migrations (tag, hash) VALUES ($1, $2)', [m.tag, m.hash]);
    applied.push(m.tag);
  }
  return applied;
}
