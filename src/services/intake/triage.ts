// The triage queue: alert groups whose rule says "wait for a person", e-mails from unknown senders and
// public reports the spam guard flagged. A person promotes an item to an incident or dismisses it.
import { and, asc, eq, sql } from 'drizzle-orm';
import { alertGroups, clients, intakeAttachments, triageItems } from '../../db/schema.js';
import type { ImpactStatus, Severity, Source } from '../../domain/types.js';
import { AppError, notFound } from '../app-error.js';
import { requireStaff, requireWriter, type Ctx } from '../context.js';
import { afterCursor, decodeCursor, keysetPage } from '../pagination.js';
import { rows } from '../sql-rows.js';
import { appendIntakeEvent, openIntakeIncident, type IntakeIncident } from './open-intake-incident.js';

export type TriageRow = typeof triageItems.$inferSelect;
export const TRIAGE_KINDS = ['alert_group', 'email', 'public_report'] as const;
export const TRIAGE_STATUSES = ['open', 'promoted', 'dismissed'] as const;

export async function listTriageItems(
  ctx: Ctx,
  filters: { status?: (typeof TRIAGE_STATUSES)[number] | undefined; kind?: (typeof TRIAGE_KINDS)[number] | undefined },
  page: { cursor: string | null; limit: number },
) {
  requireStaff(ctx);
  const after = decodeCursor(page.cursor);
  const found = await ctx.tx
    .select()
    .from(triageItems)
    .where(
      and(
        filters.status ? eq(triageItems.status, filters.status) : undefined,
        filters.kind ? eq(triageItems.kind, filters.kind) : undefined,
        afterCursor(triageItems.createdAt, triageItems.id, after),
      ),
    )
    .orderBy(asc(triageItems.createdAt), asc(triageItems.id))
    .limit(page.limit + 1);
  return keysetPage(found, page.limit, (row) => ({ at: row.createdAt, id: row.id }));
}

export async function getTriageItem(ctx: Ctx, id: string): Promise<TriageRow> {
  requireStaff(ctx);
  const [row] = await ctx.tx.select().from(triageItems).where(eq(triageItems.id, id));
  if (!row) throw notFound('Triage item');
  return row;
}

async function lockOpenItem(ctx: Ctx, id: string): Promise<TriageRow> {
  const [locked] = await rows<{ id: string }>(ctx.tx, sql`SELECT id FROM triage_items WHERE id = ${id} FOR UPDATE`);
  if (!locked) throw notFound('Triage item');
  const item = await getTriageItem(ctx, id);
  if (item.status !== 'open') throw new AppError('conflict', `This item was ${item.status} already.`, { field: 'id' });
  return item;
}

export interface PromoteInput {
  title?: string | undefined;
  severity?: Severity | undefined;
  componentIds?: string[] | undefined;
  /** The client the report is from (e.g. an unknown sender a person recognised). */
  clientId?: string | null | undefined;
  note?: string | null | undefined;
}

export async function promoteTriageItem(ctx: Ctx, id: string, input: PromoteInput): Promise<{ item: TriageRow; incident: IntakeIncident }> {
  requireWriter(ctx);
  const item = await lockOpenItem(ctx, id);
  const data = item.data as Record<string, unknown>;
  const clientId = input.clientId !== undefined ? input.clientId : item.clientId;
  if (clientId) {
    const [known] = await ctx.tx.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId));
    if (!known) throw new AppError('invalid_input', `Unknown clientId: ${clientId}.`, { field: 'clientId', missing: [clientId] });
  }
  if (input.componentIds?.length) {
    const found = await rows<{ id: string }>(ctx.tx, sql`SELECT id FROM components WHERE id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(input.componentIds)}::jsonb))`);
    const known = new Set(found.map((f) => f.id));
    const missing = input.componentIds.filter((c) => !known.has(c));
    if (missing.length) throw new AppError('invalid_input', `Unknown components: ${missing.join(', ')}.`, { field: 'componentIds', missing });
  }
  const source: Source = item.kind === 'alert_group' ? 'monitoring' : clientId ? 'client' : 'internal';
  const incident = await openIntakeIncident(ctx.tx, {
    title: input.title ?? item.title,
    description: item.description,
    source,
    reporterClientId: source === 'client' ? clientId : null,
    reporterId: ctx.actor.userId,
    actorLabel: ctx.actor.label,
    severity: input.severity ?? (data.severity as Severity | undefined) ?? null,
    componentIds: input.componentIds ?? (data.componentIds as string[] | undefined) ?? [],
    impact: (data.impact as ImpactStatus | undefined) ?? 'partial_outage',
    intake: { triageItemId: item.id, kind: item.kind, sender: item.sender, reason: item.reason, note: input.note ?? null },
    now: ctx.now,
  });
  if (item.kind === 'alert_group') {
    // Later alerts of the group land on this incident.
    await ctx.tx.update(alertGroups).set({ incidentId: incident.id, resolveSuggestedAt: null }).where(eq(alertGroups.triageItemId, item.id));
    if (typeof data.firing === 'number') {
      await appendIntakeEvent(ctx.tx, incident.id, 'alerts.firing', { integration: data.integration, groupKey: data.groupKey, count: data.firing, firing: data.firing, total: data.total }, ctx.actor.label, ctx.now);
    }
  }
  await ctx.tx.update(intakeAttachments).set({ incidentId: incident.id }).where(eq(intakeAttachments.triageItemId, item.id));
  const [updated] = await ctx.tx
    .update(triageItems)
    .set({ status: 'promoted', incidentId: incident.id, clientId: clientId ?? null, decidedBy: ctx.actor.userId, decidedAt: ctx.now, decisionNote: input.note ?? null, updatedAt: ctx.now })
    .where(eq(triageItems.id, item.id))
    .returning();
  return { item: updated!, incident };
}

export async function dismissTriageItem(ctx: Ctx, id: string, input: { reason: string }): Promise<TriageRow> {
  requireWriter(ctx);
  const item = await lockOpenItem(ctx, id);
  const [updated] = await ctx.tx
    .update(triageItems)
    .set({ status: 'dismissed', decidedBy: ctx.actor.userId, decidedAt: ctx.now, decisionNote: input.reason, updatedAt: ctx.now })
    .where(eq(triageItems.id, item.id))
    .returning();
  return updated!;
}
