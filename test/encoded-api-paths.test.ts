// The API's login check follows the route a request reaches, not the text of its URL: a path that
// spells /api/v1 with percent-escapes (/%61pi/v1/events) or other encodings is routed to the same
// handler, so it must meet the same check — 401 without credentials, never a 500 or any data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('encoded API paths', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t?.close());

  const encodings = [
    '/%61pi/v1/events',
    '/%61pi/v1/incidents',
    '/%61%70%69/v1/incidents',
    '/%41pi/v1/incidents',
    '/api/v1/%65vents',
    '/api/%76%31/incidents',
    '/api/v1/%69ncidents?limit=5',
    '//api/v1/incidents',
    '/api//v1/incidents',
    '/api/v1//incidents',
    '/api/v1/incidents/',
    '/%61pi/v1/clients',
    '/%61pi/v1/users',
  ];

  it.each(encodings)('answers %s without credentials with a refusal or the console shell, never API data or a 500', async (url) => {
    const res = await t.app.inject({ method: 'GET', url });
    const type = String(res.headers['content-type']);
    // Paths the router does not take for the API get the console's HTML shell (no data in it).
    if (type.startsWith('text/html')) expect(res.body).not.toContain('"items"');
    else {
      expect(type).toMatch(/^application\/problem\+json/);
      expect([401, 404], `${res.statusCode} ${res.body}`).toContain(res.statusCode);
    }
  });

  it('answers the percent-encoded paths that reach an API route with 401', async () => {
    for (const url of ['/%61pi/v1/events', '/%61pi/v1/incidents', '/api/v1/%65vents', '/api/%76%31/incidents']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(401);
    }
    const post = await t.app.inject({ method: 'POST', url: '/%61pi/v1/incidents', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ title: 'x', description: 'y' }) });
    expect(post.statusCode, post.body).toBe(401);
  });

  it('still lets an API token through on an encoded path (the check is the same, not a refusal of encodings)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/%61pi/v1/incidents', headers: { authorization: `Bearer ${t.admin.token}` } });
    expect(res.statusCode, res.body).toBe(200);
  });
});
