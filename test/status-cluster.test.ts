// Two real server processes (dist/cli/main.js serve, so build first) on one PostgreSQL database: a
// message sent through one shows on the other's status page within 1 s, though the other already
// holds a rendered copy in memory (LISTEN/NOTIFY drops it).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fullDisclosures } from './support/factories.js';
import { assertBuilt, createTokenOverHttp, startHerald, type RunningHerald } from './support/server-process.js';
import { createPgDatabase } from './support/test-database.js';

const ADMIN = { adminEmail: 'cluster-admin@example.com', adminPassword: 'correct horse battery staple' };
/** The acceptance: an update through one instance is on the other's page within this long. */
const VISIBLE_WITHIN_MS = 1_000;

describe.skipIf(!inject('pgTemplateUrl'))('status pages across two server processes on PostgreSQL', { timeout: 120_000 }, () => {
  let one: RunningHerald;
  let two: RunningHerald;
  let drop: () => Promise<void>;
  let token: string;

  beforeAll(async () => {
    assertBuilt();
    const db = await createPgDatabase();
    drop = db.drop;
    [one, two] = await Promise.all([startHerald({ ...ADMIN, databaseUrl: db.url }), startHerald({ ...ADMIN, databaseUrl: db.url })]);
    token = await createTokenOverHttp(one.url, ADMIN.adminEmail, ADMIN.adminPassword);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await drop?.();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${one.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    expect(res.status, JSON.stringify(json)).toBeLessThan(300);
    return json;
  };

  it('shows an entry published through one instance on the other instance’s /status within 1 s', async () => {
    const component = await post('/components', { name: 'Public API' });
    await post('/clients', { name: 'Acme', slug: 'acme', componentIds: [component.id] }).then((c) => post(`/clients/${c.id}/contacts`, { name: 'Alice', email: 'alice@acme.example' }));
    const incident = await post('/incidents', { title: 'API answers 502' });
    await post(`/incidents/${incident.id}/classification`, { severity: 'SEV2', impacts: [{ componentId: component.id, status: 'major_outage' }], isClientAffected: true, reason: 'API clients get errors.' });
    await post(`/incidents/${incident.id}/disclosures`, fullDisclosures());

    // The second instance renders and keeps its copy before the message is sent.
    const before = await fetch(`${two.url}/status`);
    expect(before.status).toBe(200);
    const etag = before.headers.get('etag')!;
    expect(await before.text()).not.toContain('Half of the calls fail');
    expect((await fetch(`${two.url}/status`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    await post(`/incidents/${incident.id}/communications`, { kind: 'initial', body: 'Written for the clients.' });
    // The public page shows what is published to it.
    await post(`/incidents/${incident.id}/public-updates`, { title: 'API answers 502', body: 'Half of the calls fail; we are on it.' });
    const sentAt = Date.now();
    await expect
      .poll(async () => (await (await fetch(`${two.url}/status`)).text()).includes('Half of the calls fail; we are on it.'), {
        timeout: Math.max(1, VISIBLE_WITHIN_MS - (Date.now() - sentAt)),
        interval: 25,
      })
      .toBe(true);
    const json = (await (await fetch(`${two.url}/status.json`)).json()) as { incidents: { active: { key: string }[] } };
    expect(json.incidents.active.map((i) => i.key)).toContain(incident.key);
  });
});
