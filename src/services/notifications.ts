// In-app notifications for staff: reminders, escalations, dead deliveries, approvals wanted.
import { keyset, pageByKey, type Page } from './pagination.js';
import { and, eq, isNull, inArray } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { notifications } from '../db/schema.js';
import { notFound } from './app-error.js';
import { requireStaff, type Ctx } from './context.js';

export interface NewNotification {
  userIds: string[];
  kind: string;
  incidentId: string | null;
  title: string;
  body: string;
}

export async function notify(db: Db, n: NewNotification, at: Date): Promise<void> {
  const userIds = [...new Set(n.userIds)];
  if (!userIds.length) return;
  await db.insert(notifications).values(userIds.map((userId) => ({ userId, kind: n.kind, incidentId: n.incidentId, title: n.title, body: n.body, createdAt: at })));
}

export async function listNotifications(ctx: Ctx, opts: { isUnreadOnly: boolean; page: Page }) {
  requireStaff(ctx);
  const k = keyset(opts.page, [notifications.createdAt, notifications.id], 'desc');
  const found = await ctx.tx
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, ctx.actor.userId), opts.isUnreadOnly ? isNull(notifications.readAt) : undefined, k.where))
    .orderBy(...k.orderBy)
    .limit(k.limit);
  return pageByKey(found, opts.page, (n) => [n.createdAt, n.id]);
}

export async function markNotificationsRead(ctx: Ctx, ids: string[]) {
  requireStaff(ctx);
  if (!ids.length) return [];
  const rows = await ctx.tx
    .update(notifications)
    .set({ readAt: ctx.now })
    .where(and(eq(notifications.userId, ctx.actor.userId), inArray(notifications.id, ids)))
    .returning();
  if (!rows.length) throw notFound('Notification');
  return rows;
}
