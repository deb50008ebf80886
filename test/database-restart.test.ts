// Announcements after a PostgreSQL restart (issue 15, item 11). Herald runs on a PostgreSQL server of
// this test's own (support/pg-instance.ts; the shared one is never restarted), which is stopped and
// started again in the middle. While the database is away /readyz says which part is down. Changes made
// before Herald reaches the database again (so never announced to it) and changes made afterwards must
// show within 10 s of the database answering Herald: on the public status page, in the secret link of a
// client page (rotated meanwhile: the old one must stop working), and on an event stream that stayed
// open (a `resync` event, then incident events again). Before the fix the listener came back, but
// nothing it had missed was ever taken as stale: pages stayed as rendered for up to a minute and an old
// secret link kept working until the process restarted.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/open.js';
import { createHerald, type Herald } from '../src/herald.js';
import { insertApiToken } from '../src/services/auth/api-tokens.js';
import { insertUser } from '../src/services/auth/users.js';
import { hashLinkSecret } from '../src/services/status-pages/status-links.js';
import { postgresBinDir, startPgInstance, type PgInstance } from './support/pg-instance.js';

/** /metrics answers only to its token (HERALD_METRICS_TOKEN). */
const METRICS_TOKEN = 'metrics-token-of-the-database-restart-test';
/** The acceptance: everything flows again within this long of the database answering Herald. */
const AGAIN_WITHIN_MS = 10_000;
const hasPostgres = postgresBinDir() !== null;

interface StreamEvent {
  event: string;
  data: string;
}

