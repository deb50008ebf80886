// API throughput benchmark: lifecycle commands per second and p50/p99 latency over real HTTP against
// a Herald server child process on PGlite (fresh temp directory) and on PostgreSQL (a fresh database,
// when 127.0.0.1:5432 or DATABASE_URL answers), next to a bare node:http server as the ceiling, all
// driven by the same keep-alive load generator in this process. Talks to 127.0.0.1 only.
//
//   npm run bench:api
//
// Each target runs BENCH_RUNS times (3), in rounds (ceiling, PGlite, PostgreSQL, then again), and every
// figure is from the target's median run: this machine's speed changes from minute to minute, and one
// run can land in a slow spell. Every run's requests per second are printed and in the JSON.
//
// Knobs (environment): BENCH_RUNS (3), BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_PG_CONCURRENCY (32),
// BENCH_PGLITE_CONCURRENCY (16), BENCH_CEILING_CONCURRENCY (32), BENCH_POOL_MAX (server
// DATABASE_POOL_MAX; default: the server's own default), BENCH_ONLY (comma list: statements,ceiling,pglite,postgres),
// BENCH_CPU_PROF_DIR (the server writes a V8 .cpuprofile there on exit), BENCH_COUNT_INCIDENTS (20), BENCH_SQL_TRACE=1 (print the
// statements each command runs), BENCH_COUNT_ONLY (pglite or postgres), BENCH_SKIP (comma list of steps left
// out, e.g. "message initial,message resolution"), BENCH_SERVER_NODE_OPTIONS (extra Node.js options for the
// server), BENCH_KEEP_DB=1 (keep the PostgreSQL database and print its name). Before the load, incidents are
// driven one command at a time in this process on PGlite and on PostgreSQL with the database driver
// counted: SQL statements and round trips per command, and this process's CPU time per command.
// On a machine shared with other work, the "rest cpu%" column shows how much it disturbed the run.
// The last line of the output is one JSON object with the results.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { countStatements, type StepCount } from './statement-count.js';
import { createTokenOverHttp, NODE_BIN, startHerald, type RunningHerald, type ServeOptions } from '../test/support/server-process.js';
import { ensureBuilt, withFreshPgDatabase } from './support.js';

const num = (name: string, dflt: number) => {
  const v = process.env[name];
  return v ? Number(v) : dflt;
};
const DURATION_MS = num('BENCH_DURATION_S', 10) * 1000;
const WARMUP_MS = num('BENCH_WARMUP_S', 2) * 1000;
const PG_CONCURRENCY = num('BENCH_PG_CONCURRENCY', 32);
const PGLITE_CONCURRENCY = num('BENCH_PGLITE_CONCURRENCY', 16);
const CEILING_CONCURRENCY = num('BENCH_CEILING_CONCURRENCY', 32);
const POOL_MAX = process.env.BENCH_POOL_MAX;
/** When set, the Herald server writes a V8 CPU profile (.cpuprofile) into this directory on exit. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
const SQL_TRACE = process.env.BENCH_SQL_TRACE === '1';
/** Incidents driven one command at a time in this process for the CPU-per-command figures. */
const COUNT_INCIDENTS = num('BENCH_COUNT_INCIDENTS', 20);
const ONLY_COUNT = process.env.BENCH_COUNT_ONLY;
/** How many times each target runs; each figure is from the target's median run (by requests per second). */
const RUNS = Math.max(1, Math.floor(num('BENCH_RUNS', 3)));
const ONLY = new Set((process.env.BENCH_ONLY ?? 'statements,ceiling,pglite,postgres').split(',').map((s) => s.trim()));
const ADMIN = { adminEmail: 'bench-admin@example.com', adminPassword: 'bench password 1234' };
const COMPONENTS = 8;
const CLIENTS = 4;

