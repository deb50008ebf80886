// Who holds the Incident Manager role, and when a client message needs a second person: through the
// API, on every backend. Protects against a member taking the role from its holder (and then waiving
// and closing), and against dodging four-eyes approval by lowering the severity just to send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { expectProblem, expectStatus } from './support/http-assertions.js';
import { obligationsOf, timelineOf } from './support/incident-reads.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const url = (id: string, path = '') => `/api/v1/incidents/${id}${path}`;

describe.each(testBackends())('incident roles and approval on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it('refuses a member taking the Incident Manager role from its holder, who cannot then be bypassed to waive or close', async () => {
    const holder = await t.user('member', { name: 'Hana Holder' });
    const taker = await t.user('member', { name: 'Tom Taker' });
    const successor = await t.user('member', { name: 'Sue Successor' });
    const component = await buildComponent(t.admin);
    await buildClient(t.admin, { componentIds: [component.id] });
    const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');

    // Nobody holds the role: taking it stays one click.
    const taken = await expectStatus(holder.post(url(incident.id, '/roles'), { incidentManagerId: holder.userId }), 200);
    expect(taken.body.roles.incidentManagerId).toBe(holder.userId);

    // Held: another member can neither take it nor clear it.
    const refused = await expectProblem(taker.post(url(incident.id, '/roles'), { incidentManagerId: taker.userId }), { status: 403, code: 'not_incident_manager' });
    expect(refused.missing).toEqual(['incidentManagerId']);
    await expectProblem(taker.post(url(incident.id, '/roles'), { incidentManagerId: null }), { status: 403, code: 'not_incident_manager' });
    expect((await expectStatus(t.admin.get(url(incident.id)), 200)).body.roles.incidentManagerId).toBe(holder.userId);

    // So the member cannot waive what is owed or close.
    const initial = (await obligationsOf(t.admin, incident.id)).find((o) => o.kind === 'initial')!;
    await expectProblem(taker.post(url(incident.id, `/obligations/${initial.id}/waiver`), { reason: 'Not needed.' }), { status: 403, code: 'not_incident_manager' });
    await expectProblem(taker.post(url(incident.id, '/close'), { waiveReason: 'Not needed.' }), { status: 403, code: 'not_incident_manager' });

    // Other roles are still changed by any member, as before.
    await expectStatus(taker.post(url(incident.id, '/roles'), { technicalTeamIds: [taker.userId] }), 200);

    // The holder hands it over; an admin may reassign it.
    await expectStatus(holder.post(url(incident.id, '/roles'), { incidentManagerId: successor.userId }), 200);
    await expectProblem(holder.post(url(incident.id, '/roles'), { incidentManagerId: holder.userId }), { status: 403, code: 'not_incident_manager' });
    const reassigned = await expectStatus(t.admin.post(url(incident.id, '/roles'), { incidentManagerId: taker.userId }), 200);
    expect(reassigned.body.roles.incidentManagerId).toBe(taker.userId);

    const handovers = (await timelineOf(t.admin, incident.id)).filter((e) => e.type === 'role.assigned' && e.data.role === 'incidentManager');
    expect(handovers.map((e) => [e.actorId, e.data.after])).toEqual([
      [holder.userId, holder.userId],
      [holder.userId, successor.userId],
      [t.admin.userId, taker.userId],
    ]);
  });

  it('holds a message for approval by the highest severity the incident has had, not a severity lowered just to send', async () => {
    const policies = await expectStatus(t.admin.get('/api/v1/sla-policies'), 200);
    const sev1 = policies.body.items.find((p: { tier: string; severity: string }) => p.tier === '*' && p.severity === 'SEV1');
    await expectStatus(t.admin.patch(`/api/v1/sla-policies/${sev1.id}`, { requiresApproval: true }), 200);
    try {
      const component = await buildComponent(t.admin);
      await buildClient(t.admin, { componentIds: [component.id] });
      const incident = await buildAffectedIncident(t.admin, component.id, 'SEV1');
      const manager = await t.user('member');
      const lead = await t.user('member');
      await expectStatus(t.admin.post(url(incident.id, '/roles'), { incidentManagerId: manager.userId, communicationLeadId: lead.userId }), 200);

      // Lowered to a severity that needs no approval…
      const lowered = { severity: 'SEV4', impacts: [{ componentId: component.id, status: 'degraded_performance' }], isClientAffected: true, reason: 'Fewer users than feared.' };
      await expectStatus(lead.post(url(incident.id, '/classification'), lowered), 200);
      // …the message still waits for a second person, as a SEV1 message does (and the composer says so).
      const preview = await expectStatus(lead.post(url(incident.id, '/communications/preview'), { kind: 'initial' }), 200);
      expect(preview.body.requiresApproval).toBe(true);
      const held = await expectStatus(lead.post(url(incident.id, '/communications'), { kind: 'initial' }), 201);
      expect(held.body.status).toBe('pending_approval');

      expect((await expectStatus(lead.get(url(incident.id)), 200)).body).toMatchObject({ severity: 'SEV4', peakSeverity: 'SEV1' });

      // Raised again and lowered again: the highest severity is kept on the incident.
      await expectStatus(lead.post(url(incident.id, '/classification'), { ...lowered, severity: 'SEV2', reason: 'Worse again.' }), 200);
      await expectStatus(manager.post(`/api/v1/communications/${held.body.communication.id}/approval`, { isApproved: true }), 200);
      const update = await expectStatus(lead.post(url(incident.id, '/communications'), { kind: 'update', body: 'Still on it.' }), 201);
      expect(update.body.status).toBe('pending_approval');
    } finally {
      await expectStatus(t.admin.patch(`/api/v1/sla-policies/${sev1.id}`, { requiresApproval: false }), 200);
    }
  });
});
