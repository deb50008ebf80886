// What the maintenance calendars show (public, or one client's): the public windows from 90 days back
// to two years ahead, cancelled ones included (they stay as STATUS:CANCELLED), with the names of
// their components.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { rows } from '../sql-rows.js';
import { listPublicMaintenance, type PublicMaintenance } from './read-maintenance.js';

const DAY_MS = 86_400_000;

export async function readMaintenanceCalendar(db: Db, clientId: string | null, now: Date): Promise<{ windows: PublicMaintenance[]; componentNames: Map<string, string> }> {
  const windows = await listPublicMaintenance(db, { clientId, from: new Date(now.getTime() - 90 * DAY_MS), to: new Date(now.getTime() + 730 * DAY_MS), includeCancelled: true });
  const ids = [...new Set(windows.flatMap((w) => w.componentIds))];
  const componentNames = new Map(
    ids.length
      ? (await rows<{ id: string; name: string }>(db, sql`SELECT id, name FROM components WHERE id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`)).map((c) => [c.id, c.name])
      : [],
  );
  return { windows, componentNames };
}
