// Durability of the real server process (dist/cli/main.js serve, so run `npm run build` first): every
// write answered 2xx survives a SIGKILL right after it, on PGlite and on PostgreSQL, and concurrent
// commands on one incident lose none of each other's changes; the PGlite data-directory lock refuses
// a second server, is taken over after a crash, and is released by a clean SIGTERM shutdown.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProcessHarness } from './support/process-harness.js';
import { createTokenOverHttp, httpApi, serveEnv, spawnHerald, startHerald, type RunningHerald, type ServeOptions, type HttpApi } from './support/server-process.js';
import { createPgDatabase, testBackends } from './support/test-database.js';

const ADMIN = { adminEmail: 'durability-admin@example.com', adminPassword: 'correct horse battery staple' };
const CHAINS = 60; // incidents, each driven through report → classify → disclosures → note
const KILL_AT = 200; // SIGKILL the moment this many writes have been answered 2xx (others are still in flight)

const harness = useProcessHarness();

async function start(opts: ServeOptions): Promise<RunningHerald> {
  return harness.track(await startHerald({ ...ADMIN, ...opts }));
}

/** A fresh temporary PGlite data directory, seeded with the migrated one the test setup prepared. */
const tempDataDir = () => harness.pgliteDataDir('herald-durability-');

/** Catalog the writes need: a component used by a client with a contact. */
async function prepareCatalog(a: HttpApi) {
  const comp = await a.post('/api/v1/components', { name: 'Login service' });
  expect(comp.status, JSON.stringify(comp.body)).toBe(201);
  const client = await a.post('/api/v1/clients', { name: 'Acme', slug: 'acme', tier: 'standard', componentIds: [comp.body.id] });
  expect(client.status, JSON.stringify(client.body)).toBe(201);
  const contact = await a.post(`/api/v1/clients/${client.body.id}/contacts`, { name: 'Ada', email: 'ada@acme.example' });
  expect(contact.status, JSON.stringify(contact.body)).toBe(201);
  return { componentId: comp.body.id as string, clientId: client.body.id as string };
}

interface Acked {
  id: string | null;
  title: string;
  classified: boolean;
  disclosed: boolean;
  noted: boolean;
}

const titleOf = (i: number) => `Durability incident ${i}`;
const reasonOf = (i: number) => `Clients of incident ${i} cannot log in.`;
const summaryOf = (i: number) => `Impact summary ${i}`;
const noteOf = (i: number) => `Note ${i}`;

/**
 * Drives CHAINS incidents concurrently and SIGKILLs the server synchronously when the KILL_AT-th write
 * is answered 2xx. Returns what was acknowledged, per incident.
 */
async function writeThenKill(server: RunningHerald, a: HttpApi, componentId: string) {
  const acked: Acked[] = Array.from({ length: CHAINS }, (_, i) => ({ id: null, title: titleOf(i), classified: false, disclosed: false, noted: false }));
  let ackCount = 0;
  let killed = false;
  const refused: string[] = [];
  const ack = (res: { status: number; body: any }, what: string): boolean => {
    if (killed) return false; // answered after the kill was sent: not counted, though it may be durable
    if (res.status < 200 || res.status >= 300) {
      refused.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return false;
    }
    if (++ackCount >= KILL_AT) {
      killed = true;
      server.child.kill('SIGKILL');
    }
    return true;
  };
  const chain = async (i: number) => {
    const r = await a.post('/api/v1/incidents', { title: titleOf(i), description: 'Written just before a crash.' });
    if (!ack(r, `report ${i}`)) return;
    acked[i]!.id = r.body.id;
    const c = await a.post(`/api/v1/incidents/${r.body.id}/classification`, {
      severity: 'SEV2',
      impacts: [{ componentId, status: 'partial_outage' }],
      isClientAffected: true,
      reason: reasonOf(i),
    });
    if (!ack(c, `classify ${i}`)) return;
    acked[i]!.classified = true;
    const d = await a.post(`/api/v1/incidents/${r.body.id}/disclosures`, { impactSummary: summaryOf(i), dataLoss: { level: 'none', details: null } });
    if (!ack(d, `disclosures ${i}`)) return;
    acked[i]!.disclosed = true;
    const n = await a.post(`/api/v1/incidents/${r.body.id}/notes`, { text: noteOf(i) });
    if (!ack(n, `note ${i}`)) return;
    acked[i]!.noted = true;
  };
  // Requests cut off by the kill reject (connection reset or refused): that is expected.
  const settled = await Promise.allSettled(Array.from({ length: CHAINS }, (_, i) => chain(i)));
  const exit = await server.exited;
  return { acked, ackCount, refused, exit, cutOff: settled.filter((s) => s.status === 'rejected').length };
}

