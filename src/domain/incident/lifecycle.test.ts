import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ComponentImpact, Disclosures, MessageKind, Obligation, Severity, SlaPolicy, Stage, TechState } from '../types.js';
import {
  TECH_TRANSITIONS,
  decide,
  newIncident,
  type Accepted,
  type Command,
  type DecideContext,
  type IncidentState,
  type Outcome,
  type RefusalCode,
} from './lifecycle.js';

// ---------------------------------------------------------------------------------------------
// Clock, actors, ids

/** Thursday 6 March 2025, 09:00 UTC: RCA deadlines in business days cross a weekend. */
const T0 = '2025-03-06T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const DAY = 24 * 60;

const IM: Actor = { userId: 'u-im', role: 'member', clientId: null, label: 'Incident Manager' };
const CL: Actor = { userId: 'u-cl', role: 'member', clientId: null, label: 'Communication Lead' };
const RESPONDER: Actor = { userId: 'u-tech', role: 'member', clientId: null, label: 'Responder' };
const ADMIN: Actor = { userId: 'u-admin', role: 'admin', clientId: null, label: 'Admin' };
const VIEWER: Actor = { userId: 'u-viewer', role: 'viewer', clientId: null, label: 'Viewer' };
const CLIENT_USER: Actor = { userId: 'u-client', role: 'client', clientId: 'acme', label: 'Acme user' };

const ACME = { clientId: 'acme', tier: 'standard' };
const GLOBEX = { clientId: 'globex', tier: 'gold' };
const INITECH = { clientId: 'initech', tier: 'standard' };
const API_DOWN: ComponentImpact = { componentId: 'api', status: 'major_outage' };

let lastId = 0;
const newId = () => `ob-${++lastId}`;
beforeEach(() => {
  lastId = 0;
});

/** No stored policies: the built-in defaults apply (SEV1 15/30 min, SEV2 30/60, SEV3 60/120, SEV4 240/none). */
const context = (minutes: number, actor: Actor = IM, policies: readonly SlaPolicy[] = []): DecideContext => ({
  actor,
  now: at(minutes),
  policies,
  newId,
});

// ---------------------------------------------------------------------------------------------
// Factories: a state, commands, and sequences of commands

function buildIncident(overrides: Partial<IncidentState> = {}): IncidentState {
  const { state } = newIncident({ id: 'inc-1', source: 'internal', reportedAt: T0, reporterClientId: null, impacts: [API_DOWN] });
  return {
    ...state,
    roles: { incidentManagerId: IM.userId, communicationLeadId: CL.userId, technicalTeamIds: [RESPONDER.userId] },
    ...overrides,
  };
}

type ClientRef = { clientId: string; tier: string };

function classifyAffected(o: { severity?: Severity; derived?: ClientRef[]; add?: ClientRef[]; remove?: string[]; reason?: string } = {}): Command {
  return {
    type: 'classify',
    severity: o.severity ?? 'SEV1',
    impacts: [API_DOWN],
    isClientAffected: true,
    reason: o.reason ?? 'The public API is down for every client',
    derivedClients: o.derived ?? [ACME],
    addClients: o.add ?? [],
    removeClientIds: o.remove ?? [],
  };
}

function classifyInternal(o: { severity?: Severity; reason?: string } = {}): Command {
  return {
    type: 'classify',
    severity: o.severity ?? 'SEV3',
    impacts: [],
    isClientAffected: false,
    reason: o.reason ?? 'Only the staging cluster is affected',
    derivedClients: [],
    addClients: [],
    removeClientIds: [],
  };
}

/** Everything a client message must state; the next update is promised far out so the SLA cadence decides. */
const fullDisclosures = (nextUpdateAtMinutes = 600): Partial<Disclosures> => ({
  impactSummary: 'The public API answers 503.',
  dataLoss: { level: 'none', details: null },
  dataExposure: { level: 'none', details: null, isPersonalData: false },
  nextUpdateAt: at(nextUpdateAtMinutes),
});
const REMEDIATION = 'Load-balancer changes go through a staged rollout.';

