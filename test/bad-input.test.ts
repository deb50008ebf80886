// "Nothing silent" (DESIGN §7): every write route of the OpenAPI document, fed arbitrary bodies
// (any JSON, a wrong type in one field, huge strings, NUL bytes, unknown ids and keys, malformed
// JSON), answers a 4xx problem+json, never a 5xx, and a refused request writes nothing.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident } from './support/factories.js';
import {
  fillPath,
  isWrite,
  jsonTypes,
  loadOperations,
  pathParamKinds,
  routeKey,
  schemaVariants,
  DRY_RUN_ROUTES,
  STREAM_ROUTES,
  writeBodies,
  type BodyIds,
  type IdKind,
  type JsonSchema,
  type Operation,
} from './support/openapi-walk.js';
import { createTestApp, type Response, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

type Path = (string | number)[];

interface Attempt {
  label: string;
  url: string;
  /** Sent as is: a JSON text, malformed text, or nothing. */
  payload: string | undefined;
  contentType?: string;
  /** The input is wrong whatever the state: the answer must be a 4xx. Otherwise any non-5xx will do. */
  mustFail: boolean;
}

const RUNS = { anything: 10, wrongType: 12, huge: 5, nul: 8, unknownId: 10, malformed: 8 };
/** Each property walks every write route: generous, so that a loaded machine does not fail it (about 20 s in all when idle). */
const TIMEOUT = 180_000;

/** Every leaf of a JSON value (and every array), as a path. */
function leafPaths(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => leafPaths(x, [...at, i]))];
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]));
  return at.length ? [at] : [];
}

/** The schemas that may apply at `path` of a body with schema `root`. */
function schemaAt(root: JsonSchema, path: Path): JsonSchema[] {
  let cur = [root];
  for (const seg of path) {
    cur = cur.flatMap(schemaVariants).flatMap((s) => (typeof seg === 'number' ? (s.items ? [s.items] : []) : s.properties?.[seg] ? [s.properties[seg]] : []));
  }
  return cur;
}

function setAt(body: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(body ?? {}) as Record<string | number, unknown>;
  let cur = copy;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

const isJson = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

const valueOfType: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 20 }),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
};