// ---------------------------------------------------------------------------------------------
// HTTP client: one keep-alive connection per worker, speaking just enough HTTP/1.1 (a request, then a
// response framed by Content-Length or chunked), as load generators such as wrk do. The load generator
// shares the machine's two cores with the server and the database; node:http's client (and undici's)
// took about 0.25 ms of CPU per request, a tenth of a whole command.

interface Answer {
  status: number;
  body: string;
}

class Connection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | null = null;
  closed = false;
  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.parse();
    });
    const fail = (err: Error) => {
      this.closed = true;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(err);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }
  send(head: string, body: string | null): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(body === null ? head : head + body);
    });
  }
  /** One response: status line, headers, then a body of Content-Length bytes or in chunks. */
  private parse() {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body: Buffer;
    let rest: Buffer;
    if (length) {
      const n = Number(length[1]);
      if (this.buffer.length < end + 4 + n) return;
      body = this.buffer.subarray(end + 4, end + 4 + n);
      rest = this.buffer.subarray(end + 4 + n);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const line = this.buffer.indexOf('\r\n', at);
        if (line < 0) return;
        const size = parseInt(this.buffer.toString('latin1', at, line), 16);
        if (this.buffer.length < line + 2 + size + 2) return;
        if (size === 0) {
          rest = this.buffer.subarray(line + 4);
          break;
        }
        parts.push(this.buffer.subarray(line + 2, line + 2 + size));
        at = line + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = Buffer.alloc(0);
      rest = this.buffer.subarray(end + 4);
    }
    this.buffer = rest;
    const w = this.waiting;
    this.waiting = null;
    w.resolve({ status, body: body.toString('utf8') });
  }
  close() {
    this.closed = true;
    this.socket.destroy();
  }
}