const disclose = (patch: Partial<Disclosures> = fullDisclosures()): Command => ({ type: 'updateDisclosures', patch });
const send = (kind: MessageKind, o: { to?: string[] | null; body?: string | null; id?: string } = {}): Command => ({
  type: 'sendMessage',
  kind,
  clientIds: o.to ?? null,
  body: 'body' in o ? (o.body ?? null) : kind === 'rca' ? '# Root cause\nA bad load-balancer rule.' : null,
  communicationId: o.id ?? `comm-${kind}`,
});
const moveTo = (to: TechState, note: string | null = null): Command => ({ type: 'setTechState', to, note });
const reopen = (note: string | null = 'Errors are back'): Command => moveTo('investigating', note);
const waive = (obligationId: string, reason = 'The client was told by phone'): Command => ({ type: 'waiveObligation', obligationId, reason });
const close = (waiveReason: string | null = null): Command => ({ type: 'close', waiveReason });
const documentIt = (summary = 'Staging only; no client could see it.'): Command => ({ type: 'document', summary });
const addNote = (text = 'Looking at the load balancer'): Command => ({ type: 'addNote', text });
const adjust = (addClients: ClientRef[], removeClientIds: string[] = []): Command => ({ type: 'adjustClients', addClients, removeClientIds });

function accepted(outcome: Outcome): Accepted {
  if (!outcome.ok) throw new Error(`expected the command to be accepted, got ${outcome.code}: ${outcome.message}`);
  return outcome;
}

interface Step {
  at: number;
  by?: Actor;
  command: Command;
}

/** Applies commands in order; every one must be accepted. */
function play(start: IncidentState, steps: Step[], policies: readonly SlaPolicy[] = []): IncidentState {
  return steps.reduce((state, s) => accepted(decide(state, s.command, context(s.at, s.by ?? IM, policies))).state, start);
}

const brief = (obs: readonly Obligation[]) => obs.map((o) => ({ id: o.id, kind: o.kind, clientId: o.clientId, status: o.status, dueAt: o.dueAt }));
const types = (outcome: Accepted) => outcome.events.map((e) => e.type);

/** The two paths of DESIGN.md §1, step by step (SEV1, one client, Acme, on the built-in defaults). */
const given = {
  reported: () => buildIncident(),
  internal: () => play(buildIncident(), [{ at: 0, command: classifyInternal() }]),
  documented: () => play(given.internal(), [{ at: 10, command: documentIt() }]),
  /** Initial notice owed by T0+15 (ob-1). */
  affected: () => play(buildIncident(), [{ at: 0, command: classifyAffected() }]),
  disclosed: () => play(given.affected(), [{ at: 5, command: disclose() }]),
  /** Initial notice sent at T0+10: next update owed by T0+40 (ob-2). */
  initialSent: () => play(given.disclosed(), [{ at: 10, by: CL, command: send('initial') }]),
  /** Resolved at T0+60: updates stop, resolution notice owed by T0+120 (ob-3); remediation stated at T0+70. */
  resolved: () =>
    play(given.initialSent(), [
      { at: 60, command: moveTo('resolved') },
      { at: 70, command: disclose({ remediation: REMEDIATION }) },
    ]),
  /** Resolution notice sent at T0+90: RCA owed 5 business days after the resolution (ob-4). */
  resolutionSent: () => play(given.resolved(), [{ at: 90, by: CL, command: send('resolution') }]),
  remediationStated: () => play(given.resolutionSent(), [{ at: DAY, command: disclose({ remediation: REMEDIATION }) }]),
  rcaSent: () => play(given.remediationStated(), [{ at: DAY, by: CL, command: send('rca') }]),
  closed: () => play(given.rcaSent(), [{ at: 2 * DAY, command: close() }]),
  /** Two clients, Acme and Globex, each owed an initial notice by T0+15 (ob-1, ob-2). */
  twoClients: () => play(buildIncident(), [{ at: 0, command: classifyAffected({ derived: [ACME, GLOBEX] }) }]),
  unmanaged: (state: IncidentState): IncidentState => ({ ...state, roles: { incidentManagerId: null, communicationLeadId: null, technicalTeamIds: [] } }),
};

