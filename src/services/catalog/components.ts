// Components (the services clients use), their groups, and their current status.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { clientComponents, componentGroups, components, componentStatusHistory } from '../../db/schema.js';
import type { ComponentStatus } from '../../domain/types.js';
import { AppError, notFound } from '../app-error.js';
import { clientScope, requireAdmin, requireWriter, type Ctx } from '../context.js';
import type { Db } from '../../db/open.js';

export type ComponentRow = typeof components.$inferSelect;
export type GroupRow = typeof componentGroups.$inferSelect;

async function assertGroup(ctx: Ctx, groupId: string | null | undefined) {
  if (!groupId) return;
  const [g] = await ctx.tx.select({ id: componentGroups.id }).from(componentGroups).where(eq(componentGroups.id, groupId));
  if (!g) throw new AppError('invalid_input', 'No such component group.', { field: 'groupId' });
}

async function assertNameFree(ctx: Ctx, name: string, exceptId?: string) {
  const [c] = await ctx.tx.select({ id: components.id }).from(components).where(eq(components.name, name));
  if (c && c.id !== exceptId) throw new AppError('conflict', 'A component with this name exists.', { field: 'name' });
}

export async function createComponent(ctx: Ctx, input: { name: string; description?: string | null | undefined; groupId?: string | null | undefined; position?: number | undefined }) {
  requireAdmin(ctx);
  await assertGroup(ctx, input.groupId);
  await assertNameFree(ctx, input.name);
  const [row] = await ctx.tx
    .insert(components)
    .values({ name: input.name, description: input.description ?? null, groupId: input.groupId ?? null, position: input.position ?? 0, createdAt: ctx.now, updatedAt: ctx.now })
    .returning();
  return row!;
}

/** Client users see only the components their organisation uses. */
export async function listComponents(ctx: Ctx, page: { after: string | null; limit: number }) {
  const scope = clientScope(ctx);
  const where = and(
    page.after ? gt(components.id, page.after) : undefined,
    scope ? inArray(components.id, ctx.tx.select({ id: clientComponents.componentId }).from(clientComponents).where(eq(clientComponents.clientId, scope))) : undefined,
  );
  return ctx.tx.select().from(components).where(where).orderBy(asc(components.id)).limit(page.limit + 1);
}

export async function getComponent(ctx: Ctx, id: string) {
  const scope = clientScope(ctx);
  const [row] = await ctx.tx.select().from(components).where(eq(components.id, id));
  if (!row) throw notFound('Component');
  if (scope) {
    const [used] = await ctx.tx.select().from(clientComponents).where(and(eq(clientComponents.clientId, scope), eq(clientComponents.componentId, id)));
    if (!used) throw notFound('Component');
  }
  return row;
}

export async function updateComponent(
  ctx: Ctx,
  id: string,
  patch: { name?: string | undefined; description?: string | null | undefined; groupId?: string | null | undefined; position?: number | undefined; status?: ComponentStatus | undefined },
) {
  requireWriter(ctx);
  if (patch.name !== undefined || patch.groupId !== undefined || patch.description !== undefined || patch.position !== undefined) requireAdmin(ctx);
  const current = await getComponent(ctx, id);
  await assertGroup(ctx, patch.groupId);
  if (patch.name) await assertNameFree(ctx, patch.name, id);
  const [row] = await ctx.tx
    .update(components)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.groupId !== undefined && { groupId: patch.groupId }),
      ...(patch.position !== undefined && { position: patch.position }),
      ...(patch.status !== undefined && { status: patch.status }),
      updatedAt: ctx.now,
    })
    .where(eq(components.id, id))
    .returning();
  if (patch.status !== undefined && patch.status !== current.status) {
    await ctx.tx.insert(componentStatusHistory).values({ componentId: id, status: patch.status, at: ctx.now, actorId: ctx.actor.userId });
  }
  return row!;
}

/**
 * Sets each component to the worst impact of the unresolved incidents on it (under maintenance while a
 * public maintenance window on it is in progress, else operational, when none),
 * and records every change in the status history the status pages draw from.
 */
export async function recomputeComponentStatuses(db: Db, componentIds: string[], at: Date, incidentId: string | null, maintenanceWindowId: string | null = null): Promise<void> {
  if (componentIds.length === 0) return;
  await db.execute(sql`
    WITH target AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text(${JSON.stringify(componentIds)}::jsonb)),
    calc AS (
      SELECT t.id, COALESCE((
        SELECT ic.status FROM incident_components ic WHERE ic.component_id = t.id AND ic.is_live
        ORDER BY CASE ic.status WHEN 'major_outage' THEN 3 WHEN 'partial_outage' THEN 2 ELSE 1 END DESC LIMIT 1
      ), CASE WHEN EXISTS (
        SELECT 1 FROM maintenance_components mc JOIN maintenance_windows mw ON mw.id = mc.window_id
        WHERE mc.component_id = t.id AND mw.state = 'in_progress' AND NOT mw.is_internal
      ) THEN 'under_maintenance' ELSE 'operational' END) AS status
      FROM target t
    ),
    upd AS (
      UPDATE components c SET status = calc.status, updated_at = ${at} FROM calc
      WHERE c.id = calc.id AND c.status IS DISTINCT FROM calc.status RETURNING c.id, c.status
    )
    INSERT INTO component_status_history (component_id, status, at, incident_id, maintenance_window_id)
    SELECT id, status, ${at}, ${incidentId}::uuid, ${maintenanceWindowId}::uuid FROM upd`);
}

export async function createGroup(ctx: Ctx, input: { name: string; description?: string | null | undefined; position?: number | undefined }) {
  requireAdmin(ctx);
  const [dup] = await ctx.tx.select({ id: componentGroups.id }).from(componentGroups).where(eq(componentGroups.name, input.name));
  if (dup) throw new AppError('conflict', 'A group with this name exists.', { field: 'name' });
  const [row] = await ctx.tx.insert(componentGroups).values({ name: input.name, description: input.description ?? null, position: input.position ?? 0, createdAt: ctx.now }).returning();
  return row!;
}

export async function listGroups(ctx: Ctx, page: Page) {
  const scope = clientScope(ctx);
  const k = keyset(page, [componentGroups.position, componentGroups.name, componentGroups.id]);
  const used = scope
    ? inArray(
        componentGroups.id,
        ctx.tx.select({ id: components.groupId }).from(components).innerJoin(clientComponents, eq(clientComponents.componentId, components.id)).where(eq(clientComponents.clientId, scope)),
      )
    : undefined;
  const found = await ctx.tx.select().from(componentGroups).where(and(used, k.where)).orderBy(...k.orderBy).limit(k.limit);
  return pageByKey(found, page, (g) => [g.position, g.name, g.id]);
}

export async function updateGroup(ctx: Ctx, id: string, patch: { name?: string | undefined; description?: string | null | undefined; position?: number | undefined }) {
  requireAdmin(ctx);
  const set = {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.position !== undefined && { position: patch.position }),
  };
  // An empty patch changes nothing (an UPDATE with nothing to set is an error).
  const [row] = Object.keys(set).length
    ? await ctx.tx.update(componentGroups).set(set).where(eq(componentGroups.id, id)).returning()
    : await ctx.tx.select().from(componentGroups).where(eq(componentGroups.id, id));
  if (!row) throw notFound('Component group');
  return row;
}
