// Planned and unplanned changes: creating, changing, rescheduling, cancelling, and starting or
// completing a maintenance window by hand. Staff who write (admins, members) do these; every change
// is on the window's timeline, and clients already told of a window hear of a new time or a
// cancellation at once. An emergency change needs a justification and is communicated at once.
import { eq } from 'drizzle-orm';
import { clients, components, incidents, maintenanceComponents, maintenanceWindows } from '../../db/schema.js';
import { MAX_PLAN_AHEAD_DAYS, MAX_WINDOW_MINUTES, type MaintenanceKind } from '../../domain/maintenance.js';
import { AppError } from '../app-error.js';
import { recomputeComponentStatuses } from '../catalog/components.js';
import { requireWriter, type Ctx } from '../context.js';
import { assertExisting } from '../incidents/report-incident.js';
import { scheduleClockWakeUps, transitionNotices } from './maintenance-clock.js';
import { informedClientIds, sendMaintenanceNotices, windowClients, type NoticeEnv } from './maintenance-notices.js';
import { findWindow, getMaintenance } from './read-maintenance.js';
import { appendMaintenanceEvents, markCompleted, markStarted, setComponentsAndClients } from './maintenance-store.js';

export interface CreateMaintenanceInput {
  title: string;
  description?: string | null | undefined;
  kind?: MaintenanceKind | undefined;
  justification?: string | null | undefined;
  incidentId?: string | null | undefined;
  componentIds: string[];
  addClientIds?: string[] | undefined;
  removeClientIds?: string[] | undefined;
  /** Emergency changes may leave it out: they start now. */
  startsAt?: string | null | undefined;
  endsAt: string;
  isInternal?: boolean | undefined;
  /** A note sent with the first notice (Markdown). */
  note?: string | null | undefined;
}

const envOf = (ctx: Ctx): NoticeEnv => ({ tx: ctx.tx, now: ctx.now, settings: ctx.settings, jobs: ctx.jobs, actor: ctx.actor });

function assertTimes(startsAt: Date, endsAt: Date, now: Date, opts: { isStartFixed: boolean }) {
  if (!(endsAt.getTime() > startsAt.getTime())) throw new AppError('invalid_input', 'The window must end after it starts.', { field: 'endsAt' });
  if (endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_MINUTES * 60_000) throw new AppError('invalid_input', `A window lasts at most ${MAX_WINDOW_MINUTES / 1440} days.`, { field: 'endsAt' });
  if (endsAt.getTime() <= now.getTime()) throw new AppError('invalid_input', 'The window must end in the future.', { field: 'endsAt' });
  if (startsAt.getTime() > now.getTime() + MAX_PLAN_AHEAD_DAYS * 86_400_000) throw new AppError('invalid_input', `A window starts within ${MAX_PLAN_AHEAD_DAYS} days.`, { field: 'startsAt' });
  if (!opts.isStartFixed && startsAt.getTime() < now.getTime() - 60_000) {
    throw new AppError('invalid_input', 'A planned window starts in the future; record work that starts now as an emergency change.', { field: 'startsAt' });
  }
}

const parseTime = (value: string, field: string) => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new AppError('invalid_input', `${field} is not a date-time.`, { field });
  return new Date(ms);
};

