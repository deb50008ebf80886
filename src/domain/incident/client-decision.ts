// Deciding who is affected: classification (severity, impact, the client-affected decision with its
// reason) and adding or removing affected clients afterwards. A notified client is never dropped.
import { higherSeverity, type Decision, type IncidentClient } from '../types.js';
import { refuse, type Handler, type IncidentState } from './incident-state.js';

export const classify: Handler<'classify'> = (incident, c, ctx) => {
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
    peakSeverity: higherSeverity(incident.peakSeverity, c.severity),
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

export const adjustClients: Handler<'adjustClients'> = (incident, c, ctx) => {
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
