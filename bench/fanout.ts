// Fan-out benchmark: one client message to 10,000 recipients (100 clients × 100 contacts, all
// affected) through a real Herald server process on PGlite (fresh data directory) and on PostgreSQL
// (a fresh database, when 127.0.0.1:5432 or DATABASE_URL answers), against an SMTP sink
// (smtp-server) in this process. Next to it, in the same run, the ceiling: nodemailer with the same
// pool settings as Herald's mailer sending 10,000 prebuilt messages straight to a sink.
//
//   npm run bench:fanout
//
// Per target the initial notice goes out first (a fan-out of its own, reported too), then the update
// is measured: seconds from the send request until the sink holds every one of its Message-IDs,
// messages/s, duplicates and missing (by Message-ID, against the delivery records), and the server's
// peak RSS (VmHWM from /proc). Knobs (environment): BENCH_CLIENTS (100), BENCH_CONTACTS (100 per
// client), BENCH_ONLY (comma list: ceiling,pglite,postgres), BENCH_TIMEOUT_S (180 per fan-out),
// BENCH_CPU_PROF_DIR (the server writes a V8 .cpuprofile there on exit), BENCH_SERVER_NODE_OPTIONS
// (e.g. --max-old-space-size=256: how much of the server's RSS is garbage the default heap lets grow).
// Peak RSS is reported twice: the process's high-water mark (start-up included: PGlite opening its
// data directory and pg-boss creating its schema) and the highest RSS while the fan-outs ran.
// The last line of the output is one JSON object with the results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { openDatabase, rawSql, type Database } from '../src/db/open.js';
import { createTokenOverHttp, httpApi, startHerald, type HttpApi, type RunningHerald, type ServeOptions } from '../test/support/server-process.js';
import { startSmtpSink, type SmtpSink } from '../test/support/smtp-sink.js';
import { ensureBuilt, withFreshPgDatabase } from './support.js';

const num = (name: string, dflt: number) => {
  const v = process.env[name];
  return v ? Number(v) : dflt;
};
const CLIENTS = num('BENCH_CLIENTS', 100);
const CONTACTS = num('BENCH_CONTACTS', 100);
const RECIPIENTS = CLIENTS * CONTACTS;
const TIMEOUT_MS = num('BENCH_TIMEOUT_S', 180) * 1000;
const ONLY = new Set((process.env.BENCH_ONLY ?? 'ceiling,pglite,postgres').split(',').map((s) => s.trim()));
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
/** Extra Node.js options for the server, e.g. --max-old-space-size=256 to see how much of its RSS is live. */
const SERVER_NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS ?? '';
const ADMIN = { adminEmail: 'bench-admin@example.com', adminPassword: 'bench password 1234' };
const MAIL_DOMAIN = 'fanout.example';
const MAIL_FROM = `Herald <status@${MAIL_DOMAIN}>`;
/** Herald's mailer defaults (src/channels/email.ts), used by the ceiling too. */
const POOL = { maxConnections: 5, maxMessages: 100 };

// ---------------------------------------------------------------------------------------------
// Memory and CPU of the server process, from /proc (Linux).

function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, USER_HZ = 100
  } catch {
    return 0;
  }
}

/** Samples the RSS every 50 ms; VmHWM (the kernel's own high-water mark) is read at the end too. */
function rssSampler(pid: number) {
  let peakKb = 0;
  const sample = () => (peakKb = Math.max(peakKb, procStatusKb(pid, 'VmRSS'), procStatusKb(pid, 'VmHWM')));
  const timer = setInterval(sample, 50);
  return {
    peakMb: () => {
      sample();
      return peakKb / 1024;
    },
    stop: () => clearInterval(timer),
  };
}