export async function createMaintenance(ctx: Ctx, input: CreateMaintenanceInput) {
  requireWriter(ctx);
  const kind = input.kind ?? 'planned';
  const justification = input.justification?.trim() || null;
  if (kind === 'emergency' && !justification) throw new AppError('invalid_input', 'An emergency change needs a justification: why it cannot wait.', { field: 'justification' });
  const componentIds = [...new Set(input.componentIds)];
  await assertExisting(ctx, components, componentIds, 'componentIds');
  await assertExisting(ctx, clients, [...(input.addClientIds ?? []), ...(input.removeClientIds ?? [])], 'clientIds');
  if (input.incidentId) {
    const [incident] = await ctx.tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, input.incidentId));
    if (!incident) throw new AppError('invalid_input', 'No such incident.', { field: 'incidentId' });
  }
  if (kind === 'planned' && !input.startsAt) throw new AppError('invalid_input', 'A planned window needs a start.', { field: 'startsAt' });
  const startsAt = input.startsAt ? parseTime(input.startsAt, 'startsAt') : ctx.now;
  const endsAt = parseTime(input.endsAt, 'endsAt');
  assertTimes(startsAt, endsAt, ctx.now, { isStartFixed: kind === 'emergency' });
  const [w] = await ctx.tx
    .insert(maintenanceWindows)
    .values({
      title: input.title,
      description: input.description ?? '',
      kind,
      justification,
      incidentId: input.incidentId ?? null,
      isInternal: input.isInternal ?? false,
      state: 'scheduled',
      startsAt,
      endsAt,
      createdBy: ctx.actor.userId,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  const changed = await setComponentsAndClients(ctx.tx, w!.id, { componentIds, addClientIds: input.addClientIds, removeClientIds: input.removeClientIds }, ctx.now);
  await appendMaintenanceEvents(
    ctx.tx,
    w!.id,
    [
      {
        type: 'window.created',
        data: {
          title: w!.title,
          kind,
          justification,
          incidentId: w!.incidentId,
          isInternal: w!.isInternal,
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          componentIds,
          clientIds: changed.clientsAdded,
        },
      },
    ],
    ctx.actor,
    ctx.now,
  );
  let current = w!;
  if (kind === 'emergency') {
    // Communicated at once; when it starts now, the emergency notice says so and no separate start notice follows.
    const targets = (await windowClients(ctx.tx, w!.id)).map((c) => ({ clientId: c.clientId, dedupeKey: 'emergency' }));
    await sendMaintenanceNotices(envOf(ctx), w!, 'emergency', targets, { body: input.note ?? null });
    if (startsAt.getTime() <= ctx.now.getTime()) current = (await markStarted(ctx.tx, w!.id, ctx.now, ctx.actor)) ?? current;
  }
  await scheduleClockWakeUps(ctx.tx, ctx.jobs, current, ctx.now);
  return getMaintenance(ctx, w!.id);
}

export interface UpdateMaintenanceInput {
  title?: string | undefined;
  description?: string | undefined;
  justification?: string | null | undefined;
  incidentId?: string | null | undefined;
  componentIds?: string[] | undefined;
  addClientIds?: string[] | undefined;
  removeClientIds?: string[] | undefined;
  isInternal?: boolean | undefined;
}

/** Changes what a window is about (not its time: reschedule for that). Finished windows stay as they were. */
export async function updateMaintenance(ctx: Ctx, idOrKey: string, patch: UpdateMaintenanceInput) {
  requireWriter(ctx);
  const w = await findWindow(ctx, idOrKey, { forUpdate: true });
  if (w.state === 'completed' || w.state === 'cancelled') throw new AppError('conflict', `The window is ${w.state}; it can no longer be changed.`);
  if (patch.componentIds) await assertExisting(ctx, components, patch.componentIds, 'componentIds');
  await assertExisting(ctx, clients, [...(patch.addClientIds ?? []), ...(patch.removeClientIds ?? [])], 'clientIds');
  if (patch.incidentId) {
    const [incident] = await ctx.tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, patch.incidentId));
    if (!incident) throw new AppError('invalid_input', 'No such incident.', { field: 'incidentId' });
  }
  if (w.kind === 'emergency' && patch.justification !== undefined && !patch.justification?.trim()) {
    throw new AppError('invalid_input', 'An emergency change needs a justification.', { field: 'justification' });
  }
  const fields = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.justification !== undefined && { justification: patch.justification?.trim() || null }),
    ...(patch.incidentId !== undefined && { incidentId: patch.incidentId }),
    ...(patch.isInternal !== undefined && { isInternal: patch.isInternal }),
  };
  await ctx.tx.update(maintenanceWindows).set({ ...fields, updatedAt: ctx.now }).where(eq(maintenanceWindows.id, w.id));
  const changed = await setComponentsAndClients(ctx.tx, w.id, patch, ctx.now);
  if (w.state === 'in_progress') {
    // Components follow a running window: added ones go under maintenance, removed ones come back; an internal one shows nowhere.
    const isVisibilityChanged = patch.isInternal !== undefined && patch.isInternal !== w.isInternal;
    const touched = isVisibilityChanged ? (await ctx.tx.select({ id: maintenanceComponents.componentId }).from(maintenanceComponents).where(eq(maintenanceComponents.windowId, w.id))).map((c) => c.id) : [];
    await recomputeComponentStatuses(ctx.tx, [...new Set([...touched, ...changed.componentsAdded, ...changed.componentsRemoved])], ctx.now, null, w.id);
  }
  await appendMaintenanceEvents(ctx.tx, w.id, [{ type: 'window.updated', data: { ...fields, ...changed } }], ctx.actor, ctx.now);
  return getMaintenance(ctx, w.id);
}

