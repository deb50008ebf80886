// Client messages and what is owed: which sends are allowed when, the disclosures each needs, the
// obligations a message fulfils, waivers by the Incident Manager, and closing once nothing is owed.
import { missingDisclosures } from '../messages/message-requirements.js';
import { findPolicy } from '../sla/sla-clock.js';
import type { IncidentClient, MessageKind, Obligation } from '../types.js';
import type { LifecycleEvent } from './events.js';
import { refuse, type DecideContext, type Handler, type IncidentState, type Refusal, type RefusalCode, type Step } from './incident-state.js';

/** Which open obligations a sent message of each kind fulfils. */
const FULFILS: Record<MessageKind, readonly MessageKind[]> = {
  initial: ['initial', 'update'],
  update: ['update'],
  resolution: ['resolution', 'initial', 'update'],
  rca: ['rca'],
};

export const sendMessage: Handler<'sendMessage'> = (incident, c, ctx) => {
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

export const waiveObligation: Handler<'waiveObligation'> = (incident, c, ctx) => {
  if (incident.roles.incidentManagerId !== ctx.actor.userId) return refuse('not_incident_manager', 'Only the Incident Manager may waive an obligation.');
  if (!c.reason.trim()) return refuse('reason_required', 'A waiver needs a written reason.', ['reason']);
  const ob = incident.obligations.find((o) => o.id === c.obligationId);
  if (!ob) return refuse('obligation_not_open', 'No open obligation with this id on the incident.', [c.obligationId]);
  return waiveAll(incident, [ob], c.reason, ctx);
};

export function waiveAll(incident: IncidentState, obligations: Obligation[], reason: string, ctx: DecideContext): Step {
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

export const close: Handler<'close'> = (incident, c, ctx) => {
  const im = incident.roles.incidentManagerId;
  if (im && im !== ctx.actor.userId) return refuse('not_incident_manager', 'The Incident Manager closes the incident.');
  if (incident.stage === 'reported') return refuse('not_classified', 'Classify the incident (are clients affected?) before closing it.');
  if (incident.stage === 'internal') {
    if (!incident.internalSummary?.trim()) return refuse('internal_summary_required', 'Document the incident internally before closing it.', ['internalSummary']);
    const events: LifecycleEvent[] = [];
    if (incident.techState !== 'resolved') events.push({ type: 'state.changed', data: { from: incident.techState, to: 'resolved', note: 'closed' } });
    events.push({ type: 'incident.closed', data: { stage: 'internal' } });
    return { state: { ...incident, techState: 'resolved', resolvedAt: incident.resolvedAt ?? ctx.now, stage: 'closed', closedAt: ctx.now }, events };
  }
  if (incident.techState !== 'resolved') return refuse('not_resolved', 'Resolve the incident before closing it.');
  let current: IncidentState = incident;
  const events: LifecycleEvent[] = [];
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
