// Test data only (kept out of the build by tsconfig.build.json). What the lifecycle's tests share: a clock, actors, a state factory, command builders and the two
// paths of DESIGN.md §1 as ready-made states (`given`). Pure data; the tests beside the lifecycle use it.
import type { Actor, ComponentImpact, Disclosures, MessageKind, Obligation, Severity, SlaPolicy, TechState } from '../types.js';
import { decide, newIncident, type Accepted, type Command, type DecideContext, type IncidentState, type Outcome } from './lifecycle.js';

// ---------------------------------------------------------------------------------------------
// Clock, actors, ids

/** Thursday 6 March 2025, 09:00 UTC: RCA deadlines in business days cross a weekend. */
export const T0 = '2025-03-06T09:00:00.000Z';
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
export const DAY = 24 * 60;

export const IM: Actor = { userId: 'u-im', role: 'member', clientId: null, label: 'Incident Manager' };
export const CL: Actor = { userId: 'u-cl', role: 'member', clientId: null, label: 'Communication Lead' };
export const RESPONDER: Actor = { userId: 'u-tech', role: 'member', clientId: null, label: 'Responder' };
export const ADMIN: Actor = { userId: 'u-admin', role: 'admin', clientId: null, label: 'Admin' };
export const VIEWER: Actor = { userId: 'u-viewer', role: 'viewer', clientId: null, label: 'Viewer' };
export const CLIENT_USER: Actor = { userId: 'u-client', role: 'client', clientId: 'acme', label: 'Acme user' };

export const ACME = { clientId: 'acme', tier: 'standard' };
export const GLOBEX = { clientId: 'globex', tier: 'gold' };
export const INITECH = { clientId: 'initech', tier: 'standard' };
export const API_DOWN: ComponentImpact = { componentId: 'api', status: 'major_outage' };

let lastId = 0;
export const newId = () => `ob-${++lastId}`;
/** Obligation ids count from ob-1 in every test: call in beforeEach. */
export const resetIds = () => {
  lastId = 0;
};

/** No stored policies: the built-in defaults apply (SEV1 15/30 min, SEV2 30/60, SEV3 60/120, SEV4 240/none). */
export const context = (minutes: number, actor: Actor = IM, policies: readonly SlaPolicy[] = []): DecideContext => ({
  actor,
  now: at(minutes),
  policies,
  newId,
});

// ---------------------------------------------------------------------------------------------
// Factories: a state, commands, and sequences of commands

export function buildIncident(overrides: Partial<IncidentState> = {}): IncidentState {
  const { state } = newIncident({ id: 'inc-1', source: 'internal', reportedAt: T0, reporterClientId: null, impacts: [API_DOWN] });
  return {
    ...state,
    roles: { incidentManagerId: IM.userId, communicationLeadId: CL.userId, technicalTeamIds: [RESPONDER.userId] },
    ...overrides,
  };
}

export type ClientRef = { clientId: string; tier: string };

export function classifyAffected(o: { severity?: Severity; derived?: ClientRef[]; add?: ClientRef[]; remove?: string[]; reason?: string } = {}): Command {
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

export function classifyInternal(o: { severity?: Severity; reason?: string } = {}): Command {
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
export const fullDisclosures = (nextUpdateAtMinutes = 600): Partial<Disclosures> => ({
  impactSummary: 'The public API answers 503.',
  dataLoss: { level: 'none', details: null },
  dataExposure: { level: 'none', details: null, isPersonalData: false },
  nextUpdateAt: at(nextUpdateAtMinutes),
});
export const REMEDIATION = 'Load-balancer changes go through a staged rollout.';

export const disclose = (patch: Partial<Disclosures> = fullDisclosures()): Command => ({ type: 'updateDisclosures', patch });
export const send = (kind: MessageKind, o: { to?: string[] | null; body?: string | null; id?: string } = {}): Command => ({
  type: 'sendMessage',
  kind,
  clientIds: o.to ?? null,
  body: 'body' in o ? (o.body ?? null) : kind === 'rca' ? '# Root cause\nA bad load-balancer rule.' : null,
  communicationId: o.id ?? `comm-${kind}`,
});
export const moveTo = (to: TechState, note: string | null = null): Command => ({ type: 'setTechState', to, note });
export const reopen = (note: string | null = 'Errors are back'): Command => moveTo('investigating', note);
export const waive = (obligationId: string, reason = 'The client was told by phone'): Command => ({ type: 'waiveObligation', obligationId, reason });
export const close = (waiveReason: string | null = null): Command => ({ type: 'close', waiveReason });
export const documentIt = (summary = 'Staging only; no client could see it.'): Command => ({ type: 'document', summary });
export const addNote = (text = 'Looking at the load balancer'): Command => ({ type: 'addNote', text });
export const publishIt = (o: { title?: string | null; body?: string; state?: TechState | null; id?: string } = {}): Command => ({
  type: 'publish',
  publicUpdateId: o.id ?? 'pub-1',
  title: o.title === undefined ? 'API errors' : o.title,
  body: o.body ?? 'Some requests to the API fail; we are on it.',
  state: o.state ?? null,
});
export const unpublish = (reason = 'Published by mistake'): Command => ({ type: 'unpublish', reason });
export const adjust = (addClients: ClientRef[], removeClientIds: string[] = []): Command => ({ type: 'adjustClients', addClients, removeClientIds });

export function accepted(outcome: Outcome): Accepted {
  if (!outcome.ok) throw new Error(`expected the command to be accepted, got ${outcome.code}: ${outcome.message}`);
  return outcome;
}

export interface Step {
  at: number;
  by?: Actor;
  command: Command;
}

/** Applies commands in order; every one must be accepted. */
export function play(start: IncidentState, steps: Step[], policies: readonly SlaPolicy[] = []): IncidentState {
  return steps.reduce((state, s) => accepted(decide(state, s.command, context(s.at, s.by ?? IM, policies))).state, start);
}

export const brief = (obs: readonly Obligation[]) => obs.map((o) => ({ id: o.id, kind: o.kind, clientId: o.clientId, status: o.status, dueAt: o.dueAt }));
export const types = (outcome: Accepted) => outcome.events.map((e) => e.type);

/** The two paths of DESIGN.md §1, step by step (SEV1, one client, Acme, on the built-in defaults). */
export const given = {
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
  /** Published to the public status page by the Communication Lead at T0+12. */
  published: () => play(given.initialSent(), [{ at: 12, by: CL, command: publishIt() }]),
  /** Two clients, Acme and Globex, each owed an initial notice by T0+15 (ob-1, ob-2). */
  twoClients: () => play(buildIncident(), [{ at: 0, command: classifyAffected({ derived: [ACME, GLOBEX] }) }]),
  unmanaged: (state: IncidentState): IncidentState => ({ ...state, roles: { incidentManagerId: null, communicationLeadId: null, technicalTeamIds: [] } }),
};
