// SLA policies per client tier and severity; tier '*' holds the defaults for every other tier.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { and, eq } from 'drizzle-orm';
import { slaPolicies, users } from '../../db/schema.js';
import type { Severity, SlaPolicy } from '../../domain/types.js';
import type { Db } from '../../db/open.js';
import { AppError, notFound } from '../app-error.js';
import { requireAdmin, requireStaff, type Ctx } from '../context.js';

export type SlaPolicyRow = typeof slaPolicies.$inferSelect;

export const toPolicy = (r: SlaPolicyRow): SlaPolicy => ({
  tier: r.tier,
  severity: r.severity as Severity,
  initialNoticeMinutes: r.initialNoticeMinutes,
  updateEveryMinutes: r.updateEveryMinutes,
  resolutionNoticeMinutes: r.resolutionNoticeMinutes,
  rcaBusinessDays: r.rcaBusinessDays,
  requiresApproval: r.requiresApproval,
});

export async function loadPolicies(db: Db): Promise<SlaPolicy[]> {
  return (await db.select().from(slaPolicies)).map(toPolicy);
}

export async function listSlaPolicies(ctx: Ctx, page: Page) {
  requireStaff(ctx);
  const k = keyset(page, [slaPolicies.tier, slaPolicies.severity, slaPolicies.id]);
  const found = await ctx.tx.select().from(slaPolicies).where(k.where).orderBy(...k.orderBy).limit(k.limit);
  return pageByKey(found, page, (p) => [p.tier, p.severity, p.id]);
}

type PolicyFields = Omit<SlaPolicy, 'tier' | 'severity'> & { ownerId?: string | null | undefined; requiresApproval?: boolean | undefined };

async function assertOwner(ctx: Ctx, ownerId: string | null | undefined) {
  if (!ownerId) return;
  const [u] = await ctx.tx.select({ role: users.role }).from(users).where(eq(users.id, ownerId));
  if (!u || u.role === 'client') throw new AppError('invalid_input', 'The owner must be a staff user.', { field: 'ownerId' });
}

export async function createSlaPolicy(ctx: Ctx, input: PolicyFields & { tier: string; severity: Severity }) {
  requireAdmin(ctx);
  await assertOwner(ctx, input.ownerId);
  const [dup] = await ctx.tx.select({ id: slaPolicies.id }).from(slaPolicies).where(and(eq(slaPolicies.tier, input.tier), eq(slaPolicies.severity, input.severity)));
  if (dup) throw new AppError('conflict', 'A policy for this tier and severity exists; change it instead.', { field: 'tier' });
  const [row] = await ctx.tx.insert(slaPolicies).values({ ...input, ownerId: input.ownerId ?? null, requiresApproval: input.requiresApproval ?? false, updatedAt: ctx.now }).returning();
  return row!;
}

export async function updateSlaPolicy(ctx: Ctx, id: string, patch: Partial<PolicyFields>) {
  requireAdmin(ctx);
  await assertOwner(ctx, patch.ownerId);
  const set: Partial<typeof slaPolicies.$inferInsert> = { updatedAt: ctx.now };
  for (const k of ['initialNoticeMinutes', 'updateEveryMinutes', 'resolutionNoticeMinutes', 'rcaBusinessDays', 'ownerId', 'requiresApproval'] as const) {
    if (patch[k] !== undefined) (set as Record<string, unknown>)[k] = patch[k];
  }
  const [row] = await ctx.tx.update(slaPolicies).set(set).where(eq(slaPolicies.id, id)).returning();
  if (!row) throw notFound('SLA policy');
  return row;
}

/** Whether client messages of this severity to a client of this tier need a second person's approval. */
export async function requiresApproval(db: Db, tiers: string[], severity: Severity): Promise<boolean> {
  return needsApproval((await db.select().from(slaPolicies).where(eq(slaPolicies.severity, severity))).map(toPolicy), tiers, severity);
}

/** The same, decided with policies already loaded (a command loads them with the incident). */
export function needsApproval(policies: SlaPolicy[], tiers: string[], severity: Severity): boolean {
  const of = policies.filter((p) => p.severity === severity);
  return tiers.some((tier) => (of.find((p) => p.tier === tier) ?? of.find((p) => p.tier === '*'))?.requiresApproval ?? false);
}
