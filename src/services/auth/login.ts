// Logging in and out with e-mail and password; failures are counted per account and address in the
// database and slowed down (login-throttle.ts).
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { sessions, users } from '../../db/schema.js';
import { AppError } from '../app-error.js';
import { forgetCredential, issueCredential } from './credentials.js';
import { accountKeyOf, addressKeyOf, attemptNotTried, attemptSucceeded, beginAttempt } from './login-throttle.js';
import { decoyHash, hashPassword, needsRehash, randomToken, verifySecret } from './passwords.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface LoginInput {
  email: string;
  password: string;
  /** The caller's IP address (behind a proxy: as HERALD_TRUST_PROXY lets Fastify read it). */
  address: string;
}

export async function login(db: Db, input: LoginInput, now: Date) {
  const email = input.email.trim().toLowerCase();
  const keys = { accountKey: accountKeyOf(email), address: addressKeyOf(input.address) };
  // Checked and counted before the password: a held-back attempt costs no password hash, and says the
  // same whether or not the account exists.
  const held = await beginAttempt(db, keys, now);
  if (held) {
    throw new AppError('rate_limited', `Too many failed logins; try again in ${held.retryAfterS} s.`, { retryAfterS: held.retryAfterS });
  }
  const [user] = await db.select().from(users).where(eq(sql`lower(${users.email})`, email));
  let ok: boolean;
  try {
    ok = user?.passwordHash ? await verifySecret(input.password, user.passwordHash) : (await verifySecret(input.password, await decoyHash()), false);
  } catch (err) {
    // Too many password checks waiting: this attempt was not tried, so it does not count.
    if (err instanceof AppError && err.code === 'rate_limited') await attemptNotTried(db, keys);
    throw err;
  }
  if (!user || !ok || user.isDisabled) throw new AppError('unauthenticated', 'E-mail or password is wrong.');
  await attemptSucceeded(db, keys, now);
  // A hash made with older (cheaper) parameters is made again now that the password is at hand.
  if (needsRehash(user.passwordHash!)) {
    await db.update(users).set({ passwordHash: await hashPassword(input.password) }).where(eq(users.id, user.id));
  }
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
