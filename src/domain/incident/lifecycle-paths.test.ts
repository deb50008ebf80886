// The two paths of DESIGN.md §1 end to end: internal only, and the client track from initial notice to RCA.
import { beforeEach, describe, expect, it } from 'vitest';
import { decide } from './lifecycle.js';
import { accepted, ACME, adjust, at, brief, buildIncident, CL, classifyAffected, classifyInternal, close, context, DAY, disclose, documentIt, given, GLOBEX, IM, INITECH, moveTo, play, REMEDIATION, resetIds, RESPONDER, send } from './lifecycle-fixtures.js';

beforeEach(resetIds);

// ---------------------------------------------------------------------------------------------
// Path 1: not affected → document → close

describe('the internal path: not affected → document → close', () => {
  it('classifies without clients or obligations and records the decision', () => {
    const out = accepted(decide(given.reported(), classifyInternal({ reason: 'Staging only' }), context(3)));
    expect(out.state).toMatchObject({
      stage: 'internal',
      severity: 'SEV3',
      clients: [],
      obligations: [],
      classifiedAt: at(3),
      decision: { isClientAffected: false, by: IM.userId, at: at(3), reason: 'Staging only' },
    });
    expect(out.obligationChanges).toEqual([]);
  });

  it('refuses to close until documented, then closes it as resolved', () => {
    const internal = given.internal();
    expect(decide(internal, close(), context(5))).toMatchObject({ ok: false, code: 'internal_summary_required' });
    const documented = accepted(decide(internal, documentIt('Staging only.'), context(10)));
    expect(documented.state.internalSummary).toBe('Staging only.');
    expect(documented.events).toEqual([{ type: 'incident.documented', data: { before: null, after: 'Staging only.' } }]);
    const closed = accepted(decide(documented.state, close(), context(20)));
    expect(closed.state).toMatchObject({ stage: 'closed', techState: 'resolved', resolvedAt: at(20), closedAt: at(20) });
    expect(closed.events.at(-1)).toEqual({ type: 'incident.closed', data: { stage: 'internal' } });
  });

  it('keeps the original resolution time when an internal incident was resolved before closing', () => {
    const resolved = play(given.documented(), [{ at: 15, command: moveTo('resolved') }]);
    expect(accepted(decide(resolved, close(), context(20))).state).toMatchObject({ resolvedAt: at(15), closedAt: at(20) });
  });
});

// ---------------------------------------------------------------------------------------------
// Path 2: affected → initial → updates → resolved → resolution → RCA → close

