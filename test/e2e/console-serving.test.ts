// How the server hands out the built console: the page for every console path, hashed assets cached
// for good, compressed copies when the browser takes them, and the server's own paths left alone.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleDir } from '../../src/http/console-page.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('serving the console', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t?.close());

  it('answers / and any console path with index.html, never cached', async () => {
    for (const url of ['/', '/incidents/INC-7', '/users?x=1']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets with a year-long immutable cache, brotli when accepted', async () => {
    const script = readdirSync(`${defaultConsoleDir()}/assets`).find((f) => f.endsWith('.js'))!;
    const plain = await t.app.inject({ url: `/assets/${script}` });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const br = await t.app.inject({ url: `/assets/${script}`, headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length);
  });

  it('keeps problem+json 404s for unknown API, hook and asset paths', async () => {
    for (const url of ['/api/v1/nothing-here', '/hooks/nothing', '/assets/missing-123.js']) {
      const res = await t.app.inject({ url, headers: { authorization: `Bearer ${t.admin.token}` } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const docs = await t.app.inject({ url: '/api/openapi.json' });
    expect(docs.statusCode).toBe(200);
  });
});
