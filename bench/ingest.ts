// Monitoring-alert ingestion benchmark against a real Herald server child process, on PGlite (fresh
// data directory) and on PostgreSQL (a fresh database, when 127.0.0.1:5432 or DATABASE_URL answers):
//
//   1. storm: one Alertmanager notification with 20,000 alerts — seconds until the hook answers 202,
//      and until the job has processed it;
//   2. stream: 20 concurrent senders posting 100-alert notifications (groups repeating, so most alerts
//      are repeats to de-duplicate) — alerts/s accepted, and alerts/s processed (measured until the
//      last payload was processed, not just accepted);
//   3. the incidents created, which must equal the number of distinct groups (de-duplication held).
//
// Next to it, a baseline measured in the same run: a bare node:http server that reads and parses the
// same bodies (the ceiling of "accept"). Talks to 127.0.0.1 only.
//
//   npm run bench:ingest
//
// Knobs (environment): BENCH_STORM_ALERTS (20000), BENCH_SENDERS (20), BENCH_STREAM_S (10),
// BENCH_ALERTS_PER_PAYLOAD (100), BENCH_GROUPS (100), BENCH_ONLY (comma list: ceiling,pglite,postgres).
// The last line of the output is one JSON object with the results.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerPayload, stormPayload } from '../test/support/alert-payloads.js';
import { createTokenOverHttp, NODE_BIN, startHerald, type ServeOptions } from '../test/support/server-process.js';
import { ensureBuilt, withFreshPgDatabase } from './support.js';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const STORM_ALERTS = num('BENCH_STORM_ALERTS', 20_000);
const SENDERS = num('BENCH_SENDERS', 20);
const STREAM_MS = num('BENCH_STREAM_S', 10) * 1000;
const PER_PAYLOAD = num('BENCH_ALERTS_PER_PAYLOAD', 100);
const GROUPS = num('BENCH_GROUPS', 100);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'ceiling,pglite,postgres').split(',').map((s) => s.trim()));
const ADMIN = { adminEmail: 'bench-admin@example.com', adminPassword: 'bench password 1234' };
const PROCESS_TIMEOUT_MS = 600_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS + 4 });

function request(port: number, method: string, path: string, token: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const expectStatus = (res: { status: number; body: string }, status: number, what: string) => {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as any;
};

/** The stream's notifications: group g always carries the same PER_PAYLOAD fingerprints (repeats). */
function streamBody(group: number): string {
  return JSON.stringify(
    alertmanagerPayload({
      groupLabels: { alertname: 'LatencyHigh', service: `svc-${group}` },
      commonAnnotations: { summary: `p99 latency high on svc-${group}` },
      alerts: Array.from({ length: PER_PAYLOAD }, (_, i) => ({ fingerprint: `g${group}-a${i}`, labels: { instance: `svc-${group}-${i}:8080` } })),
    }),
  );
}

interface StreamResult {
  payloads: number;
  alerts: number;
  errors: number;
  sendSeconds: number;
  acceptedPerS: number;
  processedSeconds: number;
  processedPerS: number;
  p50AcceptMs: number;
  p99AcceptMs: number;
}

/** SENDERS workers post notifications for STREAM_MS; groups cycle so every group repeats. */
async function stream(port: number, token: string, bodies: string[]): Promise<Omit<StreamResult, 'processedSeconds' | 'processedPerS'> & { startedAt: number }> {
  const startedAt = performance.now();
  const until = startedAt + STREAM_MS;
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  let firstError = '';
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (performance.now() < until) {
        const body = bodies[next++ % bodies.length]!;
        const t0 = performance.now();
        const res = await request(port, 'POST', '/hooks/alertmanager', token, body);
        latencies.push(performance.now() - t0);
        if (res.status !== 202) {
          errors++;
          firstError ||= `${res.status} ${res.body.slice(0, 300)}`;
        }
      }
    }),
  );
  if (firstError) console.log(`  first stream error: ${firstError}`);
  const sendSeconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  const payloads = latencies.length - errors;
  return {
    startedAt,
    payloads,
    alerts: payloads * PER_PAYLOAD,
    errors,
    sendSeconds,
    acceptedPerS: (payloads * PER_PAYLOAD) / sendSeconds,
    p50AcceptMs: latencies[Math.floor(latencies.length * 0.5)] ?? NaN,
    p99AcceptMs: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
  };
}

async function waitProcessed(port: number, token: string, integrationId: string): Promise<{ stats: any; at: number }> {
  const deadline = Date.now() + PROCESS_TIMEOUT_MS;
  for (;;) {
    const it = expectStatus(await request(port, 'GET', `/api/v1/integrations/${integrationId}`, token), 200, 'integration');
    if (it.stats.payloadsPending === 0) return { stats: it.stats, at: performance.now() };
    if (Date.now() > deadline) throw new Error(`payloads still pending after ${PROCESS_TIMEOUT_MS / 1000} s: ${JSON.stringify(it.stats)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function countMonitoringIncidents(port: number, token: string): Promise<number> {
  let n = 0;
  let cursor = '';
  for (;;) {
    const page = expectStatus(await request(port, 'GET', `/api/v1/incidents?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token), 200, 'incidents');
    n += (page.items as { source: string }[]).filter((i) => i.source === 'monitoring').length;
    if (!page.nextCursor) return n;
    cursor = page.nextCursor;
  }
}