async function verifyAcked(a: HttpApi, acked: Acked[]) {
  const problems: string[] = [];
  let checked = 0;
  const queue = acked.map((x, i) => ({ ...x, i })).filter((x) => x.id);
  const worker = async () => {
    for (let x = queue.shift(); x; x = queue.shift()) {
      const got = await a.get(`/api/v1/incidents/${x.id}`);
      checked++;
      if (got.status !== 200) {
        problems.push(`incident ${x.i} (${x.id}): GET ${got.status}`);
        continue;
      }
      const inc = got.body;
      if (inc.title !== x.title) problems.push(`incident ${x.i}: title ${inc.title}`);
      if (x.classified) {
        checked++;
        if (inc.stage !== 'active' || inc.severity !== 'SEV2' || inc.decision?.reason !== reasonOf(x.i) || inc.impacts?.[0]?.status !== 'partial_outage') {
          problems.push(`incident ${x.i}: classification lost (stage ${inc.stage}, severity ${inc.severity})`);
        }
        if (!inc.affectedClients?.length) problems.push(`incident ${x.i}: no affected clients after classification`);
      }
      if (x.disclosed) {
        checked++;
        if (inc.disclosures?.impactSummary !== summaryOf(x.i) || inc.disclosureVersion < 1) problems.push(`incident ${x.i}: disclosures lost (version ${inc.disclosureVersion})`);
      }
      if (x.noted) {
        checked++;
        const tl = await a.get(`/api/v1/incidents/${x.id}/timeline?limit=200`);
        if (tl.status !== 200 || !tl.body.items.some((e: any) => e.type === 'note.added' && e.data?.text === noteOf(x.i))) problems.push(`incident ${x.i}: note lost`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { problems, checked };
}

async function crashAndRecover(opts: ServeOptions, lockFile: string | null) {
  const first = await start(opts);
  const token = await createTokenOverHttp(first.url, ADMIN.adminEmail, ADMIN.adminPassword);
  const { componentId } = await prepareCatalog(httpApi(first.url, token));

  const run = await writeThenKill(first, httpApi(first.url, token), componentId);
  expect(run.refused, 'every write should be accepted').toEqual([]);
  expect(run.ackCount).toBe(KILL_AT);
  expect(run.exit.signal).toBe('SIGKILL');
  if (lockFile) expect(readFileSync(lockFile, 'utf8')).toBe(String(first.pid)); // left behind by the crash

  const second = await start(opts);
  if (lockFile) expect(readFileSync(lockFile, 'utf8')).toBe(String(second.pid)); // the stale lock was taken over
  const a = httpApi(second.url, token); // the token was written before the crash too
  const { problems, checked } = await verifyAcked(a, run.acked);
  expect(problems).toEqual([]);
  expect(checked).toBe(KILL_AT);

  await concurrentCommandsKeepEveryChange(a, componentId);

  const exit = await second.stop('SIGTERM');
  expect(exit, second.output()).toEqual({ code: 0, signal: null });
  if (lockFile) expect(existsSync(lockFile)).toBe(false);
}

/**
 * Accepted writes must also survive each other: commands on one incident at the same time each
 * see what the one before them committed (no lost update of the affected clients).
 */
async function concurrentCommandsKeepEveryChange(a: HttpApi, componentId: string) {
  const extra: string[] = [];
  for (let i = 0; i < 12; i++) {
    const c = await a.post('/api/v1/clients', { name: `Concurrent ${i}`, slug: `concurrent-${i}`, tier: 'standard' });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    extra.push(c.body.id);
  }
  const inc = await a.post('/api/v1/incidents', { title: 'Concurrent changes' });
  const classified = await a.post(`/api/v1/incidents/${inc.body.id}/classification`, {
    severity: 'SEV3',
    impacts: [{ componentId, status: 'degraded_performance' }],
    isClientAffected: true,
    reason: 'Slow logins.',
  });
  expect(classified.status, JSON.stringify(classified.body)).toBe(200);
  const before = classified.body.affectedClients.length as number;
  const adds = await Promise.all(extra.map((id) => a.post(`/api/v1/incidents/${inc.body.id}/affected-clients`, { addClientIds: [id] })));
  expect(adds.map((r) => r.status)).toEqual(extra.map(() => 200));
  const after = await a.get(`/api/v1/incidents/${inc.body.id}`);
  expect(after.body.affectedClients.map((c: any) => c.clientId).sort()).toEqual([...classified.body.affectedClients.map((c: any) => c.clientId), ...extra].sort());
  expect(after.body.affectedClients.length).toBe(before + extra.length);
}

describe('durability of acknowledged writes', () => {
  it('PGlite: every write answered 2xx is there after SIGKILL and restart', { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    await crashAndRecover({ dataDir }, join(dataDir, 'herald.lock'));
  });

  it.runIf(testBackends().includes('postgres'))('PostgreSQL: every write answered 2xx is there after SIGKILL and restart', { timeout: 120_000 }, async () => {
    const { url, drop } = await createPgDatabase();
    harness.cleanup(drop);
    await crashAndRecover({ databaseUrl: url }, null);
  });
});

describe('PGlite data directory lock', () => {
  it('refuses a second server, is taken over after a crash, and is released by SIGTERM', { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    const lockFile = join(dataDir, 'herald.lock');
    const first = await start({ dataDir });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(first.pid));

    const second = spawnHerald(['serve'], serveEnv({ dataDir, ...ADMIN }));
    harness.track(second);
    const refused = await second.exited;
    expect(refused.code, second.output()).toBe(2);
    expect(second.output()).toContain(`The data directory ${dataDir} is in use by another Herald process (pid ${first.pid})`);
    // The refused process left the running server and its lock alone.
    expect(readFileSync(lockFile, 'utf8')).toBe(String(first.pid));
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(first.pid)); // stale

    const third = await start({ dataDir });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(third.pid));
    expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
    await createTokenOverHttp(third.url, ADMIN.adminEmail, ADMIN.adminPassword); // the data from before the crash is usable

    const exit = await third.stop('SIGTERM');
    expect(exit, third.output()).toEqual({ code: 0, signal: null });
    expect(third.output()).toContain('SIGTERM: shutting down');
    expect(existsSync(lockFile)).toBe(false);

    // Released cleanly: the next server starts without a takeover.
    const fourth = await start({ dataDir });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(fourth.pid));
    expect(await fourth.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
