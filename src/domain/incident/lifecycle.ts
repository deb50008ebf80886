// The one place that decides every incident transition and refusal. Pure: no I/O, no clock.
import { missingDisclosures } from '../messages/message-requirements.js';
import { findPolicy } from '../sla/sla-clock.js';
import type {
  Actor,
  ComponentImpact,
  Decision,
  Disclosures,
  IncidentClient,
  IncidentRoles,
  MessageKind,
  Obligation,
  Severity,
  SlaPolicy,
  Source,
  Stage,
  TechState,
} from '../types.js';
import { reconcileObligations } from './obligations.js';

export interface IncidentState {
  id: string;
  stage: Stage;
  techState: TechState;
  severity: Severity | null;
  source: Source;
  decision: Decision | null;
  impacts: ComponentImpact[];
  clients: IncidentClient[];
  disclosures: Disclosures;
  disclosureVersion: number;
  roles: IncidentRoles;
  /** Open obligations only; closed ones live in history. */
  obligations: Obligation[];
  internalSummary: string | null;
  reportedAt: string;
  classifiedAt: string | null;
  resolvedAt: string | null;
  reopenedAt: string | null;
  closedAt: string | null;
}

export type Command =
  | {
      type: 'classify';
      severity: Severity;
      impacts: ComponentImpact[];
      isClientAffected: boolean;
      reason: string;
      /** Clients using the impacted components, with their tiers (looked up by the caller). */
      derivedClients: { clientId: string; tier: string }[];
      addClients: { clientId: string; tier: string }[];
      removeClientIds: string[];
    }
  | { type: 'adjustClients'; addClients: { clientId: string; tier: string }[]; removeClientIds: string[] }
  | { type: 'setTechState'; to: TechState; note: string | null }
  | { type: 'updateDisclosures'; patch: Partial<Disclosures> }
  | { type: 'assignRoles'; patch: Partial<IncidentRoles> }
  | { type: 'sendMessage'; kind: MessageKind; clientIds: string[] | null; body: string | null; communicationId: string }
  | { type: 'waiveObligation'; obligationId: string; reason: string }
  | { type: 'document'; summary: string }
  | { type: 'close'; waiveReason: string | null }
  | { type: 'addNote'; text: string };

export interface DecideContext {
  actor: Actor;
  now: string;
  policies: readonly SlaPolicy[];
  newId: () => string;
}

export interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
}

export type RefusalCode =
  | 'forbidden'
  | 'incident_closed'
  | 'not_classified'
  | 'clients_not_affected'
  | 'clients_already_notified'
  | 'client_already_notified'
  | 'client_not_affected'
  | 'no_affected_clients'
  | 'reason_required'
  | 'transition_not_allowed'
  | 'already_in_state'
  | 'missing_disclosures'
  | 'initial_already_sent'
  | 'initial_not_sent'
  | 'incident_resolved'
  | 'not_resolved'
  | 'resolution_already_sent'
  | 'resolution_not_sent'
  | 'rca_already_sent'
  | 'open_obligations'
  | 'internal_summary_required'
  | 'not_incident_manager'
  | 'not_communication_lead'
  | 'obligation_not_open';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  missing?: string[];
}

export interface Accepted {
  ok: true;
  state: IncidentState;
  events: DomainEvent[];
  /** Obligations created, rescheduled or closed by this command (to upsert). */
  obligationChanges: Obligation[];
}

export type Outcome = Accepted | Refusal;

function refuse(code: RefusalCode, message: string, missing?: string[]): Refusal {
  return missing ? { ok: false, code, message, missing } : { ok: false, code, message };
}

/** Technical transitions: forward and back between the working states; out of resolved only by reopening. */
export const TECH_TRANSITIONS: Record<TechState, readonly TechState[]> = {
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating'],
};

/** Which open obligations a sent message of each kind fulfils. */
const FULFILS: Record<MessageKind, readonly MessageKind[]> = {
  initial: ['initial', 'update'],
  update: ['update'],
  resolution: ['resolution', 'initial', 'update'],
  rca: ['rca'],
};

const isWriter = (a: Actor) => a.role === 'admin' || a.role === 'member';

export function newIncident(input: {
  id: string;
  source: Source;
  reportedAt: string;
  reporterClientId: string | null;
  impacts: ComponentImpact[];
}): { state: IncidentState; events: DomainEvent[] } {
  const state: IncidentState = {
    id: input.id,
    stage: 'reported',
    techState: 'investigating',
    severity: null,
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
  };
  return { state, events: [{ type: 'incident.reported', data: { source: input.source, reporterClientId: input.reporterClientId, impacts: input.impacts } }] };
}

