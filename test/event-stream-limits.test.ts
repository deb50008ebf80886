// Event streams (issue 15, item 10) end when the session that opened them is logged out or the token
// revoked, and one user holds only so many at once. Over real HTTP: a stream is an open socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBody, expectStatus } from './support/http-assertions.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface OpenStream {
  status: number;
  /** Everything the server sent, once the stream has ended (the server closed it). */
  ended: Promise<string>;
  close(): void;
}

async function openStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const ended = (async () => {
    let text = '';
    if (!res.body) return text;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) text += decoder.decode(chunk as Uint8Array, { stream: true });
    } catch {
      // Closed by the test itself.
    }
    return text;
  })();
  return { status: res.status, ended, close: () => controller.abort() };
}

describe('event stream limits', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    // Rechecked often so the test does not wait; the default is 15 s.
    t = await createTestApp('pglite', { eventStreams: { recheckMs: 100, maxStreamsPerUser: 2 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/events`;
  });
  afterAll(() => t?.close());

  it('closes a stream once the API token that opened it is revoked', async () => {
    const user = await t.user('member');
    const stream = await openStream(url, { authorization: `Bearer ${user.token}` });
    expect(stream.status).toBe(200);
    const tokens = await expectBody<{ items: { id: string }[] }>(user.get('/api/v1/tokens'));
    await expectStatus(user.del(`/api/v1/tokens/${tokens.items[0]!.id}`), 200);
    // Resolves only when the server ends the stream.
    expect(await stream.ended).toContain('event: end');
  });

  it('closes a stream once the session that opened it is logged out', async () => {
    const password = 'a long enough password 1';
    const user = await t.user('viewer', { password });
    const email = (await expectBody(user.get(`/api/v1/users/${user.userId}`))).email as string;
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const stream = await openStream(url, { cookie });
    expect(stream.status).toBe(200);
    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': login.json().csrfToken } });
    expect(logout.statusCode).toBe(204);
    expect(await stream.ended).toContain('event: end');
  });

  it('refuses one stream more than a user may hold with 429, and lets one in again once another closed', async () => {
    const user = await t.user('member');
    const other = await t.user('member');
    const headers = { authorization: `Bearer ${user.token}` };
    const first = await openStream(url, headers);
    const second = await openStream(url, headers);
    expect([first.status, second.status]).toEqual([200, 200]);

    const third = await fetch(url, { headers });
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect(((await third.json()) as { code: string }).code).toBe('too_many_streams');
    // The cap is per user: another user is not held back.
    const others = await openStream(url, { authorization: `Bearer ${other.token}` });
    expect(others.status).toBe(200);

    first.close();
    await first.ended;
    await expect.poll(async () => {
      const again = await openStream(url, headers);
      again.close();
      return again.status;
    }).toBe(200);
    second.close();
    others.close();
  });
});
