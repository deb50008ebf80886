// The maintenance clock: at each tick, due advance notices go out, windows whose start has come move
// to in progress (components under maintenance) and those whose end has come to completed (components
// restored), each with its notices. One tick at a time (an advisory lock), in one transaction, and
// every step claimed with a conditional UPDATE or a unique notice key, so concurrent ticks and
// restarts never repeat a notice. Jobs on the maintenance-clock queue wake it at the times that matter.
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/open.js';
import { maintenanceNotices, maintenanceWindows } from '../../db/schema.js';
import type { Enqueuer, ServiceSettings } from '../context.js';
import { QUEUES } from '../queues.js';
import { loadSchedules, sendMaintenanceNotices, windowClients, type NoticeEnv, type NoticeSchedule, type WindowRow } from './maintenance-notices.js';
import { markCompleted, markStarted } from './maintenance-store.js';

export interface MaintenanceTickResult {
  started: number;
  completed: number;
  notices: number;
}

const LOCK_KEY = 4242_0005;
const ADVANCE_KINDS = new Set(['scheduled', 'reminder', 'rescheduled', 'emergency']);

const scheduleOf = (s: { byTier: Map<string, NoticeSchedule>; fallback: NoticeSchedule }, tier: string) => s.byTier.get(tier) ?? s.fallback;

/** Advance notices of one scheduled planned window that are due at `now`: the announcement, then reminders. */
async function advanceNotices(env: NoticeEnv, w: WindowRow, schedules: Awaited<ReturnType<typeof loadSchedules>>): Promise<number> {
  const clientsOf = await windowClients(env.tx, w.id);
  if (!clientsOf.length) return 0;
  const sent = await env.tx
    .select({ clientId: maintenanceNotices.clientId, kind: maintenanceNotices.kind, createdAt: maintenanceNotices.createdAt })
    .from(maintenanceNotices)
    .where(eq(maintenanceNotices.windowId, w.id));
  const announce: { clientId: string; dedupeKey: string }[] = [];
  const remind: { clientId: string; dedupeKey: string }[] = [];
  const start = w.startsAt.getTime();
  for (const { clientId, tier } of clientsOf) {
    const offsets = scheduleOf(schedules, tier).advanceMinutes;
    if (!offsets.length) continue;
    const mine = sent.filter((s) => s.clientId === clientId);
    if (!mine.length) {
      // Not yet told: the announcement goes out at the first (longest) lead time, or at once if that passed.
      if (start - offsets[0]! * 60_000 <= env.now.getTime()) announce.push({ clientId, dedupeKey: 'scheduled' });
      continue;
    }
    const lastAdvance = Math.max(0, ...mine.filter((s) => ADVANCE_KINDS.has(s.kind)).map((s) => s.createdAt.getTime()));
    // The most recent reminder that fell due since the client last heard of the window; earlier ones are covered.
    const due = offsets
      .slice(1)
      .filter((o) => start - o * 60_000 <= env.now.getTime())
      .sort((a, b) => a - b)[0];
    if (due !== undefined && lastAdvance < start - due * 60_000) remind.push({ clientId, dedupeKey: `reminder:${due}:${start}` });
  }
  return (await sendMaintenanceNotices(env, w, 'scheduled', announce)) + (await sendMaintenanceNotices(env, w, 'reminder', remind));
}

/** The notice at start or completion to the clients whose tier wants it. */
export async function transitionNotices(env: NoticeEnv, w: WindowRow, kind: 'started' | 'completed', opts: { body?: string | null } = {}): Promise<number> {
  const schedules = await loadSchedules(env.tx);
  const targets = (await windowClients(env.tx, w.id))
    .filter((c) => (kind === 'started' ? scheduleOf(schedules, c.tier).atStart : scheduleOf(schedules, c.tier).atCompletion))
    .map((c) => ({ clientId: c.clientId, dedupeKey: kind }));
  return sendMaintenanceNotices(env, w, kind, targets, { body: opts.body ?? null });
}

export async function tickMaintenance(deps: { database: Database; settings: ServiceSettings; jobs: Enqueuer | null }, now: Date): Promise<MaintenanceTickResult> {
  return deps.database.transaction(async (tx: Db) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    const env: NoticeEnv = { tx, now, settings: deps.settings, jobs: deps.jobs, actor: null };
    const result: MaintenanceTickResult = { started: 0, completed: 0, notices: 0 };
    const schedules = await loadSchedules(tx);
    const longest = Math.max(0, ...[...schedules.byTier.values()].flatMap((s) => s.advanceMinutes));
    const upcoming = await tx
      .select()
      .from(maintenanceWindows)
      .where(
        and(
          eq(maintenanceWindows.state, 'scheduled'),
          eq(maintenanceWindows.kind, 'planned'),
          eq(maintenanceWindows.isInternal, false),
          gt(maintenanceWindows.startsAt, now),
          lte(maintenanceWindows.startsAt, new Date(now.getTime() + longest * 60_000)),
        ),
      )
      .orderBy(asc(maintenanceWindows.startsAt))
      .limit(500);
    for (const w of upcoming) result.notices += await advanceNotices(env, w, schedules);

    const toStart = await tx
      .select({ id: maintenanceWindows.id })
      .from(maintenanceWindows)
      .where(and(eq(maintenanceWindows.state, 'scheduled'), lte(maintenanceWindows.startsAt, now)))
      .orderBy(asc(maintenanceWindows.startsAt))
      .limit(500);
    for (const { id } of toStart) {
      const w = await markStarted(tx, id, now, null, { dueBy: now });
      if (!w) continue;
      result.started++;
      result.notices += await transitionNotices(env, w, 'started');
    }
    const toComplete = await tx
      .select({ id: maintenanceWindows.id })
      .from(maintenanceWindows)
      .where(and(eq(maintenanceWindows.state, 'in_progress'), lte(maintenanceWindows.endsAt, now)))
      .orderBy(asc(maintenanceWindows.endsAt))
      .limit(500);
    for (const { id } of toComplete) {
      const w = await markCompleted(tx, id, now, null, { dueBy: now });
      if (!w) continue;
      result.completed++;
      result.notices += await transitionNotices(env, w, 'completed');
    }
    return result;
  });
}

/** Wake-up jobs for a window: at each advance-notice time still ahead, at its start and at its end. */
export async function scheduleClockWakeUps(tx: Db, jobs: Enqueuer | null | undefined, w: { startsAt: Date; endsAt: Date }, now: Date): Promise<void> {
  if (!jobs) return;
  const schedules = await loadSchedules(tx);
  const offsets = new Set([...schedules.byTier.values(), schedules.fallback].flatMap((s) => s.advanceMinutes));
  const times = [...[...offsets].map((o) => new Date(w.startsAt.getTime() - o * 60_000)), w.startsAt, w.endsAt].filter((t) => t.getTime() > now.getTime());
  // A short delay past each time, so the tick that the job runs sees it as due.
  await jobs.enqueue(tx, QUEUES.maintenanceClock, [{ data: {} }, ...times.map((t) => ({ data: {}, startAfter: new Date(t.getTime() + 1000) }))]);
}
