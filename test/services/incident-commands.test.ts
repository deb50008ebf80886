// The incident commands called directly, as routes, jobs and the CLI call them: the rules hold in the
// verbs themselves, whoever calls them, on every backend. Each test runs in a transaction that is
// rolled back (test/support/service-context.ts), on one database per backend.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addBusinessDays, addMinutes } from '../../src/domain/sla/sla-clock.js';
import type { Actor, MessageKind } from '../../src/domain/types.js';
import { AppError } from '../../src/services/app-error.js';
import { listIncidentCommunications } from '../../src/services/communications/read-communications.js';
import { sendCommunication } from '../../src/services/communications/send-communication.js';
import { adjustAffectedClients, assignRoles, classifyIncident } from '../../src/services/incidents/classify-incident.js';
import { addNote, changeTechState, closeIncident, documentIncident, updateDisclosures, waiveObligation } from '../../src/services/incidents/incident-commands.js';
import { getTimeline, listObligations } from '../../src/services/incidents/read-incidents.js';
import { reportIncident } from '../../src/services/incidents/report-incident.js';
import { createSlaPolicy } from '../../src/services/sla/sla-policies.js';
import { rows } from '../../src/services/sql-rows.js';
import { buildActor, buildAffectedIncidentThrough, buildCatalogThrough } from '../support/factories.js';
import { useServiceDatabase, type ServiceScope } from '../support/service-context.js';
import { testBackends } from '../support/test-database.js';

/** A page larger than any list these tests make. */
const ALL = { cursor: null, limit: 200 };

const MINUTE_MS = 60_000;
/** The tests' clock, on a whole minute; `at(m)` is m minutes later. */
const T0 = new Date(Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS);
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE_MS);
const iso = (minutes: number) => at(minutes).toISOString();

/** A tier with a SEV2 policy of its own (seeded once per database); its other severities fall back to the '*' defaults. */
const PLATINUM_SEV2 = { tier: 'platinum', severity: 'SEV2', initialNoticeMinutes: 10, updateEveryMinutes: 20, resolutionNoticeMinutes: 40, rcaBusinessDays: 2 } as const;
/** The published default for SEV1 and SEV2 (migration 0001). */
const DEFAULT_SEV1 = { initialNoticeMinutes: 15 };
const DEFAULT_SEV2 = { initialNoticeMinutes: 30, updateEveryMinutes: 60, resolutionNoticeMinutes: 120, rcaBusinessDays: 5 };

/** The verb refused with `code` (and, when given, named exactly `missing`). */
async function expectRefusal(pending: Promise<unknown>, code: string, missing?: string[], what = code): Promise<AppError> {
  const outcome = await pending.then(
    () => null,
    (err: unknown) => err,
  );
  expect(outcome, `${what}: refused`).toBeInstanceOf(AppError);
  const err = outcome as AppError;
  expect(err.code, `${what}: ${err.message}`).toBe(code);
  if (missing) expect(err.details.missing).toEqual(missing);
  return err;
}