interface BackendResult {
  stormAcceptSeconds: number;
  stormProcessedSeconds: number;
  stream: StreamResult;
  incidentsCreated: number;
  incidentsExpected: number;
  alertsStored: number;
}

async function benchHerald(label: string, opts: ServeOptions, storm: string, bodies: string[]): Promise<BackendResult> {
  const server = await startHerald({ ...ADMIN, ...opts }, 180_000);
  try {
    const admin = await createTokenOverHttp(server.url, ADMIN.adminEmail, ADMIN.adminPassword);
    const integration = expectStatus(await request(server.port, 'POST', '/api/v1/integrations', admin, JSON.stringify({ kind: 'alertmanager', name: 'Bench Prometheus', slug: 'bench-prom', defaultSeverity: 'SEV3' })), 201, 'integration');
    const hookToken = integration.token as string;
    // Warm-up: one small notification (connections, JIT), processed before the clock starts.
    expectStatus(await request(server.port, 'POST', '/hooks/alertmanager', hookToken, streamBody(-1)), 202, 'warm-up');
    await waitProcessed(server.port, admin, integration.id);

    const t0 = performance.now();
    const accepted = await request(server.port, 'POST', '/hooks/alertmanager', hookToken, storm);
    const stormAcceptSeconds = (performance.now() - t0) / 1000;
    expectStatus(accepted, 202, 'storm');
    const stormDone = await waitProcessed(server.port, admin, integration.id);
    const stormProcessedSeconds = (stormDone.at - t0) / 1000;
    console.log(`  storm (${STORM_ALERTS} alerts, ${(storm.length / 1048576).toFixed(1)} MB): accepted in ${stormAcceptSeconds.toFixed(3)} s, processed ${stormProcessedSeconds.toFixed(2)} s after sending`);

    const s = await stream(server.port, hookToken, bodies);
    const done = await waitProcessed(server.port, admin, integration.id);
    const processedSeconds = (done.at - s.startedAt) / 1000;
    const result: StreamResult = { ...s, processedSeconds, processedPerS: s.alerts / processedSeconds };
    console.log(
      `  stream (${SENDERS} senders × ${PER_PAYLOAD}-alert payloads, ${STREAM_MS / 1000} s): ${result.payloads} payloads, ${result.alerts} alerts; accepted ${result.acceptedPerS.toFixed(0)} alerts/s (p50 ${result.p50AcceptMs.toFixed(1)} ms, p99 ${result.p99AcceptMs.toFixed(1)} ms), processed ${result.processedPerS.toFixed(0)} alerts/s (all done ${processedSeconds.toFixed(2)} s after the first send); errors ${result.errors}`,
    );
    const incidentsCreated = await countMonitoringIncidents(server.port, admin);
    const usedGroups = Math.min(GROUPS, s.payloads + s.errors);
    const incidentsExpected = 1 + 1 + usedGroups; // warm-up group, storm group, stream groups
    console.log(`  ${label}: incidents created ${incidentsCreated} (expected ${incidentsExpected}: one per group), alerts stored ${done.stats.alerts}`);
    return { stormAcceptSeconds, stormProcessedSeconds, stream: result, incidentsCreated, incidentsExpected, alertsStored: done.stats.alerts };
  } finally {
    const exit = await server.stop('SIGTERM');
    if (exit.code !== 0) console.error(`herald exited with ${exit.code ?? exit.signal}:\n${server.output().slice(-2000)}`);
  }
}

/** The ceiling: a bare node:http server (own process) that reads and parses each body and answers 202. */
async function benchCeiling(storm: string, bodies: string[]): Promise<{ stormAcceptSeconds: number; acceptedPerS: number }> {
  const code = `const http = require('node:http');
const server = http.createServer((req, res) => { const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => { const n = JSON.parse(Buffer.concat(chunks).toString('utf8')).alerts.length; res.writeHead(202, { 'content-type': 'application/json' }); res.end(JSON.stringify({ status: 'accepted', alerts: n })); }); });
server.listen(0, '127.0.0.1', () => console.log('listening at http://127.0.0.1:' + server.address().port));`;
  const child = spawn(NODE_BIN, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (c) => reject(new Error(`ceiling server exited (${c})`)));
    });
    const t0 = performance.now();
    expectStatus(await request(port, 'POST', '/hooks/alertmanager', 'x', storm), 202, 'ceiling storm');
    const stormAcceptSeconds = (performance.now() - t0) / 1000;
    const s = await stream(port, 'x', bodies);
    return { stormAcceptSeconds, acceptedPerS: s.acceptedPerS };
  } finally {
    child.kill('SIGKILL');
  }
}



