import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/test-app.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { testBackends } from './support/test-database.js';

describe.each(testBackends())('smoke on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());
  it('runs the affected flow to the initial notice', async () => {
    const comp = await buildComponent(t.admin);
    await buildClient(t.admin, { componentIds: [comp.id] });
    const inc = await buildAffectedIncident(t.admin, comp.id);
    const sent = await t.admin.post(`/api/v1/incidents/${inc.id}/communications`, { kind: 'initial' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const outbox = await t.admin.get('/api/v1/outbox');
    expect(outbox.body.items.length).toBe(1);
  });

  it('sends the security headers with every kind of response', async () => {
    const answers = [
      await t.admin.get('/api/v1/components'),
      await t.admin.post('/api/v1/components', { name: '' }),
      await t.anonymous.get('/api/v1/incidents'),
      await t.admin.get('/api/v1/no-such-route'),
      await t.anonymous.get('/console/no/such/page'),
      await t.anonymous.get('/healthz'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 401, 404, 200, 200]);
    for (const a of answers) {
      expect(a.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(a.headers['referrer-policy']).toBe('no-referrer');
      expect(a.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(a.headers['cross-origin-resource-policy']).toBe('same-origin');
    }
  });
});
