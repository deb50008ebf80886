// A client user's report suggests an impact but sets no component's status (issue 15, item 10): a
// component other clients share, and the status pages show, keeps its status until staff classify
// the incident. The suggestion is kept for staff, on the incident and on its timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient, buildComponent, buildIncident } from './support/factories.js';
import { expectBody, expectStatus } from './support/http-assertions.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('a client user reporting an impact', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t?.close());

  it('leaves a shared component operational until staff confirm, and shows staff the suggestion', async () => {
    const shared = await buildComponent(t.admin);
    const acme = await buildClient(t.admin, { componentIds: [shared.id] });
    await buildClient(t.admin, { componentIds: [shared.id] });
    const portal = await t.user('client', { clientId: acme.id });
    const status = async () => (await expectBody<{ status: string }>(t.admin.get(`/api/v1/components/${shared.id}`))).status;
    expect(await status()).toBe('operational');

    const reported = await buildIncident(portal, { title: 'Nothing loads', impacts: [{ componentId: shared.id, status: 'major_outage' }] });
    expect(await status()).toBe('operational');
    const publicPage = await expectBody<{ components?: { name: string; status: string }[] }>(t.anonymous.get('/status.json'));
    expect(JSON.stringify(publicPage)).not.toContain('major_outage');

    const staff = await expectBody(t.admin.get(`/api/v1/incidents/${reported.id}`));
    expect(staff.impacts).toEqual([]);
    expect(staff.suggestedImpacts).toEqual([{ componentId: shared.id, status: 'major_outage' }]);
    const timeline = await expectBody<{ items: { type: string; data: Record<string, unknown> }[] }>(t.admin.get(`/api/v1/incidents/${reported.id}/timeline`));
    expect(timeline.items.find((e) => e.type === 'incident.reported')!.data.suggestedImpacts).toEqual([{ componentId: shared.id, status: 'major_outage' }]);

    // Staff confirm a lesser impact by classifying: only now does the status change.
    await expectStatus(
      t.admin.post(`/api/v1/incidents/${reported.id}/classification`, { severity: 'SEV3', impacts: [{ componentId: shared.id, status: 'partial_outage' }], isClientAffected: true, reason: 'Checked: slow for everyone.' }),
      200,
    );
    expect(await status()).toBe('partial_outage');
  });

  it('still lets staff report an impact that sets the status at once', async () => {
    const component = await buildComponent(t.admin);
    await buildIncident(t.admin, { impacts: [{ componentId: component.id, status: 'degraded_performance' }] });
    expect((await expectBody<{ status: string }>(t.admin.get(`/api/v1/components/${component.id}`))).status).toBe('degraded_performance');
  });
});
