// Logging in and out with e-mail and password; failures are counted per account and slowed down.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { sessions, users } from '../../db/schema.js';
import { AppError } from '../app-error.js';
import { forgetCredential, issueCredential } from './credentials.js';
import { decoyHash, randomToken, verifySecret } from './passwords.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 15 * 60 * 1000;
const failures = new Map<string, { count: number; firstAt: number }>();

export async function login(db: Db, input: { email: string; password: string }, now: Date) {
  const email = input.email.trim().toLowerCase();
  const f = failures.get(email);
  if (f && f.count >= MAX_FAILURES && now.getTime() - f.firstAt < LOCKOUT_MS) {
    throw new AppError('rate_limited', 'Too many failed logins for this account; try again in 15 minutes.');
  }
  const [user] = await db.select().from(users).where(eq(sql`lower(${users.email})`, email));
  const ok = user?.passwordHash ? await verifySecret(input.password, user.passwordHash) : (await verifySecret(input.password, await decoyHash()), false);
  if (!user || !ok || user.isDisabled) {
    const entry = f && now.getTime() - f.firstAt < LOCKOUT_MS ? f : { count: 0, firstAt: now.getTime() };
    entry.count++;
    failures.set(email, entry);
    if (failures.size > 100_000) failures.clear();
    throw new AppError('unauthenticated', 'E-mail or password is wrong.');
  }
  failures.delete(email);
  const id = randomUUID();
  const { token, secretHash } = await issueCredential('session', id);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insert(sessions).values({ id, userId: user.id, secretHash, csrfToken, expiresAt, createdAt: now });
  return { token, csrfToken, expiresAt, user };
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
  forgetCredential(sessionId);
}
