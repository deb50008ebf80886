// Communication obligations: which are owed now, derived from the incident, and how they change.
import { deadlineFor, findPolicy } from '../sla/sla-clock.js';
import type { MessageKind, Obligation } from '../types.js';
import type { LifecycleEvent } from './events.js';
import type { DecideContext, IncidentState } from './incident-state.js';

interface Owed {
  kind: MessageKind;
  clientId: string;
  dueAt: string;
}

const latest = (...xs: (string | null | undefined)[]) =>
  xs.filter((x): x is string => !!x).reduce<string | null>((a, b) => (a === null || b > a ? b : a), null);

/** What each affected client is owed in the incident's present state (at most one open obligation per kind). */
export function owedObligations(state: IncidentState, ctx: Pick<DecideContext, 'policies'>): Owed[] {
  if (state.stage !== 'active' || !state.severity) return [];
  const owed: Owed[] = [];
  for (const client of state.clients) {
    const policy = findPolicy(ctx.policies, client.tier, state.severity);
    const { met } = client;
    if (state.techState !== 'resolved') {
      if (!met.initial) {
        owed.push({ kind: 'initial', clientId: client.clientId, dueAt: deadlineFor('initial', policy, client.addedAt)! });
        continue;
      }
      const since = latest(met.initial, met.update, state.reopenedAt)!;
      const due = deadlineFor('update', policy, since);
      if (due) {
        // The earlier update promised in the last message sent to this client is held to, not only the
        // policy; a draft next-update time not yet sent promises nothing. Compared as instants: a
        // promise may carry a UTC offset, so its string does not sort with ours.
        const promisedMs = client.promisedNextUpdateAt ? Date.parse(client.promisedNextUpdateAt) : NaN;
        const isEarlierPromise = promisedMs > Date.parse(since) && promisedMs < Date.parse(due);
        const dueAt = isEarlierPromise ? new Date(promisedMs).toISOString() : due;
        owed.push({ kind: 'update', clientId: client.clientId, dueAt });
      }
      continue;
    }
    const resolvedAt = state.resolvedAt!;
    if (!met.resolution || met.resolution < resolvedAt) {
      owed.push({ kind: 'resolution', clientId: client.clientId, dueAt: deadlineFor('resolution', policy, resolvedAt)! });
      continue;
    }
    if (!met.rca) {
      const due = deadlineFor('rca', policy, resolvedAt);
      if (due) owed.push({ kind: 'rca', clientId: client.clientId, dueAt: due });
    }
  }
  return owed;
}

/**
 * Brings the open obligations in line with what is owed: opens new ones, reschedules those whose
 * deadline moved (a new severity), and closes the rest: met when the command's message fulfilled
 * them, cancelled otherwise (the incident moved on, e.g. updates stop once it is resolved).
 */
export function reconcileObligations(
  state: IncidentState,
  ctx: DecideContext,
  fulfilled: { communicationId: string; kind: MessageKind; clientIds: string[] } | null,
): { state: IncidentState; events: LifecycleEvent[]; changes: Obligation[] } {
  const owed = owedObligations(state, ctx);
  const key = (o: { kind: MessageKind; clientId: string }) => `${o.kind}:${o.clientId}`;
  const owedByKey = new Map(owed.map((o) => [key(o), o]));
  const events: LifecycleEvent[] = [];
  const changes: Obligation[] = [];
  const open: Obligation[] = [];
  const fulfilledClients = new Set(fulfilled?.clientIds ?? []);

  for (const ob of state.obligations) {
    const want = owedByKey.get(key(ob));
    const isFulfilled = fulfilled !== null && fulfilledClients.has(ob.clientId);
    const isSameCycle = want && !(isFulfilled && wasMetBy(fulfilled!.kind, ob.kind));
    if (want && isSameCycle) {
      owedByKey.delete(key(ob));
      if (want.dueAt !== ob.dueAt) {
        const moved = { ...ob, dueAt: want.dueAt };
        changes.push(moved);
        open.push(moved);
        events.push({ type: 'obligation.rescheduled', data: { obligationId: ob.id, kind: ob.kind, clientId: ob.clientId, before: ob.dueAt, after: want.dueAt } });
      } else {
        open.push(ob);
      }
      continue;
    }
    const metNow = isFulfilled && wasMetBy(fulfilled!.kind, ob.kind);
    const closed: Obligation = metNow
      ? { ...ob, status: 'met', closedAt: ctx.now, metByCommunicationId: fulfilled!.communicationId }
      : { ...ob, status: 'cancelled', closedAt: ctx.now };
    changes.push(closed);
    events.push({
      type: metNow ? 'obligation.met' : 'obligation.cancelled',
      data: { obligationId: ob.id, kind: ob.kind, clientId: ob.clientId, dueAt: ob.dueAt, isOnTime: metNow ? ctx.now <= ob.dueAt : undefined },
    });
  }
  for (const want of owedByKey.values()) {
    const ob: Obligation = {
      id: ctx.newId(),
      kind: want.kind,
      clientId: want.clientId,
      dueAt: want.dueAt,
      status: 'open',
      createdAt: ctx.now,
      closedAt: null,
      metByCommunicationId: null,
      waiver: null,
    };
    changes.push(ob);
    open.push(ob);
    events.push({ type: 'obligation.opened', data: { obligationId: ob.id, kind: ob.kind, clientId: ob.clientId, dueAt: ob.dueAt } });
  }
  return { state: { ...state, obligations: open }, events, changes };
}

function wasMetBy(sent: MessageKind, owed: MessageKind): boolean {
  if (sent === owed) return true;
  if (sent === 'initial') return owed === 'update';
  if (sent === 'resolution') return owed === 'initial' || owed === 'update';
  return false;
}