describe.each(testBackends())('incident commands on %s', (kind) => {
  const db = useServiceDatabase(kind, async (scope) => {
    const admin = await buildActor(scope.tx, 'admin');
    await createSlaPolicy(scope.ctx(admin, T0), PLATINUM_SEV2);
  });

  /** An admin, a member, and a standard client using one component, in the test's transaction. */
  async function scene(scope: ServiceScope) {
    const { tx } = scope;
    // What the tests before wrote was rolled back: each starts from the seeded database.
    expect(await rows(tx, sql`SELECT id FROM incidents`)).toEqual([]);
    const admin = await buildActor(tx, 'admin', { name: 'Ada Admin' });
    const member = await buildActor(tx, 'member', { name: 'Mira Member' });
    const as = (actor: Actor, minutes = 0) => scope.ctx(actor, at(minutes));
    const catalog = await buildCatalogThrough(as(admin));
    return { admin, member, as, ...catalog };
  }

  const openObligations = async (ctx: Parameters<typeof listObligations>[0], id: string) => (await listObligations(ctx, id, ALL)).items.filter((o) => o.status === 'open');
  const dueAt = (obligations: { kind: string; clientId: string; dueAt: string }[], kind: MessageKind, clientId: string) =>
    obligations.find((o) => o.kind === kind && o.clientId === clientId)?.dueAt;

  it('refuses to close while the RCA is owed, and closes once it is sent', () =>
    db.rolledBack(async (scope) => {
      const { admin, member: manager, as, componentId, clientId } = await scene(scope);
      const incident = await buildAffectedIncidentThrough(as(admin), componentId);
      await assignRoles(as(admin), incident.id, { incidentManagerId: manager.userId });
      await sendCommunication(as(admin, 5), incident.id, { kind: 'initial' });
      await changeTechState(as(manager, 30), incident.id, { state: 'resolved' });
      await sendCommunication(as(admin, 35), incident.id, { kind: 'resolution' });

      await expectRefusal(closeIncident(as(manager, 40), incident.id, {}), 'open_obligations', [`rca:${clientId}`]);
      expect(await openObligations(as(manager, 40), incident.id)).toEqual([expect.objectContaining({ kind: 'rca', clientId })]);

      await sendCommunication(as(admin, 50), incident.id, { kind: 'rca', body: 'A configuration change removed the session store.' });
      const closed = await closeIncident(as(manager, 60), incident.id, {});
      expect(closed.state).toMatchObject({ stage: 'closed', closedAt: iso(60), obligations: [] });
    }));

  it('refuses an initial notice naming the missing disclosures, and records nothing of it', () =>
    db.rolledBack(async (scope) => {
      const { admin, as, componentId, clientId } = await scene(scope);
      const incident = await buildAffectedIncidentThrough(as(admin), componentId, { isDisclosed: false });
      await updateDisclosures(as(admin), incident.id, { impactSummary: 'Logins fail for about half of the users.', dataLoss: { level: 'none', details: null } });

      const refused = await expectRefusal(sendCommunication(as(admin, 1), incident.id, { kind: 'initial' }), 'missing_disclosures', ['dataExposure', 'nextUpdateAt']);
      expect(refused.message).toContain('dataExposure');
      expect((await listIncidentCommunications(as(admin, 1), incident.id, ALL)).items).toEqual([]);
      expect(await openObligations(as(admin, 1), incident.id)).toEqual([expect.objectContaining({ kind: 'initial', clientId, metByCommunicationId: null })]);
    }));

  it('lets a client user report for their own organisation, but neither they nor a viewer may change an incident', () =>
    db.rolledBack(async (scope) => {
      const { admin, as, componentId, clientId } = await scene(scope);
      const other = await buildCatalogThrough(as(admin));
      const clientUser = await buildActor(scope.tx, 'client', { clientId });
      const viewer = await buildActor(scope.tx, 'viewer');
      const incident = await buildAffectedIncidentThrough(as(admin), componentId);
      const obligationId = incident.state.obligations[0]!.id;

      for (const actor of [clientUser, viewer]) {
        const ctx = as(actor, 1);
        const attempts: Record<string, () => Promise<unknown>> = {
          classify: () => classifyIncident(ctx, incident.id, { severity: 'SEV4', impacts: [], isClientAffected: false, reason: 'Not us.' }),
          adjustClients: () => adjustAffectedClients(ctx, incident.id, { removeClientIds: [clientId] }),
          setState: () => changeTechState(ctx, incident.id, { state: 'identified' }),
          disclosures: () => updateDisclosures(ctx, incident.id, { impactSummary: 'Nothing happened.' }),
          roles: () => assignRoles(ctx, incident.id, { incidentManagerId: actor.userId }),
          send: () => sendCommunication(ctx, incident.id, { kind: 'initial' }),
          waive: () => waiveObligation(ctx, incident.id, obligationId, 'No need.'),
          document: () => documentIncident(ctx, incident.id, 'Nothing to see.'),
          note: () => addNote(ctx, incident.id, 'Hello from outside.'),
          close: () => closeIncident(ctx, incident.id, { waiveReason: 'Done.' }),
        };
        for (const [name, attempt] of Object.entries(attempts)) await expectRefusal(attempt(), 'forbidden', undefined, `${actor.role}: ${name}`);
      }
      const timeline = await getTimeline(as(admin, 2), incident.id, { cursor: null, limit: 200, order: 'asc' });
      expect(timeline.items.filter((e) => e.actorId === clientUser.userId || e.actorId === viewer.userId)).toEqual([]);

      // Reporting is what a client user may do: for their own organisation, never for another.
      const own = await reportIncident(as(clientUser, 3), { title: 'Our logins fail', impacts: [{ componentId, status: 'major_outage' }] });
      expect(own).toMatchObject({ reporterId: clientUser.userId, reporterClientId: clientId, state: { stage: 'reported', source: 'client' } });
      await expectRefusal(reportIncident(as(clientUser, 3), { title: 'Theirs', clientIds: [other.clientId] }), 'invalid_input');
    }));

  it('waives an obligation only with a written reason, given by the Incident Manager', () =>
    db.rolledBack(async (scope) => {
      const { admin, member: manager, as, componentId, clientId } = await scene(scope);
      const incident = await buildAffectedIncidentThrough(as(admin), componentId);
      await assignRoles(as(admin), incident.id, { incidentManagerId: manager.userId });
      const initial = incident.state.obligations.find((o) => o.kind === 'initial' && o.clientId === clientId)!;

      await expectRefusal(waiveObligation(as(manager, 1), incident.id, initial.id, '   '), 'reason_required', ['reason']);
      await expectRefusal(waiveObligation(as(admin, 1), incident.id, initial.id, 'The client was told by phone.'), 'not_incident_manager');
      expect(await openObligations(as(admin, 1), incident.id)).toEqual([expect.objectContaining({ id: initial.id })]);

      const waived = await waiveObligation(as(manager, 2), incident.id, initial.id, 'The client was told by phone.');
      expect(waived.state.obligations.map((o) => o.id)).not.toContain(initial.id);
      const [row] = (await listObligations(as(manager, 2), incident.id, ALL)).items.filter((o) => o.id === initial.id);
      expect(row).toMatchObject({ status: 'waived', closedAt: iso(2), waiver: { by: manager.userId, reason: 'The client was told by phone.' } });
      const { items } = await getTimeline(as(admin, 3), incident.id, { cursor: null, limit: 200, order: 'asc' });
      expect(items.find((e) => e.type === 'obligation.waived')).toMatchObject({ actorId: manager.userId, data: { obligationId: initial.id, reason: 'The client was told by phone.' } });
    }));

  it('gives incident roles only to active admins and members, naming the others', () =>
    db.rolledBack(async (scope) => {
      const { admin, member, as, componentId, clientId } = await scene(scope);
      const viewer = await buildActor(scope.tx, 'viewer');
      const clientUser = await buildActor(scope.tx, 'client', { clientId });
      const incident = await buildAffectedIncidentThrough(as(admin), componentId);

      const refused = await expectRefusal(
        assignRoles(as(admin, 1), incident.id, { incidentManagerId: member.userId, communicationLeadId: viewer.userId, technicalTeamIds: [clientUser.userId, member.userId] }),
        'invalid_input',
      );
      expect(refused.details.field).toBe('roles');
      expect([...refused.details.missing!].sort()).toEqual([viewer.userId, clientUser.userId].sort());
      const assigned = await assignRoles(as(admin, 2), incident.id, { incidentManagerId: member.userId, technicalTeamIds: [member.userId, admin.userId] });
      expect(assigned.state.roles).toMatchObject({ incidentManagerId: member.userId, communicationLeadId: null, technicalTeamIds: [member.userId, admin.userId] });
    }));

  it('records on the timeline who acted, when, and what changed from what', () =>
    db.rolledBack(async (scope) => {
      const { admin, member, as, componentId, clientId } = await scene(scope);
      const incident = await buildAffectedIncidentThrough(as(admin), componentId);
      await classifyIncident(as(member, 3), incident.id, { severity: 'SEV1', impacts: [{ componentId, status: 'major_outage' }], isClientAffected: true, reason: 'Every login fails now.' });
      await assignRoles(as(member, 4), incident.id, { incidentManagerId: member.userId });
      await documentIncident(as(member, 5), incident.id, 'The session store lost its configuration.');

      const { items } = await getTimeline(as(admin, 6), incident.id, { cursor: null, limit: 200, order: 'asc' });
      expect(items[0]).toMatchObject({ type: 'incident.reported', actorId: admin.userId, actor: admin.label, at: iso(0) });
      expect(items.find((e) => e.type === 'incident.classified')).toMatchObject({
        actorId: admin.userId,
        data: { before: { severity: null, isClientAffected: null, clientIds: [] }, after: { severity: 'SEV2', isClientAffected: true, clientIds: [clientId] } },
      });
      expect(items.find((e) => e.type === 'disclosures.updated')).toMatchObject({
        actorId: admin.userId,
        data: { before: { impactSummary: null }, after: { impactSummary: 'Logins fail for about half of the users.' } },
      });
      expect(items.find((e) => e.type === 'incident.reclassified')).toMatchObject({
        actorId: member.userId,
        actor: member.label,
        at: iso(3),
        data: { before: { severity: 'SEV2' }, after: { severity: 'SEV1' }, reason: 'Every login fails now.' },
      });
      expect(items.find((e) => e.type === 'role.assigned')).toMatchObject({ actorId: member.userId, at: iso(4), data: { role: 'incidentManager', before: null, after: member.userId } });
      expect(items.find((e) => e.type === 'incident.documented')).toMatchObject({ actorId: member.userId, data: { before: null, after: 'The session store lost its configuration.' } });
    }));

  it("sets each obligation's deadline from the SLA policy of the severity and the client's tier", () =>
    db.rolledBack(async (scope) => {
      const { admin, as, componentId, clientId: standard } = await scene(scope);
      const { clientId: platinum } = await buildCatalogThrough(as(admin), { tier: 'platinum', componentId });
      const incident = await buildAffectedIncidentThrough(as(admin), componentId);
      let open = await openObligations(as(admin), incident.id);
      expect(dueAt(open, 'initial', standard)).toBe(iso(DEFAULT_SEV2.initialNoticeMinutes));
      expect(dueAt(open, 'initial', platinum)).toBe(iso(PLATINUM_SEV2.initialNoticeMinutes));

      // The next update is owed by each tier's cadence from the notice (no earlier update was promised).
      await updateDisclosures(as(admin, 4), incident.id, { nextUpdateAt: iso(180) });
      await sendCommunication(as(admin, 5), incident.id, { kind: 'initial' });
      open = await openObligations(as(admin, 5), incident.id);
      expect(dueAt(open, 'update', standard)).toBe(iso(5 + DEFAULT_SEV2.updateEveryMinutes));
      expect(dueAt(open, 'update', platinum)).toBe(iso(5 + PLATINUM_SEV2.updateEveryMinutes));

      await changeTechState(as(admin, 30), incident.id, { state: 'resolved' });
      open = await openObligations(as(admin, 30), incident.id);
      expect(dueAt(open, 'resolution', standard)).toBe(iso(30 + DEFAULT_SEV2.resolutionNoticeMinutes));
      expect(dueAt(open, 'resolution', platinum)).toBe(iso(30 + PLATINUM_SEV2.resolutionNoticeMinutes));

      await sendCommunication(as(admin, 35), incident.id, { kind: 'resolution' });
      open = await openObligations(as(admin, 35), incident.id);
      expect(dueAt(open, 'rca', standard)).toBe(addBusinessDays(iso(30), DEFAULT_SEV2.rcaBusinessDays));
      expect(dueAt(open, 'rca', platinum)).toBe(addBusinessDays(iso(30), PLATINUM_SEV2.rcaBusinessDays));

      // A severity the tier has no policy of its own for falls back to the default policy.
      const sev1 = await buildAffectedIncidentThrough(as(admin, 40), componentId, { severity: 'SEV1' });
      open = await openObligations(as(admin, 40), sev1.id);
      expect(dueAt(open, 'initial', standard)).toBe(addMinutes(iso(40), DEFAULT_SEV1.initialNoticeMinutes));
      expect(dueAt(open, 'initial', platinum)).toBe(addMinutes(iso(40), DEFAULT_SEV1.initialNoticeMinutes));
    }));
});