/** The highest RSS (VmRSS, sampled every 50 ms) within a window: what one fan-out takes, start-up aside. */
function rssWindow(pid: number) {
  let peakKb = procStatusKb(pid, 'VmRSS');
  const timer = setInterval(() => (peakKb = Math.max(peakKb, procStatusKb(pid, 'VmRSS'))), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peakKb, procStatusKb(pid, 'VmRSS')) / 1024;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The ceiling: nodemailer, pooled like Herald's mailer, straight to a sink.

function prebuilt(i: number) {
  const para = 'We are investigating failed card payments on the Payments API. Some transactions are declined; no data was lost and none was exposed. ';
  return {
    from: MAIL_FROM,
    to: { name: `Contact ${i}`, address: `contact-${i}@client.example` },
    subject: `[Update] INC-1: Payments fail — Payments API: major outage`,
    text: `Dear Contact ${i},\n\n${para.repeat(6)}\n\nNext update by 14:30 UTC.\n\nKind regards,\nHerald`,
    html: `<!doctype html><html><body><p>Dear Contact ${i},</p>${`<p>${para}</p>`.repeat(12)}<p>Next update by <strong>14:30 UTC</strong>.</p><p>Kind regards,<br>Herald</p></body></html>`,
    messageId: `<ceiling-${i}@${MAIL_DOMAIN}>`,
  };
}

interface CeilingResult {
  seconds: number;
  perSecond: number;
  received: number;
  duplicates: number;
  missing: number;
  avgBytes: number;
}

/** A message as the sink received it from Herald, to send again byte for byte. */
interface Captured {
  envelope: { from: string; to: string[] };
  raw: string;
  messageId: string;
}

async function benchCeiling(captured: Captured[] | null): Promise<CeilingResult> {
  const sink = await startSmtpSink({ parse: false });
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, secure: false, ...POOL, maxRequeues: 0, logger: false });
  try {
    const messages = captured
      ? captured.map((c) => ({ envelope: c.envelope, raw: c.raw, messageId: c.messageId }))
      : Array.from({ length: RECIPIENTS }, (_, i) => prebuilt(i));
    const started = performance.now();
    const results = await Promise.allSettled(messages.map((m) => transport.sendMail(m)));
    await sink.waitForMessages(RECIPIENTS, TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed) console.log(`  ${failed} sends failed`);
    const counts = countByMessageId(sink, 0);
    const expected = new Set(messages.map((m) => m.messageId));
    return { seconds, perSecond: RECIPIENTS / seconds, received: sink.messages.length, ...tally(counts, expected), avgBytes: avgBytes(sink, 0) };
  } finally {
    transport.close();
    await sink.close();
  }
}

function countByMessageId(sink: SmtpSink, from: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages.slice(from)) counts.set(m.messageId ?? '(none)', (counts.get(m.messageId ?? '(none)') ?? 0) + 1);
  return counts;
}

function tally(counts: Map<string, number>, expected: Set<string>) {
  let duplicates = 0;
  for (const [id, n] of counts) if (expected.has(id) && n > 1) duplicates += n - 1;
  const missing = [...expected].filter((id) => !counts.has(id)).length;
  const unexpected = [...counts.keys()].filter((id) => !expected.has(id)).length;
  return { duplicates, missing, unexpected };
}

function avgBytes(sink: SmtpSink, from: number): number {
  const xs = sink.messages.slice(from);
  return xs.length ? Math.round(xs.reduce((s, m) => s + m.raw.length, 0) / xs.length) : 0;
}

// ---------------------------------------------------------------------------------------------
// Herald: seed the catalog directly in the database (10,000 contacts through the API would take
// longer than the sending), then drive the message through the API of a real server process.

/** Migrates and seeds: one component used by every client, CONTACTS contacts each, a third in German. */
async function seed(database: Database): Promise<{ componentId: string }> {
  const q = async (text: string, params: unknown[] = []) => ((await database.db.execute(rawSql(text, params))) as unknown as { rows: Record<string, unknown>[] }).rows;
  const [component] = await q(`INSERT INTO components (name) VALUES ('Payments API') RETURNING id`);
  const componentId = component!.id as string;
  await q(
    `INSERT INTO clients (name, slug, tier) SELECT 'Client ' || lpad(c::text, 3, '0'), 'client-' || lpad(c::text, 3, '0'), 'standard' FROM generate_series(1, $1::int) AS c`,
    [CLIENTS],
  );
  await q(`INSERT INTO client_components (client_id, component_id) SELECT id, $1 FROM clients`, [componentId]);
  await q(
    `INSERT INTO contacts (client_id, name, email, language)
     SELECT cl.id, 'Contact ' || i || ' of ' || cl.name, 'contact-' || i || '@' || cl.slug || '.example', CASE WHEN i % 3 = 0 THEN 'de' ELSE 'en' END
     FROM clients cl, generate_series(1, $1::int) AS i`,
    [CONTACTS],
  );
  return { componentId };
}

interface Answer {
  status: number;
  body: any;
}

function expectStatus(res: Answer, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body;
}

interface FanoutResult {
  /** From the send request until the sink held every Message-ID of the message. */
  seconds: number;
  /** The send request alone (recording 10,000 deliveries and their jobs). */
  requestSeconds: number;
  perSecond: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  avgBytes: number;
  serverCpuS: number;
  /** The server's highest RSS from the send request until the sink held every message. */
  windowPeakRssMb: number;
  /** The messages as received (for the ceiling to send again). */
  captured: Captured[];
}

