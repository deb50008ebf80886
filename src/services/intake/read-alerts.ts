// The stored alerts staff look through: de-duplicated by fingerprint, each with its group and the
// incident the group opened, oldest first.
import { and, asc, eq } from 'drizzle-orm';
import { alertGroups, alerts } from '../../db/schema.js';
import { requireStaff, type Ctx } from '../context.js';
import { afterCursor, decodeCursor, keysetPage } from '../pagination.js';

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
        afterCursor(alerts.firstSeenAt, alerts.id, after),
      ),
    )
    .orderBy(asc(alerts.firstSeenAt), asc(alerts.id))
    .limit(page.limit + 1);
  return keysetPage(found, page.limit, (row) => ({ at: row.alert.firstSeenAt, id: row.alert.id }));
}