// ---------------------------------------------------------------------------------------------
// Every refusal

interface RefusalCase {
  name: string;
  given: () => IncidentState;
  by?: Actor;
  at?: number;
  command: Command;
  code: RefusalCode;
  missing?: string[];
}

const refusals: RefusalCase[] = [
  { name: 'refuses a viewer any change', given: given.initialSent, by: VIEWER, command: addNote(), code: 'forbidden' },
  { name: 'refuses a client user any change', given: given.reported, by: CLIENT_USER, command: classifyAffected(), code: 'forbidden' },
  { name: 'refuses to reopen a closed incident', given: given.closed, command: reopen(), code: 'incident_closed' },
  { name: 'refuses to reclassify a closed incident', given: given.closed, command: classifyAffected(), code: 'incident_closed' },
  { name: 'refuses to send a message on a closed incident', given: given.closed, by: CL, command: send('update'), code: 'incident_closed' },
  { name: 'refuses to close a closed incident again', given: given.closed, command: close(), code: 'incident_closed' },
  { name: 'refuses to adjust clients before classification', given: given.reported, command: adjust([GLOBEX]), code: 'not_classified' },
  { name: 'refuses to resolve before classification', given: given.reported, command: moveTo('resolved'), code: 'not_classified' },
  { name: 'refuses to write to clients before classification', given: given.reported, by: CL, command: send('initial'), code: 'not_classified' },
  { name: 'refuses to close before classification', given: given.reported, command: close(), code: 'not_classified' },
  { name: 'refuses to adjust clients of an internal-only incident', given: given.internal, command: adjust([GLOBEX]), code: 'clients_not_affected' },
  { name: 'refuses to write to clients about an internal-only incident', given: given.internal, by: CL, command: send('initial'), code: 'clients_not_affected' },
  {
    name: 'refuses to make an incident internal-only once clients were notified',
    given: given.initialSent,
    command: classifyInternal(),
    code: 'clients_already_notified',
    missing: ['acme'],
  },
  {
    name: 'refuses to drop a notified client on reclassification',
    given: given.initialSent,
    command: classifyAffected({ derived: [ACME, GLOBEX], remove: ['acme'] }),
    code: 'client_already_notified',
    missing: ['acme'],
  },
  { name: 'refuses to remove a notified client', given: given.initialSent, command: adjust([GLOBEX], ['acme']), code: 'client_already_notified', missing: ['acme'] },
  { name: 'refuses to remove a client that is not on the incident', given: given.affected, command: adjust([], ['globex']), code: 'client_not_affected', missing: ['globex'] },
  { name: 'refuses to write to a client that is not affected', given: given.disclosed, by: CL, command: send('initial', { to: ['acme', 'globex'] }), code: 'client_not_affected', missing: ['globex'] },
  {
    name: 'refuses to classify as affecting clients without naming any',
    given: given.reported,
    command: classifyAffected({ derived: [] }),
    code: 'no_affected_clients',
    missing: ['clients'],
  },
  {
    name: 'refuses a reclassification that removes every client',
    given: given.affected,
    command: classifyAffected({ remove: ['acme'] }),
    code: 'no_affected_clients',
    missing: ['clients'],
  },
  { name: 'refuses to remove the last affected client', given: given.affected, command: adjust([], ['acme']), code: 'no_affected_clients', missing: ['clients'] },
  { name: 'refuses a message addressed to nobody', given: given.disclosed, by: CL, command: send('initial', { to: [] }), code: 'no_affected_clients', missing: ['clientIds'] },
  { name: 'refuses a classification without a reason', given: given.reported, command: classifyAffected({ reason: '  ' }), code: 'reason_required', missing: ['reason'] },
  { name: 'refuses to reopen without a reason', given: given.resolved, command: reopen(null), code: 'reason_required', missing: ['note'] },
  { name: 'refuses to reopen with a blank reason', given: given.resolved, command: reopen(' \n'), code: 'reason_required', missing: ['note'] },
  { name: 'refuses a waiver without a written reason', given: given.initialSent, command: waive('ob-2', ' '), code: 'reason_required', missing: ['reason'] },
  { name: 'refuses an empty internal summary', given: given.internal, command: documentIt('  '), code: 'reason_required', missing: ['summary'] },
  { name: 'refuses an empty note', given: given.initialSent, command: addNote(''), code: 'reason_required', missing: ['text'] },
  {
    name: 'refuses to leave resolved other than by reopening to investigating',
    given: given.resolved,
    command: moveTo('monitoring', 'why not'),
    code: 'transition_not_allowed',
    missing: ['resolved->monitoring'],
  },
  { name: 'refuses to move to the state the incident is already in', given: given.reported, command: moveTo('investigating'), code: 'already_in_state' },
  {
    name: 'refuses an initial notice that states nothing, naming each missing field',
    given: given.affected,
    by: CL,
    command: send('initial'),
    code: 'missing_disclosures',
    missing: ['impactSummary', 'dataLoss', 'dataExposure', 'nextUpdateAt'],
  },
  {
    name: 'refuses an update whose promised next update is already past',
    given: given.initialSent,
    at: 601,
    by: CL,
    command: send('update'),
    code: 'missing_disclosures',
    missing: ['nextUpdateAt'],
  },
  {
    name: 'refuses a SEV4 initial notice with no timeline at all (no cadence: the expected resolution is asked)',
    given: () =>
      play(buildIncident(), [
        { at: 0, command: classifyAffected({ severity: 'SEV4' }) },
        { at: 5, command: disclose({ ...fullDisclosures(), nextUpdateAt: null }) },
      ]),
    by: CL,
    command: send('initial'),
    code: 'missing_disclosures',
    missing: ['expectedResolutionAt'],
  },
  {
    name: 'refuses an RCA without remediation or body',
    given: () => play(given.resolutionSent(), [{ at: DAY, command: disclose({ remediation: null }) }]),
    by: CL,
    command: send('rca', { body: null }),
    code: 'missing_disclosures',
    missing: ['remediation', 'body'],
  },
  { name: 'refuses a second initial notice', given: given.initialSent, by: CL, command: send('initial'), code: 'initial_already_sent', missing: ['acme'] },
  { name: 'refuses an update before the initial notice', given: given.disclosed, by: CL, command: send('update'), code: 'initial_not_sent', missing: ['acme'] },
  { name: 'refuses an update once the incident is resolved', given: given.resolved, by: CL, command: send('update'), code: 'incident_resolved' },
  { name: 'refuses a resolution notice while the incident is not resolved', given: given.initialSent, by: CL, command: send('resolution'), code: 'not_resolved' },
  { name: 'refuses an RCA while the incident is not resolved', given: given.initialSent, by: CL, command: send('rca'), code: 'not_resolved' },
  { name: 'refuses to close a client-affecting incident that is not resolved', given: given.initialSent, command: close(), code: 'not_resolved' },
  { name: 'refuses a second resolution notice', given: given.resolutionSent, by: CL, command: send('resolution'), code: 'resolution_already_sent', missing: ['acme'] },
  { name: 'refuses the RCA before the resolution notice', given: given.resolved, by: CL, command: send('rca'), code: 'resolution_not_sent', missing: ['acme'] },
  {
    name: 'refuses the RCA before the resolution notice of a reopened and re-resolved incident',
    given: () =>
      play(given.remediationStated(), [
        { at: DAY + 10, command: reopen() },
        { at: DAY + 20, command: moveTo('resolved') },
      ]),
    by: CL,
    command: send('rca'),
    code: 'resolution_not_sent',
    missing: ['acme'],
  },
  { name: 'refuses a second RCA', given: given.rcaSent, by: CL, command: send('rca'), code: 'rca_already_sent', missing: ['acme'] },
  { name: 'refuses to close while the RCA is owed', given: given.resolutionSent, command: close(), code: 'open_obligations', missing: ['rca:acme'] },
  { name: 'refuses to close while the resolution notice is owed', given: given.resolved, command: close(), code: 'open_obligations', missing: ['resolution:acme'] },
  { name: 'refuses a blank waiver reason as no waiver when closing', given: given.resolutionSent, command: close('  '), code: 'open_obligations', missing: ['rca:acme'] },
  { name: 'refuses to close an internal incident that was not documented', given: given.internal, command: close(), code: 'internal_summary_required', missing: ['internalSummary'] },
  { name: 'refuses a waiver by anyone but the Incident Manager', given: given.initialSent, by: CL, command: waive('ob-2'), code: 'not_incident_manager' },
  { name: 'refuses a waiver when no Incident Manager is assigned', given: () => given.unmanaged(given.initialSent()), by: ADMIN, command: waive('ob-2'), code: 'not_incident_manager' },
  { name: 'refuses closing by anyone but the Incident Manager', given: given.rcaSent, by: CL, command: close(), code: 'not_incident_manager' },
  {
    name: 'refuses to waive open obligations on close when no Incident Manager is assigned',
    given: () => given.unmanaged(given.resolutionSent()),
    by: ADMIN,
    command: close('The client declined an RCA'),
    code: 'not_incident_manager',
  },
  { name: 'refuses a client message from anyone but the Communication Lead or Incident Manager', given: given.disclosed, by: RESPONDER, command: send('initial'), code: 'not_communication_lead' },
  { name: 'refuses to waive an obligation that does not exist', given: given.initialSent, command: waive('nope'), code: 'obligation_not_open', missing: ['nope'] },
  { name: 'refuses to waive an obligation that was already met', given: given.initialSent, command: waive('ob-1'), code: 'obligation_not_open', missing: ['ob-1'] },
];

