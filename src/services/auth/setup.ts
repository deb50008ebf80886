// The first admin: from the environment, or through a one-time setup link printed at first start.
import { randomUUID } from 'node:crypto';
import { eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { setupTokens, users } from '../../db/schema.js';
import { AppError } from '../app-error.js';
import { hashSecret, randomToken, verifySecret } from './passwords.js';
import { insertUser } from './users.js';

async function hasAdmin(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.role, 'admin'));
  return (row?.n ?? 0) > 0;
}

/**
 * At start: creates the admin from env when given and none exists, else, while there is no admin,
 * issues a fresh one-time setup token (earlier unused ones stop working). Returns the token to print.
 */
export async function ensureFirstAdmin(db: Db, env: { email?: string | undefined; password?: string | undefined }, now: Date): Promise<{ setupToken: string | null; createdAdmin: string | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(4242002)`);
    if (await hasAdmin(tx)) return { setupToken: null, createdAdmin: null };
    if (env.email && env.password) {
      await insertUser(tx, { email: env.email, name: 'Administrator', role: 'admin', password: env.password }, now);
      return { setupToken: null, createdAdmin: env.email };
    }
    await tx.delete(setupTokens).where(isNull(setupTokens.usedAt));
    const id = randomUUID();
    const secret = randomToken(24);
    await tx.insert(setupTokens).values({ id, secretHash: await hashSecret(secret), createdAt: now });
    return { setupToken: `${id}.${secret}`, createdAdmin: null };
  });
}

export async function completeSetup(db: Db, input: { token: string; email: string; name: string; password: string }, now: Date) {
  const [id, secret] = input.token.split('.');
  if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) throw new AppError('unauthenticated', 'The setup link is not valid.', { field: 'token' });
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(4242002)`);
    if (await hasAdmin(tx)) throw new AppError('conflict', 'Herald is already set up; log in instead.');
    const [row] = await tx.select().from(setupTokens).where(eq(setupTokens.id, id));
    if (!row || row.usedAt || !(await verifySecret(secret, row.secretHash))) {
      throw new AppError('unauthenticated', 'The setup link is not valid or was used.', { field: 'token' });
    }
    await tx.update(setupTokens).set({ usedAt: now }).where(eq(setupTokens.id, id));
    return insertUser(tx, { email: input.email, name: input.name, role: 'admin', password: input.password }, now);
  });
}
