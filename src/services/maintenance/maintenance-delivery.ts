// A maintenance notice that could not be delivered: written on the window's timeline, and the
// window's author (or the admins) told, as the incident pipeline does for its messages.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { clientEndpoints, type communicationRecipients, maintenanceNotices, maintenanceWindows } from '../../db/schema.js';
import type { DeliveryFailure } from '../../channels/types.js';
import { notify } from '../notifications.js';
import { rows } from '../sql-rows.js';
import { appendMaintenanceEvents } from './maintenance-store.js';

export async function recordMaintenanceDeliveryFailure(tx: Db, d: typeof communicationRecipients.$inferSelect, result: DeliveryFailure, at: Date): Promise<void> {
  if (!d.maintenanceNoticeId) return;
  const [notice] = await tx.select().from(maintenanceNotices).where(eq(maintenanceNotices.id, d.maintenanceNoticeId));
  if (!notice) return;
  const [w] = await tx.select().from(maintenanceWindows).where(eq(maintenanceWindows.id, notice.windowId));
  if (!w) return;
  const events = [
    { type: 'delivery.failed', data: { deliveryId: d.id, noticeId: notice.id, kind: notice.kind, clientId: d.clientId, channel: d.channel, to: d.toAddress, attempts: d.attempts, error: result.error } },
  ];
  if (result.isGone && d.endpointId) {
    await tx.update(clientEndpoints).set({ isEnabled: false, disabledReason: 'The endpoint answered 410 Gone.', updatedAt: at }).where(eq(clientEndpoints.id, d.endpointId));
    events.push({ type: 'endpoint.disabled', data: { endpointId: d.endpointId, clientId: d.clientId, reason: '410 Gone' } } as never);
  }
  await appendMaintenanceEvents(tx, w.id, events, null, at);
  const to = w.createdBy ? [w.createdBy] : (await rows<{ id: string }>(tx, sql`SELECT id FROM users WHERE role = 'admin' AND NOT is_disabled`)).map((r) => r.id);
  await notify(
    tx,
    {
      userIds: to,
      kind: 'delivery.failed',
      incidentId: null,
      title: `${w.key}: a maintenance notice to ${d.toName} could not be delivered`,
      body: `${d.channel} delivery to ${d.toName} (${d.toAddress}) failed after ${d.attempts} attempt(s): ${result.error}`,
    },
    at,
  );
}
