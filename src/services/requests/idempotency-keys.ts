// Answers kept under an Idempotency-Key: a write repeated with the same key (a retry after a lost
// answer) gets the first answer again instead of being done twice. Read and written inside the
// write's own transaction, so an answer is kept exactly when the write committed.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { idempotencyKeys } from '../../db/schema.js';

export interface KeptAnswer {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

export async function findKeptAnswer(tx: Db, actorId: string, key: string): Promise<KeptAnswer | null> {
  const [prior] = await tx
    .select({ requestHash: idempotencyKeys.requestHash, statusCode: idempotencyKeys.statusCode, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, key)));
  return prior ?? null;
}

/** Fails with a unique violation (23505) when a concurrent request with the same key kept its answer first. */
export async function keepAnswer(tx: Db, answer: KeptAnswer & { actorId: string; key: string; route: string }): Promise<void> {
  await tx.insert(idempotencyKeys).values({ ...answer, response: answer.response ?? null });
}
