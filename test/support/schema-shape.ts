// The shape of the schema as two sources state it, in one comparable form: the TypeScript tables
// (drizzle's getTableConfig) and a migrated database (its catalog). test/schema-matches-migrations.test.ts
// compares the two.
import { is, SQL, sql } from 'drizzle-orm';
import { getTableConfig, isPgSequence, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../src/db/open.js';

export interface ColumnShape {
  type: string;
  isNotNull: boolean;
  hasDefault: boolean;
}

/** An index or a unique constraint (Postgres backs each unique constraint with an index of its name). */
export interface IndexShape {
  isUnique: boolean;
  /** Each key: a column name, `<expression>` for an expression; ` DESC` when descending. */
  keys: string[];
  isPartial: boolean;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  indexes: Record<string, IndexShape>;
  /** `(client_id) → clients(id) on delete cascade`, sorted. */
  foreignKeys: string[];
  /** Names of the CHECK constraints, sorted (their expressions are compared by reading, not here). */
  checks: string[];
}

export interface SchemaShape {
  /** By `schema.table` (always qualified, so a table in another schema is not taken for a public one). */
  tables: Record<string, TableShape>;
  sequences: string[];
}

// The database spells serial columns as their integer type with a nextval() default.
const SERIAL_TYPES: Record<string, string> = { smallserial: 'smallint', serial: 'integer', bigserial: 'bigint' };
const EXPRESSION = '<expression>';

const fkText = (columns: string[], foreignTable: string, foreignColumns: string[], onDelete: string) =>
  `(${columns.join(', ')}) → ${foreignTable}(${foreignColumns.join(', ')}) on delete ${onDelete}`;

/** The shape the TypeScript schema declares: every PgTable and sequence exported by `module`. */
export function declaredShape(module: Record<string, unknown>): SchemaShape {
  const shape: SchemaShape = { tables: {}, sequences: [] };
  for (const value of Object.values(module)) {
    if (isPgSequence(value)) shape.sequences.push(`${value.schema ?? 'public'}.${value.seqName}`);
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    const table: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [], checks: config.checks.map((c) => c.name).sort() };
    for (const column of config.columns) {
      const type = column.getSQLType();
      table.columns[column.name] = {
        type: SERIAL_TYPES[type] ?? type,
        isNotNull: column.notNull,
        // A $defaultFn value is made by drizzle in this process, not by the database.
        hasDefault: column.default !== undefined || type in SERIAL_TYPES,
      };
      if (column.primary) table.primaryKey = [column.name];
      if (column.isUnique && column.uniqueName) table.indexes[column.uniqueName] = { isUnique: true, keys: [column.name], isPartial: false };
    }
    for (const pk of config.primaryKeys) table.primaryKey = pk.columns.map((c) => c.name);
    for (const unique of config.uniqueConstraints) {
      table.indexes[unique.getName()!] = { isUnique: true, keys: unique.columns.map((c) => c.name), isPartial: false };
    }
    for (const index of config.indexes) {
      const { name, unique, columns, where } = index.config;
      table.indexes[name ?? '(an index without a name: give it the one its migration uses)'] = {
        isUnique: unique,
        // A key written as SQL is taken for an expression: write a plain column with its order as `t.x.desc()`.
        keys: columns.map((c) => {
          if (is(c, SQL)) return EXPRESSION;
          const indexed = c as { name: string; indexConfig?: { order?: string } };
          return indexed.indexConfig?.order === 'desc' ? `${indexed.name} DESC` : indexed.name;
        }),
        isPartial: where !== undefined,
      };
    }
    for (const fk of config.foreignKeys) {
      const { columns, foreignTable, foreignColumns } = fk.reference();
      table.foreignKeys.push(fkText(names(columns), getTableConfig(foreignTable).name, names(foreignColumns), fk.onDelete ?? 'no action'));
    }
    table.foreignKeys.sort();
    shape.tables[`${config.schema ?? 'public'}.${config.name}`] = table;
  }
  shape.sequences.sort();
  return shape;
}

