// Installs the shipped maintenance-notice templates that are missing, beside the incident ones (same
// table, kinds maintenance_scheduled, …), so they are versioned and owned like every template.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { templates, templateVersions } from '../../db/schema.js';
import { DEFAULT_MAINTENANCE_TEMPLATES } from '../../templates/maintenance.js';

export async function ensureMaintenanceTemplates(db: Db, now: Date): Promise<number> {
  let added = 0;
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(4242003)`);
    const existing = new Set((await tx.select({ kind: templates.kind, language: templates.language, channel: templates.channel }).from(templates)).map((t) => `${t.kind}/${t.language}/${t.channel}`));
    for (const d of DEFAULT_MAINTENANCE_TEMPLATES) {
      if (existing.has(`${d.kind}/${d.language}/${d.channel}`)) continue;
      const [row] = await tx
        .insert(templates)
        .values({ kind: d.kind, language: d.language, channel: d.channel, ownerRole: 'communication_lead', currentVersion: 1, createdAt: now, updatedAt: now })
        .returning();
      await tx.insert(templateVersions).values({ templateId: row!.id, version: 1, parts: d.parts, note: 'Shipped with Herald', createdAt: now });
      added++;
    }
  });
  return added;
}
