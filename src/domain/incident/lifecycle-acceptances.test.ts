// Every command decide accepts, as a table, and the technical transition table.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Stage, TechState } from '../types.js';
import { TECH_TRANSITIONS, decide, type Command, type IncidentState } from './lifecycle.js';
import { accepted, addNote, adjust, ADMIN, at, buildIncident, CL, classifyAffected, classifyInternal, close, context, DAY, disclose, documentIt, given, GLOBEX, IM, moveTo, play, reopen, resetIds, send, T0, types, waive } from './lifecycle-fixtures.js';

beforeEach(resetIds);

// ---------------------------------------------------------------------------------------------
// Every accepted command and stage transition

interface AcceptCase {
  name: string;
  given: () => IncidentState;
  by?: Actor;
  at: number;
  command: Command;
  stage: Stage;
  techState: TechState;
  events: string[];
}

const acceptances: AcceptCase[] = [
  { name: 'classifies as not affecting clients: reported → internal', given: given.reported, at: 0, command: classifyInternal(), stage: 'internal', techState: 'investigating', events: ['incident.classified'] },
  {
    name: 'classifies as affecting clients: reported → active, an initial notice owed',
    given: given.reported,
    at: 0,
    command: classifyAffected(),
    stage: 'active',
    techState: 'investigating',
    events: ['incident.classified', 'obligation.opened'],
  },
  {
    name: 'reclassifies an internal incident as affecting clients: internal → active',
    given: given.internal,
    at: 5,
    command: classifyAffected(),
    stage: 'active',
    techState: 'investigating',
    events: ['incident.reclassified', 'obligation.opened'],
  },
  {
    name: 'reclassifies as internal-only before any client was notified: active → internal, obligations cancelled',
    given: given.affected,
    at: 5,
    command: classifyInternal(),
    stage: 'internal',
    techState: 'investigating',
    events: ['incident.reclassified', 'obligation.cancelled'],
  },
  { name: 'adds a client, who is owed an initial notice', given: given.affected, at: 5, command: adjust([GLOBEX]), stage: 'active', techState: 'investigating', events: ['clients.adjusted', 'obligation.opened'] },
  {
    name: 'removes a client not yet notified, cancelling what it was owed',
    given: given.twoClients,
    at: 5,
    command: adjust([], ['globex']),
    stage: 'active',
    techState: 'investigating',
    events: ['clients.adjusted', 'obligation.cancelled'],
  },
  { name: 'moves between working states without touching obligations', given: given.initialSent, at: 20, command: moveTo('identified'), stage: 'active', techState: 'identified', events: ['state.changed'] },
  {
    name: 'resolves: updates stop, the resolution notice is owed',
    given: given.initialSent,
    at: 60,
    command: moveTo('resolved'),
    stage: 'active',
    techState: 'resolved',
    events: ['state.changed', 'obligation.cancelled', 'obligation.opened'],
  },
  {
    name: 'reopens a resolved incident: the resolution notice is no longer owed, updates are',
    given: given.resolved,
    at: 100,
    command: reopen(),
    stage: 'active',
    techState: 'investigating',
    events: ['incident.reopened', 'obligation.cancelled', 'obligation.opened'],
  },
  { name: 'records changed disclosures', given: given.affected, at: 5, command: disclose(), stage: 'active', techState: 'investigating', events: ['disclosures.updated'] },
  { name: 'records nothing when the disclosures do not change', given: given.disclosed, at: 6, command: disclose(), stage: 'active', techState: 'investigating', events: [] },
  {
    name: 'assigns a role',
    given: given.reported,
    at: 1,
    command: { type: 'assignRoles', patch: { communicationLeadId: 'u-other' } },
    stage: 'reported',
    techState: 'investigating',
    events: ['role.assigned'],
  },
  {
    name: 'sends the initial notice: meets it and starts the update cadence',
    given: given.disclosed,
    by: CL,
    at: 10,
    command: send('initial'),
    stage: 'active',
    techState: 'investigating',
    events: ['communication.sent', 'obligation.met', 'obligation.opened'],
  },
  {
    name: 'sends an update: meets it and owes the next one',
    given: given.initialSent,
    by: CL,
    at: 30,
    command: send('update'),
    stage: 'active',
    techState: 'investigating',
    events: ['communication.sent', 'obligation.met', 'obligation.opened'],
  },
  {
    name: 'sends the resolution notice: meets it and owes the RCA',
    given: given.resolved,
    by: CL,
    at: 90,
    command: send('resolution'),
    stage: 'active',
    techState: 'resolved',
    events: ['communication.sent', 'obligation.met', 'obligation.opened'],
  },
  { name: 'sends the RCA: nothing more is owed', given: given.remediationStated, by: CL, at: DAY, command: send('rca'), stage: 'active', techState: 'resolved', events: ['communication.sent', 'obligation.met'] },
  {
    name: 'lets the Incident Manager waive an obligation; the next one in the cadence opens',
    given: given.initialSent,
    at: 35,
    command: waive('ob-2'),
    stage: 'active',
    techState: 'investigating',
    events: ['obligation.waived', 'obligation.opened'],
  },
  { name: 'documents an internal incident', given: given.internal, at: 10, command: documentIt(), stage: 'internal', techState: 'investigating', events: ['incident.documented'] },
  {
    name: 'closes a documented internal incident, resolving it: internal → closed',
    given: given.documented,
    at: 20,
    command: close(),
    stage: 'closed',
    techState: 'resolved',
    events: ['state.changed', 'incident.closed'],
  },
  {
    name: 'closes an internal incident that is already resolved without a second state change',
    given: () => play(given.documented(), [{ at: 15, command: moveTo('resolved') }]),
    at: 20,
    command: close(),
    stage: 'closed',
    techState: 'resolved',
    events: ['incident.closed'],
  },
  { name: 'closes a client-affecting incident once every obligation is met: active → closed', given: given.rcaSent, at: 2 * DAY, command: close(), stage: 'closed', techState: 'resolved', events: ['incident.closed'] },
  {
    name: 'closes with the Incident Manager waiving what is still owed',
    given: given.resolutionSent,
    at: 2 * DAY,
    command: close('The client declined an RCA in writing'),
    stage: 'closed',
    techState: 'resolved',
    events: ['obligation.waived', 'incident.closed'],
  },
  { name: 'adds a note', given: given.initialSent, at: 20, command: addNote(), stage: 'active', techState: 'investigating', events: ['note.added'] },
  { name: 'adds a note to a closed incident', given: given.closed, at: 3 * DAY, command: addNote('Post-mortem held'), stage: 'closed', techState: 'resolved', events: ['note.added'] },
];

