// A fresh, migrated database per test file: PGlite loaded from the prepared dump, or a PostgreSQL
// database copied from the prepared template.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/open.js';

export type BackendKind = 'pglite' | 'postgres';

/** The backends this run tests: PGlite always, PostgreSQL when it answers. */
export function testBackends(): BackendKind[] {
  return inject('pgTemplateUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  database: Database;
  /** Connection string (PostgreSQL) or data directory (PGlite) another process may open. */
  url: string | null;
  drop(): Promise<void>;
}

export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = inject('pgTemplateUrl');
  if (!template) throw new Error('PostgreSQL is not available');
  const tpl = new URL(template);
  const name = `herald_t_${randomBytes(6).toString('hex')}`;
  const adminUrl = new URL(template);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${tpl.pathname.slice(1)}`);
        break;
      } catch (err) {
        // Another test file is copying the same template at this moment.
        if (attempt > 50 || (err as { code?: string }).code !== '55006') throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(template);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Makes `dataDir` a PGlite data directory a server process can open: the migrated one the global setup
 * prepared, unpacked (much faster than initdb in every process).
 */
export function unpackPgliteDataDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  execFileSync('tar', ['-xzf', inject('pgliteDump'), '-C', dataDir], { stdio: 'ignore' });
  return dataDir;
}

export async function openTestDatabase(kind: BackendKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dump = readFileSync(inject('pgliteDump'));
    const database = await openDatabase({ dataDir: 'memory://', loadDataDir: new Blob([dump]) });
    return { database, url: null, drop: () => database.close() };
  }
  const { url, drop } = await createPgDatabase();
  const database = await openDatabase({ databaseUrl: url, poolMax: 5 });
  return {
    database,
    url,
    drop: async () => {
      await database.close();
      await drop();
    },
  };
}
