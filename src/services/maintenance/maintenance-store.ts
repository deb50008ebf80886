// Writing maintenance windows: the append-only timeline, the components and affected clients, and
// the moves to in progress and completed with the components' statuses following.
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { clientComponents, maintenanceClients, maintenanceComponents, maintenanceEvents, maintenanceWindows } from '../../db/schema.js';
import type { Actor } from '../../domain/types.js';
import { recomputeComponentStatuses } from '../catalog/components.js';

export interface MaintenanceEvent {
  type: string;
  data: Record<string, unknown>;
}

export async function appendMaintenanceEvents(tx: Db, windowId: string, events: MaintenanceEvent[], actor: Actor | null, at: Date): Promise<void> {
  if (!events.length) return;
  await tx.insert(maintenanceEvents).values(events.map((e) => ({ windowId, at, actorId: actor?.userId ?? null, actorLabel: actor?.label ?? 'Herald', type: e.type, data: e.data })));
}

/** The clients that use any of the components: the affected clients, as for incidents. */
export async function deriveClientIds(tx: Db, componentIds: string[]): Promise<string[]> {
  if (!componentIds.length) return [];
  const found = await tx.selectDistinct({ clientId: clientComponents.clientId }).from(clientComponents).where(inArray(clientComponents.componentId, componentIds));
  return found.map((f) => f.clientId);
}

/**
 * Sets the window's components and re-derives its clients: derived clients follow the components,
 * clients added by hand stay, `add` are added by hand and `remove` taken off. Returns what changed.
 */
export async function setComponentsAndClients(
  tx: Db,
  windowId: string,
  input: { componentIds?: string[] | undefined; addClientIds?: string[] | undefined; removeClientIds?: string[] | undefined },
  at: Date,
): Promise<{ componentsAdded: string[]; componentsRemoved: string[]; clientsAdded: string[]; clientsRemoved: string[] }> {
  const before = (await tx.select().from(maintenanceComponents).where(eq(maintenanceComponents.windowId, windowId))).map((c) => c.componentId);
  const componentIds = input.componentIds ? [...new Set(input.componentIds)] : before;
  const componentsAdded = componentIds.filter((id) => !before.includes(id));
  const componentsRemoved = before.filter((id) => !componentIds.includes(id));
  if (componentsRemoved.length) {
    await tx.delete(maintenanceComponents).where(and(eq(maintenanceComponents.windowId, windowId), inArray(maintenanceComponents.componentId, componentsRemoved)));
  }
  if (componentsAdded.length) await tx.insert(maintenanceComponents).values(componentsAdded.map((componentId) => ({ windowId, componentId })));

  const current = await tx.select().from(maintenanceClients).where(eq(maintenanceClients.windowId, windowId));
  const remove = new Set(input.removeClientIds ?? []);
  const manual = new Set([...current.filter((c) => c.source === 'manual').map((c) => c.clientId), ...(input.addClientIds ?? [])]);
  const derived = input.componentIds || !current.length ? new Set(await deriveClientIds(tx, componentIds)) : new Set(current.filter((c) => c.source === 'derived').map((c) => c.clientId));
  const wanted = new Map<string, string>();
  for (const id of derived) if (!remove.has(id)) wanted.set(id, 'derived');
  for (const id of manual) if (!remove.has(id)) wanted.set(id, 'manual');
  // A derived client taken off by hand stays off while the components stay the same.
  if (!input.componentIds) for (const c of current) if (!wanted.has(c.clientId) && !remove.has(c.clientId) && c.source === 'derived') wanted.set(c.clientId, 'derived');
  const had = new Map(current.map((c) => [c.clientId, c.source]));
  const clientsRemoved = current.filter((c) => !wanted.has(c.clientId)).map((c) => c.clientId);
  const clientsAdded = [...wanted.keys()].filter((id) => !had.has(id));
  if (clientsRemoved.length) await tx.delete(maintenanceClients).where(and(eq(maintenanceClients.windowId, windowId), inArray(maintenanceClients.clientId, clientsRemoved)));
  if (clientsAdded.length) await tx.insert(maintenanceClients).values(clientsAdded.map((clientId) => ({ windowId, clientId, source: wanted.get(clientId)!, addedAt: at })));
  for (const [clientId, source] of wanted) {
    if (had.has(clientId) && had.get(clientId) !== source) {
      await tx.update(maintenanceClients).set({ source }).where(and(eq(maintenanceClients.windowId, windowId), eq(maintenanceClients.clientId, clientId)));
    }
  }
  return { componentsAdded, componentsRemoved, clientsAdded, clientsRemoved };
}

async function componentIdsOf(tx: Db, windowId: string): Promise<string[]> {
  return (await tx.select({ id: maintenanceComponents.componentId }).from(maintenanceComponents).where(eq(maintenanceComponents.windowId, windowId))).map((c) => c.id);
}

export type WindowRow = typeof maintenanceWindows.$inferSelect;

/**
 * Moves the window to in progress if it is still scheduled (one UPDATE: of several processes only
 * one wins) and puts its components under maintenance. Returns the window when this call moved it.
 */
export async function markStarted(tx: Db, windowId: string, at: Date, actor: Actor | null, opts: { dueBy?: Date } = {}): Promise<WindowRow | null> {
  const [w] = await tx
    .update(maintenanceWindows)
    .set({ state: 'in_progress', startedAt: at, updatedAt: at })
    .where(and(eq(maintenanceWindows.id, windowId), eq(maintenanceWindows.state, 'scheduled'), opts.dueBy ? lte(maintenanceWindows.startsAt, opts.dueBy) : undefined))
    .returning();
  if (!w) return null;
  const componentIds = await componentIdsOf(tx, w.id);
  await tx.execute(sql`UPDATE maintenance_components mc SET prior_status = c.status FROM components c WHERE c.id = mc.component_id AND mc.window_id = ${w.id}`);
  await recomputeComponentStatuses(tx, componentIds, at, null, w.id);
  await appendMaintenanceEvents(tx, w.id, [{ type: 'window.started', data: { startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString(), componentIds } }], actor, at);
  return w;
}

/** Moves the window to completed if it is in progress, and gives its components back their status. */
export async function markCompleted(tx: Db, windowId: string, at: Date, actor: Actor | null, opts: { dueBy?: Date } = {}): Promise<WindowRow | null> {
  const [w] = await tx
    .update(maintenanceWindows)
    .set({ state: 'completed', completedAt: at, updatedAt: at })
    .where(and(eq(maintenanceWindows.id, windowId), eq(maintenanceWindows.state, 'in_progress'), opts.dueBy ? lte(maintenanceWindows.endsAt, opts.dueBy) : undefined))
    .returning();
  if (!w) return null;
  const componentIds = await componentIdsOf(tx, w.id);
  await recomputeComponentStatuses(tx, componentIds, at, null, w.id);
  await appendMaintenanceEvents(tx, w.id, [{ type: 'window.completed', data: { startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString(), componentIds } }], actor, at);
  return w;
}
