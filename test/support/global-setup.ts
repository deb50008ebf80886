// Prepares, once per test run, a migrated PGlite data directory (as a tarball every test file loads
// instead of running initdb again) and, when PostgreSQL answers, a migrated template database.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadMigrations } from '../../src/db/migrate.js';
import { openDatabase, type Database } from '../../src/db/open.js';
import { createJobQueue } from '../../src/jobs/job-queue.js';
import { ensureDefaultTemplates } from '../../src/services/templates/templates.js';

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
    .update(readFileSync(new URL('../../node_modules/pg-boss/package.json', import.meta.url)))
    .update(readFileSync(new URL('../../src/templates/defaults/phrases.ts', import.meta.url)))
    .update(readFileSync(new URL('../../src/templates/defaults/compose.ts', import.meta.url)))
    .digest('hex')
    .slice(0, 12);
  const dump = join(tmpdir(), `herald-test-pglite-${fingerprint}.tar.gz`);
  if (!existsSync(dump)) {
    const db = await openDatabase({ dataDir: 'memory://' });
    await prepare(db, null);
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
      await prepare(db, url.toString());
      await db.close();
    }
    return url.toString();
  } finally {
    await admin.end();
  }
}

/** What every Herald start does once: the job queue's schema and the shipped templates. */
async function prepare(db: Database, databaseUrl: string | null) {
  const queue = createJobQueue(db, { databaseUrl });
  await queue.start();
  await queue.stop();
  await ensureDefaultTemplates(db.db, new Date());
}
