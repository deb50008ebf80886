// /metrics is not public (issue 15, item 10): on the main listener it answers only to the bearer
// token HERALD_METRICS_TOKEN, and HERALD_METRICS_LISTEN gives it a listener of its own that serves
// nothing else. With neither, /metrics answers 404 like a route that does not exist.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const TOKEN = 'a-long-random-metrics-token-0123456789';
const get = (t: TestApp, url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('/metrics access', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('answers 404 on the main listener when no token and no separate listener are set (the default)', async () => {
    t = await createTestApp('pglite', { metrics: loadConfig({}).metrics });
    const res = await get(t, '/metrics');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).not.toContain('process_cpu');
    expect((await get(t, '/metrics', { authorization: 'Bearer anything-at-all-here' })).statusCode).toBe(404);
    expect(t.herald.metricsListener).toBeNull();
  });

  it('answers the main listener only with the bearer token when HERALD_METRICS_TOKEN is set', async () => {
    t = await createTestApp('pglite', { metrics: loadConfig({ HERALD_METRICS_TOKEN: TOKEN }).metrics });
    expect((await get(t, '/metrics')).statusCode).toBe(404);
    expect((await get(t, '/metrics', { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(404);
    expect((await get(t, '/metrics', { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).statusCode).toBe(404);
    expect((await get(t, '/metrics', { 'x-forwarded-for': '127.0.0.1' })).statusCode).toBe(404);
    const ok = await get(t, '/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('herald_http_requests_total');
  });

  it('serves /metrics, and nothing else, on the separate HERALD_METRICS_LISTEN address over real HTTP', async () => {
    t = await createTestApp('pglite', { metrics: loadConfig({ HERALD_METRICS_LISTEN: '127.0.0.1:0' }).metrics });
    const base = t.herald.metricsListener!.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total');
    for (const path of ['/healthz', '/api/v1/incidents', '/status', '/']) expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    // The main listener still keeps it to itself.
    expect((await get(t, '/metrics')).statusCode).toBe(404);
  });

  it('asks the separate listener for the token too when both are set', async () => {
    t = await createTestApp('pglite', { metrics: loadConfig({ HERALD_METRICS_LISTEN: '127.0.0.1:0', HERALD_METRICS_TOKEN: TOKEN }).metrics });
    const base = t.herald.metricsListener!.url;
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('refuses a short token or an address that is not host:port at start, naming the variable', () => {
    expect(() => loadConfig({ HERALD_METRICS_TOKEN: 'short' })).toThrow(/HERALD_METRICS_TOKEN/);
    for (const value of ['9464', 'localhost', '127.0.0.1:99999', 'http://127.0.0.1:9464']) {
      expect(() => loadConfig({ HERALD_METRICS_LISTEN: value }), value).toThrow(ConfigError);
    }
    expect(loadConfig({ HERALD_METRICS_LISTEN: '[::1]:9464' }).metrics.listen).toEqual({ host: '::1', port: 9464 });
  });
});