export function decide(incident: IncidentState, command: Command, ctx: DecideContext): Outcome {
  if (!isWriter(ctx.actor)) return refuse('forbidden', 'Only admins and members may change incidents.');
  if (incident.stage === 'closed' && command.type !== 'addNote') {
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

type Step =
  | Refusal
  | {
      state: IncidentState;
      events: DomainEvent[];
      obligationChanges?: Obligation[];
      fulfilled?: { communicationId: string; kind: MessageKind; clientIds: string[] };
    };

type Handler<T extends Command['type']> = (i: IncidentState, c: Extract<Command, { type: T }>, x: DecideContext) => Step;

const classify: Handler<'classify'> = (incident, c, ctx) => {
  if (!c.reason.trim()) return refuse('reason_required', 'The decision needs a reason.', ['reason']);
  const notified = incident.clients.filter((cl) => Object.keys(cl.sent).length > 0);
  let clients: IncidentClient[] = [];
  if (!c.isClientAffected) {
    if (notified.length > 0) {
      return refuse(
        'clients_already_notified',
        'Clients have already been notified; the incident cannot become internal-only. Send them a resolution instead.',
        notified.map((n) => n.clientId),
      );
    }
  } else {
    const removed = new Set(c.removeClientIds);
    const blocked = notified.filter((n) => removed.has(n.clientId));
    if (blocked.length) {
      return refuse('client_already_notified', 'A client that was already notified cannot be removed.', blocked.map((b) => b.clientId));
    }
    const existing = new Map(incident.clients.map((cl) => [cl.clientId, cl]));
    const next = new Map<string, IncidentClient>();
    const keep = (clientId: string, tier: string, source: IncidentClient['source']) => {
      if (removed.has(clientId) || next.has(clientId)) return;
      const prior = existing.get(clientId);
      next.set(clientId, prior ? { ...prior, source: prior.source === 'explicit' ? 'explicit' : source } : { clientId, tier, source, addedAt: ctx.now, sent: {}, met: {} });
    };
    for (const d of c.derivedClients) keep(d.clientId, d.tier, 'derived');
    for (const a of c.addClients) keep(a.clientId, a.tier, 'explicit');
    for (const cl of incident.clients) if (cl.source === 'explicit' || Object.keys(cl.sent).length) keep(cl.clientId, cl.tier, cl.source);
    clients = [...next.values()];
    if (clients.length === 0) {
      return refuse('no_affected_clients', 'Clients are affected but none is named: impact a component clients use, or add clients.', ['clients']);
    }
  }
  const decision: Decision = { isClientAffected: c.isClientAffected, by: ctx.actor.userId, at: ctx.now, reason: c.reason };
  const state: IncidentState = {
    ...incident,
    stage: c.isClientAffected ? 'active' : 'internal',
    severity: c.severity,
    impacts: c.impacts,
    decision,
    clients,
    classifiedAt: incident.classifiedAt ?? ctx.now,
  };
  return {
    state,
    events: [
      {
        type: incident.decision ? 'incident.reclassified' : 'incident.classified',
        data: {
          before: { severity: incident.severity, impacts: incident.impacts, isClientAffected: incident.decision?.isClientAffected ?? null, clientIds: incident.clients.map((x) => x.clientId) },
          after: { severity: c.severity, impacts: c.impacts, isClientAffected: c.isClientAffected, clientIds: clients.map((x) => x.clientId) },
          reason: c.reason,
        },
      },
    ],
  };
};

const adjustClients: Handler<'adjustClients'> = (incident, c, ctx) => {
  if (incident.stage === 'reported') return refuse('not_classified', 'Classify the incident first.');
  if (incident.stage === 'internal') return refuse('clients_not_affected', 'The incident was classified as not affecting clients; reclassify it first.');
  const removed = new Set(c.removeClientIds);
  const notified = incident.clients.filter((n) => removed.has(n.clientId) && Object.keys(n.sent).length > 0);
  if (notified.length) return refuse('client_already_notified', 'A client that was already notified cannot be removed.', notified.map((n) => n.clientId));
  const present = new Set(incident.clients.map((x) => x.clientId));
  const unknown = c.removeClientIds.filter((id) => !present.has(id));
  if (unknown.length) return refuse('client_not_affected', 'These clients are not on the incident.', unknown);
  const clients = incident.clients.filter((x) => !removed.has(x.clientId));
  for (const a of c.addClients) {
    if (!clients.some((x) => x.clientId === a.clientId)) {
      clients.push({ clientId: a.clientId, tier: a.tier, source: 'explicit', addedAt: ctx.now, sent: {}, met: {} });
    }
  }
  if (clients.length === 0) return refuse('no_affected_clients', 'At least one client must stay affected; reclassify as not affecting clients instead.', ['clients']);
  return {
    state: { ...incident, clients },
    events: [
      {
        type: 'clients.adjusted',
        data: { before: incident.clients.map((x) => x.clientId), after: clients.map((x) => x.clientId) },
      },
    ],
  };
};

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

const assignRoles: Handler<'assignRoles'> = (incident, c) => {
  const roles: IncidentRoles = { ...incident.roles, ...c.patch };
  roles.technicalTeamIds = [...new Set(roles.technicalTeamIds)];
  const events: DomainEvent[] = [];
  for (const role of ['incidentManagerId', 'communicationLeadId', 'technicalTeamIds'] as const) {
    if (JSON.stringify(roles[role]) !== JSON.stringify(incident.roles[role])) {
      events.push({ type: 'role.assigned', data: { role: role.replace(/Ids?$/, ''), before: incident.roles[role], after: roles[role] } });
    }
  }
  return { state: { ...incident, roles }, events };
};

const sendMessage: Handler<'sendMessage'> = (incident, c, ctx) => {
  const { roles } = incident;
  if (roles.communicationLeadId && ctx.actor.userId !== roles.communicationLeadId && ctx.actor.userId !== roles.incidentManagerId) {
    return refuse('not_communication_lead', 'Client messages are sent by the Communication Lead or the Incident Manager.');
  }
  if (incident.stage === 'reported') return refuse('not_classified', 'Classify the incident before writing to clients.');
  if (incident.stage === 'internal') return refuse('clients_not_affected', 'The incident was classified as not affecting clients.');
  const byId = new Map(incident.clients.map((x) => [x.clientId, x]));
  const targetIds = c.clientIds ?? incident.clients.map((x) => x.clientId);
  const unknown = targetIds.filter((id) => !byId.has(id));
  if (unknown.length) return refuse('client_not_affected', 'These clients are not affected by the incident.', unknown);
  if (targetIds.length === 0) return refuse('no_affected_clients', 'No client to write to.', ['clientIds']);
  const targets = targetIds.map((id) => byId.get(id)!);
  const resolvedAt = incident.resolvedAt;
  const check = (bad: IncidentClient[], code: RefusalCode, message: string) => (bad.length ? refuse(code, message, bad.map((b) => b.clientId)) : null);
  let refusal: Refusal | null = null;
  switch (c.kind) {
    case 'initial':
      refusal = check(targets.filter((t) => t.sent.initial), 'initial_already_sent', 'These clients already received the initial notice; send an update.');
      break;
    case 'update':
      refusal =
        (incident.techState === 'resolved' ? refuse('incident_resolved', 'The incident is resolved; send the resolution notice.') : null) ??
        check(targets.filter((t) => !t.met.initial), 'initial_not_sent', 'These clients have not received the initial notice yet.');
      break;
    case 'resolution':
      refusal =
        (incident.techState !== 'resolved' ? refuse('not_resolved', 'The incident is not resolved yet.') : null) ??
        check(targets.filter((t) => t.sent.resolution && resolvedAt && t.sent.resolution >= resolvedAt), 'resolution_already_sent', 'These clients already received the resolution notice.');
      break;
    case 'rca':
      refusal =
        (incident.techState !== 'resolved' ? refuse('not_resolved', 'The incident is not resolved yet.') : null) ??
        // The resolution of this resolve (not one before a reopen) must be given first, by a notice or a waiver,
        // exactly when owedObligations starts owing the RCA.
        check(
          targets.filter((t) => !t.met.resolution || (resolvedAt !== null && t.met.resolution < resolvedAt)),
          'resolution_not_sent',
          'Send these clients the resolution notice before the RCA.',
        ) ??
        check(targets.filter((t) => t.sent.rca), 'rca_already_sent', 'These clients already received the RCA.');
      break;
  }
  if (refusal) return refusal;
  const severity = incident.severity ?? 'SEV4';
  const hasUpdateCadence = targets.some((t) => findPolicy(ctx.policies, t.tier, severity).updateEveryMinutes !== null);
  const missing = missingDisclosures(c.kind, incident.disclosures, { now: ctx.now, severity, hasUpdateCadence, body: c.body });
  if (missing.length) return refuse('missing_disclosures', `The message lacks required information: ${missing.join(', ')}.`, missing);
  const targetSet = new Set(targetIds);
  // What this message tells the clients about the next update is what they are owed, not the draft.
  const promised = c.kind === 'initial' || c.kind === 'update' ? incident.disclosures.nextUpdateAt : null;
  const clients = incident.clients.map((cl) => {
    if (!targetSet.has(cl.clientId)) return cl;
    const met = { ...cl.met };
    for (const k of FULFILS[c.kind]) met[k] = ctx.now;
    return { ...cl, sent: { ...cl.sent, [c.kind]: ctx.now }, met, promisedNextUpdateAt: promised };
  });
  return {
    state: { ...incident, clients },
    events: [{ type: 'communication.sent', data: { communicationId: c.communicationId, kind: c.kind, clientIds: targetIds } }],
    fulfilled: { communicationId: c.communicationId, kind: c.kind, clientIds: targetIds },
  };
};

const waiveObligation: Handler<'waiveObligation'> = (incident, c, ctx) => {
  if (incident.roles.incidentManagerId !== ctx.actor.userId) return refuse('not_incident_manager', 'Only the Incident Manager may waive an obligation.');
  if (!c.reason.trim()) return refuse('reason_required', 'A waiver needs a written reason.', ['reason']);
  const ob = incident.obligations.find((o) => o.id === c.obligationId);
  if (!ob) return refuse('obligation_not_open', 'No open obligation with this id on the incident.', [c.obligationId]);
  return waiveAll(incident, [ob], c.reason, ctx);
};

function waiveAll(incident: IncidentState, obligations: Obligation[], reason: string, ctx: DecideContext): Step {
  const waived = obligations.map((o): Obligation => ({ ...o, status: 'waived', closedAt: ctx.now, waiver: { by: ctx.actor.userId, reason } }));
  const ids = new Set(waived.map((w) => w.id));
  const clients = incident.clients.map((cl) => {
    const mine = waived.filter((w) => w.clientId === cl.clientId);
    if (!mine.length) return cl;
    const met = { ...cl.met };
    for (const w of mine) met[w.kind] = ctx.now;
    return { ...cl, met };
  });
  return {
    state: { ...incident, clients, obligations: incident.obligations.filter((o) => !ids.has(o.id)) },
    events: waived.map((w) => ({ type: 'obligation.waived', data: { obligationId: w.id, kind: w.kind, clientId: w.clientId, dueAt: w.dueAt, reason } })),
    obligationChanges: waived,
  };
}

const documentIncident: Handler<'document'> = (incident, c) => {
  if (!c.summary.trim()) return refuse('reason_required', 'The internal summary cannot be empty.', ['summary']);
  return {
    state: { ...incident, internalSummary: c.summary },
    events: [{ type: 'incident.documented', data: { before: incident.internalSummary, after: c.summary } }],
  };
};

const close: Handler<'close'> = (incident, c, ctx) => {
  const im = incident.roles.incidentManagerId;
  if (im && im !== ctx.actor.userId) return refuse('not_incident_manager', 'The Incident Manager closes the incident.');
  if (incident.stage === 'reported') return refuse('not_classified', 'Classify the incident (are clients affected?) before closing it.');
  if (incident.stage === 'internal') {
    if (!incident.internalSummary?.trim()) return refuse('internal_summary_required', 'Document the incident internally before closing it.', ['internalSummary']);
    const events: DomainEvent[] = [];
    if (incident.techState !== 'resolved') events.push({ type: 'state.changed', data: { from: incident.techState, to: 'resolved', note: 'closed' } });
    events.push({ type: 'incident.closed', data: { stage: 'internal' } });
    return { state: { ...incident, techState: 'resolved', resolvedAt: incident.resolvedAt ?? ctx.now, stage: 'closed', closedAt: ctx.now }, events };
  }
  if (incident.techState !== 'resolved') return refuse('not_resolved', 'Resolve the incident before closing it.');
  let current: IncidentState = incident;
  const events: DomainEvent[] = [];
  const changes: Obligation[] = [];
  if (incident.obligations.length) {
    if (!c.waiveReason?.trim()) {
      return refuse(
        'open_obligations',
        'Obligations to clients are still open; send the messages, or have the Incident Manager waive them with a reason.',
        incident.obligations.map((o) => `${o.kind}:${o.clientId}`),
      );
    }
    if (im !== ctx.actor.userId) return refuse('not_incident_manager', 'Only the Incident Manager may waive open obligations.');
    const waived = waiveAll(incident, incident.obligations, c.waiveReason, ctx);
    if (!('state' in waived)) return waived;
    current = waived.state;
    events.push(...waived.events);
    changes.push(...(waived.obligationChanges ?? []));
  }
  events.push({ type: 'incident.closed', data: { stage: 'active' } });
  return { state: { ...current, stage: 'closed', closedAt: ctx.now }, events, obligationChanges: changes };
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
};
