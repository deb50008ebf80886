// Failed logins are slowed per account and address, kept in the database, and capped per account:
// an address hammering an administrator's account must not lock the administrator out, and two Herald
// processes on one database must count the same failures. Real HTTP from several source addresses
// (127.0.0.x, all local on Linux), real PGlite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/open.js';
import { loginThrottle } from '../src/db/schema.js';
import { createHerald, type Herald } from '../src/herald.js';
import { ACCOUNT_FAILURES_PER_HOUR, accountKeyOf, addressKeyOf, attemptSucceeded, beginAttempt, PAIR_FREE_FAILURES, resetAccountThrottle } from '../src/services/auth/login-throttle.js';
import { setPasswordHashParamsForTests } from '../src/services/auth/passwords.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const PASSWORD = 'correct horse battery staple';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** POST /api/v1/auth/login over a real socket, from `from` (a 127.0.0.x address). */
function loginFrom(baseUrl: string, from: string, email: string, password: string): Promise<Answer> {
  const payload = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v1/auth/login`,
      { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function listen(app: Herald['app']): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** A throttled answer: a 429 problem with Retry-After in whole seconds, saying nothing about the account. */
function expectThrottled(a: Answer) {
  expect(a.status).toBe(429);
  expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(a.body.code).toBe('rate_limited');
  expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

beforeAll(() => setPasswordHashParamsForTests({ N: 2 ** 10, r: 8, p: 1 }));
afterAll(() => setPasswordHashParamsForTests(null));

describe.each(testBackends())('login throttle on %s', (kind) => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    baseUrl = await listen(t.app);
  });
  afterAll(() => t?.close());

  const admin = async () => {
    const email = `admin-${randomUUID()}@example.test`;
    await t.user('admin', { email, password: PASSWORD });
    return email;
  };

  it('lets the right password in from another address while one address hammers the account (it was locked for everyone)', async () => {
    const email = await admin();
    const answers: number[] = [];
    for (let i = 0; i < 30; i++) answers.push((await loginFrom(baseUrl, '127.0.0.2', email, `guess number ${i}`)).status);
    expect(answers.slice(0, PAIR_FREE_FAILURES)).toEqual(Array(PAIR_FREE_FAILURES).fill(401));
    // Only "wrong" or "wait": the delays double, so 30 quick attempts cannot all be let through.
    expect(answers.every((s) => s === 401 || s === 429)).toBe(true);
    expect(answers).toContain(429);

    const owner = await loginFrom(baseUrl, '127.0.0.3', email, PASSWORD);
    expect(owner.status).toBe(200);
    expect(owner.headers['set-cookie']).toBeDefined();
  });

  it('slows one account and address 1 s, 2 s, 4 s… after five failures, and a success starts it afresh', async () => {
    const keys = { accountKey: accountKeyOf(`delays-${randomUUID()}@example.test`), address: '192.0.2.10' };
    const db = t.database.db;
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0 + ms);
    let now = 0;
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect(await beginAttempt(db, keys, at(now))).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const held = await beginAttempt(db, keys, at(now));
      expect(held).not.toBeNull();
      waits.push(held!.retryAfterS);
      now += held!.retryAfterS * 1000;
      expect(await beginAttempt(db, keys, at(now))).toBeNull();
    }
    expect(waits).toEqual([1, 2, 4, 8, 16]);
    // Another address for the same account is not held back.
    expect(await beginAttempt(db, { ...keys, address: '192.0.2.11' }, at(now))).toBeNull();
    now += 32_000;
    expect(await beginAttempt(db, keys, at(now))).toBeNull();
    await attemptSucceeded(db, keys, at(now));
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect(await beginAttempt(db, keys, at(now))).toBeNull();
  });

  it('caps an account at 100 failures an hour from addresses it never logged in from, the same for an unknown e-mail, and `herald reset-logins` lifts it', async () => {
    const email = await admin();
    const unknown = `nobody-${randomUUID()}@example.test`;
    const known = kind === 'pglite' ? '127.0.1.1' : '127.0.2.1';
    expect((await loginFrom(baseUrl, known, email, PASSWORD)).status).toBe(200);

    // Five failures from each of twenty addresses: none is slowed, so only the account's cap stops them.
    const failFromTwentyAddresses = async (who: string, net: number) => {
      const statuses: number[] = [];
      for (let host = 10; host < 30; host++) {
        for (let i = 0; i < 5; i++) statuses.push((await loginFrom(baseUrl, `127.0.${net}.${host}`, who, `guess ${host}-${i}`)).status);
      }
      return statuses;
    };
    const base = kind === 'pglite' ? 3 : 4;
    expect(await failFromTwentyAddresses(email, base)).toEqual(Array(ACCOUNT_FAILURES_PER_HOUR).fill(401));
    expect(await failFromTwentyAddresses(unknown, base + 10)).toEqual(Array(ACCOUNT_FAILURES_PER_HOUR).fill(401));

    // Capped: a new address is held back, right password or not, and an unknown e-mail answers alike.
    const capped = await loginFrom(baseUrl, `127.0.${base}.200`, email, PASSWORD);
    expectThrottled(capped);
    expect(Number(capped.headers['retry-after'])).toBeLessThanOrEqual(3600);
    const cappedUnknown = await loginFrom(baseUrl, `127.0.${base}.200`, unknown, PASSWORD);
    expectThrottled(cappedUnknown);
    const wording = (a: Answer) => String(a.body.detail).replace(/\d+/g, 'N');
    expect(wording(cappedUnknown)).toBe(wording(capped));

    // The owner's usual address still gets in.
    expect((await loginFrom(baseUrl, known, email, PASSWORD)).status).toBe(200);

    expect(await resetAccountThrottle(t.database.db, email)).toBeGreaterThan(0);
    expect((await loginFrom(baseUrl, `127.0.${base}.201`, email, PASSWORD)).status).toBe(200);
  });

  it('keys an IPv6 client by its /64 network and an IPv4-mapped one by its IPv4 address', () => {
    expect(addressKeyOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKeyOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKeyOf('192.0.2.7')).toBe('192.0.2.7');
  });
});

describe.skipIf(!testBackends().includes('postgres'))('login throttle shared by two Herald processes on one PostgreSQL database', () => {
  let t: TestApp;
  let second: { herald: Herald; database: Database };
  let urls: [string, string];
  beforeAll(async () => {
    t = await createTestApp('postgres');
    const database = await openDatabase({ databaseUrl: t.db.url!, poolMax: 3 });
    const herald = await createHerald({ database, databaseUrl: t.db.url, baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, runsJobs: false });
    second = { herald, database };
    urls = [await listen(t.app), await listen(herald.app)];
  });
  afterAll(async () => {
    await second?.herald.stop();
    await second?.database.close();
    await t?.close();
  });

  it('counts failures made through either process against the same hourly cap (each process alone would have let them all through)', async () => {
    const email = `shared-${randomUUID()}@example.test`;
    await t.user('admin', { email, password: PASSWORD });
    const statuses: number[] = [];
    for (let host = 10; host < 30; host++) {
      for (let i = 0; i < 5; i++) {
        // Alternating: each process sees only half of the failures.
        statuses.push((await loginFrom(urls[(host + i) % 2]!, `127.0.7.${host}`, email, `guess ${host}-${i}`)).status);
      }
    }
    expect(statuses).toEqual(Array(ACCOUNT_FAILURES_PER_HOUR).fill(401));
    expectThrottled(await loginFrom(urls[0], '127.0.7.200', email, PASSWORD));
    expectThrottled(await loginFrom(urls[1], '127.0.7.201', email, PASSWORD));
    // The account's own counter (address ''), as both processes wrote it.
    const [row] = await t.database.db.select().from(loginThrottle).where(and(eq(loginThrottle.accountKey, accountKeyOf(email)), eq(loginThrottle.address, '')));
    expect(row?.failures).toBe(ACCOUNT_FAILURES_PER_HOUR);
  });

  it('holds back a burst sent all at once through both processes (counted before the password is checked), with no 5xx', async () => {
    const email = `burst-${randomUUID()}@example.test`;
    await t.user('admin', { email, password: PASSWORD });
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => loginFrom(urls[i % 2]!, '127.0.8.1', email, `guess ${i}`)));
    const statuses = burst.map((a) => a.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Five free failures; a sixth only if the burst took longer than the first delay (1 s), a seventh after 2 s more.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(PAIR_FREE_FAILURES + 2);
    // Many accounts and addresses at once: every answer is "wrong" or "wait", never a deadlock's 500.
    const mixed = await Promise.all(Array.from({ length: 40 }, (_, i) => loginFrom(urls[i % 2]!, `127.0.9.${1 + (i % 8)}`, i % 3 ? email : `other-${i % 4}@example.test`, `guess ${i}`)));
    expect(mixed.map((a) => a.status).filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect((await loginFrom(urls[1], '127.0.8.2', email, PASSWORD)).status).toBe(200);
  });
});
