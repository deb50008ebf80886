// Every list is paged with a cap (issue 15, item 10): walks the OpenAPI document, and every GET under
// /api/v1 that answers a list (`items`) takes `limit` (with a maximum) and `cursor` and answers
// `nextCursor`, unless its list is bounded by design (a declared maxItems). Then pages through a few
// lists for real: every item once, none past the limit, and a bad limit or cursor refused by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from './support/factories.js';
import { expectBody, expectProblem } from './support/http-assertions.js';
import type { JsonSchema } from './support/openapi-walk.js';
import { createTestApp, type Caller, type TestApp } from './support/test-app.js';

/**
 * Downloads of a whole record by design: the proof of delivery, as JSON or CSV, is read from the
 * database a page at a time while the answer streams out (services/communications/delivery-proof.ts),
 * so the server never holds it whole; paging it would defeat what it is for.
 */
const STREAMED_EXPORTS = new Set(['/api/v1/incidents/{id}/deliveries', '/api/v1/clients/{id}/deliveries']);

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: JsonSchema }[]; responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }> }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

async function allPages<T>(caller: Caller, path: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await expectBody(caller.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 500);
  return { items, pages };
}

describe('every list is paged with a cap', () => {
  let t: TestApp;
  let doc: OpenApi;
  beforeAll(async () => {
    t = await createTestApp('pglite');
    doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });
  afterAll(() => t?.close());

  it('documents limit (with a maximum), cursor and nextCursor on every list route of the API, or a bounded list', () => {
    const resolve = (s: JsonSchema | undefined): JsonSchema | undefined => {
      const ref = s?.$ref as string | undefined;
      return ref ? resolve(doc.components?.schemas?.[ref.split('/').pop()!]) : s;
    };
    const lists: string[] = [];
    const unpaged: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      if (!path.startsWith('/api/v1/') || !op) continue;
      const body = resolve(op.responses?.['200']?.content?.['application/json']?.schema);
      const items = resolve(body?.properties?.items);
      if (!items || items.type !== 'array') continue;
      lists.push(path);
      const query = new Map((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}]));
      const isPaged = typeof query.get('limit')?.maximum === 'number' && query.has('cursor') && !!body?.properties?.nextCursor;
      const isBounded = typeof items.maxItems === 'number';
      if (!isPaged && !isBounded && !STREAMED_EXPORTS.has(path)) unpaged.push(path);
      if (isPaged) expect(query.get('limit')!.maximum, path).toBeLessThanOrEqual(200);
    }
    expect(lists.length).toBeGreaterThan(20);
    expect(unpaged).toEqual([]);
  });

  it('pages through lists one item at a time, every item once, and refuses a limit past the cap or a forged cursor by name', async () => {
    const client = await buildClient(t.admin, { contacts: ['Ann', 'Bob', 'Cy', 'Dee'].map((name) => ({ name, email: `${name.toLowerCase()}@paged.example` })) });
    const contacts = await allPages<{ id: string; name: string }>(t.admin, `/api/v1/clients/${client.id}/contacts`, 1);
    expect(contacts.items.map((c) => c.name)).toEqual(['Ann', 'Bob', 'Cy', 'Dee']);
    expect(contacts.pages).toBe(4);

    const whole = await expectBody<{ items: { id: string }[]; nextCursor: string | null }>(t.admin.get('/api/v1/templates?limit=200'));
    const templates = await allPages<{ id: string }>(t.admin, '/api/v1/templates', 7);
    expect(templates.items.map((x) => x.id)).toEqual(whole.items.map((x) => x.id));
    expect(new Set(templates.items.map((x) => x.id)).size).toBe(templates.items.length);

    const policies = await allPages<{ id: string }>(t.admin, '/api/v1/sla-policies', 1);
    expect(policies.items.length).toBeGreaterThan(1);

    await expectProblem(t.admin.get('/api/v1/sla-policies?limit=201'), { status: 400, field: 'limit' });
    await expectProblem(t.admin.get('/api/v1/templates?cursor=not-a-cursor'), { status: 400, field: 'cursor' });
    const forged = Buffer.from(JSON.stringify(['x', 'y', 'z', 'not-a-uuid'])).toString('base64url');
    await expectProblem(t.admin.get(`/api/v1/templates?cursor=${forged}`), { status: 400, field: 'cursor' });
  });
});
