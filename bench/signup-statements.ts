// Counts the SQL statements and database round trips each kind of status-page sign-up costs (BEGIN and
// COMMIT included), on a fresh PostgreSQL database and on an in-memory PGlite, in this process: the
// figure bench:abuse's 1,000 sign-ups multiply (on a shared machine each statement wakes a backend).
// Then, on PostgreSQL, the CPU time of this process and of the database's backends per sign-up over
// BENCH_SIGNUPS (400) e-mail sign-ups one at a time, half of them past a full page's cap as in bench:abuse.
//
//   npx tsx bench/signup-statements.ts
//
// The last line of the output is one JSON object with the counts.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/open.js';
import { createHerald } from '../src/herald.js';
import { rows } from '../src/services/sql-rows.js';
import { withFreshPgDatabase } from './support.js';
import { countPglite, countPostgres, type Counter } from './statement-count.js';

const PENDING_PER_PAGE = 5;
const CPU_SIGNUPS = Number(process.env.BENCH_SIGNUPS ?? 400);

interface Step {
  name: string;
  body: Record<string, unknown>;
  status: number;
}

/** In order: each step depends on the ones before (the cap is reached by the fifth pending address). */
const steps = (componentId: string): Step[] => {
  const email = (who: string) => ({ channel: 'email', email: `${who}@subscriber.example`, componentIds: [componentId] });
  return [
    { name: 'email: new address', body: email('first'), status: 202 },
    { name: 'email: address signed up already', body: email('first'), status: 202 },
    { name: 'email: third mail of the day', body: email('first'), status: 202 },
    { name: 'email: past the mails per day (nothing sent)', body: email('first'), status: 202 },
    { name: 'email: new address, all components', body: { channel: 'email', email: 'second@subscriber.example', componentIds: [] }, status: 202 },
    { name: 'email: new address', body: email('third'), status: 202 },
    { name: 'email: new address', body: email('fourth'), status: 202 },
    { name: 'email: new address (the page is full after it)', body: email('fifth'), status: 202 },
    { name: 'email: refused by the pending cap', body: email('sixth'), status: 429 },
    { name: 'webhook: new URL', body: { channel: 'webhook', url: 'http://127.0.0.1:9/hook', componentIds: [componentId] }, status: 202 },
    { name: 'webhook: URL signed up already', body: { channel: 'webhook', url: 'http://127.0.0.1:9/hook', componentIds: [] }, status: 202 },
  ];
};

