// Rate limits count per client address (`request.ip`). Behind a reverse proxy every request comes
// from the proxy, so HERALD_TRUST_PROXY names the proxies whose X-Forwarded-For is believed; without
// it the header is ignored, or anyone could pick a fresh address per request and never be limited.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Six posts to the public report form (5 per address per minute), each claiming another client address. */
async function postsFromSixAddresses(t: TestApp): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 1; i <= 6; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/report/not-a-valid-link',
      remoteAddress: '127.0.0.1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `203.0.113.${i}` },
      payload: 'title=Down&description=Nothing+works',
    });
    statuses.push(res.statusCode);
  }
  return statuses;
}

describe('HERALD_TRUST_PROXY', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('ignores X-Forwarded-For by default: the connecting address is limited however many addresses it claims', async () => {
    t = await createTestApp('pglite', { trustProxy: loadConfig({}).trustProxy });
    const statuses = await postsFromSixAddresses(t);
    expect(statuses.slice(0, 5).every((s) => s === 404)).toBe(true);
    expect(statuses[5]).toBe(429);
  });

  it('honours X-Forwarded-For from a trusted proxy range: each client behind it is limited on its own', async () => {
    t = await createTestApp('pglite', { trustProxy: loadConfig({ HERALD_TRUST_PROXY: '127.0.0.0/8' }).trustProxy });
    expect(await postsFromSixAddresses(t)).toEqual([404, 404, 404, 404, 404, 404]);
  });
});
