// The incident write path as the services run it: what a process remembers belongs to one database,
// and the save is one statement whose values are parameters, prepared once per composition.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/open.js';
import { composedText } from '../src/db/raw.js';
import type { Actor } from '../src/domain/types.js';
import { insertUser } from '../src/services/auth/users.js';
import type { Ctx } from '../src/services/context.js';
import { addNote, changeTechState } from '../src/services/incidents/incident-commands.js';
import { memoryOf } from '../src/services/handle-memory.js';
import { saveStatement } from '../src/services/incidents/incident-save.js';
import { loadIncident } from '../src/services/incidents/incident-store.js';
import { reportIncident } from '../src/services/incidents/report-incident.js';
import { rows } from '../src/services/sql-rows.js';
import { createPgDatabase, openTestDatabase, testBackends, type BackendKind } from './support/test-database.js';

const SETTINGS: Ctx['settings'] = { baseUrl: 'http://herald.test', pastOccurrenceMonths: 12, companyName: 'Herald', emailChannel: 'outbox', messageIdDomain: 'herald.test' };

/** A context as the HTTP runner gives an autocommit verb: outside a transaction, able to open one. */
function autocommitCtx(database: Database, actor: Actor): Ctx {
  const base = { actor, now: new Date(), settings: SETTINGS };
  return { ...base, tx: database.db, openTransaction: (fn) => database.transaction((tx) => fn({ ...base, tx })) };
}

async function adminOf(database: Database): Promise<Actor> {
  const user = await insertUser(database.db, { email: `admin-${randomUUID()}@example.test`, name: 'Admin', role: 'admin', clientId: null, password: null }, new Date());
  return { userId: user.id, role: 'admin', clientId: null, label: 'Admin' };
}

const closing: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
});

describe('incident memory', () => {
  it('keeps what each database remembers apart: a command on one decides on its own rows, not on the copy another database left', async () => {
    const a = await openTestDatabase('pglite');
    closing.push(a.drop);
    const actor = await adminOf(a.database);
    const incident = await reportIncident(autocommitCtx(a.database, actor), { title: 'Checkout fails' });
    await addNote(autocommitCtx(a.database, actor), incident.id, 'Looking.');
    // Database B is a copy of A as it is now: the same incident, the same row.
    const b = await openDatabase({ dataDir: 'memory://', loadDataDir: await a.database.pglite!.dumpDataDir('none') });
    closing.push(() => b.close());
    expect(memoryOf(a.database.db).incidents.recall(incident.id)).not.toBeNull();
    expect(memoryOf(b.db).incidents.recall(incident.id)).toBeNull();

    // A moves on; B, not knowing, takes a different step from where the copy stood.
    await changeTechState(autocommitCtx(a.database, actor), incident.id, { state: 'identified' });
    const onB = await changeTechState(autocommitCtx(b, actor), incident.id, { state: 'monitoring' });
    expect(onB.state.techState).toBe('monitoring');

    const moves = async (database: Database) =>
      (await rows<{ data: { from: string; to: string } }>(database.db, sql`SELECT data FROM incident_events WHERE incident_id = ${incident.id} AND type = 'state.changed' ORDER BY at`)).map(
        (e) => `${e.data.from}>${e.data.to}`,
      );
    expect(await moves(b)).toEqual(['investigating>monitoring']);
    expect(await moves(a.database)).toEqual(['investigating>identified']);
    // Each remembers its own row, with its own row version.
    const version = async (database: Database) => (await rows<{ v: string }>(database.db, sql`SELECT xmin::text AS v FROM incidents WHERE id = ${incident.id}`))[0]!.v;
    expect(memoryOf(a.database.db).incidents.recall(incident.id)).toMatchObject({ record: { state: { techState: 'identified' } }, version: await version(a.database) });
    expect(memoryOf(b.db).incidents.recall(incident.id)).toMatchObject({ record: { state: { techState: 'monitoring' } }, version: await version(b) });
    expect(memoryOf(b.db).incidents.recall(incident.id)!.record).toEqual(await loadIncident(b.db, incident.id));
  });
});

describe('the save statement', () => {
  it('carries every value as a parameter, so that one composition of parts is one text whatever the values', async () => {
    const a = await openTestDatabase('pglite');
    closing.push(a.drop);
    const actor = await adminOf(a.database);
    const ctx = autocommitCtx(a.database, actor);
    const incident = await reportIncident(ctx, { title: 'Checkout fails' });
    const before = incident.state;
    const noted = (text: string) => saveStatement(ctx, { before, after: before, events: [{ type: 'note.added', data: { text } }], obligationChanges: [] }, { version: '1', policiesVersion: '1' }, null);
    const [one, two] = [composedText(noted("O'Brien \\ said; DROP TABLE incidents")), composedText(noted('Another note'))];
    expect(one.text).toBe(two.text);
    expect(one.text).not.toContain("O'Brien");
    expect(one.params).toContainEqual(JSON.stringify([{ type: 'note.added', data: { text: "O'Brien \\ said; DROP TABLE incidents" } }]));
    expect(one.text).not.toMatch(/jsonb_populate|cs_calc/);
    const impacted = saveStatement(ctx, { before, after: { ...before, impacts: [{ componentId: randomUUID(), status: 'major_outage' }] }, events: [], obligationChanges: [] }, { version: null, policiesVersion: null }, null);
    const withImpacts = composedText(impacted);
    expect(withImpacts.text).toMatch(/new_impacts AS/);
    expect(withImpacts.text).toMatch(/cs_calc AS/);
    // Rendered as drizzle renders it (composedText takes a shorter way for text, sql and plain values).
    const dialect = new PgDialect();
    for (const statement of [noted('Another note'), impacted]) {
      const drizzle = dialect.sqlToQuery(statement);
      expect(composedText(statement)).toEqual({ text: drizzle.sql, params: drizzle.params });
    }
  });

  it.each(testBackends())('is prepared once and run by name on %s', async (kind: BackendKind) => {
    let database: Database;
    if (kind === 'postgres') {
      // One connection, so that the statements it prepared are the ones this test can list.
      const pg = await createPgDatabase();
      database = await openDatabase({ databaseUrl: pg.url, poolMax: 1 });
      closing.push(async () => {
        await database.close();
        await pg.drop();
      });
    } else {
      const t = await openTestDatabase('pglite');
      closing.push(t.drop);
      database = t.database;
    }
    const actor = await adminOf(database);
    const incident = await reportIncident(autocommitCtx(database, actor), { title: 'Checkout fails' });
    const savesPrepared = () =>
      rows<{ name: string }>(database.db, sql`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%WITH upd AS%' AND statement NOT LIKE '%pg_prepared_statements%' ORDER BY name`);
    await addNote(autocommitCtx(database, actor), incident.id, 'One');
    await addNote(autocommitCtx(database, actor), incident.id, 'Two');
    const prepared = await savesPrepared();
    expect(prepared).toHaveLength(1);
    if (kind === 'postgres') for (const p of prepared) expect(p.name).toMatch(/^herald_incident_save_/);
    // The same composition of parts with other values: run by the name it was prepared under, nothing new prepared.
    await addNote(autocommitCtx(database, actor), incident.id, 'Three');
    await addNote(autocommitCtx(database, actor), incident.id, 'Four');
    expect(await savesPrepared()).toEqual(prepared);
    const timeline = await rows<{ text: string }>(database.db, sql`SELECT data->>'text' AS text FROM incident_events WHERE incident_id = ${incident.id} AND type = 'note.added' ORDER BY at`);
    expect(timeline.map((e) => e.text)).toEqual(['One', 'Two', 'Three', 'Four']);
  });
});