const EVERY_REFUSAL_CODE: Record<RefusalCode, true> = {
  forbidden: true,
  incident_closed: true,
  not_classified: true,
  clients_not_affected: true,
  clients_already_notified: true,
  client_already_notified: true,
  client_not_affected: true,
  no_affected_clients: true,
  reason_required: true,
  transition_not_allowed: true,
  already_in_state: true,
  missing_disclosures: true,
  initial_already_sent: true,
  initial_not_sent: true,
  incident_resolved: true,
  not_resolved: true,
  resolution_already_sent: true,
  resolution_not_sent: true,
  rca_already_sent: true,
  open_obligations: true,
  internal_summary_required: true,
  not_incident_manager: true,
  not_communication_lead: true,
  obligation_not_open: true,
};

describe('decide: refusals', () => {
  it.each(refusals)('$name ($code)', (c) => {
    const incident = c.given();
    const before = structuredClone(incident);
    const outcome = decide(incident, c.command, context(c.at ?? 30, c.by ?? IM));
    expect(outcome).toMatchObject({ ok: false, code: c.code });
    if (outcome.ok) return;
    expect(outcome.missing).toEqual(c.missing);
    expect(outcome.message).not.toBe('');
    expect(incident).toEqual(before);
  });

  it('covers every refusal code there is', () => {
    expect(new Set(refusals.map((r) => r.code))).toEqual(new Set(Object.keys(EVERY_REFUSAL_CODE)));
  });
});

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

