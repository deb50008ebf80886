// API tokens for scripts: shown once at creation, stored as an scrypt hash, revocable.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { apiTokens } from '../../db/schema.js';
import { notFound } from '../app-error.js';
import type { Ctx } from '../context.js';
import { forgetCredential, issueCredential } from './credentials.js';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export async function insertApiToken(db: Db, userId: string, input: { name: string; expiresInDays?: number | null | undefined }, now: Date) {
  const id = randomUUID();
  const { token, secretHash } = await issueCredential('token', id);
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
  const [row] = await db.insert(apiTokens).values({ id, userId, name: input.name, secretHash, createdAt: now, expiresAt }).returning();
  return { row: row!, token };
}

export const createApiToken = (ctx: Ctx, input: { name: string; expiresInDays?: number | null | undefined }) =>
  insertApiToken(ctx.tx, ctx.actor.userId, input, ctx.now);

/** Each user sees and revokes their own tokens; admins see and revoke everyone's. */
export async function listApiTokens(ctx: Ctx, page: Page) {
  const own = ctx.actor.role === 'admin' ? undefined : eq(apiTokens.userId, ctx.actor.userId);
  const k = keyset(page, [apiTokens.createdAt, apiTokens.id], 'desc');
  const found = await ctx.tx.select().from(apiTokens).where(and(own, k.where)).orderBy(...k.orderBy).limit(k.limit);
  return pageByKey(found, page, (t) => [t.createdAt, t.id]);
}

export async function revokeApiToken(ctx: Ctx, id: string) {
  const own = ctx.actor.role === 'admin' ? undefined : eq(apiTokens.userId, ctx.actor.userId);
  const [row] = await ctx.tx.update(apiTokens).set({ revokedAt: ctx.now }).where(and(eq(apiTokens.id, id), own)).returning();
  if (!row) throw notFound('Token');
  forgetCredential(id);
  return row;
}
