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
});