/** CPU time (user + system) of the database's backends for this database, from /proc (the server runs on this machine). */
async function backendCpuMs(database: Database): Promise<number> {
  const pids = await rows<{ pid: number }>(database.db, sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const ticks = (pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  return (pids.reduce((sum, p) => sum + ticks(p.pid), 0) * 1000) / 100;
}

/** Sign-ups to a page whose cap is half their number (half accepted, half refused, as in bench:abuse), on a fresh database. */
async function cpuPerSignup(databaseUrl: string) {
  const database = await openDatabase({ databaseUrl, poolMax: 2 });
  const herald = await createHerald({ database, databaseUrl, baseUrl: 'http://herald.bench', logLevel: 'silent', runsJobs: false, watchIntervalMs: 0, signupLimits: { pendingPerPage: CPU_SIGNUPS / 2 } });
  try {
    await herald.app.ready();
    const [component] = await rows<{ id: string }>(database.db, sql`INSERT INTO components (name) VALUES ('Bench component') RETURNING id`);
    const signUp = (i: number) =>
      herald.app.inject({
        method: 'POST',
        url: '/status/subscribe',
        payload: { channel: 'email', email: `cpu-${i}@subscriber.example`, componentIds: [component!.id] },
        remoteAddress: `10.10.${i >> 8}.${i & 255}`,
        headers: { accept: 'application/json' },
      });
    await signUp(CPU_SIGNUPS); // warm-up: statements prepared, caches filled
    const cpu0 = process.cpuUsage();
    const db0 = await backendCpuMs(database);
    const t0 = performance.now();
    for (let i = 0; i < CPU_SIGNUPS; i++) {
      const res = await signUp(i);
      if (res.statusCode !== 202 && res.statusCode !== 429) throw new Error(`sign-up: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    const wallMs = performance.now() - t0;
    const used = process.cpuUsage(cpu0);
    const per = (x: number) => Math.round((x / CPU_SIGNUPS) * 1000) / 1000;
    return { serverCpuMs: per((used.user + used.system) / 1000), databaseCpuMs: per((await backendCpuMs(database)) - db0), wallMs: per(wallMs) };
  } finally {
    await herald.stop();
    await database.close();
  }
}

async function count(database: Database, databaseUrl: string | null) {
  const counter: Counter = { roundTrips: 0, statements: 0, texts: [], engineMs: new Map(), current: '' };
  if (database.kind === 'pglite') countPglite(database, counter);
  else countPostgres(database, counter);
  const herald = await createHerald({
    database,
    databaseUrl,
    baseUrl: 'http://herald.bench',
    logLevel: 'silent',
    runsJobs: false,
    watchIntervalMs: 0,
    allowsPrivateWebhookTargets: true,
    signupLimits: { pendingPerPage: PENDING_PER_PAGE },
  });
  try {
    await herald.app.ready();
    const [component] = await rows<{ id: string }>(database.db, sql`INSERT INTO components (name) VALUES ('Bench component') RETURNING id`);
    const componentId = component!.id;
    const out: { name: string; statements: number; roundTrips: number; texts: string[] }[] = [];
    let ip = 0;
    for (const step of steps(componentId)) {
      const before = { statements: counter.statements, roundTrips: counter.roundTrips, texts: counter.texts.length };
      const res = await herald.app.inject({ method: 'POST', url: '/status/subscribe', payload: step.body, remoteAddress: `10.9.0.${++ip}`, headers: { accept: 'application/json' } });
      if (res.statusCode !== step.status) throw new Error(`${step.name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      out.push({ name: step.name, statements: counter.statements - before.statements, roundTrips: counter.roundTrips - before.roundTrips, texts: counter.texts.slice(before.texts) });
    }
    return out;
  } finally {
    await herald.stop();
    await database.close();
  }
}

function print(kind: string, rows: Awaited<ReturnType<typeof count>>) {
  console.log(`\n${kind}: statements (round trips) per sign-up`);
  for (const r of rows) {
    console.log(`  ${String(r.statements).padStart(3)} (${r.roundTrips})  ${r.name}`);
    if (process.env.BENCH_SQL_TRACE === '1') for (const t of r.texts) console.log(`        ${t}`);
  }
}

const results: Record<string, Record<string, number>> = {};
const pglite = await count(await openDatabase({ dataDir: 'memory://' }), null);
print('PGlite', pglite);
results.pglite = Object.fromEntries(pglite.map((r, i) => [`${i + 1}. ${r.name}`, r.statements]));
const postgres = await withFreshPgDatabase('bench_signups', async (url) => count(await openDatabase({ databaseUrl: url, poolMax: 2 }), url));
if ('skipped' in postgres) console.log(`\nPostgreSQL skipped: ${postgres.skipped}`);
else {
  print('PostgreSQL', postgres);
  results.postgres = Object.fromEntries(postgres.map((r, i) => [`${i + 1}. ${r.name}`, r.statements]));
  const cpu = await withFreshPgDatabase('bench_signups', cpuPerSignup);
  if (!('skipped' in cpu)) {
    console.log(`\nPostgreSQL, ${CPU_SIGNUPS} e-mail sign-ups one at a time (half refused by the cap), per sign-up:`);
    console.log(`  ${cpu.serverCpuMs} ms CPU of this process, ${cpu.databaseCpuMs} ms CPU of the database backends, ${cpu.wallMs} ms wall`);
    results.postgres_per_signup = cpu;
  }
}
console.log(JSON.stringify(results));
