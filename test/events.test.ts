import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient, buildComponent, buildIncident } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

/** Reads server-sent events from a live server until `count` incident events arrived or the time is up. */
async function collect(url: string, token: string, count: number, during: () => Promise<void>, timeoutMs = 5000) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const events: { id: string; key: string }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let i;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: incident') && data) events.push(JSON.parse(data.slice(6)));
        }
        if (events.length >= count) break;
      }
    } catch {
      /* aborted */
    }
  })();
  await during();
  await reading;
  clearTimeout(timer);
  controller.abort();
  return events;
}

describe.each(testBackends())('live incident events on %s', (kind) => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/events`;
  });
  afterAll(() => t?.close());

  it('tells staff of every incident change as it is committed', async () => {
    let key = '';
    const events = await collect(url, t.admin.token, 2, async () => {
      const incident = await buildIncident(t.admin);
      key = incident.key;
      await t.admin.post(`/api/v1/incidents/${incident.id}/notes`, { text: 'looking' });
    });
    expect(events.map((e) => e.key)).toEqual([key, key]);
  });

  it("does not tell a client user of another client's incident", async () => {
    const comp = await buildComponent(t.admin);
    const a = await buildClient(t.admin, { componentIds: [comp.id] });
    const b = await buildClient(t.admin);
    const userA = await t.user('client', { clientId: a.id });
    const userB = await t.user('client', { clientId: b.id });
    let ownKey = '';
    const events = await collect(url, userA.token, 2, async () => {
      await buildIncident(userB, { title: 'B only' });
      ownKey = (await buildIncident(userA, { title: 'A reports' })).key;
    }, 3000);
    expect(events.map((e) => e.key)).toEqual([ownKey]);
  });
});
