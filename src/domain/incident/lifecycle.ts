// The one place that decides every incident transition and refusal. Pure: no I/O, no clock.
// The steps of the client track live beside it (client-decision.ts, message-steps.ts), the
// obligations in obligations.ts, the vocabulary in incident-state.ts and events.ts.
import type { Actor, ComponentImpact, Disclosures, IncidentRoles, Source, TechState } from '../types.js';
import { adjustClients, classify } from './client-decision.js';
import type { LifecycleEvent } from './events.js';
import { refuse, type Command, type DecideContext, type Handler, type IncidentState, type Outcome, type Step } from './incident-state.js';
import { close, sendMessage, waiveObligation } from './message-steps.js';
import { reconcileObligations } from './obligations.js';
import { publish, unpublish } from './publication.js';

export type { ClassificationSnapshot, DomainEvent, DomainEventType, IntakeEvent, LifecycleEvent, ServiceEvent } from './events.js';
export { findEvent } from './events.js';
export type { Accepted, Command, DecideContext, IncidentState, Outcome, Refusal, RefusalCode } from './incident-state.js';

/** Technical transitions: forward and back between the working states; out of resolved only by reopening. */
export const TECH_TRANSITIONS: Record<TechState, readonly TechState[]> = {
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating'],
};

const isWriter = (a: Actor) => a.role === 'admin' || a.role === 'member';

export function newIncident(input: {
  id: string;
  source: Source;
  reportedAt: string;
  reporterClientId: string | null;
  impacts: ComponentImpact[];
}): { state: IncidentState; events: LifecycleEvent[] } {
  const state: IncidentState = {
    id: input.id,
    stage: 'reported',
    techState: 'investigating',
    severity: null,
    peakSeverity: null,
    source: input.source,
    decision: null,
    impacts: input.impacts,
    clients: [],
    disclosures: {
      impactSummary: null,
      dataLoss: null,
      dataExposure: null,
      expectedResolutionAt: null,
      nextUpdateAt: null,
      remediation: null,
    },
    disclosureVersion: 0,
    roles: { incidentManagerId: null, communicationLeadId: null, technicalTeamIds: [] },
    obligations: [],
    internalSummary: null,
    reportedAt: input.reportedAt,
    classifiedAt: null,
    resolvedAt: null,
    reopenedAt: null,
    closedAt: null,
    publicTitle: null,
    publishedAt: null,
  };
  return { state, events: [{ type: 'incident.reported', data: { source: input.source, reporterClientId: input.reporterClientId, impacts: input.impacts } }] };
}

export function decide(incident: IncidentState, command: Command, ctx: DecideContext): Outcome {
  if (!isWriter(ctx.actor)) return refuse('forbidden', 'Only admins and members may change incidents.');
  // A closed incident still takes notes, and can be taken off the public page (a text found wrong later).
  if (incident.stage === 'closed' && command.type !== 'addNote' && command.type !== 'unpublish') {
    return refuse('incident_closed', 'The incident is closed.');
  }
  const step = STEPS[command.type] as (i: IncidentState, c: Command, x: DecideContext) => Step;
  const result = step(incident, command, ctx);
  if (!('state' in result)) return result;
  const reconciled = reconcileObligations(result.state, ctx, result.fulfilled ?? null);
  return {
    ok: true,
    state: reconciled.state,
    events: [...result.events, ...reconciled.events],
    obligationChanges: [...(result.obligationChanges ?? []), ...reconciled.changes],
  };
}

const setTechState: Handler<'setTechState'> = (incident, c, ctx) => {
  const from = incident.techState;
  if (from === c.to) return refuse('already_in_state', `The incident is already ${from}.`);
  if (!TECH_TRANSITIONS[from].includes(c.to)) {
    return refuse('transition_not_allowed', `Cannot go from ${from} to ${c.to}; a resolved incident is reopened to investigating.`, [`${from}->${c.to}`]);
  }
  if (c.to === 'resolved' && incident.stage === 'reported') {
    return refuse('not_classified', 'Classify the incident before resolving it.');
  }
  const isReopen = from === 'resolved';
  if (isReopen && !c.note?.trim()) return refuse('reason_required', 'Reopening needs a reason.', ['note']);
  const state: IncidentState = {
    ...incident,
    techState: c.to,
    resolvedAt: c.to === 'resolved' ? ctx.now : isReopen ? null : incident.resolvedAt,
    reopenedAt: isReopen ? ctx.now : incident.reopenedAt,
  };
  return { state, events: [{ type: isReopen ? 'incident.reopened' : 'state.changed', data: { from, to: c.to, note: c.note } }] };
};

const updateDisclosures: Handler<'updateDisclosures'> = (incident, c) => {
  const after: Disclosures = { ...incident.disclosures, ...c.patch };
  if (JSON.stringify(after) === JSON.stringify(incident.disclosures)) return { state: incident, events: [] };
  const version = incident.disclosureVersion + 1;
  return {
    state: { ...incident, disclosures: after, disclosureVersion: version },
    events: [{ type: 'disclosures.updated', data: { version, before: incident.disclosures, after } }],
  };
};

/** How the timeline names each role (as stored since the first event: the field without its Id). */
const ROLE_NAMES = { incidentManagerId: 'incidentManager', communicationLeadId: 'communicationLead', technicalTeamIds: 'technicalTeam' } as const;

const assignRoles: Handler<'assignRoles'> = (incident, c, ctx) => {
  // The Incident Manager closes and waives: the role is handed over by its holder or an admin, and only
  // taken freely while nobody holds it.
  const holder = incident.roles.incidentManagerId;
  const isHandover = c.patch.incidentManagerId !== undefined && c.patch.incidentManagerId !== holder && holder !== null;
  if (isHandover && ctx.actor.role !== 'admin' && ctx.actor.userId !== holder) {
    return refuse('not_incident_manager', 'Only the current Incident Manager or an admin hands the Incident Manager role over.', ['incidentManagerId']);
  }
  const roles: IncidentRoles = { ...incident.roles, ...c.patch };
  roles.technicalTeamIds = [...new Set(roles.technicalTeamIds)];
  const events: LifecycleEvent[] = [];
  for (const role of ['incidentManagerId', 'communicationLeadId', 'technicalTeamIds'] as const) {
    if (JSON.stringify(roles[role]) !== JSON.stringify(incident.roles[role])) {
      events.push({ type: 'role.assigned', data: { role: ROLE_NAMES[role], before: incident.roles[role], after: roles[role] } });
    }
  }
  return { state: { ...incident, roles }, events };
};

const documentIncident: Handler<'document'> = (incident, c) => {
  if (!c.summary.trim()) return refuse('reason_required', 'The internal summary cannot be empty.', ['summary']);
  return {
    state: { ...incident, internalSummary: c.summary },
    events: [{ type: 'incident.documented', data: { before: incident.internalSummary, after: c.summary } }],
  };
};

const addNote: Handler<'addNote'> = (incident, c) => {
  if (!c.text.trim()) return refuse('reason_required', 'A note cannot be empty.', ['text']);
  return { state: incident, events: [{ type: 'note.added', data: { text: c.text } }] };
};

const STEPS: { [K in Command['type']]: Handler<K> } = {
  classify,
  adjustClients,
  setTechState,
  updateDisclosures,
  assignRoles,
  sendMessage,
  waiveObligation,
  document: documentIncident,
  close,
  addNote,
  publish,
  unpublish,
};
