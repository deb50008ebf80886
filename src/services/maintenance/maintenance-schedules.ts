// When clients of each tier hear of planned maintenance: lead times of the announcement and the
// reminders, and whether they are told at start and at completion. '*' is every other tier.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { eq, sql } from 'drizzle-orm';
import { maintenanceNoticeSchedules } from '../../db/schema.js';
import { AppError, notFound } from '../app-error.js';
import { requireAdmin, requireStaff, type Ctx } from '../context.js';
import { rows } from '../sql-rows.js';

const present = (s: typeof maintenanceNoticeSchedules.$inferSelect) => ({
  tier: s.tier,
  advanceMinutes: [...(s.advanceMinutes as number[])].sort((a, b) => b - a),
  atStart: s.atStart,
  atCompletion: s.atCompletion,
  updatedAt: s.updatedAt.toISOString(),
});

export async function listNoticeSchedules(ctx: Ctx, page: Page) {
  requireStaff(ctx);
  const k = keyset(page, [maintenanceNoticeSchedules.tier]);
  const found = await ctx.tx.select().from(maintenanceNoticeSchedules).where(k.where).orderBy(...k.orderBy).limit(k.limit);
  const { items, nextCursor } = pageByKey(found, page, (s) => [s.tier]);
  return { items: items.map(present), nextCursor };
}

export async function putNoticeSchedule(ctx: Ctx, tier: string, input: { advanceMinutes: number[]; atStart: boolean; atCompletion: boolean }) {
  requireAdmin(ctx);
  if (tier !== '*') {
    const [known] = await rows<{ tier: string }>(
      ctx.tx,
      sql`SELECT tier FROM clients WHERE tier = ${tier} UNION SELECT tier FROM maintenance_notice_schedules WHERE tier = ${tier} LIMIT 1`,
    );
    if (!known) throw new AppError('not_found', `No client has the tier "${tier}"; give a client that tier first, or set the schedule for every other tier (*).`);
  }
  const advanceMinutes = [...new Set(input.advanceMinutes)].sort((a, b) => b - a);
  if (advanceMinutes.some((m) => !Number.isInteger(m) || m < 1)) throw new AppError('invalid_input', 'Lead times are whole minutes, at least 1.', { field: 'advanceMinutes' });
  const [row] = await ctx.tx
    .insert(maintenanceNoticeSchedules)
    .values({ tier, advanceMinutes, atStart: input.atStart, atCompletion: input.atCompletion, updatedBy: ctx.actor.userId, updatedAt: ctx.now })
    .onConflictDoUpdate({
      target: maintenanceNoticeSchedules.tier,
      set: { advanceMinutes, atStart: input.atStart, atCompletion: input.atCompletion, updatedBy: ctx.actor.userId, updatedAt: ctx.now },
    })
    .returning();
  return present(row!);
}

export async function deleteNoticeSchedule(ctx: Ctx, tier: string) {
  requireAdmin(ctx);
  if (tier === '*') throw new AppError('invalid_input', 'The schedule for every other tier (*) can be changed, not removed.', { field: 'tier' });
  const removed = await ctx.tx.delete(maintenanceNoticeSchedules).where(eq(maintenanceNoticeSchedules.tier, tier)).returning();
  if (!removed.length) throw notFound('Notice schedule');
  return { tier, isRemoved: true };
}
