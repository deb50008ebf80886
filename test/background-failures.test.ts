// A timer's failure in a running Herald is not swallowed: it shows in /metrics under the task's name
// (and in the log: src/background-failures.test.ts checks the line itself).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/test-app.js';

const METRICS_TOKEN = 'metrics-token-of-the-background-failures-test';
const failuresOf = (metrics: string, task: string) => Number(new RegExp(`herald_background_failures_total\\{task="${task}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);

describe('background failures on pglite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite', { watchIntervalMs: 50, maintenanceIntervalMs: 0, metrics: { token: METRICS_TOKEN } });
  });
  afterAll(() => t?.close());

  it('counts every failed run of the SLA clock in /metrics', async () => {
    const metrics = async () => (await t.anonymous.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` })).body as string;
    expect(failuresOf(await metrics(), 'obligation-watch')).toBe(0);
    // The SLA clock's table is gone: every run of the clock now fails.
    await t.database.db.execute(sql`ALTER TABLE incident_obligations RENAME TO incident_obligations_away`);
    await expect.poll(async () => failuresOf(await metrics(), 'obligation-watch'), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    await t.database.db.execute(sql`ALTER TABLE incident_obligations_away RENAME TO incident_obligations`);
  });
});
