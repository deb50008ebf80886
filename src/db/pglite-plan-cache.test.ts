// The PGlite plan cache writes each parameter into EXECUTE's text as a quoted literal. Whatever a value
// holds, it must come back exactly as it went in (and as PGlite's own bound parameters bring it back),
// nothing in it may run as SQL, and a value PostgreSQL text cannot hold (NUL) must fail cleanly.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPlanCache } from './pglite-plan-cache.js';

let engine: PGlite;
/** The instance as Herald queries it. */
let cached: PGlite;

beforeAll(async () => {
  engine = await PGlite.create();
  cached = withPlanCache(engine);
  await engine.exec(`CREATE TABLE x (id serial PRIMARY KEY, t text, j jsonb, a text[], at timestamptz)`);
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

/** Whether the text was PREPAREd in the session, i.e. its parameters went as literals in an EXECUTE. */
async function wentAsLiterals(text: string): Promise<boolean> {
  const { rows } = await engine.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE right(statement, length($1) + 4) = ' AS ' || $1`, [text]);
  return rows[0]!.n > 0;
}

/** SELECT $1::type through the cache, and the same query with PGlite's own bound parameter. */
async function roundTrip(type: string, value: unknown): Promise<{ cached: unknown; bound: unknown }> {
  const text = `SELECT $1::${type} AS v`;
  const through = (await cached.query<{ v: unknown }>(text, [value])).rows[0]!.v;
  const bound = (await engine.query<{ v: unknown }>(text, [value])).rows[0]!.v;
  return { cached: through, bound };
}

const MEGABYTE_JSON = JSON.stringify({
  quotes: `it's "quoted" ''`,
  slashes: 'C:\\temp\\new \\\\ \\n',
  dollars: '$$ $1 $body$',
  items: Array.from({ length: 18_000 }, (_, i) => ({ i, text: `line ${i}: ' \\ " $$ 🚀 ü`, ok: i % 2 === 0 })),
});

const HOSTILE_TEXTS = [
  `it's`,
  `''`,
  `'`,
  `\\`,
  `ends with a backslash \\`,
  `\\'); DROP TABLE x; --`,
  `'); DROP TABLE x; --`,
  `x' || (SELECT 'injected') || '`,
  `E'\\x41' \\x41 \\u0041 \\041`,
  `$$`,
  `$$; DROP TABLE x; $$`,
  `$1 $2 $body$ $$`,
  `-- not a comment\n/* nor this */`,
  `line one\nline two\r\n\ttabbed`,
  `Grüße, 東京, עברית \u202e, emoji 🚀👩‍👩‍👧`,
  '',
  ' ',
  'x'.repeat(1_000_000),
];

describe('the PGlite plan cache', () => {
  it('brings back every hostile string exactly, through EXECUTE', async () => {
    for (const value of HOSTILE_TEXTS) {
      const { cached: back, bound } = await roundTrip('text', value);
      expect(back, JSON.stringify(value.slice(0, 40))).toBe(value);
      expect(bound).toBe(value);
    }
    expect(await wentAsLiterals('SELECT $1::text AS v')).toBe(true);
    expect((await engine.query(`SELECT to_regclass('x') AS t`)).rows).toEqual([{ t: 'x' }]);
  });

  it('brings back a megabyte of JSON with quotes, backslashes and dollars', async () => {
    expect(MEGABYTE_JSON.length).toBeGreaterThan(1_000_000);
    const { cached: back, bound } = await roundTrip('jsonb', MEGABYTE_JSON);
    expect(back).toEqual(JSON.parse(MEGABYTE_JSON));
    expect(back).toEqual(bound);
    expect(await wentAsLiterals('SELECT $1::jsonb AS v')).toBe(true);
  });

  it('brings back numbers, booleans, big integers, dates and null as their types', async () => {
    const cases: [string, unknown, unknown][] = [
      ['int4', 0, 0],
      ['int4', -2147483648, -2147483648],
      ['int8', 9007199254740991, 9007199254740991],
      ['int8', 2n ** 63n - 1n, 2n ** 63n - 1n],
      ['float8', 0.1 + 0.2, 0.1 + 0.2],
      ['float8', -1.5e-300, -1.5e-300],
      ['float8', Infinity, Infinity],
      ['float8', NaN, NaN],
      ['numeric', 1e21, '1000000000000000000000'],
      ['bool', true, true],
      ['bool', false, false],
      ['timestamptz', new Date('2026-03-29T01:30:00.123Z'), new Date('2026-03-29T01:30:00.123Z')],
      ['timestamptz', new Date('1969-12-31T23:59:59.999Z'), new Date('1969-12-31T23:59:59.999Z')],
      ['date', new Date('2026-02-28T23:00:00.000Z'), new Date('2026-02-28T00:00:00.000Z')],
      ['text', null, null],
      ['int4', undefined, null],
      ['jsonb', null, null],
    ];
    for (const [type, value, expected] of cases) {
      const { cached: back, bound } = await roundTrip(type, value);
      expect(back, `${String(value)}::${type}`).toEqual(expected);
      expect(back).toEqual(bound);
      expect(await wentAsLiterals(`SELECT $1::${type} AS v`), type).toBe(true);
    }
  });

  it('brings back arrays and objects, which go as bound parameters', async () => {
    const list = ['a', `b'c`, 'd\\e', '', null, 'x,y', '{z}', '"q"', `'); DROP TABLE x; --`, '🚀'];
    expect((await roundTrip('text[]', list)).cached).toEqual(list);
    const object = { quote: `it's`, slash: '\\', nested: [1, null, { d: '$$' }] };
    expect((await roundTrip('jsonb', object)).cached).toEqual(object);
    expect(await wentAsLiterals('SELECT $1::text[] AS v')).toBe(false);
  });

  it('writes and reads hostile values in a table, in a transaction as outside one', async () => {
    const at = new Date('2026-12-07T18:00:00.000Z');
    const insert = 'INSERT INTO x (t, j, a, at) VALUES ($1, $2, $3, $4) RETURNING id';
    const { rows } = await cached.transaction((tx) => tx.query<{ id: number }>(insert, [HOSTILE_TEXTS[6], MEGABYTE_JSON, [`'`, '\\'], at]));
    const read = await cached.query<{ t: string; j: unknown; a: string[]; at: Date }>('SELECT t, j, a, at FROM x WHERE id = $1', [rows[0]!.id]);
    expect(read.rows).toEqual([{ t: HOSTILE_TEXTS[6], j: JSON.parse(MEGABYTE_JSON), a: [`'`, '\\'], at }]);
    const again = await cached.query<{ id: number }>(insert, [`$$'\\`, '{"k":"\\\\"}', null, null]);
    expect((await cached.query('SELECT t, j FROM x WHERE id = $1', [again.rows[0]!.id])).rows).toEqual([{ t: `$$'\\`, j: { k: '\\' } }]);
    expect((await engine.query<{ n: number }>('SELECT count(*)::int AS n FROM x')).rows[0]!.n).toBe(2);
  });

  it('refuses a NUL cleanly: an error, nothing written, the session still usable', async () => {
    const before = (await engine.query<{ n: number }>('SELECT count(*)::int AS n FROM x')).rows[0]!.n;
    await expect(cached.query('SELECT $1::text AS v', ['a\0b'])).rejects.toThrow(/0x00/);
    await expect(cached.query('INSERT INTO x (t) VALUES ($1)', [`'); DROP TABLE x; --\0`])).rejects.toThrow(/0x00/);
    await expect(cached.query('SELECT $1::text[] AS v', [['ok', 'a\0b']])).rejects.toThrow();
    // JSON can write a NUL as an escape; jsonb refuses it.
    await expect(cached.query('SELECT $1::jsonb AS v', ['{"a":"\\u0000"}'])).rejects.toThrow(/Unicode escape/);
    expect((await engine.query<{ n: number }>('SELECT count(*)::int AS n FROM x')).rows[0]!.n).toBe(before);
    expect((await cached.query('SELECT $1::text AS v', [`still 'fine'`])).rows).toEqual([{ v: `still 'fine'` }]);
  });

  it('refuses a value the type cannot hold as PostgreSQL would, without running anything of it', async () => {
    await expect(cached.query('SELECT $1::int4 AS v', [`1); DROP TABLE x; --`])).rejects.toThrow(/invalid input syntax for type integer/);
    await expect(cached.query('SELECT $1::timestamptz AS v', [new Date(Number.NaN)])).rejects.toThrow(RangeError);
    expect((await engine.query(`SELECT to_regclass('x') AS t`)).rows).toEqual([{ t: 'x' }]);
  });

  it('gives each of many concurrent callers of a new statement its own value', async () => {
    const text = 'SELECT $1::text || $2::text AS v';
    const values = HOSTILE_TEXTS.slice(0, 16);
    const results = await Promise.all(values.map((v, i) => cached.query<{ v: string }>(text, [v, `#${i}`])));
    expect(results.map((r) => r.rows[0]!.v)).toEqual(values.map((v, i) => `${v}#${i}`));
  });
});