describe('decide: accepted commands', () => {
  it.each(acceptances)('$name', (c) => {
    const incident = c.given();
    const before = structuredClone(incident);
    const outcome = accepted(decide(incident, c.command, context(c.at, c.by ?? IM)));
    expect({ stage: outcome.state.stage, techState: outcome.state.techState, events: types(outcome) }).toEqual({
      stage: c.stage,
      techState: c.techState,
      events: c.events,
    });
    expect(incident).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Technical state transitions

const ALLOWED: Record<TechState, TechState[]> = {
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating'],
};
const STATES: TechState[] = ['investigating', 'identified', 'monitoring', 'resolved'];
const transitionCases = STATES.flatMap((from) =>
  STATES.map((to) => ({
    from,
    to,
    expected: from === to ? 'already_in_state' : ALLOWED[from].includes(to) ? (from === 'resolved' ? 'reopened' : 'changed') : 'transition_not_allowed',
  })),
);

describe('technical state transitions', () => {
  it('has exactly the published transition table', () => {
    expect(TECH_TRANSITIONS).toEqual(ALLOWED);
  });

  it.each(transitionCases)('$from → $to: $expected', ({ from, to, expected }) => {
    const incident = buildIncident({
      stage: 'internal',
      severity: 'SEV3',
      decision: { isClientAffected: false, by: IM.userId, at: T0, reason: 'staging' },
      classifiedAt: T0,
      techState: from,
      resolvedAt: from === 'resolved' ? T0 : null,
    });
    const outcome = decide(incident, moveTo(to, 'checked the dashboards'), context(30));
    if (expected === 'already_in_state' || expected === 'transition_not_allowed') {
      expect(outcome).toMatchObject({ ok: false, code: expected });
      return;
    }
    const ok = accepted(outcome);
    expect(ok.state.techState).toBe(to);
    expect(ok.events).toEqual([{ type: expected === 'reopened' ? 'incident.reopened' : 'state.changed', data: { from, to, note: 'checked the dashboards' } }]);
    expect(ok.state.resolvedAt).toBe(to === 'resolved' ? at(30) : null);
    expect(ok.state.reopenedAt).toBe(expected === 'reopened' ? at(30) : null);
  });
});

describe('decide: the Incident Manager role and the highest severity', () => {
  const assign = (incidentManagerId: string | null): Command => ({ type: 'assignRoles', patch: { incidentManagerId } });

  it.each([
    { name: 'taken by a member while nobody holds it', given: () => given.unmanaged(given.affected()), by: CL },
    { name: 'handed over by its holder', given: given.affected, by: IM },
    { name: 'reassigned by an admin', given: given.affected, by: ADMIN },
  ])('lets the Incident Manager role be $name', (c) => {
    const outcome = accepted(decide(c.given(), assign(CL.userId), context(5, c.by)));
    expect(outcome.state.roles.incidentManagerId).toBe(CL.userId);
  });

  it('keeps the highest severity the incident has had through reclassifications', () => {
    const lowered = play(given.affected(), [{ at: 5, command: classifyAffected({ severity: 'SEV4' }) }]);
    expect(lowered).toMatchObject({ severity: 'SEV4', peakSeverity: 'SEV1' });
    const raised = play(given.reported(), [
      { at: 0, command: classifyAffected({ severity: 'SEV3' }) },
      { at: 5, command: classifyAffected({ severity: 'SEV2' }) },
      { at: 10, command: classifyAffected({ severity: 'SEV4' }) },
    ]);
    expect(raised).toMatchObject({ severity: 'SEV4', peakSeverity: 'SEV2' });
  });
});
