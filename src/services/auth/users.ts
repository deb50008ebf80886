// Install users: admins, members, viewers, and client users tied to one client organisation.
import { and, asc, eq, gt, ne, sql } from 'drizzle-orm';
import { clients, sessions, users } from '../../db/schema.js';
import type { InstallRole } from '../../domain/types.js';
import { AppError, notFound } from '../app-error.js';
import { clientScope, requireAdmin, type Ctx } from '../context.js';
import { forgetUser } from './credentials.js';
import { hashPassword, verifySecret } from './passwords.js';
import type { Db } from '../../db/open.js';

export type UserRow = typeof users.$inferSelect;

export interface CreateUserInput {
  email: string;
  name: string;
  role: InstallRole;
  clientId?: string | null | undefined;
  password?: string | null | undefined;
}

/** Without an actor: the CLI and first-start setup create users through this. */
export async function insertUser(db: Db, input: CreateUserInput, now: Date): Promise<UserRow> {
  if (input.role === 'client' && !input.clientId) throw new AppError('invalid_input', 'A client user needs a client.', { field: 'clientId' });
  if (input.role !== 'client' && input.clientId) throw new AppError('invalid_input', 'Only client users belong to a client.', { field: 'clientId' });
  if (input.clientId) {
    const [c] = await db.select({ id: clients.id }).from(clients).where(eq(clients.id, input.clientId));
    if (!c) throw new AppError('invalid_input', 'No such client.', { field: 'clientId' });
  }
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, input.email.toLowerCase()));
  if (existing) throw new AppError('conflict', 'A user with this e-mail exists.', { field: 'email' });
  const [row] = await db
    .insert(users)
    .values({
      email: input.email,
      name: input.name,
      role: input.role,
      clientId: input.clientId ?? null,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function createUser(ctx: Ctx, input: CreateUserInput): Promise<UserRow> {
  requireAdmin(ctx);
  return insertUser(ctx.tx, input, ctx.now);
}

export async function listUsers(ctx: Ctx, page: { after: string | null; limit: number }): Promise<UserRow[]> {
  const scope = clientScope(ctx);
  const where = and(scope ? eq(users.id, ctx.actor.userId) : undefined, page.after ? gt(users.id, page.after) : undefined);
  return ctx.tx.select().from(users).where(where).orderBy(asc(users.id)).limit(page.limit + 1);
}

export async function getUser(ctx: Ctx, id: string): Promise<UserRow> {
  if (clientScope(ctx) && id !== ctx.actor.userId) throw notFound('User');
  const [row] = await ctx.tx.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound('User');
  return row;
}

export interface UserPatch {
  name?: string | undefined;
  role?: InstallRole | undefined;
  isDisabled?: boolean | undefined;
  password?: string | undefined;
  /** Needed to change one's own password (a session left open must not be enough to take the account). */
  currentPassword?: string | undefined;
}

/**
 * Changes a user. A new password ends the user's sessions (all but the one it was changed with, when
 * the user changed their own): on this process at once, on others when their 10 s credential cache
 * checks the session again (credentials.ts).
 */
export async function updateUser(ctx: Ctx, id: string, patch: UserPatch, opts: { currentSessionId?: string | null | undefined } = {}): Promise<UserRow> {
  const isSelf = id === ctx.actor.userId;
  const isSelfService = isSelf && patch.role === undefined && patch.isDisabled === undefined;
  if (!isSelfService) requireAdmin(ctx);
  const current = await getUser(ctx, id);
  if (patch.role && (patch.role === 'client') !== (current.role === 'client')) {
    throw new AppError('invalid_input', 'A staff user cannot become a client user or the reverse; create a new user.', { field: 'role' });
  }
  if (patch.password !== undefined && isSelf && current.passwordHash) {
    const isCurrentRight = patch.currentPassword !== undefined && (await verifySecret(patch.currentPassword, current.passwordHash));
    if (!isCurrentRight) throw new AppError('invalid_input', 'To change your password, give your current one.', { field: 'currentPassword' });
  }
  const [row] = await ctx.tx
    .update(users)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.isDisabled !== undefined && { isDisabled: patch.isDisabled }),
      ...(patch.password !== undefined && { passwordHash: await hashPassword(patch.password) }),
      updatedAt: ctx.now,
    })
    .where(eq(users.id, id))
    .returning();
  if (patch.password !== undefined) {
    const kept = isSelf ? (opts.currentSessionId ?? null) : null;
    await ctx.tx.delete(sessions).where(and(eq(sessions.userId, id), kept ? ne(sessions.id, kept) : undefined));
  }
  forgetUser(id);
  return row!;
}
