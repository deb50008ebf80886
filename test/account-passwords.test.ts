// Changing a password through the API, and hashes of older parameters made again at login: on every
// backend. Protects against a session left open being enough to take the account over.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../src/db/schema.js';
import { hashSecret, PASSWORD_HASH_PARAMS, setPasswordHashParamsForTests } from '../src/services/auth/passwords.js';
import { expectProblem, expectStatus } from './support/http-assertions.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a new and longer passphrase';

describe.each(testBackends())('account passwords on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  /** A login from an address of its own (the route allows 10 a minute per address). */
  let logins = 0;
  async function login(email: string, password: string) {
    logins++;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `127.0.${100 + (logins >> 8)}.${logins & 255}`, payload: { email, password } });
    return { status: res.statusCode, body: res.json() as Record<string, unknown>, headers: res.headers };
  }

  /** A session of `email`: its cookie and CSRF token. */
  async function session(email: string, password: string) {
    const answer = await login(email, password);
    expect(answer.status).toBe(200);
    const cookie = [answer.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('herald_session='))!.split(';')[0]!;
    return { cookie, csrf: answer.body.csrfToken as string };
  }
  const asSession = (s: { cookie: string; csrf: string }) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf });

  describe('with a cheap hash for the many logins', () => {
    beforeAll(() => setPasswordHashParamsForTests({ N: 2 ** 10, r: 8, p: 1 }));
    afterAll(() => setPasswordHashParamsForTests(null));

    it('needs the current password to change one’s own, and ends the user’s other sessions but not this one', async () => {
      const email = `change-${randomUUID()}@example.test`;
      const me = await t.user('member', { email, password: PASSWORD });
      const here = await session(email, PASSWORD);
      const elsewhere = await session(email, PASSWORD);
      const path = `/api/v1/users/${me.userId}`;

      const missing = await expectProblem(t.anonymous.request('PATCH', path, { password: NEW_PASSWORD }, asSession(here)), { status: 400, code: 'invalid_input' });
      expect(missing.field).toBe('currentPassword');
      await expectProblem(t.anonymous.request('PATCH', path, { password: NEW_PASSWORD, currentPassword: 'not my password' }, asSession(here)), { status: 400, code: 'invalid_input' });
      // Refused changes end nothing.
      await expectStatus(t.anonymous.request('GET', '/api/v1/auth/session', undefined, { cookie: elsewhere.cookie }), 200);

      await expectStatus(t.anonymous.request('PATCH', path, { password: NEW_PASSWORD, currentPassword: PASSWORD }, asSession(here)), 200);
      await expectProblem(t.anonymous.request('GET', '/api/v1/auth/session', undefined, { cookie: elsewhere.cookie }), { status: 401, code: 'unauthenticated' });
      await expectStatus(t.anonymous.request('GET', '/api/v1/auth/session', undefined, { cookie: here.cookie }), 200);
      expect((await login(email, PASSWORD)).status).toBe(401);
      await session(email, NEW_PASSWORD);
    });

    it('answers at most five attempts at changing one’s own password in 15 minutes, so an open session cannot guess the current one', async () => {
      const email = `guess-${randomUUID()}@example.test`;
      const me = await t.user('member', { email, password: PASSWORD });
      const here = await session(email, PASSWORD);
      const path = `/api/v1/users/${me.userId}`;
      for (let i = 0; i < 5; i++) {
        await expectProblem(t.anonymous.request('PATCH', path, { password: NEW_PASSWORD, currentPassword: `guess ${i} of the password` }, asSession(here)), { status: 400, code: 'invalid_input' });
      }
      const held = await expectProblem(t.anonymous.request('PATCH', path, { password: NEW_PASSWORD, currentPassword: PASSWORD }, asSession(here)), { status: 429, code: 'rate_limited' });
      expect(held.detail).toEqual(expect.any(String));
      // Other changes of one's own account are not counted.
      await expectStatus(t.anonymous.request('PATCH', path, { name: 'Still me' }, asSession(here)), 200);
      await session(email, PASSWORD);
    });

    it('lets an admin set another user’s password without theirs, ending all of that user’s sessions', async () => {
      const email = `reset-${randomUUID()}@example.test`;
      const user = await t.user('member', { email, password: PASSWORD });
      const theirs = await session(email, PASSWORD);
      await expectStatus(t.admin.patch(`/api/v1/users/${user.userId}`, { password: NEW_PASSWORD }), 200);
      await expectProblem(t.anonymous.request('GET', '/api/v1/auth/session', undefined, { cookie: theirs.cookie }), { status: 401, code: 'unauthenticated' });
      await session(email, NEW_PASSWORD);
    });
  });

  it('makes a password hash of the earlier parameters again, at OWASP’s, at the next successful login', async () => {
    const email = `rehash-${randomUUID()}@example.test`;
    const user = await t.user('member', { email });
    // As stored before: scrypt N=2^14 (the parameters tokens still use).
    await t.database.db.update(users).set({ passwordHash: await hashSecret(PASSWORD) }).where(eq(users.id, user.userId));
    expect((await login(email, 'not the password')).status).toBe(401);
    const stored = async () => (await t.database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.userId)))[0]!.hash!;
    expect(await stored()).toMatch(/^scrypt\$16384\$/);

    await session(email, PASSWORD);
    const { N, r, p } = PASSWORD_HASH_PARAMS;
    expect(await stored()).toMatch(new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$`));
    await session(email, PASSWORD);
  });
});
