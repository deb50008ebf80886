// The SQL migrations are written by hand (docs/migrations.md), so this test is what keeps them and the
// TypeScript schema in step: after every migration has run, the database has exactly the tables and
// columns src/db/schema.ts declares (type, nullability, whether a default), the same primary keys,
// foreign keys, indexes and unique constraints (by name and keys), CHECK constraints (by name) and
// sequences. A column added on one side only, or a migration that forgot a NOT NULL, fails here
// rather than at the first query that needs it. The journal must list every migration file.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../src/db/schema.js';
import { databaseShape, declaredShape, type SchemaShape } from './support/schema-shape.js';
import { openTestDatabase, testBackends, type TestDatabase } from './support/test-database.js';

describe.each(testBackends())('the TypeScript schema and the migrated database on %s', (kind) => {
  let t: TestDatabase;
  const declared: SchemaShape = declaredShape(schema);
  let migrated: SchemaShape;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    migrated = await databaseShape(t.database.db);
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
  });

  it('has the same tables: none only in TypeScript, none only in a migration', () => {
    expect(Object.keys(migrated.tables).sort()).toEqual(Object.keys(declared.tables).sort());
    expect(Object.keys(declared.tables).length).toBeGreaterThan(30);
  });

  it('has the same columns in every table, each with the same type, nullability and presence of a default', () => {
    for (const [name, table] of Object.entries(declared.tables)) {
      expect.soft(migrated.tables[name]?.columns, `columns of ${name}`).toEqual(table.columns);
    }
  });

  it('has the same primary key in every table', () => {
    for (const [name, table] of Object.entries(declared.tables)) {
      expect.soft(migrated.tables[name]?.primaryKey, `primary key of ${name}`).toEqual(table.primaryKey);
      expect.soft(table.primaryKey.length, `${name} declares a primary key`).toBeGreaterThan(0);
    }
  });

  it('has every index and unique constraint, by name, with the same keys, uniqueness and partiality', () => {
    for (const [name, table] of Object.entries(declared.tables)) {
      expect.soft(migrated.tables[name]?.indexes, `indexes of ${name}`).toEqual(table.indexes);
    }
  });

  it('has the same foreign keys, with the same action on delete', () => {
    for (const [name, table] of Object.entries(declared.tables)) {
      expect.soft(migrated.tables[name]?.foreignKeys, `foreign keys of ${name}`).toEqual(table.foreignKeys);
    }
  });

  it('has the same CHECK constraints, by name', () => {
    for (const [name, table] of Object.entries(declared.tables)) {
      expect.soft(migrated.tables[name]?.checks, `checks of ${name}`).toEqual(table.checks);
    }
  });

  it('has the sequences the schema declares', () => {
    expect(migrated.sequences).toEqual(declared.sequences);
  });
});

describe('the migrations journal', () => {
  // migrate.ts applies what the journal lists, in its order: a .sql file missing from it would never run.
  it('lists every migration file once, in the order of their numbers', () => {
    const dir = new URL('../src/db/migrations/', import.meta.url);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.slice(0, -'.sql'.length))
      .sort();
    const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', dir), 'utf8')) as { entries: { idx: number; tag: string }[] };
    expect(journal.entries.map((e) => e.tag)).toEqual(files);
    expect(journal.entries.map((e) => e.idx)).toEqual(files.map((_, i) => i));
    expect(files.map((f) => Number(f.slice(0, 4)))).toEqual(files.map((_, i) => i));
  });
});
