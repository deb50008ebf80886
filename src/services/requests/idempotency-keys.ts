// Answers kept under an Idempotency-Key: a write repeated with the same key (a retry after a lost
// answer) gets the first answer again instead of being done twice. Read and written inside the
// write's own transaction, so an answer is kept exactly when the write committed.
//
// What is kept never holds a secret in clear. Some answers carry one (a new API token, an
// integration's token or HMAC secret, a webhook secret, a secret status or report link), and a
// retry after a lost answer must get it again, or the secret is made but nobody has it. So the key
// itself is kept only as a hash, and the answer is sealed with AES-256-GCM under a key derived
// (HKDF-SHA256) from the Idempotency-Key and the actor: only a request that knows the key can open
// it, and a copy of the database (a backup, a replica) reveals nothing. The request's fingerprint is
// keyed the same way, since a body may hold a password. Records expire after 24 hours: a lookup
// ignores an older one, and pruneExpiredAnswers() deletes them (the housekeeping timer, jobs/housekeeping.ts).
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { idempotencyKeys } from '../../db/schema.js';

/** How long an answer is kept and replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/**
 * Keys at least this long (a UUID is 36 characters) are taken as random enough to protect a sealed
 * secret; under a shorter key, which someone holding the database could guess, the routes that answer
 * with a secret keep their answer without it (the runner's `storedAs`).
 */
export const MIN_KEY_CHARS_FOR_SECRETS = 32;

export interface KeptAnswer {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/** The Idempotency-Key of one actor, with what is derived from it; the key itself is never stored. */
export class IdempotencyKey {
  /** What the database keeps in place of the key. */
  readonly hash: string;
  private readonly sealKey: Buffer;
  private readonly macKey: Buffer;

  constructor(
    readonly actorId: string,
    readonly key: string,
  ) {
    this.hash = createHash('sha256').update(`herald idempotency key\0${actorId}\0${key}`).digest('hex');
    const derived = Buffer.from(hkdfSync('sha256', key, actorId, 'herald idempotency answer v1', 64));
    this.sealKey = derived.subarray(0, 32);
    this.macKey = derived.subarray(32);
  }

  get protectsSecrets(): boolean {
    return this.key.length >= MIN_KEY_CHARS_FOR_SECRETS;
  }

  /** The fingerprint of a request, telling a repeat from another request under the same key. */
  fingerprint(request: string): string {
    return createHmac('sha256', this.macKey).update(request).digest('hex');
  }

  seal(response: unknown): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(this.hash));
    const data = Buffer.concat([cipher.update(JSON.stringify(response ?? null), 'utf8'), cipher.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  open(sealed: Sealed): unknown {
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(this.hash));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8'));
  }
}

/** The answer kept under this key, opened; null when there is none or it has expired (then it is removed, so the key can be used again). */
export async function findKeptAnswer(tx: Db, key: IdempotencyKey, now: Date): Promise<KeptAnswer | null> {
  const where = and(eq(idempotencyKeys.actorId, key.actorId), eq(idempotencyKeys.key, key.hash));
  const [prior] = await tx
    .select({ requestHash: idempotencyKeys.requestHash, statusCode: idempotencyKeys.statusCode, response: idempotencyKeys.response, createdAt: idempotencyKeys.createdAt })
    .from(idempotencyKeys)
    .where(where);
  if (!prior) return null;
  if (prior.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_TTL_MS) {
    await tx.delete(idempotencyKeys).where(where);
    return null;
  }
  return { requestHash: prior.requestHash, statusCode: prior.statusCode, response: key.open(prior.response as Sealed) };
}

/** Fails with a unique violation (23505) when a concurrent request with the same key kept its answer first. */
export async function keepAnswer(tx: Db, key: IdempotencyKey, answer: KeptAnswer & { route: string }, now: Date): Promise<void> {
  await tx.insert(idempotencyKeys).values({
    actorId: key.actorId,
    key: key.hash,
    route: answer.route,
    requestHash: answer.requestHash,
    statusCode: answer.statusCode,
    response: key.seal(answer.response),
    createdAt: now,
  });
}

/** Deletes the answers older than 24 hours; returns how many. */
export async function pruneExpiredAnswers(db: Db, now: Date): Promise<number> {
  const gone = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)))
    .returning({ actorId: idempotencyKeys.actorId });
  return gone.length;
}