/** Reads a server-sent event stream in the background into `events` until `stop` is called. */
async function openEventStream(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: StreamEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const reading = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          if (event) events.push({ event, data: lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '' });
        }
      }
    } catch {
      /* aborted at the end of the test */
    }
  })();
  return {
    events,
    stop: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe.skipIf(!hasPostgres)(
  hasPostgres ? 'a PostgreSQL restart' : 'a PostgreSQL restart (skipped: initdb and pg_ctl are not installed under /usr/lib/postgresql)',
  { timeout: 120_000 },
  () => {
    let instance: PgInstance;
    let database: Database;
    let herald: Herald;
    let base: string;
    let token: string;

    /** Runs one statement as the superuser, on a connection of its own (the server may have restarted since the last). */
    const asSuperuser = async (databaseName: string, text: string, values: unknown[] = []) => {
      const c = new pg.Client({ connectionString: instance.url(databaseName) });
      await c.connect();
      try {
        return (await c.query(text, values)).rows;
      } finally {
        await c.end();
      }
    };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
    };

    beforeAll(async () => {
      instance = await startPgInstance();
      // Herald logs in as a role of its own, so that the test can keep it out while it changes things.
      await asSuperuser('postgres', 'CREATE ROLE herald LOGIN');
      await asSuperuser('postgres', 'CREATE DATABASE herald OWNER herald');
      const url = instance.url('herald', 'herald');
      database = await openDatabase({ databaseUrl: url, poolMax: 5 });
      herald = await createHerald({ database, databaseUrl: url, baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, metrics: { token: METRICS_TOKEN } });
      await herald.app.listen({ port: 0, host: '127.0.0.1' });
      const address = herald.app.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const admin = await insertUser(database.db, { email: 'restart-admin@example.test', name: 'Admin', role: 'admin', clientId: null, password: null }, new Date());
      token = (await insertApiToken(database.db, admin.id, { name: 'test' }, new Date())).token;
    });
    afterAll(async () => {
      await herald?.stop();
      await database?.close();
      await instance?.destroy();
    });

    it('hears every change again within 10 s of the database answering, and takes what it missed as stale', async () => {
      const tag = randomBytes(4).toString('hex');
      const component = await api('POST', '/api/v1/components', { name: `Gateway ${tag}` });
      expect(component.status).toBe(201);
      const client = await api('POST', '/api/v1/clients', { name: 'Acme', slug: `acme-${tag}`, tier: 'standard', componentIds: [component.body.id] });
      expect(client.status).toBe(201);
      const link = await api('POST', `/api/v1/clients/${client.body.id}/status-link`, {});
      expect(link.status).toBeLessThan(300);
      const oldKey = new URL(link.body.url as string).searchParams.get('key')!;
      const clientPage = (key: string) => `${base}/status/acme-${tag}?key=${encodeURIComponent(key)}`;

      // Rendered and looked up before the restart: these copies are what must not outlive it.
      expect(await (await fetch(`${base}/status`)).text()).toContain(`Gateway ${tag}`);
      expect((await fetch(clientPage(oldKey))).status).toBe(200);
      const ready = await (await fetch(`${base}/readyz`)).json();
      expect(ready).toMatchObject({ status: 'ready', checks: { database: 'up', listener: 'up' } });
      const stream = await openEventStream(`${base}/api/v1/events`, token);

      try {
        // Herald may not log in until the changes below are made: they are never announced to it.
        await asSuperuser('postgres', 'ALTER ROLE herald NOLOGIN');
        await instance.stop();
        await expect
          .poll(async () => {
            const res = await fetch(`${base}/readyz`);
            return { status: res.status, body: await res.json() };
          }, { timeout: 10_000, interval: 100 })
          .toMatchObject({ status: 503, body: { code: 'not_ready', checks: { database: 'down', listener: 'down' } } });

        await instance.start();
        // Herald still cannot log in: the database answers, its changes are not heard.
        await asSuperuser('herald', 'UPDATE components SET name = $2 WHERE id = $1', [component.body.id, `Gateway renamed ${tag}`]);
        const newKey = randomBytes(32).toString('base64url');
        await asSuperuser('herald', 'UPDATE status_page_links SET secret_hash = $2 WHERE client_id = $1', [client.body.id, hashLinkSecret(newKey)]);
        await asSuperuser('postgres', 'ALTER ROLE herald LOGIN');
        const answeringAt = Date.now();
        const untilDeadline = () => ({ timeout: Math.max(1, answeringAt + AGAIN_WITHIN_MS - Date.now()), interval: 100 });

        await expect.poll(async () => (await (await fetch(`${base}/status`)).text()).includes(`Gateway renamed ${tag}`), untilDeadline()).toBe(true);
        await expect.poll(async () => (await fetch(clientPage(oldKey))).status, untilDeadline()).toBe(404);
        expect((await fetch(clientPage(newKey))).status).toBe(200);
        await expect.poll(() => stream.events.some((e) => e.event === 'resync'), untilDeadline()).toBe(true);

        // Changes made through Herald now reach the stream that stayed open, and the public page.
        let incidentKey = '';
        await expect
          .poll(async () => {
            const created = await api('POST', '/api/v1/incidents', { title: `After the restart ${tag}`, description: 'Made once the database was back.' });
            if (created.status === 201) incidentKey = created.body.key;
            return created.status;
          }, untilDeadline())
          .toBe(201);
        await expect.poll(() => stream.events.some((e) => e.event === 'incident' && (JSON.parse(e.data) as { key: string }).key === incidentKey), untilDeadline()).toBe(true);
        expect((await api('PATCH', `/api/v1/components/${component.body.id}`, { status: 'degraded_performance' })).status).toBe(200);
        await expect.poll(async () => ((await (await fetch(`${base}/status.json`)).json()) as { components: { id: string; status: string }[] }).components.find((c) => c.id === component.body.id)?.status, untilDeadline()).toBe('degraded_performance');

        const readyAgain = await fetch(`${base}/readyz`);
        expect(readyAgain.status).toBe(200);
        expect(await readyAgain.json()).toMatchObject({ status: 'ready', checks: { database: 'up', listener: 'up' } });
        const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
        expect(Number(/^herald_database_listener_reconnects_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
        expect(metrics).toMatch(/^herald_database_listener_up 1$/m);
      } finally {
        await asSuperuser('postgres', 'ALTER ROLE herald LOGIN').catch(() => {});
        await stream.stop();
      }
    });
  },
);
