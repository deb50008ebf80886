// Maintenance windows as the status pages show them: in progress, and scheduled within the next 60 days.
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { components } from '../../db/schema.js';
import { listPublicMaintenance } from '../maintenance/read-maintenance.js';

export interface StatusMaintenance {
  key: string;
  title: string;
  description: string;
  kind: 'planned' | 'emergency';
  state: 'scheduled' | 'in_progress' | 'completed' | 'cancelled';
  startsAt: string;
  endsAt: string;
  components: { id: string; name: string }[];
}

const UPCOMING_DAYS = 60;

export async function loadStatusMaintenance(db: Db, opts: { clientId: string | null; now: Date }): Promise<{ active: StatusMaintenance[]; upcoming: StatusMaintenance[] }> {
  const windows = await listPublicMaintenance(db, {
    clientId: opts.clientId,
    from: new Date(opts.now.getTime() - 86_400_000),
    to: new Date(opts.now.getTime() + UPCOMING_DAYS * 86_400_000),
  });
  const ids = [...new Set(windows.flatMap((w) => w.componentIds))];
  const names = new Map(ids.length ? (await db.select({ id: components.id, name: components.name }).from(components).where(inArray(components.id, ids))).map((c) => [c.id, c.name]) : []);
  const shown = windows.map(
    (w): StatusMaintenance => ({
      key: w.key,
      title: w.title,
      description: w.description,
      kind: w.kind,
      state: w.state,
      startsAt: w.startsAt.toISOString(),
      endsAt: w.endsAt.toISOString(),
      components: w.componentIds.map((id) => ({ id, name: names.get(id) ?? 'Service' })),
    }),
  );
  return {
    active: shown.filter((w) => w.state === 'in_progress'),
    upcoming: shown.filter((w) => w.state === 'scheduled' && Date.parse(w.endsAt) > opts.now.getTime()),
  };
}