// ---------------------------------------------------------------------------------------------
// SLA deadlines per severity and tier

describe('obligation deadlines from the default SLA policies', () => {
  it.each([
    { severity: 'SEV1', initial: at(15), update: at(40), resolution: at(120), rca: '2025-03-13T10:00:00.000Z' },
    { severity: 'SEV2', initial: at(30), update: at(70), resolution: at(180), rca: '2025-03-13T10:00:00.000Z' },
    { severity: 'SEV3', initial: at(60), update: at(130), resolution: at(300), rca: '2025-03-20T10:00:00.000Z' },
    { severity: 'SEV4', initial: at(240), update: null, resolution: at(540), rca: null },
  ] as const)('$severity: initial $initial, update $update, resolution $resolution, RCA $rca', (expected) => {
    const dueOf = (s: IncidentState, kind: MessageKind) => s.obligations.find((o) => o.kind === kind)?.dueAt ?? null;
    // Classified at T0, initial notice at T0+10, resolved at T0+60, resolution notice at T0+70.
    const classified = play(buildIncident(), [{ at: 0, command: classifyAffected({ severity: expected.severity }) }]);
    expect(dueOf(classified, 'initial')).toBe(expected.initial);
    const notified = play(classified, [
      { at: 5, command: disclose({ ...fullDisclosures(), remediation: REMEDIATION }) },
      { at: 10, by: CL, command: send('initial') },
    ]);
    expect(dueOf(notified, 'update')).toBe(expected.update);
    const resolved = play(notified, [{ at: 60, command: moveTo('resolved') }]);
    expect(dueOf(resolved, 'resolution')).toBe(expected.resolution);
    const resolutionSent = play(resolved, [{ at: 70, by: CL, command: send('resolution') }]);
    expect(dueOf(resolutionSent, 'rca')).toBe(expected.rca);
    expect(decide(resolutionSent, close(), context(80)).ok).toBe(expected.rca === null);
  });

  it("holds each client to its tier's policy over the '*' policy, and the built-in default where neither exists", () => {
    const policies: SlaPolicy[] = [
      { tier: '*', severity: 'SEV2', initialNoticeMinutes: 45, updateEveryMinutes: 90, resolutionNoticeMinutes: 180, rcaBusinessDays: 5 },
      { tier: 'gold', severity: 'SEV2', initialNoticeMinutes: 10, updateEveryMinutes: 20, resolutionNoticeMinutes: 30, rcaBusinessDays: 2 },
    ];
    const sev2 = accepted(decide(given.reported(), classifyAffected({ severity: 'SEV2', derived: [ACME, GLOBEX] }), context(0, IM, policies)));
    expect(brief(sev2.state.obligations)).toEqual([
      { id: 'ob-1', kind: 'initial', clientId: 'acme', status: 'open', dueAt: at(45) },
      { id: 'ob-2', kind: 'initial', clientId: 'globex', status: 'open', dueAt: at(10) },
    ]);
    const notified = play(sev2.state, [{ at: 5, command: disclose() }, { at: 8, by: CL, command: send('initial') }], policies);
    expect(brief(notified.obligations).map((o) => [o.clientId, o.kind, o.dueAt])).toEqual([
      ['acme', 'update', at(98)],
      ['globex', 'update', at(28)],
    ]);
    const sev1 = accepted(decide(given.reported(), classifyAffected({ severity: 'SEV1', derived: [GLOBEX] }), context(0, IM, policies)));
    expect(sev1.state.obligations[0]?.dueAt).toBe(at(15));
  });
});