/** A new time. Clients already told hear of it at once; reminders follow the new time. */
export async function rescheduleMaintenance(ctx: Ctx, idOrKey: string, input: { startsAt?: string | null | undefined; endsAt?: string | null | undefined; note?: string | null | undefined }) {
  requireWriter(ctx);
  if (!input.startsAt && !input.endsAt) throw new AppError('invalid_input', 'Give a new start, a new end, or both.', { field: 'startsAt' });
  const w = await findWindow(ctx, idOrKey, { forUpdate: true });
  if (w.state !== 'scheduled' && w.state !== 'in_progress') throw new AppError('conflict', `The window is ${w.state}; it can no longer be rescheduled.`);
  const startsAt = input.startsAt ? parseTime(input.startsAt, 'startsAt') : w.startsAt;
  const endsAt = input.endsAt ? parseTime(input.endsAt, 'endsAt') : w.endsAt;
  if (w.state === 'in_progress' && startsAt.getTime() !== w.startsAt.getTime()) {
    throw new AppError('invalid_input', 'The window is in progress: only its end can move.', { field: 'startsAt' });
  }
  assertTimes(startsAt, endsAt, ctx.now, { isStartFixed: w.state === 'in_progress' || w.kind === 'emergency' });
  if (startsAt.getTime() === w.startsAt.getTime() && endsAt.getTime() === w.endsAt.getTime()) throw new AppError('invalid_input', 'That is the window’s time already.', { field: 'startsAt' });
  const [updated] = await ctx.tx
    .update(maintenanceWindows)
    .set({ startsAt, endsAt, sequence: w.sequence + 1, updatedAt: ctx.now })
    .where(eq(maintenanceWindows.id, w.id))
    .returning();
  await appendMaintenanceEvents(
    ctx.tx,
    w.id,
    [{ type: 'window.rescheduled', data: { previousStartsAt: w.startsAt.toISOString(), previousEndsAt: w.endsAt.toISOString(), startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), note: input.note ?? null } }],
    ctx.actor,
    ctx.now,
  );
  const informed = await informedClientIds(ctx.tx, w.id);
  const targets = (await windowClients(ctx.tx, w.id)).filter((c) => informed.has(c.clientId)).map((c) => ({ clientId: c.clientId, dedupeKey: `rescheduled:${updated!.sequence}` }));
  await sendMaintenanceNotices(envOf(ctx), updated!, 'rescheduled', targets, { previousStartsAt: w.startsAt, previousEndsAt: w.endsAt, body: input.note ?? null });
  await scheduleClockWakeUps(ctx.tx, ctx.jobs, updated!, ctx.now);
  return getMaintenance(ctx, w.id);
}

/** Cancels a window that has not started. Clients already told hear of it at once. */
export async function cancelMaintenance(ctx: Ctx, idOrKey: string, input: { reason: string }) {
  requireWriter(ctx);
  const w = await findWindow(ctx, idOrKey, { forUpdate: true });
  if (w.state !== 'scheduled') {
    throw new AppError('conflict', w.state === 'in_progress' ? 'The window is in progress; complete it instead.' : `The window is ${w.state} already.`);
  }
  const [updated] = await ctx.tx
    .update(maintenanceWindows)
    .set({ state: 'cancelled', cancelledAt: ctx.now, cancelReason: input.reason, sequence: w.sequence + 1, updatedAt: ctx.now })
    .where(eq(maintenanceWindows.id, w.id))
    .returning();
  await appendMaintenanceEvents(ctx.tx, w.id, [{ type: 'window.cancelled', data: { reason: input.reason } }], ctx.actor, ctx.now);
  const informed = await informedClientIds(ctx.tx, w.id);
  const targets = (await windowClients(ctx.tx, w.id)).filter((c) => informed.has(c.clientId)).map((c) => ({ clientId: c.clientId, dedupeKey: 'cancelled' }));
  await sendMaintenanceNotices(envOf(ctx), updated!, 'cancelled', targets);
  return getMaintenance(ctx, w.id);
}

/** Starts a scheduled window now (work begins early or the clock has not come round yet). */
export async function startMaintenanceNow(ctx: Ctx, idOrKey: string, input: { note?: string | null | undefined } = {}) {
  requireWriter(ctx);
  const w = await findWindow(ctx, idOrKey, { forUpdate: true });
  if (w.state !== 'scheduled') throw new AppError('conflict', `The window is ${w.state.replace('_', ' ')}, not scheduled.`);
  const started = await markStarted(ctx.tx, w.id, ctx.now, ctx.actor);
  if (started) await transitionNotices(envOf(ctx), started, 'started', { body: input.note ?? null });
  return getMaintenance(ctx, w.id);
}

/** Completes a window in progress now (the work finished early). */
export async function completeMaintenanceNow(ctx: Ctx, idOrKey: string, input: { note?: string | null | undefined } = {}) {
  requireWriter(ctx);
  const w = await findWindow(ctx, idOrKey, { forUpdate: true });
  if (w.state !== 'in_progress') throw new AppError('conflict', `The window is ${w.state.replace('_', ' ')}, not in progress.`);
  const completed = await markCompleted(ctx.tx, w.id, ctx.now, ctx.actor);
  if (completed) await transitionNotices(envOf(ctx), completed, 'completed', { body: input.note ?? null });
  return getMaintenance(ctx, w.id);
}
