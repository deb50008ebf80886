// Idempotency-Key records (issue 15, item 10): never a secret in clear, and gone after 24 hours.
// A retry of "create a token" after a lost answer gets the token again (under a random key), yet the
// database holds neither the key nor the token: only a hash of the key and the answer sealed under it.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/services/sql-rows.js';
import { expectBody, expectProblem, expectStatus } from './support/http-assertions.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('Idempotency-Key records', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t?.close());

  /** Every stored record of this actor, as the text a copy of the database would show. */
  const storedText = async (actorId: string) =>
    JSON.stringify(await rows(t.database.db, sql`SELECT * FROM idempotency_keys WHERE actor_id = ${actorId}`));

  it('replays a new API token in full under a random key, while the database holds neither the key nor the token', async () => {
    const user = await t.user('member');
    const key = randomUUID();
    const first = await expectBody(user.post('/api/v1/tokens', { name: 'deploy bot' }, { 'idempotency-key': key }), 201);
    expect(first.token).toMatch(/\S{20,}/);
    const again = await expectStatus(user.post('/api/v1/tokens', { name: 'deploy bot' }, { 'idempotency-key': key }), 201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first);

    const stored = await storedText(user.userId);
    expect(stored).toContain('"status_code":201');
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(first.token);
    expect(stored).not.toContain(first.token.slice(-12));
    expect(stored).not.toContain('deploy bot');
  });

  it('keeps the answer without the token under a short key, which could be guessed', async () => {
    const user = await t.user('member');
    const first = await expectBody(user.post('/api/v1/tokens', { name: 'short key' }, { 'idempotency-key': 'k1' }), 201);
    const again = await expectBody(user.post('/api/v1/tokens', { name: 'short key' }, { 'idempotency-key': 'k1' }), 201);
    expect(again).toMatchObject({ id: first.id, token: null });
    expect(await storedText(user.userId)).not.toContain(first.token);
  });

  it('forgets a key after 24 hours: the key then does a new request, and housekeeping deletes the expired records', async () => {
    const user = await t.user('member');
    const key = randomUUID();
    const first = await expectBody(user.post('/api/v1/tokens', { name: 'first' }, { 'idempotency-key': key }), 201);
    await expectProblem(user.post('/api/v1/tokens', { name: 'other' }, { 'idempotency-key': key }), { status: 422, code: 'idempotency_key_reused' });

    await t.database.db.execute(sql`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 minute' WHERE actor_id = ${user.userId}`);
    const fresh = await expectStatus(user.post('/api/v1/tokens', { name: 'other' }, { 'idempotency-key': key }), 201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.body.id).not.toBe(first.id);

    await expectStatus(user.post('/api/v1/tokens', { name: 'third' }, { 'idempotency-key': randomUUID() }), 201);
    await t.database.db.execute(sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE actor_id = ${user.userId} AND route = 'POST /api/v1/tokens'`);
    const count = async () => (await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE actor_id = ${user.userId}`))[0]!.n;
    expect(await count()).toBe(2);
    expect((await t.herald.runHousekeeping(new Date())).idempotencyKeys).toBeGreaterThanOrEqual(2);
    expect(await count()).toBe(0);
  });
});
