// What every benchmark needs: the built server (built first when src/ is newer than dist/), and a
// fresh PostgreSQL database on the local server that is dropped afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, NODE_BIN, REPO_ROOT } from '../test/support/server-process.js';

export const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(ts|sql|json)$/.test(entry.name)) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The benchmarks run the built server; build it when src/ is newer than dist/. */
export function ensureBuilt(): void {
  let stale: boolean;
  try {
    stale = newestSource(join(REPO_ROOT, 'src')) > statSync(CLI).mtimeMs;
  } catch {
    stale = true;
  }
  if (!stale) return;
  console.log('Building dist/ (src/ is newer)…');
  try {
    execFileSync(NODE_BIN, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  } catch {
    console.log('The build reported errors; measuring what it emitted.');
  }
}

/** Runs `fn` on a new database of the local PostgreSQL (DATABASE_URL's server), dropped afterwards (kept, and named, with BENCH_KEEP_DB=1). */
export async function withFreshPgDatabase<T>(prefix: string, fn: (url: string) => Promise<T>): Promise<T | { skipped: string }> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const adminUrl = new URL(base);
  if (!LOCAL_HOSTS.has(adminUrl.hostname)) return { skipped: `DATABASE_URL points at ${adminUrl.hostname}; this benchmark only talks to 127.0.0.1` };
  if (adminUrl.hostname === 'localhost') adminUrl.hostname = '127.0.0.1';
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (err) {
    return { skipped: `PostgreSQL does not answer at ${adminUrl.host} (${(err as Error).message})` };
  }
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    if (process.env.BENCH_KEEP_DB === '1') console.log(`  (kept the database ${name})`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((err) => console.error(`could not drop ${name}: ${(err as Error).message}`));
    await admin.end();
  }
}
