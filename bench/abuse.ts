// Herald under attack from callers without an account: the real server (dist/) on a fresh PostgreSQL
// database, hit at once by 80 concurrent 32 MB posts to /hooks/alertmanager with a bad token, 200
// logins with wrong passwords for the admin from one address, and 1,000 status-page sign-ups, while
// /healthz and /status latency and the server's RSS are measured. During the attack the admin logs in
// with the right password from another address. Quiet /healthz and /status latency are measured first,
// in the same run, as the yardstick. Talks to 127.0.0.1 only; callers get their own loopback source
// addresses (127.0.0.2 for the password guesser, 127.0.0.3 for the admin, 127.0.1.x for sign-ups,
// 127.0.2.x for the flood), so each is what the server sees as one address.
//
//   npm run bench:abuse
//
// Knobs (environment): BENCH_FLOOD_POSTS (80), BENCH_FLOOD_MB (32), BENCH_LOGIN_ATTEMPTS (200),
// BENCH_SIGNUPS (1000), BENCH_SIGNUP_ADDRESSES (200: sign-ups are spread over this many addresses, the
// per-address limit being 5 per 10 minutes), BENCH_QUIET_REQUESTS (400), BENCH_CPU_PROF_DIR (the server writes a V8
// .cpuprofile there on exit), BENCH_SERVER_NODE_OPTIONS (extra Node.js options for the server).
// The last line of the output is one JSON object with the results.
import http from 'node:http';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createTokenOverHttp, startHerald, type RunningHerald } from '../test/support/server-process.js';
import { ensureBuilt, withFreshPgDatabase } from './support.js';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : dflt;
};
const FLOOD_POSTS = num('BENCH_FLOOD_POSTS', 80);
const FLOOD_BYTES = num('BENCH_FLOOD_MB', 32) * 1024 * 1024;
const LOGIN_ATTEMPTS = num('BENCH_LOGIN_ATTEMPTS', 200);
const SIGNUPS = num('BENCH_SIGNUPS', 1000);
const SIGNUP_ADDRESSES = num('BENCH_SIGNUP_ADDRESSES', 200);
const QUIET_REQUESTS = num('BENCH_QUIET_REQUESTS', 400);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
const SERVER_NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS ?? '';
const ADMIN = { adminEmail: 'bench-admin@example.com', adminPassword: 'bench password 1234' };
const GUESSER = '127.0.0.2';
const ADMIN_ADDRESS = '127.0.0.3';

