// Client organisations, their contacts, and the components each one uses.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { clientComponents, clients, components, contacts } from '../../db/schema.js';
import type { ContactRole, MessageKind } from '../../domain/types.js';
import { AppError, notFound } from '../app-error.js';
import { clientScope, requireAdmin, requireStaff, requireWriter, type Ctx } from '../context.js';

export type ClientRow = typeof clients.$inferSelect & { componentIds: string[] };
export type ContactRow = typeof contacts.$inferSelect;

async function assertComponents(ctx: Ctx, ids: string[]) {
  if (!ids.length) return;
  const found = await ctx.tx.select({ id: components.id }).from(components).where(inArray(components.id, ids));
  const known = new Set(found.map((f) => f.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) throw new AppError('invalid_input', `Unknown components: ${missing.join(', ')}.`, { field: 'componentIds', missing });
}

async function withComponents(ctx: Ctx, rows: (typeof clients.$inferSelect)[]): Promise<ClientRow[]> {
  if (!rows.length) return [];
  const links = await ctx.tx.select().from(clientComponents).where(inArray(clientComponents.clientId, rows.map((r) => r.id)));
  return rows.map((r) => ({ ...r, componentIds: links.filter((l) => l.clientId === r.id).map((l) => l.componentId).sort() }));
}

export async function createClient(ctx: Ctx, input: { name: string; slug: string; tier?: string | undefined; componentIds?: string[] | undefined }) {
  requireAdmin(ctx);
  const [dup] = await ctx.tx.select({ id: clients.id }).from(clients).where(eq(clients.slug, input.slug));
  if (dup) throw new AppError('conflict', 'A client with this slug exists.', { field: 'slug' });
  const componentIds = [...new Set(input.componentIds ?? [])];
  await assertComponents(ctx, componentIds);
  const [row] = await ctx.tx.insert(clients).values({ name: input.name, slug: input.slug, tier: input.tier ?? 'standard', createdAt: ctx.now, updatedAt: ctx.now }).returning();
  if (componentIds.length) await ctx.tx.insert(clientComponents).values(componentIds.map((componentId) => ({ clientId: row!.id, componentId })));
  return { ...row!, componentIds: componentIds.sort() };
}

export async function listClients(ctx: Ctx, page: { after: string | null; limit: number }) {
  const scope = clientScope(ctx);
  const where = and(page.after ? gt(clients.id, page.after) : undefined, scope ? eq(clients.id, scope) : undefined);
  return withComponents(ctx, await ctx.tx.select().from(clients).where(where).orderBy(asc(clients.id)).limit(page.limit + 1));
}

export async function getClient(ctx: Ctx, id: string): Promise<ClientRow> {
  const scope = clientScope(ctx);
  if (scope && scope !== id) throw notFound('Client');
  const [row] = await ctx.tx.select().from(clients).where(eq(clients.id, id));
  if (!row) throw notFound('Client');
  return (await withComponents(ctx, [row]))[0]!;
}

export async function updateClient(ctx: Ctx, id: string, patch: { name?: string | undefined; tier?: string | undefined; componentIds?: string[] | undefined }) {
  requireAdmin(ctx);
  await getClient(ctx, id);
  if (patch.componentIds) {
    const ids = [...new Set(patch.componentIds)];
    await assertComponents(ctx, ids);
    await ctx.tx.delete(clientComponents).where(eq(clientComponents.clientId, id));
    if (ids.length) await ctx.tx.insert(clientComponents).values(ids.map((componentId) => ({ clientId: id, componentId })));
  }
  await ctx.tx
    .update(clients)
    .set({ ...(patch.name !== undefined && { name: patch.name }), ...(patch.tier !== undefined && { tier: patch.tier }), updatedAt: ctx.now })
    .where(eq(clients.id, id));
  return getClient(ctx, id);
}

export interface ContactInput {
  name: string;
  email: string;
  language?: string | undefined;
  role?: ContactRole | undefined;
  channels?: ContactChannel[] | undefined;
  kinds?: MessageKind[] | null | undefined;
}

export type ContactChannel = 'email';

/** Contacts are staff data: a client user sees their own organisation's contacts only. */
export async function listContacts(ctx: Ctx, clientId: string, page: Page) {
  await getClient(ctx, clientId);
  const k = keyset(page, [contacts.name, contacts.id]);
  const found = await ctx.tx.select().from(contacts).where(and(eq(contacts.clientId, clientId), k.where)).orderBy(...k.orderBy).limit(k.limit);
  return pageByKey(found, page, (c) => [c.name, c.id]);
}

async function assertEmailFree(ctx: Ctx, clientId: string, email: string, exceptId?: string) {
  const [dup] = await ctx.tx
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.clientId, clientId), eq(sql`lower(${contacts.email})`, email.toLowerCase())));
  if (dup && dup.id !== exceptId) throw new AppError('conflict', 'This client has a contact with this e-mail.', { field: 'email' });
}

export async function addContact(ctx: Ctx, clientId: string, input: ContactInput) {
  requireWriter(ctx);
  await getClient(ctx, clientId);
  await assertEmailFree(ctx, clientId, input.email);
  const [row] = await ctx.tx
    .insert(contacts)
    .values({
      clientId,
      name: input.name,
      email: input.email,
      language: input.language ?? 'en',
      role: input.role ?? 'technical',
      channels: input.channels ?? ['email'],
      kinds: input.kinds ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  return row!;
}

export async function updateContact(ctx: Ctx, clientId: string, contactId: string, patch: Partial<ContactInput>) {
  requireWriter(ctx);
  if (patch.email) await assertEmailFree(ctx, clientId, patch.email, contactId);
  const [row] = await ctx.tx
    .update(contacts)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.language !== undefined && { language: patch.language }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.channels !== undefined && { channels: patch.channels }),
      ...(patch.kinds !== undefined && { kinds: patch.kinds }),
      updatedAt: ctx.now,
    })
    .where(and(eq(contacts.id, contactId), eq(contacts.clientId, clientId)))
    .returning();
  if (!row) throw notFound('Contact');
  return row;
}

export async function removeContact(ctx: Ctx, clientId: string, contactId: string) {
  requireWriter(ctx);
  requireStaff(ctx);
  const [row] = await ctx.tx.delete(contacts).where(and(eq(contacts.id, contactId), eq(contacts.clientId, clientId))).returning();
  if (!row) throw notFound('Contact');
}
