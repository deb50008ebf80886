// The incident flow of DESIGN.md §1 driven through the HTTP API, on every backend: the internal-only
// path, the client path from report to RCA, and the refusals that keep both honest.
import { formatDateTime } from '../src/templates/dates.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAffectedIncident, buildClient, buildComponent, buildIncident, fullDisclosures } from './support/factories.js';
import { recipientsOf } from './support/recipients.js';
import { createTestApp, type Caller, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';
import { expectProblem, expectStatus } from './support/http-assertions.js';
import { obligationsOf, timelineOf } from './support/incident-reads.js';

const MINUTE_MS = 60_000;


/** Asserts that `expected` occurs in `actual` in this order, other items allowed between. */
function expectInOrder(actual: string[], expected: string[]) {
  let at = 0;
  for (const item of actual) if (item === expected[at]) at++;
  expect(at, `expected in order ${JSON.stringify(expected)} within ${JSON.stringify(actual)}`).toBe(expected.length);
}

const url = (id: string, path = '') => `/api/v1/incidents/${id}${path}`;
const send = (caller: Caller, id: string, body: Record<string, unknown>) => caller.post(url(id, '/communications'), body);

/** An earlier incident of the clients using `componentId`, run to the end: notices, RCA, closed. */
async function buildClosedIncidentWithRca(admin: Caller, componentId: string) {
  const incident = await buildAffectedIncident(admin, componentId);
  await expectStatus(send(admin, incident.id, { kind: 'initial' }), 201);
  await expectStatus(admin.post(url(incident.id, '/state'), { state: 'resolved' }), 200);
  await expectStatus(send(admin, incident.id, { kind: 'resolution' }), 201);
  const rca = await expectStatus(send(admin, incident.id, { kind: 'rca', body: 'A configuration change removed the session store.' }), 201);
  const closed = await expectStatus(admin.post(url(incident.id, '/close'), {}), 200);
  expect(closed.body.stage).toBe('closed');
  return { ...incident, rcaId: rca.body.communication.id as string };
}

describe.each(testBackends())('incident flow on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it('documents and closes an incident that affects no client, with every step on the timeline', async () => {
    const member = await t.user('member', { name: 'Mira Member' });
    const component = await buildComponent(t.admin);
    const incident = await buildIncident(member, { impacts: [{ componentId: component.id, status: 'degraded_performance' }] });
    expect(incident.stage).toBe('reported');

    const classified = await expectStatus(
      member.post(url(incident.id, '/classification'), {
        severity: 'SEV3',
        impacts: [{ componentId: component.id, status: 'degraded_performance' }],
        isClientAffected: false,
        reason: 'Only the internal batch queue was slow; no client-facing request failed.',
      }),
      200,
    );
    expect(classified.body.stage).toBe('internal');
    expect(classified.body.decision).toEqual({
      isClientAffected: false,
      by: member.userId,
      at: classified.body.classifiedAt,
      reason: 'Only the internal batch queue was slow; no client-facing request failed.',
    });
    expect(classified.body.affectedClients).toEqual([]);
    expect(classified.body.obligations).toEqual([]);

    const refused = await expectProblem(member.post(url(incident.id, '/close'), {}), { status: 422, code: 'internal_summary_required' });
    expect(refused.missing).toEqual(['internalSummary']);

    const documented = await expectStatus(member.post(url(incident.id, '/internal-summary'), { summary: 'Queue worker ran out of memory; raised its limit.' }), 200);
    expect(documented.body.internalSummary).toBe('Queue worker ran out of memory; raised its limit.');

    const closed = await expectStatus(member.post(url(incident.id, '/close'), {}), 200);
    expect(closed.body).toMatchObject({ stage: 'closed', techState: 'resolved' });
    expect(closed.body.closedAt).toEqual(expect.any(String));

    const timeline = await expectStatus(member.get(url(incident.id, '/timeline?order=asc')), 200);
    const events = timeline.body.items as { seq: number; at: string; actorId: string; actor: string; type: string; data: any }[];
    expect(events.map((e) => e.type)).toEqual(['incident.reported', 'incident.classified', 'incident.documented', 'state.changed', 'incident.closed']);
    for (const e of events) {
      expect(e.actorId).toBe(member.userId);
      expect(e.actor).toContain('Mira Member');
    }
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
    expect(events[1]!.data).toMatchObject({ reason: 'Only the internal batch queue was slow; no client-facing request failed.', after: { isClientAffected: false, severity: 'SEV3' } });

    const outbox = await expectStatus(member.get(`/api/v1/outbox?incidentId=${incident.id}`), 200);
    expect(outbox.body.items).toEqual([]);
    const communications = await expectStatus(member.get(url(incident.id, '/communications')), 200);
    expect(communications.body.items).toEqual([]);
  });

  it('takes an incident affecting two clients from report through notices, updates and RCA to closed', async () => {
    const { admin } = t;
    const manager = await t.user('member', { name: 'Ines Manager' });
    const commsLead = await t.user('member', { name: 'Carl Comms' });
    const component = await buildComponent(admin, `Login service ${randomUUID().slice(0, 8)}`);
    const clientA = await buildClient(admin, {
      name: 'Acme Corp',
      componentIds: [component.id],
      contacts: [
        { name: 'Ann Acme', email: `ann-${randomUUID()}@acme.example` },
        { name: 'Bob Acme', email: `bob-${randomUUID()}@acme.example` },
      ],
    });
    const clientB = await buildClient(admin, { name: 'Beta Ltd', componentIds: [component.id], contacts: [{ name: 'Bea Beta', email: `bea-${randomUUID()}@beta.example` }] });
    const contacts = [...clientA.contacts, ...clientB.contacts];
    const earlier = await buildClosedIncidentWithRca(admin, component.id);

    // Report and classify.
    const incident = await buildIncident(admin, { title: 'Logins fail', impacts: [{ componentId: component.id, status: 'major_outage' }] });
    const classified = await expectStatus(
      admin.post(url(incident.id, '/classification'), {
        severity: 'SEV2',
        impacts: [{ componentId: component.id, status: 'major_outage' }],
        isClientAffected: true,
        reason: 'Both clients log in through this service.',
      }),
      200,
    );
    expect(classified.body).toMatchObject({ stage: 'active', severity: 'SEV2', decision: { isClientAffected: true, by: admin.userId } });
    expect(classified.body.affectedClients.map((c: { clientId: string }) => c.clientId).sort()).toEqual([clientA.id, clientB.id].sort());

    // The initial notice is owed to each client within 30 minutes (SEV2).
    const owed = await obligationsOf(admin, incident.id);
    expect(owed).toHaveLength(2);
    for (const ob of owed) {
      expect(ob).toMatchObject({ kind: 'initial', status: 'open' });
      expect(Date.parse(ob.dueAt) - Date.parse(classified.body.classifiedAt)).toBe(30 * MINUTE_MS);
    }
    expect(owed.map((o) => o.clientId).sort()).toEqual([clientA.id, clientB.id].sort());
    expect(classified.body.nextObligation).toMatchObject({ kind: 'initial', isOverdue: false });

    // Nothing goes out before the message states what a client is owed.
    const incomplete = await expectProblem(send(admin, incident.id, { kind: 'initial' }), { status: 422, code: 'missing_disclosures' });
    expect(incomplete.missing).toEqual(['impactSummary', 'dataLoss', 'dataExposure', 'nextUpdateAt']);
    expect(incomplete.detail).toContain('impactSummary');

    const disclosures = {
      ...fullDisclosures(),
      dataExposure: { level: 'suspected', details: 'Session tokens may have been logged.', isPersonalData: true },
    };
    const disclosed = await expectStatus(admin.post(url(incident.id, '/disclosures'), disclosures), 200);
    expect(disclosed.body.disclosureVersion).toBe(1);

    const roles = await expectStatus(admin.post(url(incident.id, '/roles'), { incidentManagerId: manager.userId, communicationLeadId: commsLead.userId }), 200);
    expect(roles.body.roles).toMatchObject({ incidentManagerId: manager.userId, communicationLeadId: commsLead.userId });

    // The initial notice: one copy per contact, stating everything, with the earlier incident and its RCA.
    const initial = await expectStatus(send(commsLead, incident.id, { kind: 'initial' }), 201);
    const initialId = initial.body.communication.id as string;
    expect(initial.body.communication.clientIds.sort()).toEqual([clientA.id, clientB.id].sort());
    const outbox = await expectStatus(admin.get(`/api/v1/outbox?incidentId=${incident.id}`), 200);
    expect(outbox.body.items).toHaveLength(3);
    expect(outbox.body.items.map((m: { to: string }) => m.to).sort()).toEqual(contacts.map((c) => c.email).sort());
    for (const contact of contacts) {
      const message = outbox.body.items.find((m: { to: string }) => m.to === contact.email);
      expect(message).toMatchObject({ communicationId: initialId, contactId: contact.id, status: 'sent', channel: 'outbox' });
      const text = message.text as string;
      expect(text).toContain(`Dear ${contact.name},`);
      expect(text).toContain(`${component.name}: down`);
      expect(text).toContain(disclosures.impactSummary);
      expect(text).toContain('Data loss: No data was lost.');
      expect(text).toContain('We cannot yet rule out that data was accessible to unauthorised third parties');
      expect(text).toContain('Session tokens may have been logged.');
      expect(text).toContain('This may involve personal data.');
      expect(text).toContain(`Next update: by ${formatDateTime(disclosures.nextUpdateAt, 'en')}`);
      expect(text).toContain(`Expected resolution: ${formatDateTime(disclosures.expectedResolutionAt, 'en')}`);
      expect(text).toContain(`${earlier.key} (`);
      expect(text).toContain(`root-cause analysis: http://herald.test/api/v1/communications/${earlier.rcaId}`);
    }
    const past = await expectStatus(admin.get(url(incident.id, `/past-occurrences?clientId=${clientB.id}`)), 200);
    expect(past.body.items).toEqual([expect.objectContaining({ incidentId: earlier.id, key: earlier.key, rcaUrl: `http://herald.test/api/v1/communications/${earlier.rcaId}` })]);

    const afterInitial = await obligationsOf(admin, incident.id);
    for (const ob of afterInitial.filter((o) => o.kind === 'initial')) expect(ob).toMatchObject({ status: 'met', metByCommunicationId: initialId, wasOnTime: true });

    // Two updates: each meets the open update obligation of every client and opens the next one.
    for (const [i, words] of ['We found the faulty release and are rolling it back.', 'The rollback is done; logins recover.'].entries()) {
      await expectStatus(admin.post(url(incident.id, '/disclosures'), { nextUpdateAt: new Date(Date.now() + (30 + i * 10) * MINUTE_MS).toISOString() }), 200);
      const due = (await obligationsOf(admin, incident.id)).filter((o) => o.kind === 'update' && o.status === 'open');
      expect(due.map((o) => o.clientId).sort()).toEqual([clientA.id, clientB.id].sort());
      const update = await expectStatus(send(commsLead, incident.id, { kind: 'update', body: words }), 201);
      const after = await obligationsOf(admin, incident.id);
      for (const ob of due) {
        expect(after.find((o) => o.id === ob.id)).toMatchObject({ status: 'met', metByCommunicationId: update.body.communication.id, wasOnTime: true });
      }
      const next = after.filter((o) => o.kind === 'update' && o.status === 'open');
      expect(next.map((o) => o.clientId).sort()).toEqual([clientA.id, clientB.id].sort());
      expect(next.some((o) => due.some((d) => d.id === o.id))).toBe(false);
      const copies = await recipientsOf(commsLead, update.body.communication.id);
      expect(copies).toHaveLength(update.body.communication.recipientCounts.total);
      expect(copies.every((r) => r.text.includes(words))).toBe(true);
    }

    // The technical track.
    for (const state of ['identified', 'monitoring', 'resolved']) {
      const moved = await expectStatus(manager.post(url(incident.id, '/state'), { state }), 200);
      expect(moved.body.techState).toBe(state);
    }

    const resolution = await expectStatus(send(commsLead, incident.id, { kind: 'resolution', body: 'Logins work again for everyone.' }), 201);
    expect(resolution.body.communication.recipientCounts.total).toBe(3);
    expect(await recipientsOf(commsLead, resolution.body.communication.id)).toHaveLength(3);

    // The RCA needs the planned remediation and the analysis itself.
    await expectStatus(admin.post(url(incident.id, '/disclosures'), { remediation: null }), 200);
    const noRca = await expectProblem(send(commsLead, incident.id, { kind: 'rca' }), { status: 422, code: 'missing_disclosures' });
    expect(noRca.missing).toEqual(['remediation', 'body']);
    await expectStatus(admin.post(url(incident.id, '/disclosures'), { remediation: 'Canary releases for the login service.' }), 200);
    const rca = await expectStatus(send(commsLead, incident.id, { kind: 'rca', body: 'A release removed the session store configuration.' }), 201);
    expect(rca.body.incident.obligations).toEqual([]);

    const closed = await expectStatus(manager.post(url(incident.id, '/close'), {}), 200);
    expect(closed.body).toMatchObject({ stage: 'closed', techState: 'resolved' });

    // Every obligation was met on time; the update owed when it was resolved was dropped, not missed.
    const obligations = await obligationsOf(admin, incident.id);
    expect(obligations.filter((o) => o.status === 'open' || o.status === 'waived')).toEqual([]);
    const met = obligations.filter((o) => o.status === 'met');
    for (const ob of met) expect(ob.wasOnTime, JSON.stringify(ob)).toBe(true);
    const metKinds = (k: string) => met.filter((o) => o.kind === k).map((o) => o.clientId).sort();
    for (const k of ['initial', 'resolution', 'rca']) expect(metKinds(k)).toEqual([clientA.id, clientB.id].sort());
    expect(metKinds('update')).toHaveLength(4);
    expect(obligations.filter((o) => o.status === 'cancelled').map((o) => o.kind)).toEqual(['update', 'update']);

    const versions = await expectStatus(admin.get(url(incident.id, '/disclosures/versions')), 200);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([5, 4, 3, 2, 1]);
    expect(versions.body.items.at(-1).disclosures).toMatchObject({ impactSummary: disclosures.impactSummary, dataExposure: disclosures.dataExposure });
    expect(versions.body.items[1].disclosures.remediation).toBeNull();
    for (const v of versions.body.items) expect(v).toMatchObject({ actorId: admin.userId, at: expect.any(String) });

    const events = await timelineOf(admin, incident.id);
    for (const e of events) expect(e.actor).toEqual(expect.any(String));
    const assigned = events.filter((e) => e.type === 'role.assigned');
    expect(assigned.map((e) => [e.data.role, e.data.after])).toEqual([
      ['incidentManager', manager.userId],
      ['communicationLead', commsLead.userId],
    ]);
    expectInOrder(
      events.map((e) => e.type),
      [
        'incident.reported',
        'incident.classified',
        'obligation.opened',
        'disclosures.updated',
        'role.assigned',
        'communication.sent',
        'obligation.met',
        'communication.sent',
        'communication.sent',
        'state.changed',
        'state.changed',
        'state.changed',
        'communication.sent',
        'communication.sent',
        'incident.closed',
      ],
    );
    const sent = events.filter((e) => e.type === 'communication.sent');
    expect(sent.map((e) => e.data.kind)).toEqual(['initial', 'update', 'update', 'resolution', 'rca']);
    expect(sent.map((e) => e.actorId)).toEqual(Array(5).fill(commsLead.userId));
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', actorId: manager.userId });
  });

  it('sets deadlines with the SLA policy as it is now: an edited policy counts from the next command on', async () => {
    const component = await buildComponent(t.admin);
    await buildClient(t.admin, { name: `Policy ${randomUUID().slice(0, 8)}`, componentIds: [component.id], contacts: [{ name: 'Pat', email: 'pat@policy.example' }] });
    const policies = (await expectStatus(t.admin.get('/api/v1/sla-policies'), 200)).body.items as { id: string; tier: string; severity: string; initialNoticeMinutes: number }[];
    const sev3 = policies.find((p) => p.tier === '*' && p.severity === 'SEV3')!;
    const initialDue = async () => {
      const incident = await buildAffectedIncident(t.admin, component.id, 'SEV3');
      const initial = (await obligationsOf(t.admin, incident.id)).find((o) => o.kind === 'initial')!;
      return Date.parse(initial.dueAt) - Date.parse(initial.createdAt);
    };
    expect(await initialDue()).toBe(sev3.initialNoticeMinutes * MINUTE_MS);
    await expectStatus(t.admin.patch(`/api/v1/sla-policies/${sev3.id}`, { initialNoticeMinutes: 7 }), 200);
    try {
      expect(await initialDue()).toBe(7 * MINUTE_MS);
    } finally {
      await expectStatus(t.admin.patch(`/api/v1/sla-policies/${sev3.id}`, { initialNoticeMinutes: sev3.initialNoticeMinutes }), 200);
    }
    expect(await initialDue()).toBe(sev3.initialNoticeMinutes * MINUTE_MS);
  });

  it('gives incident roles only to active admins and members, naming the others', async () => {
    const u = randomUUID().slice(0, 8);
    const client = await buildClient(t.admin, { name: `Roles ${u}` });
    const user = async (role: string, extra: Record<string, unknown> = {}) =>
      (await expectStatus(t.admin.post('/api/v1/users', { email: `${role}-${u}@roles.example`, name: `The ${role}`, role, password: 'a long password 123', ...extra }), 201)).body.id as string;
    const member = await user('member');
    const viewer = await user('viewer');
    const clientUser = await user('client', { clientId: client.id });
    const leaver = await user('admin');
    await expectStatus(t.admin.patch(`/api/v1/users/${leaver}`, { isDisabled: true }), 200);
    const nobody = randomUUID();
    const incident = await buildIncident(t.admin);
    const refused = await expectProblem(
      t.admin.post(`/api/v1/incidents/${incident.id}/roles`, { incidentManagerId: member, communicationLeadId: viewer, technicalTeamIds: [clientUser, leaver, member, nobody] }),
      { status: 400, code: 'invalid_input' },
    );
    expect(refused.field).toBe('roles');
    expect([...refused.missing!].sort()).toEqual([viewer, clientUser, leaver, nobody].sort());
    expect((await expectStatus(t.admin.get(`/api/v1/incidents/${incident.id}`), 200)).body.roles.incidentManagerId).toBeNull();
    // An id in upper case is the same id.
    const assigned = await expectStatus(t.admin.post(`/api/v1/incidents/${incident.id}/roles`, { incidentManagerId: member.toUpperCase(), technicalTeamIds: [member] }), 200);
    expect(assigned.body.roles).toMatchObject({ incidentManagerId: member, technicalTeamIds: [member] });
    // Disabled since, the same member is refused even where the assignment would change nothing.
    await expectStatus(t.admin.patch(`/api/v1/users/${member}`, { isDisabled: true }), 200);
    const again = await expectProblem(t.admin.post(`/api/v1/incidents/${incident.id}/roles`, { incidentManagerId: member }), { status: 400, code: 'invalid_input' });
    expect(again.missing).toEqual([member]);
    const refusedChange = await expectProblem(t.admin.post(`/api/v1/incidents/${incident.id}/roles`, { communicationLeadId: member }), { status: 400, code: 'invalid_input' });
    expect(refusedChange.missing).toEqual([member]);
    expect((await expectStatus(t.admin.get(`/api/v1/incidents/${incident.id}`), 200)).body.roles.communicationLeadId).toBeNull();
  });

  it("keeps each component at the worst impact of the live incidents on it, and records every change", async () => {
    const component = await buildComponent(t.admin);
    await buildClient(t.admin, { name: `Worst ${randomUUID().slice(0, 8)}`, componentIds: [component.id], contacts: [{ name: 'Wu', email: 'wu@worst.example' }] });
    const statusNow = async () => (await expectStatus(t.admin.get(`/api/v1/components/${component.id}`), 200)).body.status as string;
    const classify = (id: string, status: string) =>
      expectStatus(t.admin.post(url(id, '/classification'), { severity: 'SEV3', impacts: [{ componentId: component.id, status }], isClientAffected: true, reason: 'Clients see it.' }), 200);
    const resolve = async (id: string) => {
      for (const state of ['identified', 'monitoring', 'resolved']) await expectStatus(t.admin.post(url(id, '/state'), { state }), 200);
    };
    expect(await statusNow()).toBe('operational');
    const a = await buildIncident(t.admin);
    await classify(a.id, 'major_outage');
    expect(await statusNow()).toBe('major_outage');
    const b = await buildIncident(t.admin);
    await classify(b.id, 'partial_outage');
    expect(await statusNow()).toBe('major_outage');
    await resolve(a.id);
    expect(await statusNow()).toBe('partial_outage');
    await classify(b.id, 'degraded_performance');
    expect(await statusNow()).toBe('degraded_performance');
    await resolve(b.id);
    expect(await statusNow()).toBe('operational');
    // Reopened with the same impact, it counts again; resolved again, it stops counting.
    await expectStatus(t.admin.post(url(b.id, '/state'), { state: 'investigating', note: 'Errors are back.' }), 200);
    expect(await statusNow()).toBe('degraded_performance');
    await resolve(b.id);
    expect(await statusNow()).toBe('operational');
    // An incident reported with its impact counts from the start.
    await buildIncident(t.admin, { impacts: [{ componentId: component.id, status: 'major_outage' }] });
    expect(await statusNow()).toBe('major_outage');
  });

  describe('refusals', () => {
    it('refuses to close while the RCA is owed; only the Incident Manager may waive it', async () => {
      const manager = await t.user('member');
      const other = await t.user('member');
      const component = await buildComponent(t.admin);
      const client = await buildClient(t.admin, { componentIds: [component.id] });
      const incident = await buildAffectedIncident(t.admin, component.id);
      await expectStatus(t.admin.post(url(incident.id, '/roles'), { incidentManagerId: manager.userId }), 200);
      await expectStatus(send(t.admin, incident.id, { kind: 'initial' }), 201);
      await expectStatus(manager.post(url(incident.id, '/state'), { state: 'resolved' }), 200);
      await expectStatus(send(t.admin, incident.id, { kind: 'resolution' }), 201);

      const open = await expectProblem(manager.post(url(incident.id, '/close'), {}), { status: 409, code: 'open_obligations' });
      expect(open.missing).toEqual([`rca:${client.id}`]);
      await expectProblem(other.post(url(incident.id, '/close'), { waiveReason: 'The client declined an RCA.' }), { status: 403, code: 'not_incident_manager' });
      expect((await expectStatus(manager.get(url(incident.id)), 200)).body.stage).toBe('active');

      const closed = await expectStatus(manager.post(url(incident.id, '/close'), { waiveReason: 'The client declined an RCA.' }), 200);
      expect(closed.body.stage).toBe('closed');
      const rca = (await obligationsOf(manager, incident.id)).find((o) => o.kind === 'rca');
      expect(rca).toMatchObject({ status: 'waived', waiver: { by: manager.userId, reason: 'The client declined an RCA.' }, wasOnTime: null });
    });

    it('refuses a notice that lacks a disclosure, naming it', async () => {
      const component = await buildComponent(t.admin);
      await buildClient(t.admin, { componentIds: [component.id] });
      const incident = await buildAffectedIncident(t.admin, component.id);
      await expectStatus(t.admin.post(url(incident.id, '/disclosures'), { dataExposure: null }), 200);
      const problem = await expectProblem(send(t.admin, incident.id, { kind: 'initial' }), { status: 422, code: 'missing_disclosures' });
      expect(problem.missing).toEqual(['dataExposure']);
      expect((await expectStatus(t.admin.get(`/api/v1/outbox?incidentId=${incident.id}`), 200)).body.items).toEqual([]);
    });

    it('refuses an update before the incident is classified', async () => {
      const incident = await buildIncident(t.admin);
      await expectProblem(send(t.admin, incident.id, { kind: 'update', body: 'Still looking.' }), { status: 409, code: 'not_classified' });
    });

    it('refuses an update before the initial notice went out', async () => {
      const component = await buildComponent(t.admin);
      const client = await buildClient(t.admin, { componentIds: [component.id] });
      const incident = await buildAffectedIncident(t.admin, component.id);
      const problem = await expectProblem(send(t.admin, incident.id, { kind: 'update', body: 'Still looking.' }), { status: 409, code: 'initial_not_sent' });
      expect(problem.missing).toEqual([client.id]);
    });

    it('refuses technical transitions out of order, to the same state, and a reopen without a note', async () => {
      const component = await buildComponent(t.admin);
      await buildClient(t.admin, { componentIds: [component.id] });
      const incident = await buildAffectedIncident(t.admin, component.id);
      await expectStatus(t.admin.post(url(incident.id, '/state'), { state: 'resolved' }), 200);

      const outOfOrder = await expectProblem(t.admin.post(url(incident.id, '/state'), { state: 'monitoring' }), { status: 409, code: 'transition_not_allowed' });
      expect(outOfOrder.missing).toEqual(['resolved->monitoring']);
      await expectProblem(t.admin.post(url(incident.id, '/state'), { state: 'resolved' }), { status: 409, code: 'already_in_state' });
      const noNote = await expectProblem(t.admin.post(url(incident.id, '/state'), { state: 'investigating' }), { status: 422, code: 'reason_required' });
      expect(noNote.missing).toEqual(['note']);

      const reopened = await expectStatus(t.admin.post(url(incident.id, '/state'), { state: 'investigating', note: 'Errors are back.' }), 200);
      expect(reopened.body).toMatchObject({ techState: 'investigating', resolvedAt: null });
      expect(reopened.body.reopenedAt).toEqual(expect.any(String));
    });

    it("hides another client's incident from a client user, and lists only their own", async () => {
      const componentA = await buildComponent(t.admin);
      const componentB = await buildComponent(t.admin);
      const clientA = await buildClient(t.admin, { componentIds: [componentA.id] });
      const clientB = await buildClient(t.admin, { componentIds: [componentB.id] });
      const incidentA = await buildAffectedIncident(t.admin, componentA.id);
      const incidentB = await buildAffectedIncident(t.admin, componentB.id);
      const clientUser = await t.user('client', { clientId: clientA.id });

      const own = await expectStatus(clientUser.get(url(incidentA.id)), 200);
      expect(own.body).toMatchObject({ id: incidentA.id, isAffectingYou: true });
      expect(own.body).not.toHaveProperty('affectedClients');
      await expectProblem(clientUser.get(url(incidentB.id)), { status: 404, code: 'not_found' });
      await expectProblem(clientUser.get(url(incidentB.key)), { status: 404, code: 'not_found' });
      await expectProblem(clientUser.get(url(incidentB.id, '/communications')), { status: 404, code: 'not_found' });
      const noticeB = await expectStatus(send(t.admin, incidentB.id, { kind: 'initial' }), 201);
      await expectProblem(clientUser.get(`/api/v1/communications/${noticeB.body.communication.id}`), { status: 404, code: 'not_found' });
      await expectProblem(clientUser.get('/api/v1/outbox'), { status: 403, code: 'forbidden' });

      const reported = await expectStatus(clientUser.post('/api/v1/incidents', { title: 'We cannot log in' }), 201);
      const listed = await expectStatus(clientUser.get('/api/v1/incidents?limit=200'), 200);
      expect(listed.body.items.map((i: { id: string }) => i.id).sort()).toEqual([incidentA.id, reported.body.id].sort());
      expect(listed.body.nextCursor).toBeNull();
      const filtered = await expectStatus(clientUser.get(`/api/v1/incidents?clientId=${clientB.id}`), 200);
      expect(filtered.body.items).toEqual([]);
    });

    it('lets a viewer read but not write', async () => {
      const viewer = await t.user('viewer');
      const incident = await buildIncident(t.admin);
      await expectStatus(viewer.get(url(incident.id)), 200);
      await expectProblem(viewer.post('/api/v1/incidents', { title: 'Viewer report' }), { status: 403, code: 'forbidden' });
      await expectProblem(viewer.post(url(incident.id, '/notes'), { text: 'A viewer note' }), { status: 403, code: 'forbidden' });
      await expectProblem(
        viewer.post(url(incident.id, '/classification'), { severity: 'SEV4', impacts: [], isClientAffected: false, reason: 'Looks harmless.' }),
        { status: 403, code: 'forbidden' },
      );
      expect((await expectStatus(viewer.get(url(incident.id)), 200)).body.stage).toBe('reported');
    });

    it('refuses a client message from anyone but the Communication Lead or Incident Manager once a lead is assigned', async () => {
      const lead = await t.user('member');
      const manager = await t.user('member');
      const bystander = await t.user('member');
      const component = await buildComponent(t.admin);
      await buildClient(t.admin, { componentIds: [component.id] });
      const incident = await buildAffectedIncident(t.admin, component.id);
      await expectStatus(t.admin.post(url(incident.id, '/roles'), { communicationLeadId: lead.userId, incidentManagerId: manager.userId }), 200);

      await expectProblem(send(bystander, incident.id, { kind: 'initial' }), { status: 403, code: 'not_communication_lead' });
      await expectProblem(send(t.admin, incident.id, { kind: 'initial' }), { status: 403, code: 'not_communication_lead' });
      expect((await expectStatus(t.admin.get(`/api/v1/outbox?incidentId=${incident.id}`), 200)).body.items).toEqual([]);
      await expectStatus(send(lead, incident.id, { kind: 'initial' }), 201);
      await expectStatus(send(manager, incident.id, { kind: 'update', body: 'Rolling back.' }), 201);
    });

    it('replays a report sent again with the same Idempotency-Key, and refuses the key for a different body', async () => {
      const key = randomUUID();
      const body = { title: `Idempotent report ${key}`, description: 'Checkout is slow.' };
      const first = await expectStatus(t.admin.post('/api/v1/incidents', body, { 'idempotency-key': key }), 201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await expectStatus(t.admin.post('/api/v1/incidents', body, { 'idempotency-key': key }), 201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.key).toBe(first.body.key);

      const reused = await expectProblem(t.admin.post('/api/v1/incidents', { ...body, title: 'Something else' }, { 'idempotency-key': key }), { status: 422, code: 'idempotency_key_reused' });
      expect(reused.field).toBe('Idempotency-Key');
      const listed = await expectStatus(t.admin.get('/api/v1/incidents?limit=200'), 200);
      expect(listed.body.items.filter((i: { title: string }) => i.title === body.title)).toHaveLength(1);
    });

    it('answers 404 for an incident that does not exist', async () => {
      const missing = randomUUID();
      await expectProblem(t.admin.get(url(missing)), { status: 404, code: 'not_found' });
      await expectProblem(t.admin.get(url('INC-999999999')), { status: 404, code: 'not_found' });
      await expectProblem(t.admin.get(url(missing, '/timeline')), { status: 404, code: 'not_found' });
      await expectProblem(t.admin.post(url(missing, '/notes'), { text: 'Hello?' }), { status: 404, code: 'not_found' });
      await expectProblem(send(t.admin, missing, { kind: 'initial' }), { status: 404, code: 'not_found' });
    });

    it('logs in with a session cookie that needs the CSRF token for changes, and refuses wrong passwords', async () => {
      const password = 'correct horse battery staple';
      const email = `session-${kind}-${randomUUID()}@example.test`;
      const member = await t.user('member', { email, password });

      const login = await expectStatus(t.anonymous.post('/api/v1/auth/login', { email, password }), 200);
      const setCookie = [login.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('herald_session='));
      expect(setCookie).toBeDefined();
      expect(setCookie).toMatch(/;\s*HttpOnly/i);
      expect(setCookie).toMatch(/;\s*SameSite=(Lax|Strict)/i);
      const cookie = setCookie!.split(';')[0]!;
      const csrfToken = login.body.csrfToken as string;
      expect(csrfToken).toEqual(expect.any(String));

      const session = await expectStatus(t.anonymous.request('GET', '/api/v1/auth/session', undefined, { cookie }), 200);
      expect(session.body).toMatchObject({ via: 'session', csrfToken, user: { email } });

      const report = { title: 'Reported from a browser session' };
      await expectProblem(t.anonymous.post('/api/v1/incidents', report, { cookie }), { status: 403, code: 'csrf_failed' });
      await expectProblem(t.anonymous.post('/api/v1/incidents', report, { cookie, 'x-csrf-token': 'not-the-token' }), { status: 403, code: 'csrf_failed' });
      const made = await expectStatus(t.anonymous.post('/api/v1/incidents', report, { cookie, 'x-csrf-token': csrfToken }), 201);
      expect(made.body.reporterId).toBe(member.userId);

      await expectProblem(t.anonymous.post('/api/v1/auth/login', { email, password: 'not the password' }), { status: 401, code: 'unauthenticated' });
      await expectProblem(t.anonymous.post('/api/v1/incidents', report), { status: 401, code: 'unauthenticated' });
    });
  });
});