describe.each(testBackends())('bad input on %s', (kind) => {
  let t: TestApp;
  let writes: Operation[];
  let pathValues: (op: Operation) => Record<string, string>;
  let ids: BodyIds;
  let countRows: () => Promise<Record<string, number>>;
  let counts: Record<string, number>;

  beforeAll(async () => {
    // No delivery workers: their retries would write rows in the background, between our counts.
    t = await createTestApp(kind, { runsJobs: false });
    const admin = t.admin;
    const group = (await admin.post('/api/v1/component-groups', { name: 'Fuzz group' })).body;
    const component = (await admin.post('/api/v1/components', { name: 'Fuzz component', groupId: group.id })).body;
    const client = (await admin.post('/api/v1/clients', { name: 'Fuzz client', slug: 'fuzz-client', componentIds: [component.id] })).body;
    const contacts: string[] = [];
    for (const email of ['kept@fuzz.example', 'doomed@fuzz.example']) contacts.push((await admin.post(`/api/v1/clients/${client.id}/contacts`, { name: 'Fuzz contact', email })).body.id as string);
    const incident = await buildAffectedIncident(admin, component.id);
    const obligation = (await admin.get(`/api/v1/incidents/${incident.id}/obligations`)).body.items[0].id as string;
    const member = await t.user('member', { email: 'member@fuzz.example' });
    const memberToken = ((await admin.get('/api/v1/tokens')).body.items as { id: string; userId: string }[]).find((x) => x.userId === member.userId)!.id;
    const policy = (await admin.get('/api/v1/sla-policies')).body.items[0].id as string;
    const endpoints: string[] = [];
    for (const name of ['Kept hook', 'Doomed hook']) endpoints.push((await admin.post(`/api/v1/clients/${client.id}/endpoints`, { kind: 'webhook', name, url: 'https://hooks.fuzz.example/x' })).body.id as string);
    // The admin leads the incident, so that incident commands get past the role checks to the input.
    await admin.post(`/api/v1/incidents/${incident.id}/roles`, { incidentManagerId: admin.userId, communicationLeadId: admin.userId });
    ids = { clientId: client.id, componentId: component.id, groupId: group.id, userId: admin.userId, userEmail: 'member@fuzz.example', incidentId: incident.id, contactId: contacts[0]! };
    const byKind: Record<IdKind, string> = {
      user: member.userId,
      token: memberToken,
      group: group.id,
      component: component.id,
      client: client.id,
      contact: contacts[0]!,
      endpoint: endpoints[0]!,
      policy,
      incident: incident.id,
      obligation,
      communication: randomUUID(),
      // An e-mail template: its preview goes to a contact, so the contactId it is given matters.
      template: ((await admin.get('/api/v1/templates')).body.items as { id: string; channel: string }[]).find((x) => x.channel === 'email')?.id ?? randomUUID(),
      maintenance: (await admin.post('/api/v1/maintenance', { title: 'Fuzz window', componentIds: [component.id], startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 2 * 86_400_000 + 3_600_000).toISOString() })).body.id as string,
      tier: 'standard',
      integration: (await admin.post('/api/v1/integrations', { kind: 'generic', name: 'Fuzz checks', slug: 'fuzz-checks' })).body.id as string,
      triage: await (async () => {
        const url = new URL((await admin.post(`/api/v1/clients/${client.id}/report-link`, {})).body.url as string);
        await t.app.inject({ method: 'POST', url: url.pathname, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ title: 'Fuzz report', description: 'Held by the spam guard' }) });
        return (await admin.get('/api/v1/triage?kind=public_report')).body.items[0].id as string;
      })(),
      // Attachments have read routes only, which this test does not walk.
      attachment: randomUUID(),
    };
    // Deletes get objects of their own, so that the other routes keep a valid target.
    pathValues = (op) =>
      Object.fromEntries(Object.entries(pathParamKinds(op.path)).map(([name, k]) => [name, op.method === 'DELETE' && k === 'contact' ? contacts[1]! : op.method === 'DELETE' && k === 'endpoint' ? endpoints[1]! : byKind[k]]));

    const ops = await loadOperations(admin);
    writes = ops.filter((op) => isWrite(op) && !STREAM_ROUTES.has(routeKey(op)));
    expect(writes.length).toBeGreaterThan(10);

    const tables = (await rows<{ table_name: string }>(t.database.db, sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)).map((r) => r.table_name);
    expect(tables).toContain('incidents');
    const query = sql.raw(tables.map((name) => `SELECT '${name}' AS t, count(*)::int AS n FROM "${name}"`).join(' UNION ALL '));
    countRows = async () => Object.fromEntries((await rows<{ t: string; n: number }>(t.database.db, query)).map((r) => [r.t, Number(r.n)]));
    counts = await countRows();
  });
  afterAll(() => t?.close());

  const base = (op: Operation) => writeBodies(op, ids)[0];
  const urlOf = (op: Operation, values = pathValues(op)) => fillPath(op.path, values);

  async function check(op: Operation, a: Attempt) {
    const label = `${routeKey(op)} [${a.label}] ${a.url} ${a.payload === undefined ? '(no body)' : a.payload.length > 300 ? `${a.payload.slice(0, 300)}… (${a.payload.length} chars)` : a.payload}`;
    const res: Response = await t.admin.request(op.method, a.url, a.payload, a.contentType ? { 'content-type': a.contentType } : {});
    const shown = `${label}\n→ ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`;
    expect(res.status, `never a 5xx: ${shown}`).toBeLessThan(500);
    if (a.mustFail) expect(res.status, `bad input must be refused: ${shown}`).toBeGreaterThanOrEqual(400);
    if (res.status < 400) {
      counts = await countRows();
      return;
    }
    expect(String(res.headers['content-type']), `problem+json: ${shown}`).toMatch(/^application\/problem\+json/);
    expect(res.body, shown).toMatchObject({ status: res.status, code: expect.any(String), detail: expect.any(String) });
    if (res.status === 400) expect(res.body.field, `a 400 names the field: ${shown}`).toEqual(expect.any(String));
    const now = await countRows();
    // A refused login is counted on purpose (login_throttle): that is the one write a refusal makes.
    const changed = Object.keys({ ...counts, ...now }).filter((table) => now[table] !== counts[table] && table !== 'login_throttle').map((table) => `${table}: ${counts[table]} → ${now[table]}`);
    counts = now; // one failure is reported once, not again by every request after it
    expect(changed, `a refused request writes nothing: ${shown}`).toEqual([]);
  }

  /** Runs `arb(op)` against every write route it applies to. */
  async function forEveryWrite(runs: number, arb: (op: Operation) => fc.Arbitrary<Attempt> | null) {
    let tried = 0;
    const failures: string[] = [];
    for (const op of writes) {
      const a = arb(op);
      if (!a) continue;
      tried++;
      const out = await fc.check(
        fc.asyncProperty(a, (attempt) => check(op, attempt)),
        // PostgreSQL runs the same code: half the runs there catch what differs (its errors, its types).
        { numRuns: kind === 'postgres' ? Math.ceil(runs / 2) : runs, endOnFailure: true },
      );
      if (out.failed) failures.push(`${routeKey(op)} (seed ${out.seed}): ${(out.errorInstance as Error | undefined)?.message ?? String(out.errorInstance)}`);
    }
    expect(tried, 'routes this kind of input applies to').toBeGreaterThan(0);
    expect(failures, failures.join('\n\n')).toEqual([]);
  }

  const bodyPaths = (op: Operation): Path[] => {
    if (!op.bodySchema) return [];
    const b = base(op);
    const seen = new Set<string>();
    return [...Object.keys(op.bodySchema.properties ?? {}).map((k) => [k] as Path), ...leafPaths(b)].filter((p) => {
      const key = JSON.stringify(p);
      if (seen.has(key) || schemaAt(op.bodySchema!, p).length === 0) return false;
      seen.add(key);
      return true;
    });
  };

  it('knows a valid body for every write route', () => {
    for (const op of writes) {
      writeBodies(op, ids);
      pathParamKinds(op.path);
    }
  });

  it('answers any JSON value as a body, or any object merged into a valid body, without a 5xx', async () => {
    await forEveryWrite(RUNS.anything, (op) =>
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => ({
          label: 'any JSON',
          url: urlOf(op),
          payload: JSON.stringify(v),
          // A body schema wants an object: anything else is wrong whatever it holds.
          mustFail: !!op.bodySchema && (v === null || typeof v !== 'object' || Array.isArray(v)),
        })),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((extra) => ({
          label: 'valid body + any fields',
          url: urlOf(op),
          payload: JSON.stringify({ ...((base(op) as object | undefined) ?? {}), ...extra }),
          mustFail: false,
        })),
      ),
    );
  }, TIMEOUT);

  it('refuses a wrong type in any one field', async () => {
    await forEveryWrite(RUNS.wrongType, (op) => {
      const candidates = bodyPaths(op)
        .map((p) => ({ p, allowed: new Set(schemaAt(op.bodySchema!, p).flatMap((s) => [...jsonTypes(s)])) }))
        .filter((c) => !c.allowed.has('any'));
      if (!candidates.length) return null;
      return fc.constantFrom(...candidates).chain(({ p, allowed }) => {
        const wrong = Object.keys(valueOfType).filter((type) => !allowed.has(type));
        return fc.constantFrom(...wrong).chain((type) =>
          valueOfType[type]!.map((v) => ({ label: `${p.join('.')} as ${type}`, url: urlOf(op), payload: JSON.stringify(setAt(base(op), p, v)), mustFail: true })),
        );
      });
    });
  }, TIMEOUT);

  it('refuses huge strings (up to about 1 MB of body)', async () => {
    await forEveryWrite(RUNS.huge, (op) => {
      const candidates = bodyPaths(op)
        .map((p) => ({ p, strings: schemaAt(op.bodySchema!, p).flatMap(schemaVariants).filter((s) => s.type === 'string') }))
        .filter((c) => c.strings.length);
      if (!candidates.length) return null;
      return fc
        .tuple(fc.constantFrom(...candidates), fc.constantFrom('x', 'é', '🙂', ' '), fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 1_100_000 })))
        .map(([{ p, strings }, filler, extra]) => {
          const bounded = strings.every((s) => s.maxLength !== undefined || s.pattern !== undefined || s.enum !== undefined || s.format !== undefined);
          const max = Math.max(...strings.map((s) => s.maxLength ?? 64));
          const text = filler.repeat(Math.min(max + extra, 1_100_000));
          return { label: `${p.join('.')} of ${text.length} chars`, url: urlOf(op), payload: JSON.stringify(setAt(base(op), p, text)), mustFail: bounded };
        });
    });
  }, TIMEOUT);

  it('survives NUL bytes and any other code points in strings', async () => {
    await forEveryWrite(RUNS.nul, (op) => {
      const candidates = bodyPaths(op).filter((p) => schemaAt(op.bodySchema!, p).flatMap(schemaVariants).some((s) => s.type === 'string'));
      if (!candidates.length) return null;
      return fc.tuple(fc.constantFrom(...candidates), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.boolean()).map(([p, a, b, withNul]) => {
        const text = withNul ? `Fuzz${a}\u0000${b}` : `Fuzz${a}${b}`;
        // A NUL byte is not bad input everywhere (a password is only hashed), but where it is stored
        // PostgreSQL refuses it: that must come back as a 4xx, never a 5xx.
        return { label: `${p.join('.')} with ${withNul ? 'a NUL byte' : 'any code points'}`, url: urlOf(op), payload: JSON.stringify(setAt(base(op), p, text)), mustFail: false };
      });
    });
  }, TIMEOUT);

  it('refuses unknown ids and incident keys, in the path and in the body', async () => {
    await forEveryWrite(RUNS.unknownId, (op) => {
      const params = Object.entries(pathParamKinds(op.path));
      const uuidPaths = bodyPaths(op).filter((p) => schemaAt(op.bodySchema!, p).flatMap(schemaVariants).some((s) => s.format === 'uuid' || schemaVariants(s.items).some((i) => i.format === 'uuid')));
      const options: fc.Arbitrary<Attempt>[] = [];
      if (params.length) {
        options.push(
          fc.tuple(fc.constantFrom(...params), fc.uuid({ version: 4 }), fc.integer({ min: 100_000, max: 999_999_999 }), fc.boolean()).map(([[name, k], id, n, asKey]) => {
            const value = k === 'incident' && asKey ? `INC-${n}` : id;
            return { label: `unknown {${name}}`, url: urlOf(op, { ...pathValues(op), [name]: value }), payload: base(op) === undefined ? undefined : JSON.stringify(base(op)), mustFail: true };
          }),
        );
      }
      if (uuidPaths.length) {
        options.push(
          fc.tuple(fc.constantFrom(...uuidPaths), fc.uuid({ version: 4 })).map(([p, id]) => {
            const isList = schemaAt(op.bodySchema!, p).flatMap(schemaVariants).some((s) => s.type === 'array');
            return { label: `unknown ${p.join('.')}`, url: urlOf(op), payload: JSON.stringify(setAt(base(op), p, isList ? [id] : id)), mustFail: !DRY_RUN_ROUTES.has(routeKey(op)) };
          }),
        );
      }
      return options.length ? fc.oneof(...options) : null;
    });
  }, TIMEOUT);

  it('refuses malformed JSON and bodies that are not JSON', async () => {
    await forEveryWrite(RUNS.malformed, (op) => {
      const valid = JSON.stringify(base(op) ?? { any: 'thing' });
      return fc.oneof(
        fc.integer({ min: 0, max: valid.length - 1 }).map((n) => ({ label: 'truncated JSON', url: urlOf(op), payload: valid.slice(0, n), mustFail: !isJson(valid.slice(0, n)) || n === 0 })),
        fc.string({ maxLength: 40 }).filter((s) => !isJson(s)).map((s) => ({ label: 'not JSON', url: urlOf(op), payload: s, mustFail: true })),
        fc.constantFrom('{"a":1,}', "{'a':1}", '{"a":1}{"b":2}', '[1,2', '\u0000', '{"a":"\\x"}', '{"__proto__":').map((s) => ({ label: 'broken JSON', url: urlOf(op), payload: s, mustFail: true })),
        fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x').map((type) => ({ label: `as ${type}`, url: urlOf(op), payload: valid, contentType: type, mustFail: !!op.bodySchema || type !== 'text/plain' })),
      );
    });
  }, TIMEOUT);
});
