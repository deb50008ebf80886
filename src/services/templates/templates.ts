// Message templates: per kind, language and channel, owned, versioned. A template that would not
// render is refused when saved (naming part and line), never at send time.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { templates, templateVersions, users } from '../../db/schema.js';
import type { MessageKind } from '../../domain/types.js';
import { DEFAULT_TEMPLATES } from '../../templates/defaults.js';
import { DEFAULT_MAINTENANCE_TEMPLATES, validateMaintenanceTemplate } from '../../templates/maintenance.js';
import { isMaintenanceTemplateKind } from '../../domain/maintenance.js';
import { validateTemplate, type Channel, type PartsOf } from '../../templates/index.js';
import { AppError, notFound } from '../app-error.js';
import { requireStaff, requireWriter, type Ctx } from '../context.js';

export type TemplateRow = typeof templates.$inferSelect;
export const OWNER_ROLES = ['communication_lead', 'incident_manager'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

/**
 * Installs the shipped templates that are missing (first start, or a new kind/language in an upgrade):
 * the incident messages and the maintenance notices, versioned and owned alike.
 */
export async function ensureDefaultTemplates(db: Db, now: Date): Promise<number> {
  let added = 0;
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(4242003)`);
    const existing = new Set((await tx.select({ kind: templates.kind, language: templates.language, channel: templates.channel }).from(templates)).map((t) => `${t.kind}/${t.language}/${t.channel}`));
    for (const d of [...DEFAULT_TEMPLATES, ...DEFAULT_MAINTENANCE_TEMPLATES]) {
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

export interface ActiveTemplate {
  templateId: string;
  version: number;
  parts: Record<string, string>;
}

/** The current version of every template, keyed "kind/language/channel": one query per message sent. */
export async function loadActiveTemplates(db: Db): Promise<Map<string, ActiveTemplate>> {
  const found = await db
    .select({ t: templates, parts: templateVersions.parts })
    .from(templates)
    .innerJoin(templateVersions, and(eq(templateVersions.templateId, templates.id), eq(templateVersions.version, templates.currentVersion)));
  return new Map(found.map(({ t, parts }) => [`${t.kind}/${t.language}/${t.channel}`, { templateId: t.id, version: t.currentVersion, parts: parts as Record<string, string> }]));
}

/** The template for a kind and channel in a language, falling back to English. */
export function pickTemplate(active: Map<string, ActiveTemplate>, kind: MessageKind, language: string, channel: Channel): ActiveTemplate {
  const t = active.get(`${kind}/${language}/${channel}`) ?? active.get(`${kind}/en/${channel}`);
  if (!t) throw new AppError('invalid_template', `No ${channel} template for ${kind} messages; restore the shipped one.`);
  return t;
}

function assertValid(channel: Channel, kind: MessageKind, language: string, parts: Record<string, unknown>) {
  // Maintenance-notice templates (maintenance_scheduled, …) have a context of their own.
  const issues = isMaintenanceTemplateKind(kind) ? validateMaintenanceTemplate(kind, channel, parts, language) : validateTemplate(channel, parts, { kinds: [kind], language });
  if (issues.length) {
    throw new AppError('invalid_template', `The template cannot be saved: ${issues.map((i) => `${i.part}${i.line ? ` line ${i.line}` : ''}: ${i.message}`).join('; ')}`, {
      issues: issues.map((i) => ({ part: i.part, line: i.line, message: i.message })),
    });
  }
}

async function assertOwner(ctx: Ctx, ownerUserId: string | null | undefined) {
  if (!ownerUserId) return;
  const [u] = await ctx.tx.select({ role: users.role }).from(users).where(eq(users.id, ownerUserId));
  if (!u || u.role === 'client' || u.role === 'viewer') throw new AppError('invalid_input', 'The owner must be an admin or member.', { field: 'ownerUserId' });
}

/**
 * Admins may change any template; a member only one they own, or one owned by a role. Who owns a
 * template is changed only by an admin or the user who owns it: a member who may edit a template
 * owned by a role must not be able to make it theirs and so shut the role's other holders out.
 */
function assertMayEdit(ctx: Ctx, t: TemplateRow, changesOwner: boolean) {
  requireWriter(ctx);
  if (ctx.actor.role === 'admin') return;
  if (t.ownerUserId && t.ownerUserId !== ctx.actor.userId) throw new AppError('forbidden', 'Only the template’s owner or an admin may change it.');
  if (changesOwner && t.ownerUserId !== ctx.actor.userId) {
    throw new AppError('forbidden', 'Only an admin may change the owner of a template owned by a role.', { field: 'ownerUserId' });
  }
}

export async function listTemplates(ctx: Ctx, page: Page) {
  requireStaff(ctx);
  const active = await loadActiveTemplates(ctx.tx);
  const k = keyset(page, [templates.kind, templates.language, templates.channel, templates.id]);
  const found = await ctx.tx.select().from(templates).where(k.where).orderBy(...k.orderBy).limit(k.limit);
  const { items, nextCursor } = pageByKey(found, page, (t) => [t.kind, t.language, t.channel, t.id]);
  return { items: items.map((t) => ({ ...t, parts: active.get(`${t.kind}/${t.language}/${t.channel}`)?.parts ?? {} })), nextCursor };
}

export async function getTemplate(ctx: Ctx, id: string) {
  requireStaff(ctx);
  const [t] = await ctx.tx.select().from(templates).where(eq(templates.id, id));
  if (!t) throw notFound('Template');
  const versions = await ctx.tx.select().from(templateVersions).where(eq(templateVersions.templateId, id)).orderBy(desc(templateVersions.version));
  return { ...t, parts: (versions.find((v) => v.version === t.currentVersion)?.parts ?? {}) as Record<string, string>, versions };
}

export async function createTemplate(
  ctx: Ctx,
  input: { kind: MessageKind; language: string; channel: Channel; parts: Record<string, string>; ownerUserId?: string | null | undefined; ownerRole?: OwnerRole | null | undefined; note?: string | null | undefined },
) {
  requireWriter(ctx);
  await assertOwner(ctx, input.ownerUserId);
  const [dup] = await ctx.tx.select({ id: templates.id }).from(templates).where(and(eq(templates.kind, input.kind), eq(templates.language, input.language), eq(templates.channel, input.channel)));
  if (dup) throw new AppError('conflict', 'A template for this kind, language and channel exists; save a new version of it instead.', { field: 'kind' });
  assertValid(input.channel, input.kind, input.language, input.parts);
  const [row] = await ctx.tx
    .insert(templates)
    .values({
      kind: input.kind,
      language: input.language,
      channel: input.channel,
      ownerUserId: input.ownerUserId ?? null,
      ownerRole: input.ownerUserId ? null : (input.ownerRole ?? 'communication_lead'),
      currentVersion: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  await ctx.tx.insert(templateVersions).values({ templateId: row!.id, version: 1, parts: input.parts, note: input.note ?? null, createdBy: ctx.actor.userId, createdAt: ctx.now });
  return getTemplate(ctx, row!.id);
}

/** Saves a new version (the earlier ones stay in the history), and/or changes the owner. */
export async function updateTemplate(
  ctx: Ctx,
  id: string,
  input: { parts?: Record<string, string> | undefined; note?: string | null | undefined; ownerUserId?: string | null | undefined; ownerRole?: OwnerRole | null | undefined },
) {
  const [t] = await ctx.tx.select().from(templates).where(eq(templates.id, id)).for('update');
  if (!t) throw notFound('Template');
  assertMayEdit(ctx, t, input.ownerUserId !== undefined || input.ownerRole !== undefined);
  let version = t.currentVersion;
  if (input.parts) {
    assertValid(t.channel as Channel, t.kind as MessageKind, t.language, input.parts);
    version = t.currentVersion + 1;
    await ctx.tx.insert(templateVersions).values({ templateId: id, version, parts: input.parts, note: input.note ?? null, createdBy: ctx.actor.userId, createdAt: ctx.now });
  }
  if (input.ownerUserId !== undefined) await assertOwner(ctx, input.ownerUserId);
  await ctx.tx
    .update(templates)
    .set({
      currentVersion: version,
      ...(input.ownerUserId !== undefined && { ownerUserId: input.ownerUserId, ownerRole: input.ownerUserId ? null : (input.ownerRole ?? t.ownerRole ?? 'communication_lead') }),
      ...(input.ownerUserId === undefined && input.ownerRole !== undefined && { ownerRole: input.ownerRole, ownerUserId: input.ownerRole ? null : t.ownerUserId }),
      updatedAt: ctx.now,
    })
    .where(eq(templates.id, id));
  return getTemplate(ctx, id);
}

export type { PartsOf };