// ---------------------------------------------------------------------------------------------
// Plain HTTP with a chosen source address (node:http: the load here is small, its CPU cost is not the point).

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function request(port: number, opts: { method: string; path: string; localAddress?: string; agent?: http.Agent; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method, path: opts.path, localAddress: opts.localAddress ?? '127.0.0.1', agent: opts.agent ?? false, headers: opts.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { count: s.length, p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? NaN) };
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// What the attack does and what is watched meanwhile.

/** Counts every answer by status class; a 5xx anywhere is a failure of the goal. */
class Tally {
  errors5xx = 0;
  readonly byStatus = new Map<string, number>();
  add(what: string, status: number) {
    if (status >= 500) this.errors5xx++;
    const key = `${what} ${status}`;
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }
}

/**
 * One 32 MB post with a bad token on a raw socket: the headers, then the body in 64 KB writes (waiting
 * for the socket to drain), until the server answers or closes. Returns the status, or 0 when the
 * connection ended without an answer.
 */
function floodPost(port: number, localAddress: string, chunk: Buffer): Promise<{ status: number; bytesSent: number }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let status = 0;
    let sent = 0;
    let done = false;
    let head = '';
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ status, bytesSent: sent });
    };
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        status = Number(m[1]);
        finish();
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      socket.write(
        `POST /hooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer hri_not-a-valid-token\r\nContent-Type: application/json\r\nContent-Length: ${FLOOD_BYTES}\r\n\r\n`,
      );
      const pump = () => {
        while (!done && sent < FLOOD_BYTES) {
          const piece = sent + chunk.length <= FLOOD_BYTES ? chunk : chunk.subarray(0, FLOOD_BYTES - sent);
          sent += piece.length;
          if (!socket.write(piece)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

/** Runs `n` tasks with at most `concurrency` at once. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/**
 * Requests `path` one after another on one keep-alive connection, in a worker thread: the attack's
 * own work in this thread (pumping 80 sockets) must not show up as the server's latency.
 * Stops after `limit` requests, or when `stop()` is called; resolves with the latencies and statuses.
 */
const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let stopped = false;
parentPort.on('message', () => (stopped = true));
const get = () => new Promise((resolve, reject) => {
  const started = performance.now();
  http.get({ host: '127.0.0.1', port: workerData.port, path: workerData.path, agent }, (res) => {
    res.resume();
    res.on('end', () => resolve([performance.now() - started, res.statusCode]));
  }).on('error', reject);
});
(async () => {
  const ms = [], statuses = [];
  while (!stopped && ms.length < workerData.limit) {
    const [t, status] = await get();
    ms.push(t);
    statuses.push(status);
    // A breath between requests: this watches latency, it does not add load of its own.
    await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
  parentPort.postMessage({ ms, statuses });
})();
`;

function watch(port: number, path: string, tally: Tally, limit = Number.MAX_SAFE_INTEGER): { stop: () => void; latencies: Promise<number[]> } {
  const worker = new Worker(WATCHER, { eval: true, workerData: { port, path, limit } });
  const latencies = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (r: { ms: number[]; statuses: number[] }) => {
      for (const status of r.statuses) tally.add(`GET ${path}`, status);
      void worker.terminate();
      resolve(r.ms);
    });
    worker.once('error', reject);
  });
  return { stop: () => worker.postMessage('stop'), latencies };
}

async function login(port: number, localAddress: string, password: string): Promise<number> {
  return (await request(port, { method: 'POST', path: '/api/v1/auth/login', localAddress, ...json({ email: ADMIN.adminEmail, password }) })).status;
}

async function attack(server: RunningHerald) {
  const port = server.port;
  const tally = new Tally();
  const token = await createTokenOverHttp(server.url, ADMIN.adminEmail, ADMIN.adminPassword);
  const api = (method: string, path: string, body?: unknown) =>
    request(port, { method, path, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  // An integration exists, so the flood's bad token is looked for among real ones.
  const integration = await api('POST', '/api/v1/integrations', { kind: 'alertmanager', name: 'Prometheus', slug: 'prometheus' });
  if (integration.status !== 201) throw new Error(`creating the integration: ${integration.status} ${integration.body}`);
  const component = await api('POST', '/api/v1/components', { name: 'Public API' });
  if (component.status !== 201) throw new Error(`creating a component: ${component.status} ${component.body}`);
  const componentId = (JSON.parse(component.body) as { id: string }).id;

  // Quiet: the yardstick, measured in this run.
  console.log(`Quiet: ${QUIET_REQUESTS} sequential requests each to /healthz and /status…`);
  await watch(port, '/status', tally, 20).latencies; // warm the status-page cache
  const quietHealthz = summary(await watch(port, '/healthz', tally, QUIET_REQUESTS).latencies);
  const quietStatus = summary(await watch(port, '/status', tally, QUIET_REQUESTS).latencies);
  const quietRssMb = rssKb(server.pid, 'VmRSS') / 1024;

  console.log(`Attack: ${FLOOD_POSTS} × ${FLOOD_BYTES / 1024 / 1024} MB posts with a bad token, ${LOGIN_ATTEMPTS} wrong passwords from ${GUESSER}, ${SIGNUPS} sign-ups…`);
  let peakRssKb = rssKb(server.pid, 'VmRSS');
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, rssKb(server.pid, 'VmRSS'))), 50);
  const started = performance.now();
  const healthzDuring = watch(port, '/healthz', tally);
  const statusDuring = watch(port, '/status', tally);

  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const flood = Promise.all(
    Array.from({ length: FLOOD_POSTS }, async (_, i) => {
      const r = await floodPost(port, `127.0.2.${(i % 250) + 1}`, chunk);
      tally.add('flood', r.status);
      return r;
    }),
  );
  let wrongLogins = 0;
  let adminLogin: Promise<number> | null = null;
  const guessing = pool(LOGIN_ATTEMPTS, 10, async (i) => {
    const status = await login(port, GUESSER, `wrong password ${i}`);
    tally.add('login (wrong)', status);
    wrongLogins++;
    // Half-way through the guessing, the admin logs in from elsewhere with the right password.
    if (wrongLogins === Math.floor(LOGIN_ATTEMPTS / 2)) adminLogin = login(port, ADMIN_ADDRESS, ADMIN.adminPassword);
  });
  const signups = pool(SIGNUPS, 20, async (i) => {
    const localAddress = `127.0.1.${(i % SIGNUP_ADDRESSES) + 1}`;
    const a = await request(port, { method: 'POST', path: '/status/subscribe', localAddress, ...json({ channel: 'email', email: `subscriber-${i}@example.com`, componentIds: [componentId] }) });
    tally.add('sign-up', a.status);
  });
  const [floodResults] = await Promise.all([flood, guessing, signups]);
  const adminStatus = await (adminLogin ?? login(port, ADMIN_ADDRESS, ADMIN.adminPassword));
  tally.add('login (admin, right password)', adminStatus);
  const attackMs = performance.now() - started;
  healthzDuring.stop();
  statusDuring.stop();
  clearInterval(sampler);
  peakRssKb = Math.max(peakRssKb, rssKb(server.pid, 'VmRSS'));
  const floodHealthz = summary(await healthzDuring.latencies);
  const floodStatus = summary(await statusDuring.latencies);

  const rejected = floodResults.filter((r) => r.status >= 400 && r.status < 500).length;
  const bytesSent = floodResults.reduce((n, r) => n + r.bytesSent, 0);
  return {
    tally,
    quietHealthz,
    quietStatus,
    floodHealthz,
    floodStatus,
    quietRssMb,
    peakRssMb: peakRssKb / 1024,
    hwmMb: rssKb(server.pid, 'VmHWM') / 1024,
    rejected,
    bytesSent,
    adminStatus,
    attackMs,
  };
}

async function main() {
  ensureBuilt();
  const result = await withFreshPgDatabase('herald_bench_abuse', async (databaseUrl) => {
    const nodeOptions = [CPU_PROF_DIR ? `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}` : '', SERVER_NODE_OPTIONS].filter(Boolean).join(' ');
    const server = await startHerald({ databaseUrl, ...ADMIN, extra: nodeOptions ? { NODE_OPTIONS: nodeOptions } : {} });
    try {
      return await attack(server);
    } finally {
      await server.stop();
    }
  });
  if ('skipped' in result) {
    console.log(`Skipped: ${result.skipped}`);
    console.log(JSON.stringify({ skipped: result.skipped }));
    return;
  }
  const r = result;
  const goal = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
  const healthzGoalMs = 10 * r.quietHealthz.p99;
  console.log('');
  console.log(`Attack lasted ${round(r.attackMs / 1000, 1)} s; the flood wrote ${round(r.bytesSent / 1024 / 1024, 1)} MB into its sockets before the answers came (of ${(FLOOD_POSTS * FLOOD_BYTES) / 1024 / 1024} MB). Load average ${loadavg()[0]!.toFixed(2)}.`);
  console.log(`  ${goal(r.peakRssMb < 400)} peak RSS during the flood     ${round(r.peakRssMb, 1)} MB   (goal < 400; quiet ${round(r.quietRssMb, 1)} MB; VmHWM ${round(r.hwmMb, 1)} MB)`);
  console.log(`  ${goal(r.floodHealthz.p99 < healthzGoalMs)} /healthz p99 during the flood  ${r.floodHealthz.p99} ms   (goal < 10 × quiet p99 ${r.quietHealthz.p99} ms = ${round(healthzGoalMs)} ms; p50 ${r.floodHealthz.p50} ms, quiet p50 ${r.quietHealthz.p50} ms, ${r.floodHealthz.count} requests)`);
  console.log(`       /status p99 during the flood   ${r.floodStatus.p99} ms   (quiet p99 ${r.quietStatus.p99} ms; p50 ${r.floodStatus.p50} ms, quiet p50 ${r.quietStatus.p50} ms, ${r.floodStatus.count} requests)`);
  console.log(`  ${goal(r.rejected === FLOOD_POSTS)} flood posts refused (4xx)      ${r.rejected} of ${FLOOD_POSTS}`);
  console.log(`  ${goal(r.adminStatus === 200)} admin login from another address during the attack: ${r.adminStatus}`);
  console.log(`  ${goal(r.tally.errors5xx === 0)} 5xx answers                    ${r.tally.errors5xx}`);
  console.log('  answers by kind and status:');
  for (const [key, n] of [...r.tally.byStatus].sort()) console.log(`    ${key.padEnd(40)} ${n}`);
  console.log(
    JSON.stringify({
      flood_peak_rss_mb: round(r.peakRssMb, 1),
      quiet_rss_mb: round(r.quietRssMb, 1),
      server_vmhwm_mb: round(r.hwmMb, 1),
      quiet_healthz_p50_ms: r.quietHealthz.p50,
      quiet_healthz_p99_ms: r.quietHealthz.p99,
      flood_healthz_p50_ms: r.floodHealthz.p50,
      flood_healthz_p99_ms: r.floodHealthz.p99,
      quiet_status_p50_ms: r.quietStatus.p50,
      quiet_status_p99_ms: r.quietStatus.p99,
      flood_status_p50_ms: r.floodStatus.p50,
      flood_status_p99_ms: r.floodStatus.p99,
      flood_posts: FLOOD_POSTS,
      flood_rejected: r.rejected,
      flood_mb_sent: round(r.bytesSent / 1024 / 1024, 1),
      admin_login_ok_during_attack: r.adminStatus === 200,
      errors_5xx: r.tally.errors5xx,
      answers: Object.fromEntries(r.tally.byStatus),
      attack_s: round(r.attackMs / 1000, 1),
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
