// SSRF end to end, on an installation that keeps the private-address rule: a client's endpoint whose
// name points inside is refused when staff save it; a status-page webhook and a client endpoint whose
// names answer a public address when they are saved and 127.0.0.1 at delivery (DNS rebinding) both
// fail for good naming the reason, and the receiver on 127.0.0.1 gets nothing. DNS is the one thing outside this machine: a
// resolver stands in for it; the receiver, the server and the database are real.
import type { LookupAddress } from 'node:dns';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { startHttpReceiver, type HttpReceiver } from './support/http-receiver.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

describe.each(testBackends())('outgoing requests on %s', (kind) => {
  let t: TestApp;
  let receiver: HttpReceiver;
  const asked: string[] = [];
  /** rebind.herald.test and rebind-endpoint.herald.test: public to the first question, 127.0.0.1 after; inside.herald.test: 127.0.0.1. */
  const resolveHost = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    if (hostname === 'rebind.herald.test' || hostname === 'rebind-endpoint.herald.test') return [{ address: asked.filter((h) => h === hostname).length === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    if (hostname === 'inside.herald.test') return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  };

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    // As installed by default: no private targets.
    t = await createTestApp(kind, { allowsPrivateWebhookTargets: false, resolveHost, delivery: { maxAttempts: 2, retryBaseMs: 50, retryMaxMs: 100 } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('refuses a client endpoint that points inside when it is saved; a subscriber webhook and a client endpoint that rebind to 127.0.0.1 later get no connection', async () => {
    const component = await buildComponent(t.admin, `Rebound ${kind}`);
    const client = await buildClient(t.admin, { name: `Rebound client ${kind}`, componentIds: [component.id] });
    const link = new URL((await t.admin.post(`/api/v1/clients/${client.id}/status-link`, {})).body.url as string);
    const hookUrl = `http://rebind.herald.test:${receiver.port}/status-hook`;
    const signUp = await t.app.inject({ method: 'POST', url: `${link.pathname}/subscribe`, payload: { channel: 'webhook', url: hookUrl, componentIds: [], key: link.searchParams.get('key') } });
    expect(signUp.statusCode, signUp.body).toBe(202);
    // Pointing inside is refused when it is saved, by name or by address, naming the field.
    for (const url of [`http://inside.herald.test:${receiver.port}/client-hook`, `http://127.0.0.1:${receiver.port}/client-hook`, 'http://[::ffff:10.0.0.1]/hook']) {
      const refused = await t.admin.post(`/api/v1/clients/${client.id}/endpoints`, { kind: 'webhook', name: 'Inside', url });
      expect(refused.status, url).toBe(400);
      expect(refused.body).toMatchObject({ field: 'url' });
    }
    const endpoint = await t.admin.post(`/api/v1/clients/${client.id}/endpoints`, { kind: 'webhook', name: 'Rebinding', url: `http://rebind-endpoint.herald.test:${receiver.port}/client-hook` });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    // Moving a saved endpoint inside is refused the same way.
    expect((await t.admin.patch(`/api/v1/clients/${client.id}/endpoints/${endpoint.body.id as string}`, { url: `http://inside.herald.test:${receiver.port}/x` })).status).toBe(400);

    const incident = await buildAffectedIncident(t.admin, component.id);
    const sent = await t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial', body: 'Rebinding test', clientIds: [client.id] });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    let subscriberDelivery: { status: string; last_error: string | null } | undefined;
    await expect
      .poll(async () => ([subscriberDelivery] = await rows(t.database.db, sql`SELECT status, last_error FROM status_subscriber_deliveries WHERE to_address = ${hookUrl}`)) && subscriberDelivery?.status, { timeout: 15_000, interval: 100 })
      .toBe('dead');
    expect(subscriberDelivery!.last_error).toMatch(/non-public address/);
    let endpointDelivery: { status: string; last_error: string | null } | undefined;
    await expect
      .poll(async () => ([endpointDelivery] = await rows(t.database.db, sql`SELECT status, last_error FROM communication_recipients WHERE endpoint_id = ${endpoint.body.id as string}`)) && endpointDelivery?.status, { timeout: 15_000, interval: 100 })
      .toBe('dead');
    expect(endpointDelivery!.last_error).toMatch(/non-public address/);
    expect(endpointDelivery!.last_error).not.toContain('rebind-endpoint.herald.test');

    // The checks at sign-up and when the endpoint was saved saw the public answer; the connections asked again and were refused.
    expect(asked.filter((h) => h === 'rebind.herald.test').length).toBeGreaterThanOrEqual(2);
    expect(asked.filter((h) => h === 'rebind-endpoint.herald.test').length).toBeGreaterThanOrEqual(2);
    expect(receiver.requests).toHaveLength(0);
  });
});
