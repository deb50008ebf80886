// The stored alerts staff look through: de-duplicated by fingerprint, each with its group and the
// incident the group opened, oldest first.
import { and, asc, eq, gt, or } from 'drizzle-orm';
import { alertGroups, alerts } from '../../db/schema.js';
import { requireStaff, type Ctx } from '../context.js';
import { decodeCursor, encodeCursor } from '../pagination.js';

export type AlertRow = typeof alerts.$inferSelect;

export interface AlertFilters {
  integrationId?: string | undefined;
  incidentId?: string | undefined;
  status?: 'firing' | 'resolved' | undefined;
}

export async function listAlerts(ctx: Ctx, filters: AlertFilters, page: { cursor: string | null; limit: number }) {
  requireStaff(ctx);
  const after = decodeCursor(page.cursor);
  const found = await ctx.tx
    .select({ alert: alerts, groupKey: alertGroups.groupKey, incidentId: alertGroups.incidentId })
    .from(alerts)
    .innerJoin(alertGroups, eq(alertGroups.id, alerts.groupId))
    .where(
      and(
        filters.integrationId ? eq(alerts.integrationId, filters.integrationId) : undefined,
        filters.incidentId ? eq(alertGroups.incidentId, filters.incidentId) : undefined,
        filters.status ? eq(alerts.status, filters.status) : undefined,
        after ? or(gt(alerts.firstSeenAt, new Date(after.at)), and(eq(alerts.firstSeenAt, new Date(after.at)), gt(alerts.id, after.id))) : undefined,
      ),
    )
    .orderBy(asc(alerts.firstSeenAt), asc(alerts.id))
    .limit(page.limit + 1);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.alert.firstSeenAt.toISOString(), id: last.alert.id }) : null };
}
