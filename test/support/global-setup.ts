// Prepares, once per test run, a migrated PGlite data directory (as a tarball every test file loads
// instead of running initdb again) and, when PostgreSQL answers, a migrated template database.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadMigrations } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDump: string;
    pgTemplateUrl: string | null;
  }
}

export const PG_ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(project: TestProject) {
  const fingerprint = createHash('sha256')
    .update(loadMigrations().map((m) => m.hash).join(','))
    .digest('hex')
    .slice(0, 12);
  const dump = join(tmpdir(), `herald-test-pglite-${fingerprint}.tar.gz`);
  if (!existsSync(dump)) {
    const db = await openDatabase({ dataDir: 'memory://' });
    const file = await db.pglite!.dumpDataDir('gzip');
    writeFileSync(dump, Buffer.from(await file.arrayBuffer()));
    await db.close();
  }
  readFileSync(dump);
  project.provide('pgliteDump', dump);
  project.provide('pgTemplateUrl', await preparePgTemplate(fingerprint));
}

async function preparePgTemplate(fingerprint: string): Promise<string | null> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    if (process.env.DATABASE_URL) throw new Error(`DATABASE_URL is set but PostgreSQL does not answer at ${PG_ADMIN_URL}`);
    return null;
  }
  try {
    const name = `herald_tpl_${fingerprint}`;
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rows.length) {
      await admin.query(`CREATE DATABASE ${name}`);
      const db = await openDatabase({ databaseUrl: url.toString(), poolMax: 1 });
      await db.close();
    }
    return url.toString();
  } finally {
    await admin.end();
  }
}
