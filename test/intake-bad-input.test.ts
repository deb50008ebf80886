// Bad input at the monitoring hooks: malformed JSON, a wrong version, missing fields, bad times, bad or
// missing credentials and signatures, oversized bodies — each a clear 4xx problem+json with nothing
// stored. A property test throws mutated real payloads at every hook: never a 5xx, a refusal stores
// nothing, and whatever is accepted is processed by the job without an error.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlertPayload } from '../src/services/intake/alert-payloads.js';
import { signHookBody } from '../src/services/intake/integrations.js';
import { rows } from '../src/services/sql-rows.js';
import { alertmanagerPayload, grafanaPayload, stormPayload } from './support/alert-payloads.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const MAX_BYTES = 8 * 1024 * 1024;

describe.each(testBackends())('bad input at the hooks on %s', (kind) => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let secret: string;

  const stored = async () => {
    const [r] = await rows<{ payloads: number; jobs: number; alerts: number; incidents: number }>(
      t.database.db,
      sql`SELECT (SELECT count(*)::int FROM alert_payloads) AS payloads, (SELECT count(*)::int FROM pgboss.job WHERE name = 'intake-alerts') AS jobs,
                 (SELECT count(*)::int FROM alerts) AS alerts, (SELECT count(*)::int FROM incidents) AS incidents`,
    );
    return { payloads: Number(r!.payloads), jobs: Number(r!.jobs), alerts: Number(r!.alerts), incidents: Number(r!.incidents) };
  };
  const post = async (url: string, payload: string | Buffer | undefined, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, ...(payload !== undefined && { payload }) });
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
  };
  const bearer = (k: string) => ({ authorization: `Bearer ${tokens[k]}` });
  /** Refused with a problem+json naming `field` (when given), and nothing stored. */
  const refused = async (status: number, url: string, payload: string | Buffer | undefined, headers: Record<string, string>, field?: string) => {
    const before = await stored();
    const res = await post(url, payload, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
    if (field) expect(res.body.field).toBe(field);
    expect(await stored()).toEqual(before);
    return res.body;
  };
  const valid = () => JSON.stringify(alertmanagerPayload({ groupLabels: { alertname: 'Up' }, alerts: [{ fingerprint: 'f000000000000001' }] }));

  beforeAll(async () => {
    // No workers: jobs stay queued, so the test sees exactly what each request stored.
    t = await createTestApp(kind, { runsJobs: false, intake: { http: { hookMaxBytes: MAX_BYTES } } });
    for (const [k, body] of Object.entries({
      alertmanager: { kind: 'alertmanager', name: 'AM', slug: 'am' },
      grafana: { kind: 'grafana', name: 'Grafana', slug: 'gf', isSigned: true },
      generic: { kind: 'generic', name: 'Generic', slug: 'gen', isSigned: true },
    })) {
      const res = await t.admin.post('/api/v1/integrations', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      tokens[k] = res.body.token;
      if (k === 'generic') secret = res.body.hmacSecret;
    }
  });
  afterAll(() => t?.close());

  it('refuses calls without valid credentials, whatever the body', async () => {
    await refused(401, '/hooks/alertmanager', valid(), {});
    await refused(401, '/hooks/alertmanager', valid(), { authorization: 'Bearer hri_not-a-token' });
    await refused(401, '/hooks/alertmanager', valid(), { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    await refused(401, '/hooks/alertmanager', valid(), { authorization: `Bearer ${t.admin.token}` });
    // A Grafana integration's token does not open the Alertmanager hook, nor another integration's path.
    await refused(401, '/hooks/alertmanager', valid(), bearer('grafana'));
    await refused(401, '/hooks/generic/gen', JSON.stringify({ alerts: [{ id: 'x', status: 'firing' }] }), bearer('alertmanager'));
    await refused(401, '/hooks/generic/unknown', JSON.stringify({ alerts: [{ id: 'x', status: 'firing' }] }), {});
    await refused(401, '/hooks/alertmanager', 'not even json', {});
  });

  it('checks HMAC signatures over the exact body, with a timestamp no more than 5 minutes off', async () => {
    const body = JSON.stringify({ alerts: [{ id: 'disk-db1', status: 'firing', title: 'Disk 95% full' }] });
    const now = Math.floor(Date.now() / 1000);
    const signed = (b: string, ts = now, key = secret) => ({ 'x-herald-signature': signHookBody(key, ts, b), 'x-herald-timestamp': String(ts) });
    await refused(401, '/hooks/generic/gen', body, signed(body.replace('95', '96')));
    await refused(401, '/hooks/generic/gen', body.replace('95', '96'), signed(body));
    await refused(401, '/hooks/generic/gen', body, signed(body, now - 3600));
    await refused(401, '/hooks/generic/gen', body, signed(body, now, 'hmac_wrong-secret'));
    await refused(401, '/hooks/generic/gen', body, { 'x-herald-signature': 'sha256=00', 'x-herald-timestamp': String(now) });
    await refused(401, '/hooks/generic/gen', body, { 'x-herald-signature': signHookBody(secret, now, body) });
    // The same body, signed right, is accepted (so the refusals above were about the signature).
    const before = await stored();
    const ok = await post('/hooks/generic/gen', body, signed(body));
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    expect((await stored()).payloads).toBe(before.payloads + 1);
    // Grafana's own signature header works for a signed Grafana integration.
    const gf = JSON.stringify(grafanaPayload({ alerts: [{ fingerprint: 'bc97ff14869b13e3', labels: { alertname: 'T1' } }] }));
    const [row] = await rows<{ hmac_secret: string }>(t.database.db, sql`SELECT hmac_secret FROM integrations WHERE slug = 'gf'`);
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', row!.hmac_secret).update(`${now}:${gf}`).digest('hex');
    await refused(401, '/hooks/grafana/gf', gf, { 'x-grafana-alerting-signature': sig.replace(/^./, sig[0] === 'a' ? 'b' : 'a'), 'x-grafana-alerting-signature-timestamp': String(now) });
    expect((await post('/hooks/grafana/gf', gf, { 'x-grafana-alerting-signature': sig, 'x-grafana-alerting-signature-timestamp': String(now) })).status).toBe(202);
  });

  it('refuses malformed JSON, a wrong version, missing fields and bad times, naming the field', async () => {
    const am = bearer('alertmanager');
    const base = JSON.parse(valid());
    const without = (o: Record<string, unknown>, key: string) => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)));
    await refused(400, '/hooks/alertmanager', '{"version":"4",', am, 'body');
    await refused(400, '/hooks/alertmanager', "{'version':'4'}", am, 'body');
    await refused(400, '/hooks/alertmanager', '', am, 'body');
    await refused(400, '/hooks/alertmanager', '[]', am, 'body');
    await refused(400, '/hooks/alertmanager', JSON.stringify({ ...base, version: '3' }), am, 'body.version');
    await refused(400, '/hooks/alertmanager', without(base, 'groupKey'), am, 'body.groupKey');
    await refused(400, '/hooks/alertmanager', without(base, 'status'), am, 'body.status');
    await refused(400, '/hooks/alertmanager', JSON.stringify({ ...base, alerts: [] }), am, 'body.alerts');
    await refused(400, '/hooks/alertmanager', JSON.stringify({ ...base, alerts: [without(base.alerts[0], 'fingerprint')].map((s) => JSON.parse(s)) }), am, 'body.alerts.0.fingerprint');
    await refused(400, '/hooks/alertmanager', JSON.stringify({ ...base, alerts: [{ ...base.alerts[0], startsAt: 'yesterday' }] }), am, 'body.alerts.0.startsAt');
    await refused(400, '/hooks/alertmanager', JSON.stringify({ ...base, alerts: [{ ...base.alerts[0], labels: { alertname: 7 } }] }), am, 'body.alerts.0.labels.alertname');
    await refused(400, '/hooks/alertmanager', JSON.stringify({ ...base, commonLabels: { a: 'x\u0000y' } }), am, 'body');
    await refused(400, '/hooks/grafana', JSON.stringify({ ...base, version: '4' }), bearer('grafana'), 'body.version');
    await refused(400, '/hooks/generic/gen', JSON.stringify({ alerts: [{ status: 'firing' }] }), bearer('generic'), 'body.alerts.0.id');
    await refused(400, '/hooks/generic/gen', JSON.stringify({ alerts: [{ id: 'x', status: 'burning' }] }), bearer('generic'), 'body.alerts.0.status');
  });

  it('accepts several megabytes (a 20,000-alert storm) and refuses a body over the limit with 413', async () => {
    const storm = JSON.stringify(stormPayload(20_000, { alertname: 'NodeDown' }));
    expect(storm.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(storm.length).toBeLessThan(MAX_BYTES);
    const before = await stored();
    const res = await post('/hooks/alertmanager', storm, bearer('alertmanager'));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ alerts: 20_000, groups: 1 });
    expect(await stored()).toEqual({ ...before, payloads: before.payloads + 1, jobs: before.jobs + 1 });
    const big = JSON.stringify(stormPayload(40_000, { alertname: 'NodeDown' }));
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    const body = await refused(413, '/hooks/alertmanager', big, bearer('alertmanager'));
    expect(body.code).toBe('payload_too_large');
    // The larger limit is for the hooks only: the API keeps its own.
    expect((await t.admin.post('/api/v1/incidents', { title: 'x', description: 'y'.repeat(2 * 1024 * 1024) })).status).toBe(413);
  });

  it('refuses alerts to a disabled integration', async () => {
    const id = (await t.admin.get('/api/v1/integrations')).body.items.find((i: { slug: string }) => i.slug === 'am').id;
    expect((await t.admin.patch(`/api/v1/integrations/${id}`, { isEnabled: false })).status).toBe(200);
    await refused(403, '/hooks/alertmanager', valid(), bearer('alertmanager'));
    expect((await t.admin.patch(`/api/v1/integrations/${id}`, { isEnabled: true })).status).toBe(200);
  });

  it('never answers a 5xx to mutated payloads; a refusal stores nothing; whatever is accepted is processed', async () => {
    const bases: [string, string, () => unknown][] = [
      ['/hooks/alertmanager', 'alertmanager', () => alertmanagerPayload({ groupLabels: { alertname: 'Fuzz', service: 'api' }, alerts: [{ fingerprint: 'fz01' }, { fingerprint: 'fz02', status: 'resolved' }] })],
      ['/hooks/grafana', 'grafana', () => grafanaPayload({ commonLabels: { team: 'blue' }, alerts: [{ fingerprint: 'gf01', labels: { alertname: 'T1' } }] })],
      ['/hooks/generic/gen', 'generic', () => ({ group: 'g', alerts: [{ id: 'gen-1', status: 'firing', title: 'Disk full', labels: { host: 'db1' }, startsAt: '2026-12-01T10:00:00Z' }] })],
    ];
    type Path = (string | number)[];
    const leafPaths = (v: unknown, at: Path = []): Path[] =>
      Array.isArray(v) ? [at, ...v.flatMap((x, i) => leafPaths(x, [...at, i]))] : v && typeof v === 'object' ? [at, ...Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]))] : [at];
    const mutate = (body: unknown, path: Path, value: unknown, remove: boolean) => {
      if (!path.length) return value;
      const copy = structuredClone(body) as Record<string | number, unknown>;
      let cur = copy;
      for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
      if (remove) delete cur[path.at(-1)!];
      else cur[path.at(-1)!] = value;
      return copy;
    };
    const anyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('', '0001-01-01T00:00:00Z', '2026-13-45T99:99:99Z', '+275760-09-13T00:00:00Z', 'x'.repeat(30_000), '\u0000', -1, 1e308, null, [], {}),
    );
    for (const [url, k, make] of bases) {
      const base = make();
      const paths = leafPaths(base);
      const attempt = fc.oneof(
        fc.tuple(fc.constantFrom(...paths), anyValue, fc.boolean()).map(([p, v, remove]) => ({ text: JSON.stringify(mutate(base, p, v, remove)), label: `${p.join('.')} ${remove ? 'removed' : `= ${JSON.stringify(v)?.slice(0, 80)}`}` })),
        fc.integer({ min: 0, max: JSON.stringify(base).length - 1 }).map((n) => ({ text: JSON.stringify(base).slice(0, n), label: `truncated at ${n}` })),
        fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: JSON.stringify(v), label: 'any JSON' })),
      );
      await fc.assert(
        fc.asyncProperty(attempt, async ({ text, label }) => {
          const before = await stored();
          const res = await post(url, text, bearer(k));
          const shown = `${url} [${label}] → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          expect(res.status, shown).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.type, shown).toMatch(/^application\/problem\+json/);
            expect(await stored(), shown).toEqual(before);
            return;
          }
          expect(res.status, shown).toBe(202);
          const outcome = await processAlertPayload(t.database, res.body.payloadId as string);
          expect(outcome.status, shown).toBe('processed');
        }),
        { numRuns: kind === 'postgres' ? 40 : 80 },
      );
    }
  }, 240_000);
});
