// The listening connection notices a connection cut without a word (a failover, a dropped network path:
// no error, no FIN, the socket simply stops carrying anything) by its heartbeat, makes a new one, says
// that notifications may have been missed, and hears new ones again. Before, a silent cut left the
// process deaf until TCP gave up on the socket, many minutes later. The cut is a TCP relay in this
// process between the listener and PostgreSQL that stops passing bytes on the connections it has.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNotificationListener } from '../src/db/notification-listener.js';
import { createPgDatabase } from './support/test-database.js';

/** Relays TCP to `target`; `cut()` makes the relayed connections silent (nothing passes, nothing closes). */
async function startRelay(target: URL) {
  const pairs: { client: Socket; upstream: Socket }[] = [];
  const silent: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    const ignore = () => {};
    client.on('error', ignore);
    upstream.on('error', ignore);
    pairs.push({ client, upstream });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      for (const { client, upstream } of pairs.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        // Kept open, so the other side hears nothing at all: closed when the test ends.
        silent.push(client, upstream);
      }
    },
    close: () => {
      for (const s of [...silent, ...pairs.flatMap((p) => [p.client, p.upstream])]) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!inject('pgTemplateUrl'))('the listening connection on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await createPgDatabase());
  });
  afterAll(() => drop?.());

  const notify = async (channel: string, payload: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('SELECT pg_notify($1, $2)', [channel, payload]);
    await c.end();
  };

  it('notices a silent cut by its heartbeat, listens again on a new connection and says what may have been missed', async () => {
    const relay = await startRelay(new URL(url));
    const relayed = new URL(url);
    relayed.port = String(relay.port);
    const failures: string[] = [];
    const listener = createNotificationListener(relayed.toString(), (task) => failures.push(task), { heartbeatMs: 200, heartbeatTimeoutMs: 300, retryInitialMs: 50, retryMaxMs: 200 });
    const heard: string[] = [];
    let missed = 0;
    listener.onNotificationsMissed(() => missed++);
    try {
      await listener.listen('herald_listener_test', (payload) => heard.push(payload));
      expect(listener.status()).toMatchObject({ state: 'up', reconnects: 0 });
      await notify('herald_listener_test', 'before');
      await expect.poll(() => heard, { timeout: 5_000 }).toContain('before');

      relay.cut();
      await expect.poll(() => missed, { timeout: 10_000 }).toBe(1);
      expect(failures).toContain('database-listen');
      expect(listener.status()).toMatchObject({ state: 'up', reconnects: 1, downSince: null });
      await notify('herald_listener_test', 'after');
      await expect.poll(() => heard, { timeout: 5_000 }).toContain('after');
      expect(heard.filter((p) => p === 'before')).toHaveLength(1);
    } finally {
      await listener.close();
      await relay.close();
    }
  });
});