// ---------------------------------------------------------------------------------------------
// Waivers

describe('waivers by the Incident Manager', () => {
  it('closes the obligation as waived with who and why, and opens the next update from the waiver', () => {
    const out = accepted(decide(given.initialSent(), waive('ob-2', 'Client asked to hear by phone'), context(35)));
    expect(out.obligationChanges).toEqual([
      expect.objectContaining({ id: 'ob-2', kind: 'update', status: 'waived', closedAt: at(35), waiver: { by: IM.userId, reason: 'Client asked to hear by phone' } }),
      expect.objectContaining({ id: 'ob-3', kind: 'update', status: 'open', dueAt: at(65) }),
    ]);
    expect(out.events[0]).toEqual({
      type: 'obligation.waived',
      data: { obligationId: 'ob-2', kind: 'update', clientId: 'acme', dueAt: at(40), reason: 'Client asked to hear by phone' },
    });
    expect(out.state.obligations.map((o) => o.id)).toEqual(['ob-3']);
    expect(out.state.clients[0]?.met.update).toBe(at(35));
  });

  it('treats a waived initial notice as given: updates may follow and are owed on the cadence', () => {
    const waived = accepted(decide(given.disclosed(), waive('ob-1'), context(8)));
    expect(brief(waived.state.obligations)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(38) }]);
    expect(decide(waived.state, send('update'), context(20, CL)).ok).toBe(true);
  });

  it('lets the RCA go out after the resolution notice was waived', () => {
    const waived = accepted(decide(given.resolved(), waive('ob-3', 'Client was told on the bridge call'), context(70)));
    expect(brief(waived.state.obligations)).toEqual([{ id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'open', dueAt: '2025-03-13T10:00:00.000Z' }]);
    const withRemediation = play(waived.state, [{ at: DAY, command: disclose({ remediation: REMEDIATION }) }]);
    const rca = accepted(decide(withRemediation, send('rca'), context(DAY, CL)));
    expect(brief(rca.obligationChanges)).toEqual([{ id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'met', dueAt: '2025-03-13T10:00:00.000Z' }]);
  });

  it('closes with a waiveReason by waiving every open obligation', () => {
    const state = play(buildIncident(), [
      { at: 0, command: classifyAffected({ derived: [ACME, GLOBEX] }) },
      { at: 5, command: disclose({ ...fullDisclosures(), remediation: REMEDIATION }) },
      { at: 10, by: CL, command: send('initial') },
      { at: 60, command: moveTo('resolved') },
      { at: 90, by: CL, command: send('resolution', { to: ['acme'] }) },
    ]);
    expect(state.obligations.map((o) => `${o.kind}:${o.clientId}`).sort()).toEqual(['rca:acme', 'resolution:globex']);
    const out = accepted(decide(state, close('Globex left; Acme declined the RCA'), context(120)));
    expect(out.obligationChanges).toHaveLength(2);
    for (const ob of out.obligationChanges) {
      expect(ob).toMatchObject({ status: 'waived', closedAt: at(120), waiver: { by: IM.userId, reason: 'Globex left; Acme declined the RCA' } });
    }
    expect(types(out)).toEqual(['obligation.waived', 'obligation.waived', 'incident.closed']);
    expect(out.state).toMatchObject({ stage: 'closed', closedAt: at(120), obligations: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Reopening

describe('reopening a resolved incident', () => {
  it('cancels the owed resolution notice and restarts the update cadence from the reopening', () => {
    const out = accepted(decide(given.resolved(), reopen('Errors are back'), context(100)));
    expect(out.state).toMatchObject({ techState: 'investigating', resolvedAt: null, reopenedAt: at(100) });
    expect(out.events[0]).toEqual({ type: 'incident.reopened', data: { from: 'resolved', to: 'investigating', note: 'Errors are back' } });
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-3', kind: 'resolution', clientId: 'acme', status: 'cancelled', dueAt: at(120) },
      { id: 'ob-4', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(130) },
    ]);
  });

  it('cancels the owed RCA when reopened after the resolution notice', () => {
    const out = accepted(decide(given.resolutionSent(), reopen(), context(200)));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'cancelled', dueAt: '2025-03-13T10:00:00.000Z' },
      { id: 'ob-5', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(230) },
    ]);
  });

  it('owes a new resolution notice when resolved again, and accepts it', () => {
    const reResolved = play(given.resolutionSent(), [
      { at: 200, command: reopen() },
      { at: 300, command: moveTo('resolved') },
    ]);
    expect(brief(reResolved.obligations)).toEqual([{ id: 'ob-6', kind: 'resolution', clientId: 'acme', status: 'open', dueAt: at(360) }]);
    const out = accepted(decide(reResolved, send('resolution', { id: 'comm-r2' }), context(310, CL)));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-6', kind: 'resolution', clientId: 'acme', status: 'met', dueAt: at(360) },
      { id: 'ob-7', kind: 'rca', clientId: 'acme', status: 'open', dueAt: '2025-03-13T14:00:00.000Z' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Severity changes and promises

describe('a change of severity', () => {
  it('reschedules the open initial notice from when the client was added', () => {
    const sev3 = play(buildIncident(), [{ at: 0, command: classifyAffected({ severity: 'SEV3' }) }]);
    expect(sev3.obligations[0]?.dueAt).toBe(at(60));
    const out = accepted(decide(sev3, classifyAffected({ severity: 'SEV1' }), context(5)));
    expect(out.events.at(-1)).toEqual({
      type: 'obligation.rescheduled',
      data: { obligationId: 'ob-1', kind: 'initial', clientId: 'acme', before: at(60), after: at(15) },
    });
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-1', kind: 'initial', clientId: 'acme', status: 'open', dueAt: at(15) }]);
  });

  it('reschedules the open update from the last message on the new cadence', () => {
    const out = accepted(decide(given.initialSent(), classifyAffected({ severity: 'SEV3' }), context(20)));
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(130) }]);
  });

  it('cancels the open update when the new severity has no update cadence', () => {
    const out = accepted(decide(given.initialSent(), classifyAffected({ severity: 'SEV4' }), context(20)));
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'cancelled', dueAt: at(40) }]);
    expect(out.state.obligations).toEqual([]);
  });
});

