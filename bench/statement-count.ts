// Counts the SQL statements and database round trips each lifecycle command costs, in this process:
// Herald on a fresh in-memory PGlite (and on a PostgreSQL database when given), driven through
// app.inject with an API token, one incident at a time, after one incident of warm-up (so the
// caches a long-running server has are warm, as they are under load).
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { openDatabase, type Database } from '../src/db/open.js';
import { createHerald } from '../src/herald.js';
import { insertApiToken } from '../src/services/auth/api-tokens.js';
import { insertUser } from '../src/services/auth/users.js';

export interface CountStep {
  name: string;
  path: (id: string) => string;
  body: (n: number, componentId: string, f: { adminId: string; componentIds: string[] }) => unknown;
}

export interface StepCount {
  name: string;
  /** Driver calls that waited for the database (each is one round trip). */
  roundTrips: number;
  /** SQL statements the database ran (BEGIN and COMMIT included; a statement with CTEs is one). */
  statements: number;
  texts: string[];
  /** CPU time of this process per command (mean over the timed incidents; PGlite runs in this process too). */
  cpuMs: number;
}

export interface Counter {
  roundTrips: number;
  statements: number;
  texts: string[];
  /** PGlite: wall time in the engine per statement text (it runs in this thread), for BENCH_SQL_TRACE. */
  engineMs: Map<string, { ms: number; count: number }>;
  current: string;
}

const short = (text: string) => text.replace(/\s+/g, ' ').slice(0, 160);

/** PGlite: one Parse (extended protocol) or Query (simple protocol) message per statement sent. */
export function countPglite(database: Database, counter: Counter) {
  const lite = database.pglite as unknown as { execProtocolStream: (msg: Uint8Array, opts?: unknown) => Promise<unknown> };
  const original = lite.execProtocolStream.bind(lite);
  lite.execProtocolStream = (msg, opts) => {
    const tag = msg[0];
    if (tag === 0x50 /* P */ || tag === 0x51 /* Q */) {
      counter.roundTrips++;
      // Parse: 'P' int32 len, name\0, text\0 … ; Query: 'Q' int32 len, text\0.
      let at = 5;
      if (tag === 0x50) while (msg[at] !== 0) at++;
      if (tag === 0x50) at++;
      let end = at;
      while (end < msg.length && msg[end] !== 0) end++;
      const text = Buffer.from(msg.subarray(at, end)).toString('utf8');
      counter.statements += statementsIn(text);
      counter.texts.push(short(text));
      counter.current = /^EXECUTE \w+/.exec(text)?.[0] ?? short(text).slice(0, 90);
      const e = counter.engineMs.get(counter.current) ?? { ms: 0, count: 0 };
      e.count++;
      counter.engineMs.set(counter.current, e);
    }
    const t0 = performance.now();
    const key = counter.current;
    const done = () => {
      const e = counter.engineMs.get(key);
      if (e) e.ms += performance.now() - t0;
    };
    const out = original(msg, opts);
    out.then(done, done);
    return out;
  };
}

/** PostgreSQL: every query() on a client of the application's pool. */
export function countPostgres(database: Database, counter: Counter) {
  const wrapped = new WeakSet<pg.PoolClient>();
  const wrap = (client: pg.PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text: string };
      const text = typeof first === 'string' ? first : first.text;
      counter.roundTrips++;
      counter.statements += statementsIn(text);
      counter.texts.push(short(text));
      return original(...args);
    };
  };
  // 'acquire', not 'connect': the client that ran the migrations is already in the pool.
  database.pool!.on('acquire', wrap);
}

/** Top-level statements in a query text (a simple-protocol query may carry several). */
function statementsIn(text: string): number {
  if (/^EXECUTE /.test(text)) return 1;
  return Math.max(1, text.split(';').filter((s) => s.trim()).length);
}

export async function countStatements(
  target: { kind: 'pglite' } | { kind: 'postgres'; databaseUrl: string },
  steps: CountStep[],
  prepare: (app: FastifyInstance, token: string) => Promise<{ adminId: string; componentIds: string[] }>,
  timedIncidents = 20,
): Promise<StepCount[]> {
  const database = await openDatabase(target.kind === 'pglite' ? { dataDir: 'memory://' } : { databaseUrl: target.databaseUrl, poolMax: 2 });
  const counter: Counter = { roundTrips: 0, statements: 0, texts: [], engineMs: new Map(), current: '' };
  if (database.kind === 'pglite') countPglite(database, counter);
  else countPostgres(database, counter);
  const herald = await createHerald({
    database,
    databaseUrl: target.kind === 'postgres' ? target.databaseUrl : null,
    baseUrl: 'http://herald.bench',
    logLevel: 'silent',
    runsJobs: false,
    watchIntervalMs: 0,
  });
  try {
    await herald.app.ready();
    const now = new Date();
    const admin = await insertUser(database.db, { email: 'count-admin@example.com', name: 'Count Admin', role: 'admin', clientId: null, password: null }, now);
    const { token } = await insertApiToken(database.db, admin.id, { name: 'count' }, now);
    const fixture = await prepare(herald.app, token);
    const runIncident = async (n: number) => {
      const out: StepCount[] = [];
      let id = '';
      for (const step of steps) {
        const before = { ...counter, texts: counter.texts.length };
        const cpu = process.cpuUsage();
        const res = await herald.app.inject({
          method: 'POST',
          url: step.path(id),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify(step.body(n, fixture.componentIds[n % fixture.componentIds.length]!, fixture)),
        });
        if (res.statusCode >= 300) throw new Error(`${step.name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        if (step.name === 'report') id = (JSON.parse(res.body) as { id: string }).id;
        const used = process.cpuUsage(cpu);
        out.push({
          name: step.name,
          roundTrips: counter.roundTrips - before.roundTrips,
          statements: counter.statements - before.statements,
          texts: counter.texts.slice(before.texts),
          cpuMs: (used.user + used.system) / 1000,
        });
      }
      return out;
    };
    await runIncident(1);
    const counted = await runIncident(2);
    // CPU per command: the mean over further incidents, one command at a time.
    for (let n = 3; n < 3 + timedIncidents; n++) {
      const more = await runIncident(n);
      for (const [i, c] of more.entries()) counted[i]!.cpuMs += c.cpuMs;
    }
    for (const c of counted) c.cpuMs /= timedIncidents + 1;
    if (process.env.BENCH_SQL_TRACE === '1' && counter.engineMs.size) {
      console.log(`\nPGlite engine time per statement (wall ms, mean; count):`);
      for (const [text, e] of [...counter.engineMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(`  ${(e.ms / e.count).toFixed(3).padStart(8)} ${String(e.count).padStart(6)}  ${text}`);
    }
    return counted;
  } finally {
    await herald.stop();
    await database.close();
  }
}