const names = (columns: PgColumn[]) => columns.map((c) => c.name);

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

// pg-boss keeps its tables in its own schema; herald_migrations is the migrations' bookkeeping.
const IGNORED_SCHEMAS = ['pg_catalog', 'information_schema', 'pgboss'];
const IGNORED_TABLES = ['public.herald_migrations'];
const FK_ACTIONS: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** The shape of the database `db` opens: its tables and sequences outside the ignored schemas. */
export async function databaseShape(db: Db): Promise<SchemaShape> {
  const userSchemas = sql`n.nspname NOT IN (${sql.join(IGNORED_SCHEMAS.map((s) => sql`${s}`), sql`, `)}) AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;
  const columns = await rows<{ tbl: string; name: string; type: string; is_not_null: boolean; has_default: boolean }>(
    db,
    sql`SELECT n.nspname || '.' || c.relname AS tbl, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
          a.attnotnull AS is_not_null, a.atthasdef AS has_default
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${userSchemas}`,
  );
  const indexes = await rows<{ tbl: string; name: string; is_unique: boolean; is_primary: boolean; keys: string[]; is_partial: boolean }>(
    db,
    sql`SELECT n.nspname || '.' || t.relname AS tbl, ic.relname::text AS name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
          i.indpred IS NOT NULL AS is_partial,
          ARRAY(SELECT CASE WHEN k.attnum = 0 THEN ${EXPRESSION}::text
                            ELSE (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = k.attnum)
                              || CASE WHEN (i.indoption[(k.ord - 1)::int] & 1) = 1 THEN ' DESC' ELSE '' END END
                FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::text[] AS keys
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE t.relkind IN ('r', 'p') AND ${userSchemas}`,
  );
  const foreignKeys = await rows<{ tbl: string; columns: string[]; foreign_table: string; foreign_columns: string[]; on_delete: string }>(
    db,
    sql`SELECT n.nspname || '.' || t.relname AS tbl, ft.relname::text AS foreign_table, con.confdeltype::text AS on_delete,
          ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
          ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS foreign_columns
        FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
          JOIN pg_class ft ON ft.oid = con.confrelid
        WHERE con.contype = 'f' AND ${userSchemas}`,
  );
  const checks = await rows<{ tbl: string; name: string }>(
    db,
    sql`SELECT n.nspname || '.' || t.relname AS tbl, con.conname::text AS name
        FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE con.contype = 'c' AND ${userSchemas}`,
  );
  const sequences = await rows<{ name: string }>(
    db,
    sql`SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND ${userSchemas}
          -- sequences owned by a serial column belong to the column, not to the schema's declarations
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))`,
  );

  const shape: SchemaShape = { tables: {}, sequences: sequences.map((s) => s.name).sort() };
  const table = (name: string) => (shape.tables[name] ??= { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [], checks: [] });
  for (const c of columns) {
    if (IGNORED_TABLES.includes(c.tbl)) continue;
    table(c.tbl).columns[c.name] = { type: c.type, isNotNull: c.is_not_null, hasDefault: c.has_default };
  }
  for (const i of indexes) {
    if (IGNORED_TABLES.includes(i.tbl)) continue;
    if (i.is_primary) table(i.tbl).primaryKey = i.keys;
    else table(i.tbl).indexes[i.name] = { isUnique: i.is_unique, keys: i.keys, isPartial: i.is_partial };
  }
  for (const fk of foreignKeys) {
    if (IGNORED_TABLES.includes(fk.tbl)) continue;
    table(fk.tbl).foreignKeys.push(fkText(fk.columns, fk.foreign_table, fk.foreign_columns, FK_ACTIONS[fk.on_delete] ?? fk.on_delete));
  }
  for (const c of checks) if (!IGNORED_TABLES.includes(c.tbl)) table(c.tbl).checks.push(c.name);
  for (const t of Object.values(shape.tables)) {
    t.foreignKeys.sort();
    t.checks.sort();
  }
  return shape;
}