interface TargetResult {
  initial: FanoutResult;
  update: FanoutResult;
  peakRssMb: number;
  rssAfterStartMb: number;
  startSeconds: number;
}

async function fanout(
  server: RunningHerald,
  sink: SmtpSink,
  a: HttpApi,
  incidentId: string,
  body: Record<string, unknown>,
): Promise<FanoutResult> {
  const from = sink.messages.length;
  const distinct = new Set<string>();
  let seen = from;
  const cpu0 = procCpuMs(server.pid);
  const window = rssWindow(server.pid);
  const started = performance.now();
  const sent = expectStatus(await a.post(`/api/v1/incidents/${incidentId}/communications`, body), 201, `send ${String(body.kind)}`);
  const requestSeconds = (performance.now() - started) / 1000;
  const hwmAfterRequestMb = procStatusKb(server.pid, 'VmHWM') / 1024;
  const communicationId = sent.communication.id as string;
  const deadline = Date.now() + TIMEOUT_MS;
  while (distinct.size < RECIPIENTS) {
    for (; seen < sink.messages.length; seen++) distinct.add(sink.messages[seen]!.messageId ?? '(none)');
    if (distinct.size >= RECIPIENTS) break;
    if (Date.now() > deadline) {
      console.log(`  timed out: the sink has ${distinct.size} of ${RECIPIENTS} messages after ${TIMEOUT_MS / 1000} s`);
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  const windowPeakRssMb = window.stop();
  const serverCpuS = (procCpuMs(server.pid) - cpu0) / 1000;
  const hwmAfterSendingMb = procStatusKb(server.pid, 'VmHWM') / 1024;
  console.log(
    `    peak RSS so far: ${hwmAfterRequestMb.toFixed(0)} MB after the send request, ${hwmAfterSendingMb.toFixed(0)} MB once delivered; highest RSS during this fan-out ${windowPeakRssMb.toFixed(0)} MB`,
  );
  // Anything that should not come (a second copy) has a moment to arrive before it is counted.
  await new Promise((r) => setTimeout(r, 1500));
  const proof = expectStatus(await a.get(`/api/v1/incidents/${incidentId}/deliveries`), 200, 'deliveries');
  const mine = (proof.items as { communicationId: string; messageId: string; status: string }[]).filter((d) => d.communicationId === communicationId);
  if (mine.length !== RECIPIENTS) console.log(`  ${mine.length} delivery records instead of ${RECIPIENTS}`);
  const notSent = mine.filter((d) => d.status !== 'sent').length;
  if (notSent) console.log(`  ${notSent} deliveries not recorded as sent`);
  const counts = countByMessageId(sink, from);
  const t = tally(counts, new Set(mine.map((d) => d.messageId)));
  const captured = sink.messages.slice(from).map((m) => ({ envelope: { from: m.envelopeFrom ?? '', to: m.envelopeTo }, raw: m.raw, messageId: m.messageId ?? '' }));
  return { seconds, requestSeconds, perSecond: distinct.size / seconds, ...t, avgBytes: avgBytes(sink, from), serverCpuS, windowPeakRssMb, captured };
}

async function benchHerald(label: string, serve: ServeOptions, prepare: () => Promise<Database>): Promise<TargetResult> {
  const t0 = performance.now();
  const database = await prepare();
  let componentId: string;
  try {
    ({ componentId } = await seed(database));
  } finally {
    await database.close();
  }
  console.log(`  seeded ${CLIENTS} clients × ${CONTACTS} contacts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sink = await startSmtpSink({ parse: false });
  const extra: Record<string, string> = { SMTP_URL: sink.url, HERALD_MAIL_FROM: MAIL_FROM };
  const nodeOptions = [CPU_PROF_DIR ? `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}` : '', SERVER_NODE_OPTIONS].filter(Boolean).join(' ');
  if (nodeOptions) extra.NODE_OPTIONS = nodeOptions;
  const t1 = performance.now();
  const server = await startHerald({ ...ADMIN, ...serve, extra: { ...extra, ...serve.extra } }, 120_000);
  const startSeconds = (performance.now() - t1) / 1000;
  const rss = rssSampler(server.pid);
  try {
    const rssAfterStartMb = procStatusKb(server.pid, 'VmRSS') / 1024;
    console.log(`  server started in ${startSeconds.toFixed(1)} s: RSS ${rssAfterStartMb.toFixed(0)} MB (peak so far ${(procStatusKb(server.pid, 'VmHWM') / 1024).toFixed(0)} MB)`);
    const token = await createTokenOverHttp(server.url, ADMIN.adminEmail, ADMIN.adminPassword);
    const a = httpApi(server.url, token);
    const incident = expectStatus(await a.post('/api/v1/incidents', { title: 'Payments fail', description: 'Card payments are declined.' }), 201, 'incident');
    const classified = expectStatus(
      await a.post(`/api/v1/incidents/${incident.id}/classification`, {
        severity: 'SEV2',
        impacts: [{ componentId, status: 'major_outage' }],
        isClientAffected: true,
        reason: 'Clients cannot take payments.',
      }),
      200,
      'classification',
    );
    if (classified.affectedClients.length !== CLIENTS) throw new Error(`${classified.affectedClients.length} clients affected, expected ${CLIENTS}`);
    const disclose = async () =>
      expectStatus(
        await a.post(`/api/v1/incidents/${incident.id}/disclosures`, {
          impactSummary: 'Card payments are declined for about a third of the transactions.',
          dataLoss: { level: 'none', details: null },
          dataExposure: { level: 'none', details: null, isPersonalData: false },
          expectedResolutionAt: new Date(Date.now() + 4 * 3600_000).toISOString(),
          nextUpdateAt: new Date(Date.now() + 30 * 60_000).toISOString(),
          remediation: 'Staged rollouts for the payment gateway configuration.',
        }),
        200,
        'disclosures',
      );
    await disclose();
    console.log(`  ${label}: initial notice to ${RECIPIENTS} recipients…`);
    const initial = await fanout(server, sink, a, incident.id, { kind: 'initial' });
    console.log(`    ${initial.seconds.toFixed(2)} s (${initial.perSecond.toFixed(0)} msg/s), request ${initial.requestSeconds.toFixed(2)} s`);
    await disclose();
    console.log(`  ${label}: update to ${RECIPIENTS} recipients…`);
    const update = await fanout(server, sink, a, incident.id, { kind: 'update', body: 'We found the cause: a gateway rule declined valid cards. A fix is being rolled out.' });
    console.log(`    ${update.seconds.toFixed(2)} s (${update.perSecond.toFixed(0)} msg/s), request ${update.requestSeconds.toFixed(2)} s`);
    return { initial, update, peakRssMb: rss.peakMb(), rssAfterStartMb, startSeconds };
  } finally {
    rss.stop();
    const exit = await server.stop('SIGTERM');
    if (exit.code !== 0) console.error(`herald exited with ${exit.code ?? exit.signal}:\n${server.output().slice(-2000)}`);
    await sink.close();
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a fresh database on a local server, dropped afterwards.


// ---------------------------------------------------------------------------------------------


const f2 = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : '-');
const f0 = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(0) : '-');

function printTable(ceiling: CeilingResult | null, rows: { label: string; r: TargetResult | null; note: string }[]) {
  const head = `${'target'.padEnd(26)}${'seconds'.padStart(9)}${'msg/s'.padStart(8)}${'% ceil'.padStart(8)}${'request s'.padStart(11)}${'dup'.padStart(6)}${'miss'.padStart(6)}${'srv cpu s'.padStart(11)}${'peak RSS MB'.padStart(13)}${'bytes/msg'.padStart(11)}`;
  console.log(`\n${head}\n${'-'.repeat(head.length)}`);
  if (ceiling) {
    console.log(
      `${'ceiling (nodemailer→sink)'.padEnd(26)}${f2(ceiling.seconds).padStart(9)}${f0(ceiling.perSecond).padStart(8)}${''.padStart(8)}${''.padStart(11)}${String(ceiling.duplicates).padStart(6)}${String(ceiling.missing).padStart(6)}${''.padStart(11)}${''.padStart(13)}${String(ceiling.avgBytes).padStart(11)}`,
    );
  }
  for (const { label, r, note } of rows) {
    if (!r) {
      console.log(`${label.padEnd(26)}  ${note}`);
      continue;
    }
    for (const [which, f] of [
      ['initial', r.initial],
      ['update', r.update],
    ] as const) {
      const pct = ceiling ? `${f0((100 * f.perSecond) / ceiling.perSecond)}%` : '';
      console.log(
        `${`${label} ${which}`.padEnd(26)}${f2(f.seconds).padStart(9)}${f0(f.perSecond).padStart(8)}${pct.padStart(8)}${f2(f.requestSeconds).padStart(11)}${String(f.duplicates).padStart(6)}${String(f.missing).padStart(6)}${f2(f.serverCpuS).padStart(11)}${(which === 'update' ? f0(r.peakRssMb) : '').padStart(13)}${String(f.avgBytes).padStart(11)}`,
      );
    }
  }
}

async function main() {
  ensureBuilt();
  console.log(`Herald fan-out benchmark: one message to ${RECIPIENTS} recipients (${CLIENTS} clients × ${CONTACTS} contacts) over SMTP to a sink in this process.`);
  console.log(`CPU: ${cpuInfo()}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}. Targets: PostgreSQL ≤ 20 s, PGlite ≤ 60 s, RSS < 400 MB.`);
  let ceiling: CeilingResult | null = null;
  let pglite: TargetResult | null = null;
  let postgres: TargetResult | null = null;
  let pgliteNote = 'not run (BENCH_ONLY)';
  let postgresNote = 'not run (BENCH_ONLY)';
  if (ONLY.has('pglite')) {
    const root = mkdtempSync(join(tmpdir(), 'herald-fanout-'));
    const dataDir = join(root, 'data');
    try {
      console.log('\n→ PGlite: fresh data directory');
      pglite = await benchHerald('PGlite', { dataDir }, () => openDatabase({ dataDir }));
    } catch (err) {
      pgliteNote = `failed: ${(err as Error).message}`;
      console.log(`  ${pgliteNote}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  if (ONLY.has('postgres')) {
    console.log('\n→ PostgreSQL: fresh database');
    try {
      const out = await withFreshPgDatabase('herald_fanout', (url) => benchHerald('PostgreSQL', { databaseUrl: url }, () => openDatabase({ databaseUrl: url, poolMax: 2 })));
      if ('skipped' in out) {
        postgresNote = `skipped: ${out.skipped}`;
        console.log(`  ${postgresNote}`);
      } else {
        postgres = out;
      }
    } catch (err) {
      postgresNote = `failed: ${(err as Error).message}`;
      console.log(`  ${postgresNote}`);
    }
  }
  if (ONLY.has('ceiling')) {
    // The same messages Herald sent (the update, as the sink received it), sent again straight from here.
    const captured = (postgres ?? pglite)?.update.captured ?? null;
    console.log(
      `\n→ ceiling: nodemailer pool (${POOL.maxConnections} connections, ${POOL.maxMessages} messages each) sending ${captured ? `the ${captured.length} update messages Herald sent, as received` : `${RECIPIENTS} prebuilt messages`}`,
    );
    ceiling = await benchCeiling(captured);
    console.log(`  ${f2(ceiling.seconds)} s, ${f0(ceiling.perSecond)} msg/s`);
  }
  printTable(ceiling, [
    { label: 'herald PGlite', r: pglite, note: pgliteNote },
    { label: 'herald PostgreSQL', r: postgres, note: postgresNote },
  ]);
  const round = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
  const ran = [pglite, postgres].filter((r): r is TargetResult => !!r);
  const sum = (f: (r: TargetResult) => number) => (ran.length ? ran.reduce((s, r) => s + f(r), 0) : null);
  console.log(
    `\n${JSON.stringify({
      recipients: RECIPIENTS,
      pglite_seconds: round(pglite?.update.seconds),
      postgres_seconds: round(postgres?.update.seconds),
      pglite_msgs_per_s: round(pglite?.update.perSecond),
      postgres_msgs_per_s: round(postgres?.update.perSecond),
      ceiling_seconds: round(ceiling?.seconds),
      ceiling_msgs_per_s: round(ceiling?.perSecond),
      initial_seconds: { pglite: round(pglite?.initial.seconds), postgres: round(postgres?.initial.seconds) },
      request_seconds: { pglite: round(pglite?.update.requestSeconds), postgres: round(postgres?.update.requestSeconds) },
      duplicates: sum((r) => r.update.duplicates + r.initial.duplicates),
      missing: sum((r) => r.update.missing + r.initial.missing),
      peak_rss_mb: ran.length ? round(Math.max(...ran.map((r) => r.peakRssMb))) : null,
      peak_rss_mb_by_backend: { pglite: round(pglite?.peakRssMb), postgres: round(postgres?.peakRssMb) },
      // Start-up aside: the highest RSS while the two fan-outs ran (the process's idle RSS is in the log).
      fanout_peak_rss_mb_by_backend: {
        pglite: round(pglite ? Math.max(pglite.initial.windowPeakRssMb, pglite.update.windowPeakRssMb) : undefined),
        postgres: round(postgres ? Math.max(postgres.initial.windowPeakRssMb, postgres.update.windowPeakRssMb) : undefined),
      },
    })}`,
  );
}

function cpuInfo(): string {
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