const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main() {
  ensureBuilt();
  const storm = JSON.stringify(stormPayload(STORM_ALERTS, { alertname: 'NodeDown', cluster: 'eu-1' }));
  const bodies = Array.from({ length: GROUPS }, (_, g) => streamBody(g));
  console.log(`Herald ingest benchmark: storm of ${STORM_ALERTS} alerts; stream of ${PER_PAYLOAD}-alert payloads from ${SENDERS} senders for ${STREAM_MS / 1000} s over ${GROUPS} groups.`);
  const loadBefore = load();
  console.log(`Load average at start: ${loadBefore}`);
  let ceiling: Awaited<ReturnType<typeof benchCeiling>> | null = null;
  const results: Record<'pglite' | 'postgres', BackendResult | null> = { pglite: null, postgres: null };
  let postgresNote = 'not run (BENCH_ONLY)';
  if (ONLY.has('ceiling')) {
    console.log('\n→ ceiling: bare node:http that parses each body');
    ceiling = await benchCeiling(storm, bodies);
    console.log(`  storm accepted in ${ceiling.stormAcceptSeconds.toFixed(3)} s; stream ${ceiling.acceptedPerS.toFixed(0)} alerts/s`);
  }
  if (ONLY.has('pglite')) {
    const root = mkdtempSync(join(tmpdir(), 'herald-bench-ingest-'));
    try {
      console.log('\n→ PGlite: fresh data directory');
      results.pglite = await benchHerald('PGlite', { dataDir: join(root, 'data') }, storm, bodies);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  if (ONLY.has('postgres')) {
    console.log('\n→ PostgreSQL: fresh database');
    const out = await withFreshPgDatabase('herald_ingest', (url) => benchHerald('PostgreSQL', { databaseUrl: url }, storm, bodies));
    if ('skipped' in out) {
      postgresNote = `skipped: ${out.skipped}`;
      console.log(`  ${postgresNote}`);
    } else results.postgres = out;
  }
  agent.destroy();
  const loadAfter = load();
  const r2 = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
  const main = results.postgres ?? results.pglite;
  const dedupHeld = Object.values(results).every((r) => !r || r.incidentsCreated === r.incidentsExpected);
  console.log(`\n${'target'.padEnd(14)}${'storm accept s'.padStart(16)}${'storm done s'.padStart(14)}${'accepted al/s'.padStart(15)}${'processed al/s'.padStart(16)}${'incidents'.padStart(11)}`);
  if (ceiling) console.log(`${'ceiling'.padEnd(14)}${ceiling.stormAcceptSeconds.toFixed(3).padStart(16)}${'-'.padStart(14)}${ceiling.acceptedPerS.toFixed(0).padStart(15)}${'-'.padStart(16)}${'-'.padStart(11)}`);
  for (const [name, r] of Object.entries(results)) {
    if (!r) {
      console.log(`${name.padEnd(14)}  ${name === 'postgres' ? postgresNote : 'not run'}`);
      continue;
    }
    console.log(
      `${name.padEnd(14)}${r.stormAcceptSeconds.toFixed(3).padStart(16)}${r.stormProcessedSeconds.toFixed(2).padStart(14)}${r.stream.acceptedPerS.toFixed(0).padStart(15)}${r.stream.processedPerS.toFixed(0).padStart(16)}${`${r.incidentsCreated}/${r.incidentsExpected}`.padStart(11)}`,
    );
  }
  console.log(`\nTargets: storm accepted ≤ 2 s; ≥ 2,000 alerts/s processed on PostgreSQL. De-duplication ${dedupHeld ? 'held' : 'FAILED'}. Load average at start ${loadBefore}, at end ${loadAfter} (2 shared cores: other work slows these numbers).`);
  console.log(
    JSON.stringify({
      storm_accept_seconds: r2(main?.stormAcceptSeconds),
      postgres_alerts_per_s: r2(results.postgres?.stream.processedPerS),
      pglite_alerts_per_s: r2(results.pglite?.stream.processedPerS),
      incidents_created: main?.incidentsCreated ?? null,
      incidents_expected: main?.incidentsExpected ?? null,
      dedup_held: dedupHeld,
      storm_alerts: STORM_ALERTS,
      storm_accept_seconds_by_backend: { pglite: r2(results.pglite?.stormAcceptSeconds), postgres: r2(results.postgres?.stormAcceptSeconds) },
      storm_processed_seconds: { pglite: r2(results.pglite?.stormProcessedSeconds), postgres: r2(results.postgres?.stormProcessedSeconds) },
      accepted_alerts_per_s: { pglite: r2(results.pglite?.stream.acceptedPerS), postgres: r2(results.postgres?.stream.acceptedPerS) },
      incidents_created_by_backend: { pglite: results.pglite?.incidentsCreated ?? null, postgres: results.postgres?.incidentsCreated ?? null },
      stream_errors: (results.pglite?.stream.errors ?? 0) + (results.postgres?.stream.errors ?? 0),
      ceiling: ceiling && { storm_accept_seconds: r2(ceiling.stormAcceptSeconds), accepted_alerts_per_s: r2(ceiling.acceptedPerS) },
      senders: SENDERS,
      alerts_per_payload: PER_PAYLOAD,
      load_average: { start: loadBefore, end: loadAfter },
    }),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