describe('a promised next update', () => {
  /** The initial notice sent at T0+10 promising the next update at `promise` (SEV1: the cadence says T0+40). */
  const promisedInInitial = (promise: string) => play(given.disclosed(), [{ at: 8, command: disclose({ nextUpdateAt: promise }) }, { at: 10, by: CL, command: send('initial') }]);

  it('pulls the update deadline in to the promise of the message sent when it is earlier than the cadence', () => {
    const state = promisedInInitial(at(25));
    expect(state.clients[0]?.promisedNextUpdateAt).toBe(at(25));
    expect(brief(state.obligations)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(25) }]);
  });

  it('does not push the deadline out when the promise is later than the cadence', () => {
    expect(promisedInInitial(at(90)).obligations[0]?.dueAt).toBe(at(40));
  });

  it('holds a promise given with a UTC offset, at its instant', () => {
    // 10:25+01:00 is 09:25Z, T0+25: earlier than the cadence's T0+40.
    expect(promisedInInitial('2025-03-06T10:25:00+01:00').obligations[0]?.dueAt).toBe(at(25));
  });

  it('does not move the deadline when the draft next-update time is edited after sending', () => {
    const state = promisedInInitial(at(25));
    for (const draft of [at(20), at(35), at(90)]) {
      const out = accepted(decide(state, disclose({ nextUpdateAt: draft }), context(15)));
      expect(out.obligationChanges, draft).toEqual([]);
      expect(out.state.obligations[0]?.dueAt).toBe(at(25));
    }
    // Nor does a draft edited before the first message: nothing was promised yet, the cadence decides.
    const edited = play(given.initialSent(), [{ at: 15, command: disclose({ nextUpdateAt: at(20) }) }]);
    expect(edited.obligations[0]?.dueAt).toBe(at(40));
  });

  it('moves the deadline with the next message and its new promise', () => {
    const state = play(promisedInInitial(at(25)), [{ at: 15, command: disclose({ nextUpdateAt: at(45) }) }]);
    const out = accepted(decide(state, send('update'), context(20, CL)));
    expect(out.state.clients[0]?.promisedNextUpdateAt).toBe(at(45));
    // The old obligation is met on time; the new one is due at the new promise (the cadence says T0+50).
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-2', kind: 'update', clientId: 'acme', status: 'met', dueAt: at(25) },
      { id: 'ob-3', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(45) },
    ]);
  });

  it('keeps each client to the promise it was given', () => {
    const both = play(given.twoClients(), [
      { at: 5, command: disclose(fullDisclosures(25)) },
      { at: 10, by: CL, command: send('initial', { to: ['acme'] }) },
      { at: 12, command: disclose({ nextUpdateAt: at(80) }) },
      { at: 14, by: CL, command: send('initial', { to: ['globex'], id: 'comm-initial-globex' }) },
    ]);
    const updates = both.obligations.filter((o) => o.kind === 'update').map((o) => [o.clientId, o.dueAt]);
    // Acme was promised T0+25; Globex was promised T0+80, later than its cadence (T0+14 + 30).
    expect(updates.sort()).toEqual([
      ['acme', at(25)],
      ['globex', at(44)],
    ]);
  });

  it('promises nothing with a resolution notice: after a reopen the cadence decides', () => {
    const state = play(given.resolved(), [
      { at: 90, by: CL, command: send('resolution') },
      { at: 100, command: reopen() },
    ]);
    expect(state.clients[0]?.promisedNextUpdateAt).toBeNull();
    expect(state.obligations.find((o) => o.kind === 'update')?.dueAt).toBe(at(130));
  });
});