describe('the client path: initial → updates → resolved → resolution → RCA → close', () => {
  it('owes the initial notice 15 minutes after a SEV1 client is added', () => {
    const out = accepted(decide(given.reported(), classifyAffected(), context(0)));
    expect(out.state.clients).toEqual([{ clientId: 'acme', tier: 'standard', source: 'derived', addedAt: at(0), sent: {}, met: {} }]);
    expect(out.obligationChanges).toEqual([
      { id: 'ob-1', kind: 'initial', clientId: 'acme', dueAt: at(15), status: 'open', createdAt: at(0), closedAt: null, metByCommunicationId: null, waiver: null },
    ]);
    expect(out.events.at(-1)).toEqual({ type: 'obligation.opened', data: { obligationId: 'ob-1', kind: 'initial', clientId: 'acme', dueAt: at(15) } });
    expect(out.state.obligations).toEqual(out.obligationChanges);
  });

  it('meets the initial notice on time and owes the first update 30 minutes after it', () => {
    const out = accepted(decide(given.disclosed(), send('initial', { id: 'comm-1' }), context(10, CL)));
    expect(out.events[0]).toEqual({ type: 'communication.sent', data: { communicationId: 'comm-1', kind: 'initial', clientIds: ['acme'] } });
    expect(out.events[1]).toEqual({ type: 'obligation.met', data: { obligationId: 'ob-1', kind: 'initial', clientId: 'acme', dueAt: at(15), isOnTime: true } });
    expect(out.obligationChanges).toEqual([
      expect.objectContaining({ id: 'ob-1', status: 'met', closedAt: at(10), metByCommunicationId: 'comm-1' }),
      expect.objectContaining({ id: 'ob-2', kind: 'update', status: 'open', dueAt: at(40), createdAt: at(10) }),
    ]);
    expect(out.state.clients[0]).toMatchObject({ sent: { initial: at(10) }, met: { initial: at(10), update: at(10) } });
  });

  it('marks a late initial notice as met but not on time', () => {
    const out = accepted(decide(given.disclosed(), send('initial'), context(20, CL)));
    expect(out.events.find((e) => e.type === 'obligation.met')?.data).toMatchObject({ obligationId: 'ob-1', isOnTime: false });
  });

  it('lets the Incident Manager send in place of the Communication Lead', () => {
    expect(decide(given.disclosed(), send('initial'), context(10, IM)).ok).toBe(true);
  });

  it('lets any member send when no Communication Lead is assigned', () => {
    const incident = { ...given.disclosed(), roles: { incidentManagerId: IM.userId, communicationLeadId: null, technicalTeamIds: [] } };
    expect(decide(incident, send('initial'), context(10, RESPONDER)).ok).toBe(true);
  });

  it('owes each update 30 minutes after the previous one', () => {
    const first = accepted(decide(given.initialSent(), send('update', { id: 'comm-u1' }), context(38, CL)));
    expect(brief(first.obligationChanges)).toEqual([
      { id: 'ob-2', kind: 'update', clientId: 'acme', status: 'met', dueAt: at(40) },
      { id: 'ob-3', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(68) },
    ]);
    const second = accepted(decide(first.state, send('update', { id: 'comm-u2' }), context(70, CL)));
    expect(brief(second.obligationChanges)).toEqual([
      { id: 'ob-3', kind: 'update', clientId: 'acme', status: 'met', dueAt: at(68) },
      { id: 'ob-4', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(100) },
    ]);
    expect(second.events.find((e) => e.type === 'obligation.met')?.data).toMatchObject({ isOnTime: false });
  });

  it('cancels the pending update and owes the resolution notice 60 minutes after resolving', () => {
    const out = accepted(decide(given.initialSent(), moveTo('resolved'), context(60)));
    expect(out.state.resolvedAt).toBe(at(60));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-2', kind: 'update', clientId: 'acme', status: 'cancelled', dueAt: at(40) },
      { id: 'ob-3', kind: 'resolution', clientId: 'acme', status: 'open', dueAt: at(120) },
    ]);
    expect(out.obligationChanges[0]).toMatchObject({ closedAt: at(60), metByCommunicationId: null });
  });

  it('owes the RCA 5 business days after resolution once the resolution notice is sent', () => {
    const out = accepted(decide(given.resolved(), send('resolution', { id: 'comm-r' }), context(90, CL)));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-3', kind: 'resolution', clientId: 'acme', status: 'met', dueAt: at(120) },
      // Resolved Thursday 6 March 10:00 UTC; five business days later is Thursday 13 March.
      { id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'open', dueAt: '2025-03-13T10:00:00.000Z' },
    ]);
  });

  it('meets the RCA and then closes with nothing owed', () => {
    const sent = accepted(decide(given.remediationStated(), send('rca', { id: 'comm-rca' }), context(DAY, CL)));
    expect(sent.obligationChanges).toEqual([expect.objectContaining({ id: 'ob-4', kind: 'rca', status: 'met', metByCommunicationId: 'comm-rca' })]);
    expect(sent.state.obligations).toEqual([]);
    const closed = accepted(decide(sent.state, close(), context(2 * DAY)));
    expect(closed.state).toMatchObject({ stage: 'closed', closedAt: at(2 * DAY) });
    expect(closed.events).toEqual([{ type: 'incident.closed', data: { stage: 'active' } }]);
    expect(closed.obligationChanges).toEqual([]);
  });

  it('opens and meets only the obligations of the clients a message went to', () => {
    const disclosed = play(given.twoClients(), [{ at: 5, command: disclose() }]);
    expect(brief(disclosed.obligations)).toEqual([
      { id: 'ob-1', kind: 'initial', clientId: 'acme', status: 'open', dueAt: at(15) },
      { id: 'ob-2', kind: 'initial', clientId: 'globex', status: 'open', dueAt: at(15) },
    ]);
    const out = accepted(decide(disclosed, send('initial', { to: ['acme'] }), context(10, CL)));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-1', kind: 'initial', clientId: 'acme', status: 'met', dueAt: at(15) },
      { id: 'ob-3', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(40) },
    ]);
    expect(out.state.obligations.map((o) => o.id)).toEqual(['ob-2', 'ob-3']);
  });

  it('owes a client added later its initial notice from the time it was added', () => {
    const out = accepted(decide(given.initialSent(), adjust([GLOBEX]), context(20)));
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-3', kind: 'initial', clientId: 'globex', status: 'open', dueAt: at(35) }]);
    expect(out.state.clients.find((c) => c.clientId === 'globex')).toMatchObject({ source: 'explicit', addedAt: at(20) });
  });

  it('keeps explicit and notified clients but drops no-longer-derived ones on reclassification', () => {
    const state = play(buildIncident(), [
      { at: 0, command: classifyAffected({ derived: [ACME, INITECH] }) },
      { at: 5, command: disclose() },
      { at: 10, by: CL, command: send('initial', { to: ['acme'] }) },
      { at: 12, command: adjust([GLOBEX]) },
    ]);
    const out = accepted(decide(state, classifyAffected({ derived: [], reason: 'Only the EU region' }), context(20)));
    expect(out.state.clients.map((c) => c.clientId).sort()).toEqual(['acme', 'globex']);
    expect(out.state.classifiedAt).toBe(at(0));
    expect(out.events[0]).toMatchObject({ type: 'incident.reclassified', data: { reason: 'Only the EU region' } });
    expect(out.obligationChanges).toContainEqual(expect.objectContaining({ kind: 'initial', clientId: 'initech', status: 'cancelled' }));
  });

  it('deduplicates the technical team and records only the roles that changed', () => {
    const out = accepted(decide(given.reported(), { type: 'assignRoles', patch: { technicalTeamIds: ['u-a', 'u-b', 'u-a'], incidentManagerId: IM.userId } }, context(1)));
    expect(out.state.roles.technicalTeamIds).toEqual(['u-a', 'u-b']);
    expect(out.events).toEqual([{ type: 'role.assigned', data: { role: 'technicalTeam', before: [RESPONDER.userId], after: ['u-a', 'u-b'] } }]);
  });

  it('versions each change of the disclosures', () => {
    const first = accepted(decide(given.affected(), disclose(), context(5)));
    expect(first.state.disclosureVersion).toBe(1);
    const second = accepted(decide(first.state, disclose({ remediation: REMEDIATION }), context(6)));
    expect(second.state.disclosureVersion).toBe(2);
    expect(second.events[0]).toMatchObject({ type: 'disclosures.updated', data: { version: 2, after: { remediation: REMEDIATION } } });
    expect(accepted(decide(second.state, disclose({ remediation: REMEDIATION }), context(7))).state.disclosureVersion).toBe(2);
  });
});
