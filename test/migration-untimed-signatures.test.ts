// Migration 0021 (accepts_untimed_signatures): new integrations refuse Grafana signatures without a
// timestamp, but signed Grafana integrations that existed before the upgrade keep accepting them, so
// no alert they send is refused by the upgrade itself. Runs the migrations on an empty PGlite up to
// 0021, adds integrations as they were, then applies 0021.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../src/db/migrate.js';

describe('migration 0021: Grafana signatures without a timestamp', () => {
  let db: PGlite;
  const migrations = loadMigrations();
  const at = migrations.findIndex((m) => m.tag.startsWith('0021_'));

  beforeAll(async () => {
    db = new PGlite();
    for (const m of migrations.slice(0, at)) for (const statement of m.statements) await db.exec(statement);
  });
  afterAll(() => db?.close());

  it('keeps accepting them for signed Grafana integrations that existed, and for no other', async () => {
    expect(at).toBeGreaterThan(0);
    await db.exec(`INSERT INTO integrations (kind, name, slug, token_hash, hmac_secret) VALUES
      ('grafana', 'Grafana signed', 'gf-signed', 'h1', 'hmac_x'),
      ('grafana', 'Grafana token', 'gf-token', 'h2', NULL),
      ('generic', 'Generic signed', 'gen-signed', 'h3', 'hmac_y'),
      ('alertmanager', 'AM', 'am', 'h4', NULL)`);
    for (const statement of migrations[at]!.statements) await db.exec(statement);
    const rows = (await db.query<{ slug: string; accepts_untimed_signatures: boolean }>('SELECT slug, accepts_untimed_signatures FROM integrations ORDER BY slug')).rows;
    expect(Object.fromEntries(rows.map((r) => [r.slug, r.accepts_untimed_signatures]))).toEqual({ am: false, 'gen-signed': false, 'gf-signed': true, 'gf-token': false });
    await db.exec(`INSERT INTO integrations (kind, name, slug, token_hash, hmac_secret) VALUES ('grafana', 'New', 'gf-new', 'h5', 'hmac_z')`);
    const [fresh] = (await db.query<{ accepts_untimed_signatures: boolean }>(`SELECT accepts_untimed_signatures FROM integrations WHERE slug = 'gf-new'`)).rows;
    expect(fresh!.accepts_untimed_signatures).toBe(false);
  });
});