class HttpClient {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  constructor(
    readonly port: number,
    readonly concurrency: number,
    readonly token: string,
  ) {}
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    let conn = this.idle.pop();
    while (conn?.closed) conn = this.idle.pop();
    if (!conn) {
      conn = new Connection(this.port);
      this.all.push(conn);
    }
    const payload = body === undefined ? null : JSON.stringify(body);
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nAuthorization: Bearer ${this.token}\r\n` +
      (payload === null ? '\r\n' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n`);
    const answer = await conn.send(head, payload);
    this.idle.push(conn);
    return answer;
  }
  post = (path: string, body: unknown) => this.request('POST', path, body);
  get = (path: string) => this.request('GET', path);
  close() {
    for (const c of this.all) c.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The workload: each worker drives one incident after another through the lifecycle.

interface Fixture {
  adminId: string;
  componentIds: string[];
}

interface Step {
  name: string;
  path: (id: string) => string;
  body: (n: number, componentId: string, f: Fixture) => unknown;
}

const disclosures = () => ({
  impactSummary: 'Logins fail for about half of the users.',
  dataLoss: { level: 'none', details: null },
  dataExposure: { level: 'none', details: null, isPersonalData: false },
  expectedResolutionAt: new Date(Date.now() + 4 * 3600_000).toISOString(),
  nextUpdateAt: new Date(Date.now() + 20 * 60_000).toISOString(),
  remediation: 'Add a canary stage to the login service rollout.',
});

const ALL_STEPS: Step[] = [
  { name: 'report', path: () => '/api/v1/incidents', body: (n) => ({ title: `Bench incident ${n}`, description: 'Logins fail intermittently.', source: 'monitoring' }) },
  {
    name: 'classify',
    path: (id) => `/api/v1/incidents/${id}/classification`,
    body: (_n, componentId) => ({ severity: 'SEV2', impacts: [{ componentId, status: 'partial_outage' }], isClientAffected: true, reason: 'Clients cannot log in.' }),
  },
  { name: 'disclosures', path: (id) => `/api/v1/incidents/${id}/disclosures`, body: () => disclosures() },
  { name: 'roles', path: (id) => `/api/v1/incidents/${id}/roles`, body: (_n, _c, f) => ({ incidentManagerId: f.adminId, communicationLeadId: f.adminId }) },
  { name: 'state identified', path: (id) => `/api/v1/incidents/${id}/state`, body: () => ({ state: 'identified' }) },
  { name: 'note', path: (id) => `/api/v1/incidents/${id}/notes`, body: (n) => ({ text: `Rolled back deploy ${n}.` }) },
  { name: 'message initial', path: (id) => `/api/v1/incidents/${id}/communications`, body: () => ({ kind: 'initial' }) },
  { name: 'state monitoring', path: (id) => `/api/v1/incidents/${id}/state`, body: () => ({ state: 'monitoring' }) },
  { name: 'state resolved', path: (id) => `/api/v1/incidents/${id}/state`, body: () => ({ state: 'resolved' }) },
  { name: 'message resolution', path: (id) => `/api/v1/incidents/${id}/communications`, body: () => ({ kind: 'resolution' }) },
  { name: 'close', path: (id) => `/api/v1/incidents/${id}/close`, body: () => ({ waiveReason: 'The RCA is tracked elsewhere in this benchmark.' }) },
];

/** BENCH_SKIP: comma list of step names left out of the workload (e.g. to see what messages cost). */
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const STEPS = ALL_STEPS.filter((s) => !SKIP.has(s.name));

interface Recorder {
  all: number[];
  perStep: Map<string, number[]>;
  errors: number;
  errorSamples: string[];
}

interface LoadResult {
  concurrency: number;
  seconds: number;
  count: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  errorSamples: string[];
  perStep: { name: string; count: number; p50: number; p99: number }[];
  cpu: CpuWindow;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

async function drive(client: HttpClient, fixture: Fixture, concurrency: number, serverPid: number, databasePids?: () => Promise<number[]>): Promise<LoadResult> {
  const rec: Recorder = { all: [], perStep: new Map(STEPS.map((s) => [s.name, []])), errors: 0, errorSamples: [] };
  const started = performance.now();
  const measureFrom = started + WARMUP_MS;
  const measureTo = measureFrom + DURATION_MS;
  let stop = false;
  let seq = 0;
  let cpuStart: CpuSample | null = null;
  let pgPids: number[] = [];
  const startTimer = setTimeout(() => {
    cpuStart = cpuSample(serverPid, pgPids);
    // The pool has grown by the end of the warm-up; its backends' CPU from here on counts as "pg".
    databasePids?.().then(
      (pids) => {
        pgPids = pids;
        cpuStart = { ...cpuStart!, postgres: postgresTicks(pids) };
      },
      (err: unknown) => console.error(`  (could not list the database backends: ${(err as Error).message})`),
    );
  }, WARMUP_MS);
  const stopTimer = setTimeout(() => (stop = true), WARMUP_MS + DURATION_MS);
  const worker = async () => {
    while (!stop) {
      const n = ++seq;
      const componentId = fixture.componentIds[n % fixture.componentIds.length]!;
      let id = '';
      for (const step of STEPS) {
        if (stop) return;
        const t0 = performance.now();
        let res: Answer;
        try {
          res = await client.post(step.path(id), step.body(n, componentId, fixture));
        } catch (err) {
          res = { status: 0, body: String(err) };
        }
        const t1 = performance.now();
        const inWindow = t1 >= measureFrom && t1 < measureTo;
        if (res.status < 200 || res.status >= 300) {
          if (inWindow) rec.errors++;
          if (rec.errorSamples.length < 5) rec.errorSamples.push(`${step.name}: ${res.status} ${res.body.slice(0, 300)}`);
          if (res.status === 0) await new Promise((r) => setTimeout(r, 50));
          break; // start over with a new incident
        }
        if (inWindow) {
          rec.all.push(t1 - t0);
          rec.perStep.get(step.name)!.push(t1 - t0);
        }
        if (step.name === 'report') id = (JSON.parse(res.body) as { id: string }).id;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearTimeout(startTimer);
  clearTimeout(stopTimer);
  const cpu = cpuWindow(cpuStart ?? cpuSample(serverPid, pgPids), cpuSample(serverPid, pgPids), rec.all.length);
  const all = rec.all.sort((a, b) => a - b);
  return {
    concurrency,
    seconds: DURATION_MS / 1000,
    count: all.length,
    rps: all.length / (DURATION_MS / 1000),
    p50: pct(all, 50),
    p99: pct(all, 99),
    errors: rec.errors,
    errorSamples: rec.errorSamples,
    perStep: STEPS.map((s) => {
      const xs = rec.perStep.get(s.name)!.sort((a, b) => a - b);
      return { name: s.name, count: xs.length, p50: pct(xs, 50), p99: pct(xs, 99) };
    }),
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (Linux): where the machine's time went during the measured window.

interface CpuSample {
  at: number;
  machineBusy: number;
  machineTotal: number;
  server: number;
  bench: number;
  postgres: number;
}
interface CpuWindow {
  /** Percent of one core. */
  serverPct: number;
  benchPct: number;
  /** The PostgreSQL backends serving the benchmark database. */
  postgresPct: number;
  pgMsPerRequest: number;
  /** Everything else on the machine (the kernel, other programs), percent of one core. */
  otherPct: number;
  cores: number;
  serverMsPerRequest: number;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux
function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}
function postgresTicks(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + procTicks(pid), 0);
}
function cpuSample(serverPid: number, pgPids: number[]): CpuSample {
  let busy = 0;
  let total = 0;
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    total = line.reduce((a, b) => a + b, 0);
    busy = total - line[3]! - (line[4] ?? 0);
  } catch {
    /* not Linux */
  }
  return { at: performance.now(), machineBusy: busy, machineTotal: total, server: procTicks(serverPid), bench: procTicks(process.pid), postgres: postgresTicks(pgPids) };
}
function cpuWindow(a: CpuSample, b: CpuSample, requests: number): CpuWindow {
  const wallMs = b.at - a.at;
  const cores = a.machineTotal && b.machineTotal > a.machineTotal ? Math.round(((b.machineTotal - a.machineTotal) * TICK_MS) / wallMs) || 1 : 1;
  const toPct = (ticks: number) => (wallMs > 0 ? (ticks * TICK_MS * 100) / wallMs : 0);
  const serverPct = toPct(b.server - a.server);
  const benchPct = toPct(b.bench - a.bench);
  const postgresPct = toPct(Math.max(0, b.postgres - a.postgres));
  const machinePct = toPct(b.machineBusy - a.machineBusy);
  return {
    serverPct,
    benchPct,
    postgresPct,
    otherPct: Math.max(0, machinePct - serverPct - benchPct - postgresPct),
    cores,
    serverMsPerRequest: requests ? ((b.server - a.server) * TICK_MS) / requests : NaN,
    pgMsPerRequest: requests ? (Math.max(0, b.postgres - a.postgres) * TICK_MS) / requests : NaN,
  };
}

// ---------------------------------------------------------------------------------------------
// Targets.

/** A bare node:http server answering every POST with an incident-sized JSON body. */
const CEILING_SOURCE = `
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const sample = (id, body) => ({
  id, key: 'INC-1', title: (body && body.title) || 'Bench incident', description: 'Logins fail intermittently.', source: 'monitoring',
  reporterId: randomUUID(), reporterClientId: null, reportedClientIds: [], stage: 'active', techState: 'identified', severity: 'SEV2',
  decision: { isClientAffected: true, by: randomUUID(), at: new Date().toISOString(), reason: 'Clients cannot log in.' },
  impacts: [{ componentId: randomUUID(), status: 'partial_outage' }],
  affectedClients: [{ clientId: randomUUID(), tier: 'standard', source: 'derived', addedAt: new Date().toISOString(), sent: {}, met: {} }],
  disclosures: { impactSummary: 'Logins fail for about half of the users.', dataLoss: { level: 'none', details: null }, dataExposure: { level: 'none', details: null, isPersonalData: false }, expectedResolutionAt: new Date().toISOString(), nextUpdateAt: new Date().toISOString(), remediation: 'Add a canary stage to the login service rollout.' },
  disclosureVersion: 1, roles: { incidentManagerId: null, communicationLeadId: null, technicalTeamIds: [] },
  obligations: [{ id: randomUUID(), kind: 'initial', clientId: randomUUID(), dueAt: new Date().toISOString(), status: 'open', createdAt: new Date().toISOString(), closedAt: null, metByCommunicationId: null, waiver: null, isOverdue: false }],
  internalSummary: null, reportedAt: new Date().toISOString(), classifiedAt: new Date().toISOString(), resolvedAt: null, reopenedAt: null, closedAt: null, updatedAt: new Date().toISOString(),
});
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = null;
    try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null; } catch { res.writeHead(400); res.end(); return; }
    const out = JSON.stringify(sample(randomUUID(), body));
    res.writeHead(req.method === 'POST' && req.url === '/api/v1/incidents' ? 201 : 200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.keepAliveTimeout = 72000;
server.listen(0, '127.0.0.1', () => console.log('Server listening at http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function benchCeiling(): Promise<LoadResult> {
  const child = spawn(NODE_BIN, ['-e', CEILING_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`ceiling server exited (${code})`)));
    });
    const client = new HttpClient(port, CEILING_CONCURRENCY, 'none');
    try {
      return await drive(client, { adminId: '00000000-0000-4000-8000-000000000000', componentIds: ['00000000-0000-4000-8000-000000000001'] }, CEILING_CONCURRENCY, child.pid!);
    } finally {
      client.close();
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function expectStatus(res: Answer, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as any;
}

/** Components, clients using them (each with a contact), and the admin's id: what the workload needs. */
async function prepareFixture(client: Pick<HttpClient, 'get' | 'post'>): Promise<Fixture> {
  const session = await expectStatus(await client.get('/api/v1/auth/session'), 200, 'session');
  const componentIds: string[] = [];
  for (let i = 0; i < COMPONENTS; i++) componentIds.push((await expectStatus(await client.post('/api/v1/components', { name: `Service ${i}` }), 201, 'component')).id);
  for (let c = 0; c < CLIENTS; c++) {
    const uses = componentIds.filter((_, i) => i % CLIENTS === c);
    const cl = await expectStatus(await client.post('/api/v1/clients', { name: `Client ${c}`, slug: `client-${c}`, tier: 'standard', componentIds: uses }), 201, 'client');
    await expectStatus(await client.post(`/api/v1/clients/${cl.id}/contacts`, { name: `Contact ${c}`, email: `ops-${c}@client${c}.example` }), 201, 'contact');
  }
  return { adminId: session.user.id, componentIds };
}

async function benchHerald(opts: ServeOptions, concurrency: number): Promise<LoadResult> {
  const extra: Record<string, string> = {};
  if (POOL_MAX) extra.DATABASE_POOL_MAX = POOL_MAX;
  const nodeOptions = [CPU_PROF_DIR ? `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}` : '', process.env.BENCH_SERVER_NODE_OPTIONS ?? ''].filter(Boolean).join(' ');
  if (nodeOptions) extra.NODE_OPTIONS = nodeOptions;
  const server: RunningHerald = await startHerald({ ...ADMIN, ...opts, extra }, 60_000);
  try {
    const token = await createTokenOverHttp(server.url, ADMIN.adminEmail, ADMIN.adminPassword);
    const client = new HttpClient(server.port, concurrency, token);
    try {
      const fixture = await prepareFixture(client);
      const databaseUrl = opts.databaseUrl;
      return await drive(client, fixture, concurrency, server.pid, databaseUrl ? () => databaseBackends(databaseUrl) : undefined);
    } finally {
      client.close();
    }
  } finally {
    const exit = await server.stop('SIGTERM');
    if (exit.code !== 0) console.error(`herald exited with ${exit.code ?? exit.signal}:\n${server.output().slice(-2000)}`);
  }
}

/** The PostgreSQL backends serving the benchmark database (their CPU time is counted as "pg"). */
async function databaseBackends(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a fresh database on a local server, dropped afterwards.


// ---------------------------------------------------------------------------------------------


const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function printTable(results: { label: string; r: LoadResult | null; note?: string }[], ceiling: LoadResult | null) {
  const head = `${pad('target', 22)}${lpad('conc', 5)}${lpad('req/s', 9)}${lpad('% ceil', 8)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('errors', 8)}${lpad('srv cpu%', 10)}${lpad('srv ms/req', 12)}${lpad('bench cpu%', 12)}${lpad('pg cpu%', 9)}${lpad('pg ms/req', 11)}${lpad('rest cpu%', 11)}`;
  console.log(`\n${head}\n${'-'.repeat(head.length)}`);
  for (const { label, r, note } of results) {
    if (!r) {
      console.log(`${pad(label, 22)}  ${note ?? 'skipped'}`);
      continue;
    }
    const ofCeiling = ceiling && label !== 'ceiling (node:http)' ? `${f1((100 * r.rps) / ceiling.rps)}%` : '';
    console.log(
      `${pad(label, 22)}${lpad(String(r.concurrency), 5)}${lpad(f1(r.rps), 9)}${lpad(ofCeiling, 8)}${lpad(f2(r.p50), 9)}${lpad(f2(r.p99), 9)}${lpad(String(r.errors), 8)}${lpad(f1(r.cpu.serverPct), 10)}${lpad(f2(r.cpu.serverMsPerRequest), 12)}${lpad(f1(r.cpu.benchPct), 12)}${lpad(f1(r.cpu.postgresPct), 9)}${lpad(r.cpu.postgresPct ? f2(r.cpu.pgMsPerRequest) : '', 11)}${lpad(f1(r.cpu.otherPct), 11)}`,
    );
  }
  const herald = results.filter((x) => x.r && x.label !== 'ceiling (node:http)');
  if (herald.length) {
    console.log(`\nPer command (p50 / p99 ms, count in the window):`);
    console.log(`${pad('command', 22)}${herald.map((h) => lpad(h.label, 28)).join('')}`);
    for (const [i, s] of STEPS.entries()) {
      console.log(
        `${pad(s.name, 22)}${herald
          .map((h) => {
            const p = h.r!.perStep[i]!;
            return lpad(`${f2(p.p50)} / ${f2(p.p99)} (${p.count})`, 28);
          })
          .join('')}`,
      );
    }
  }
  const disturbed = results.filter((x) => x.r && x.r.cpu.otherPct > 25);
  if (disturbed.length) {
    console.log(
      `\nNote: other processes used a lot of CPU while ${disturbed.map((d) => d.label).join(', ')} ran (rest cpu% above); those numbers are low. Run again on a quiet machine.`,
    );
  }
  for (const { label, r } of results) if (r?.errorSamples.length) console.log(`\n${label} errors (first ${r.errorSamples.length}):\n  ${r.errorSamples.join('\n  ')}`);
}

/** The run with the median requests per second (of an even count, the lower middle one). */
function medianRun(rs: LoadResult[]): LoadResult | null {
  if (!rs.length) return null;
  return [...rs].sort((a, b) => a.rps - b.rps)[Math.floor((rs.length - 1) / 2)]!;
}

async function main() {
  ensureBuilt();
  console.log(
    `Herald API benchmark: ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s measured per target; ${STEPS.length} lifecycle commands per incident (${STEPS.map((s) => s.name).join(', ')}).`,
  );
  console.log(`CPU: ${statSafe()}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; server pool max: ${POOL_MAX ?? 'server default'}.`);
  let counts: { pglite: StepCount[] | null; postgres: StepCount[] | null } = { pglite: null, postgres: null };
  if (ONLY.has('statements')) {
    console.log(`\n→ statements and round trips per command (one incident, in this process)`);
    counts = await countAll();
    printCounts(counts);
  }
  // Rounds of every target, one after the other, so a change in the machine's speed meets all of them.
  const runs: { ceiling: LoadResult[]; pglite: LoadResult[]; postgres: LoadResult[] } = { ceiling: [], pglite: [], postgres: [] };
  let postgresNote = 'not run (BENCH_ONLY)';
  for (let round = 1; round <= RUNS; round++) {
    const of = RUNS > 1 ? ` (run ${round} of ${RUNS})` : '';
    if (ONLY.has('ceiling')) {
      console.log(`\n→ ceiling: bare node:http, ${CEILING_CONCURRENCY} workers${of}`);
      const r = await benchCeiling();
      runs.ceiling.push(r);
      console.log(`  ${f1(r.rps)} req/s`);
    }
    if (ONLY.has('pglite')) {
      const root = mkdtempSync(join(tmpdir(), 'herald-bench-'));
      try {
        console.log(`\n→ PGlite: fresh data directory, ${PGLITE_CONCURRENCY} workers${of}`);
        const r = await benchHerald({ dataDir: join(root, 'data') }, PGLITE_CONCURRENCY);
        runs.pglite.push(r);
        console.log(`  ${f1(r.rps)} cmds/s`);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
    if (ONLY.has('postgres') && !postgresNote.startsWith('skipped')) {
      console.log(`\n→ PostgreSQL: fresh database, ${PG_CONCURRENCY} workers${of}`);
      const out = await withFreshPgDatabase('herald_bench', (url) => benchHerald({ databaseUrl: url }, PG_CONCURRENCY));
      if ('skipped' in out) {
        postgresNote = `skipped: ${out.skipped}`;
        console.log(`  ${postgresNote}`);
      } else {
        runs.postgres.push(out);
        console.log(`  ${f1(out.rps)} cmds/s`);
      }
    }
  }
  const ceiling = medianRun(runs.ceiling);
  const pglite = medianRun(runs.pglite);
  const postgres = medianRun(runs.postgres);
  if (RUNS > 1) {
    console.log(`\nEach target ran ${RUNS} times; the table shows each target's median run (by requests per second).`);
    for (const [label, rs] of [['ceiling (node:http)', runs.ceiling], ['herald on PGlite', runs.pglite], ['herald on PostgreSQL', runs.postgres]] as const) {
      if (rs.length) console.log(`  ${pad(label, 22)}${rs.map((r) => lpad(f1(r.rps), 9)).join('')}`);
    }
  }
  printTable(
    [
      { label: 'ceiling (node:http)', r: ceiling, note: 'not run' },
      { label: 'herald on PGlite', r: pglite, note: 'not run' },
      { label: 'herald on PostgreSQL', r: postgres, note: postgresNote },
    ],
    ceiling,
  );
  const round = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
  console.log(
    `\n${JSON.stringify({
      pglite_cmds_per_s: round(pglite?.rps),
      postgres_cmds_per_s: round(postgres?.rps),
      p50_ms_pglite: round(pglite?.p50),
      p99_ms_pglite: round(pglite?.p99),
      p50_ms_postgres: round(postgres?.p50),
      p99_ms_postgres: round(postgres?.p99),
      ceiling_rps: round(ceiling?.rps),
      ceiling_p99_ms: round(ceiling?.p99),
      server_cpu_ms_per_cmd_pglite: round(pglite?.cpu.serverMsPerRequest),
      server_cpu_ms_per_cmd_postgres: round(postgres?.cpu.serverMsPerRequest),
      postgres_backend_cpu_ms_per_cmd: round(postgres?.cpu.pgMsPerRequest),
      statements_per_cmd_pglite: round(perCommand(counts.pglite, 'statements')),
      statements_per_cmd_postgres: round(perCommand(counts.postgres, 'statements')),
      round_trips_per_cmd_pglite: round(perCommand(counts.pglite, 'roundTrips')),
      round_trips_per_cmd_postgres: round(perCommand(counts.postgres, 'roundTrips')),
      inprocess_cpu_ms_per_cmd_pglite: round(perCommand(counts.pglite, 'cpuMs')),
      inprocess_cpu_ms_per_cmd_postgres: round(perCommand(counts.postgres, 'cpuMs')),
      other_cpu_pct: { ceiling: round(ceiling?.cpu.otherPct), pglite: round(pglite?.cpu.otherPct), postgres: round(postgres?.cpu.otherPct) },
      errors: (pglite?.errors ?? 0) + (postgres?.errors ?? 0),
      concurrency: { pglite: PGLITE_CONCURRENCY, postgres: PG_CONCURRENCY, ceiling: CEILING_CONCURRENCY },
      duration_s: DURATION_MS / 1000,
      runs: RUNS,
      runs_cmds_per_s: { pglite: runs.pglite.map((r) => round(r.rps)), postgres: runs.postgres.map((r) => round(r.rps)), ceiling: runs.ceiling.map((r) => round(r.rps)) },
    })}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Statements and round trips per command, counted at the database driver in this process.

/** The fixture built through app.inject, the way the load generator builds it over HTTP. */
async function injectFixture(app: FastifyInstance, token: string): Promise<Fixture> {
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer> => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body };
  };
  return prepareFixture({ get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) });
}

async function countAll(): Promise<{ pglite: StepCount[] | null; postgres: StepCount[] | null }> {
  const pgliteCounts = ONLY_COUNT === 'postgres' ? null : await countStatements({ kind: 'pglite' }, STEPS, injectFixture, COUNT_INCIDENTS);
  const out = ONLY_COUNT === 'pglite' ? { skipped: 'not counted (BENCH_COUNT_ONLY)' } : await withFreshPgDatabase('herald_bench', (url) => countStatements({ kind: 'postgres', databaseUrl: url }, STEPS, injectFixture, COUNT_INCIDENTS));
  if ('skipped' in out) console.log(`  PostgreSQL ${out.skipped}`);
  return { pglite: pgliteCounts, postgres: 'skipped' in out ? null : out };
}

function perCommand(counts: StepCount[] | null, what: 'statements' | 'roundTrips' | 'cpuMs'): number | undefined {
  if (!counts?.length) return undefined;
  return counts.reduce((sum, c) => sum + c[what], 0) / counts.length;
}

function printCounts(counts: { pglite: StepCount[] | null; postgres: StepCount[] | null }) {
  const backends = (['pglite', 'postgres'] as const).filter((b) => counts[b]);
  console.log(`${pad('command', 22)}${backends.map((b) => lpad(`${b} stmts / trips / cpu ms`, 34)).join('')}`);
  for (const [i, step] of STEPS.entries()) {
    console.log(`${pad(step.name, 22)}${backends.map((b) => lpad(`${counts[b]![i]!.statements} / ${counts[b]![i]!.roundTrips} / ${f2(counts[b]![i]!.cpuMs)}`, 34)).join('')}`);
  }
  console.log(
    `${pad('mean per command', 22)}${backends.map((b) => lpad(`${f2(perCommand(counts[b], 'statements')!)} / ${f2(perCommand(counts[b], 'roundTrips')!)} / ${f2(perCommand(counts[b], 'cpuMs')!)}`, 34)).join('')}`,
  );
  console.log(`(cpu ms: this process, one command at a time through app.inject, PGlite included; on PostgreSQL without the database server's own time)`);
  if (SQL_TRACE) {
    for (const b of backends) {
      console.log(`\nStatements on ${b}:`);
      for (const c of counts[b]!) console.log(`  ${c.name}:\n    ${c.texts.join('\n    ')}`);
    }
  }
}

function statSafe(): string {
  try {
    const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/gm) ?? [];
    return `${cpus.length} × ${cpus[0]?.split(':')[1]?.trim() ?? 'unknown'}`;
  } catch {
    return 'unknown';
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
