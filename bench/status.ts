// Status pages under load: requests/s and p50/p99 latency of /status and /status.json on the real
// server (dist/, PGlite) with 100 concurrent keep-alive connections while an incident update is
// published every second, next to a bare node:http server answering the same bytes in the same run.
// The last line is one JSON object: status_rps, bare_rps, ratio, p99_ms and more.
//
//   npm run bench:status            (BENCH_DURATION_S=10, BENCH_WARMUP_S=2, BENCH_CONCURRENCY=100,
//                                    BENCH_UPDATE_EVERY_MS=1000: 0 publishes nothing, to see the serving cost alone)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTokenOverHttp, NODE_BIN, startHerald, type ServeOptions } from '../test/support/server-process.js';
import { LOCAL_HOSTS, ensureBuilt } from './support.js';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const DURATION_MS = num('BENCH_DURATION_S', 10) * 1000;
const WARMUP_MS = num('BENCH_WARMUP_S', 2) * 1000;
const CONCURRENCY = num('BENCH_CONCURRENCY', 100);
const SLICE_MS = 1000;
const ADMIN = { adminEmail: 'bench-admin@example.com', adminPassword: 'bench password 1234' };
/** PostgreSQL server to create a scratch database on (only a local one); PGlite when it does not answer. */
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database on the local PostgreSQL, or null (then the bench runs on PGlite). */
async function scratchPostgres(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  if (process.env.BENCH_BACKEND === 'pglite' || !LOCAL_HOSTS.has(new URL(PG_URL).hostname)) return null;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `herald_bench_status_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  notModified: number;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; USER_HZ = 100). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

interface Samples {
  latencies: number[];
  seconds: number;
  errors: number;
  notModified: number;
  cpuMs: number;
}

const emptySamples = (): Samples => ({ latencies: [], seconds: 0, errors: 0, notModified: 0, cpuMs: 0 });

function summarise(s: Samples): LoadResult & { cpuUsPerRequest: number } {
  const sorted = [...s.latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    rps: sorted.length / s.seconds,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    errors: s.errors,
    notModified: s.notModified,
    cpuUsPerRequest: (s.cpuMs * 1000) / Math.max(1, sorted.length),
  };
}

/** `concurrency` workers, each on its own keep-alive connection, GET `path` back to back for `ms`. */
async function load(port: number, path: string, ms: number, into: Samples = emptySamples(), pid?: number): Promise<Samples> {
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let notModified = 0;
  const end = Date.now() + ms;
  const one = () =>
    new Promise<number>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path, agent, method: 'GET' }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const status = await one();
        latencies.push(performance.now() - t0);
        if (status === 304) notModified++;
        else if (status !== 200) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  into.latencies.push(...latencies);
  into.seconds += elapsed;
  into.errors += errors;
  into.notModified += notModified;
  if (pid) into.cpuMs += cpuMs(pid) - cpuBefore;
  return into;
}

/**
 * A bare node:http server answering each path with the bytes and headers Herald answers: it fetches
 * them from Herald once a second, so it serves the same page as it grows with the updates.
 */
function bareServerSource(dir: string, heraldUrl: string): string {
  return `
const http = require('node:http');
const fs = require('node:fs');
const pages = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, 'pages.json'))}, 'utf8'));
const bodies = {};
for (const [path, p] of Object.entries(pages)) bodies[path] = { body: fs.readFileSync(p.file), headers: p.headers };
const skip = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
const refresh = async () => {
  for (const path of Object.keys(bodies)) {
    try {
      const res = await fetch(${JSON.stringify(heraldUrl)} + path);
      const body = Buffer.from(await res.arrayBuffer());
      const headers = {};
      res.headers.forEach((v, k) => { if (!skip.has(k)) headers[k] = v; });
      if (res.status === 200) bodies[path] = { body, headers };
    } catch {}
  }
};
setInterval(refresh, 1000).unref();
const server = http.createServer((req, res) => {
  const page = bodies[req.url];
  if (!page) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, page.headers);
  res.end(page.body);
});
server.keepAliveTimeout = 72000;
server.listen(0, '127.0.0.1', () => console.log('listening at http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
}


async function main() {
  ensureBuilt();
  console.log(`Load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${CONCURRENCY} connections, ${DURATION_MS / 1000} s per run after ${WARMUP_MS / 1000} s warm-up.`);
  const root = mkdtempSync(join(tmpdir(), 'herald-bench-status-'));
  const postgres = await scratchPostgres();
  const backend: ServeOptions = postgres ? { databaseUrl: postgres.url } : { dataDir: join(root, 'data') };
  console.log(`Database: ${postgres ? 'PostgreSQL (a scratch database on the local server)' : 'PGlite (in the server process)'}.`);
  const profile: Record<string, string> = process.env.BENCH_CPU_PROF_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}` } : {};
  const herald = await startHerald({ ...ADMIN, ...backend, extra: { LOG_LEVEL: 'info', ...profile } });
  let bare: ReturnType<typeof spawn> | null = null;
  let publisher: NodeJS.Timeout | null = null;
  try {
    const token = await createTokenOverHttp(herald.url, ADMIN.adminEmail, ADMIN.adminPassword);
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${herald.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    // A page of typical size: six components in two groups, two clients, one running incident.
    const groups = [await api('/component-groups', { name: 'Platform' }), await api('/component-groups', { name: 'Apps' })];
    const comps = [];
    for (const [i, name] of ['API', 'Webhooks', 'Login', 'Dashboard', 'Billing', 'Search'].entries()) comps.push(await api('/components', { name, groupId: groups[i % 2].id }));
    for (const name of ['Acme', 'Globex']) {
      const client = await api('/clients', { name, slug: name.toLowerCase(), componentIds: comps.map((c) => c.id) });
      await api(`/clients/${client.id}/contacts`, { name: `${name} ops`, email: `ops@${name.toLowerCase()}.example` });
    }
    const incident = await api('/incidents', { title: 'API answers 502 for some calls' });
    await api(`/incidents/${incident.id}/classification`, { severity: 'SEV2', impacts: [{ componentId: comps[0].id, status: 'partial_outage' }], isClientAffected: true, reason: 'Clients get errors.' });
    const later = (min: number) => new Date(Date.now() + min * 60_000).toISOString();
    await api(`/incidents/${incident.id}/disclosures`, {
      impactSummary: 'About a third of API calls fail with 502.',
      dataLoss: { level: 'none', details: null },
      dataExposure: { level: 'none', details: null, isPersonalData: false },
      expectedResolutionAt: later(240),
      nextUpdateAt: later(600),
      remediation: 'Staged rollouts for gateway configuration.',
    });
    await api(`/incidents/${incident.id}/communications`, { kind: 'initial', body: 'We are investigating errors on the public API.' });
    // The public page shows what is published to it (its own text), not the message to the clients.
    await api(`/incidents/${incident.id}/public-updates`, { title: 'Errors on the public API', body: 'We are investigating errors on the public API.' });

    // The bare server answers the same bytes and headers Herald answers now.
    const pages: Record<string, { file: string; headers: Record<string, string> }> = {};
    for (const path of ['/status', '/status.json']) {
      const res = await fetch(`${herald.url}${path}`);
      const body = Buffer.from(await res.arrayBuffer());
      const file = join(root, `${path.replace(/\W/g, '_')}.bin`);
      writeFileSync(file, body);
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) headers[k] = v;
      });
      pages[path] = { file, headers };
      console.log(`${path}: ${body.length} bytes`);
    }
    writeFileSync(join(root, 'pages.json'), JSON.stringify(pages));
    const child = spawn(NODE_BIN, ['-e', bareServerSource(root, herald.url)], { stdio: ['ignore', 'pipe', 'inherit'] });
    bare = child;
    const barePort = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
    });

    // An update every second for the whole run (both servers are measured under the same machine load).
    let published = 0;
    let publishErrors = 0;
    const everyMs = Number(process.env.BENCH_UPDATE_EVERY_MS ?? 1000);
    if (everyMs > 0) publisher = setInterval(() => {
      api(`/incidents/${incident.id}/public-updates`, { body: `Update ${published + 1}: error rates are falling.` }).then(
        () => published++,
        () => publishErrors++,
      );
    }, everyMs);

    // Short alternating slices, so both servers meet the same (noisy) machine.
    const results: Record<string, LoadResult & { cpuUsPerRequest: number }> = {};
    const targets = [['bare', barePort, child.pid!], ['herald', herald.port, herald.pid]] as const;
    for (const path of ['/status', '/status.json']) {
      const samples = { bare: emptySamples(), herald: emptySamples() };
      for (const [, port] of targets) await load(port, path, WARMUP_MS);
      for (let elapsed = 0; elapsed < DURATION_MS; elapsed += SLICE_MS) {
        for (const [label, port, pid] of targets) await load(port, path, SLICE_MS, samples[label], pid);
      }
      for (const [label] of targets) results[`${label} ${path}`] = summarise(samples[label]);
    }
    if (publisher) clearInterval(publisher);
    publisher = null;

    const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    console.log('\ntarget            path            req/s    p50 ms   p99 ms   errors   server CPU µs/request');
    for (const [key, r] of Object.entries(results)) {
      const [label, path] = key.split(' ');
      console.log(`${label!.padEnd(17)} ${path!.padEnd(14)} ${f(r.rps, 0).padStart(7)} ${f(r.p50, 2).padStart(9)} ${f(r.p99, 2).padStart(8)} ${String(r.errors).padStart(8)} ${f(r.cpuUsPerRequest, 0).padStart(10)}`);
    }
    const html = results['herald /status']!;
    const json = results['herald /status.json']!;
    const bareHtml = results['bare /status']!;
    const bareJson = results['bare /status.json']!;
    const load1 = loadavg();
    console.log(`\nUpdates published during the run: ${published} (${publishErrors} failed). Load average after: ${load1.map((x) => x.toFixed(2)).join(' ')}.`);
    console.log(`Target: ratio >= 0.8 of the bare server's rate and p99 <= 25 ms.`);
    const summary = {
      status_rps: Math.round(html.rps),
      bare_rps: Math.round(bareHtml.rps),
      ratio: Number((html.rps / bareHtml.rps).toFixed(3)),
      p50_ms: Number(html.p50.toFixed(2)),
      p99_ms: Number(Math.max(html.p99, json.p99).toFixed(2)),
      status_p99_ms: Number(html.p99.toFixed(2)),
      status_json_rps: Math.round(json.rps),
      bare_json_rps: Math.round(bareJson.rps),
      json_ratio: Number((json.rps / bareJson.rps).toFixed(3)),
      json_p50_ms: Number(json.p50.toFixed(2)),
      json_p99_ms: Number(json.p99.toFixed(2)),
      bare_p99_ms: Number(Math.max(bareHtml.p99, bareJson.p99).toFixed(2)),
      status_cpu_us_per_req: Math.round(html.cpuUsPerRequest),
      bare_cpu_us_per_req: Math.round(bareHtml.cpuUsPerRequest),
      errors: html.errors + json.errors,
      updates_published: published,
      database: postgres ? 'postgresql' : 'pglite',
      concurrency: CONCURRENCY,
      duration_s: DURATION_MS / 1000,
      load_average: load1.map((x) => Number(x.toFixed(2))),
    };
    console.log(JSON.stringify(summary));
  } finally {
    if (publisher) clearInterval(publisher);
    bare?.kill('SIGKILL');
    await herald.stop();
    await postgres?.drop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
