// A message answers with how many copies it has (per delivery state, channel and client), not with
// every copy: the copies, with their rendered subject, text and HTML, are read page by page from
// GET /api/v1/communications/{id}/recipients, filtered by client, state or channel, and a client user
// sees only their organisation's. A message to more recipients than are built at a time is recorded
// whole: one copy per contact, each with its own delivery id.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { recipientsOf } from './support/recipients.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';
import { expectProblem, expectStatus } from './support/http-assertions.js';

describe.each(testBackends())('message recipients on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('answers a send with counts per state, channel and client, and pages through the copies', async () => {
    const component = await buildComponent(t.admin);
    const alpha = await buildClient(t.admin, {
      name: 'Alpha Recipients',
      componentIds: [component.id],
      contacts: ['ann', 'bob', 'cai', 'dora', 'emil'].map((n, i) => ({ name: n, email: `${n}@alpha.example`, language: i < 2 ? 'de' : 'en' })),
    });
    const beta = await buildClient(t.admin, { name: 'Beta Recipients', componentIds: [component.id], contacts: [{ name: 'Vic', email: 'vic@beta.example' }, { name: 'Wes', email: 'wes@beta.example' }] });
    const incident = await buildAffectedIncident(t.admin, component.id);
    const sent = await expectStatus(t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial', body: 'Logins fail; we are on it.' }), 201);
    const message = sent.body.communication;

    // Counts only: no copy (and so no address or rendered body) is in the answer.
    expect(message).not.toHaveProperty('recipients');
    expect(JSON.stringify(sent.body)).not.toContain('ann@alpha.example');
    expect(message.recipientCounts).toMatchObject({ total: 7, byStatus: { sent: 7 }, byChannel: { outbox: 7 } });
    expect([...message.recipientCounts.byClient].sort((a: { total: number }, b: { total: number }) => b.total - a.total)).toEqual([
      { clientId: alpha.id, total: 5, byStatus: { sent: 5 }, byChannel: { outbox: 5 } },
      { clientId: beta.id, total: 2, byStatus: { sent: 2 }, byChannel: { outbox: 2 } },
    ]);
    // The answer to the send is the message as stored: reading it back gives the same, field for field.
    expect((await expectStatus(t.admin.get(`/api/v1/communications/${message.id}`), 200)).body).toEqual(message);
    const listed = (await expectStatus(t.admin.get(`/api/v1/incidents/${incident.id}/communications`), 200)).body.items;
    expect(listed.find((c: { id: string }) => c.id === message.id).recipientCounts).toEqual(message.recipientCounts);

    // Three pages of at most three, in address order, every copy once, each rendered in its contact's language.
    const first = (await expectStatus(t.admin.get(`/api/v1/communications/${message.id}/recipients?limit=3`), 200)).body;
    expect(first.items.map((r: { to: string }) => r.to)).toEqual(['ann@alpha.example', 'bob@alpha.example', 'cai@alpha.example']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const all = await recipientsOf(t.admin, message.id, {}, 3);
    expect(all.map((r) => r.to)).toEqual([
      'ann@alpha.example',
      'bob@alpha.example',
      'cai@alpha.example',
      'dora@alpha.example',
      'emil@alpha.example',
      'vic@beta.example',
      'wes@beta.example',
    ]);
    expect(new Set(all.map((r) => r.id)).size).toBe(7);
    for (const r of all) {
      expect(r).toMatchObject({ communicationId: message.id, channel: 'outbox', status: 'sent', language: r.to.startsWith('ann') || r.to.startsWith('bob') ? 'de' : 'en' });
      expect(r.text).toContain('Logins fail; we are on it.');
      expect(r.html).toContain('Logins fail; we are on it.');
    }

    // Filters.
    expect((await recipientsOf(t.admin, message.id, { clientId: beta.id })).map((r) => r.to)).toEqual(['vic@beta.example', 'wes@beta.example']);
    expect(await recipientsOf(t.admin, message.id, { status: 'queued' })).toEqual([]);
    expect(await recipientsOf(t.admin, message.id, { channel: 'outbox', status: 'sent' })).toHaveLength(7);

    // A client user: their organisation's counts and copies only, whatever they ask for.
    const betaUser = await t.user('client', { clientId: beta.id });
    const seen = (await expectStatus(betaUser.get(`/api/v1/communications/${message.id}`), 200)).body;
    expect(seen.recipientCounts).toEqual({ total: 2, byStatus: { sent: 2 }, byChannel: { outbox: 2 }, byClient: [{ clientId: beta.id, total: 2, byStatus: { sent: 2 }, byChannel: { outbox: 2 } }] });
    expect((await recipientsOf(betaUser, message.id)).map((r) => r.to)).toEqual(['vic@beta.example', 'wes@beta.example']);
    expect(await recipientsOf(betaUser, message.id, { clientId: alpha.id })).toEqual([]);
    const outsider = await t.user('client', { clientId: (await buildClient(t.admin)).id });
    expect((await outsider.get(`/api/v1/communications/${message.id}/recipients`)).status).toBe(404);

    // A cursor that is not one is refused, naming the field.
    const bad = await expectProblem(t.admin.get(`/api/v1/communications/${message.id}/recipients?cursor=not-a-cursor`), { status: 400 });
    expect(bad).toMatchObject({ field: 'cursor' });
  });

  it('records a message to more recipients than are built at a time whole: one copy per contact', async () => {
    const component = await buildComponent(t.admin);
    const big = await buildClient(t.admin, { name: 'Big Recipients', componentIds: [component.id], contacts: [{ name: 'First', email: 'first@big.example' }] });
    const small = await buildClient(t.admin, { name: 'Small Recipients', componentIds: [component.id], contacts: [{ name: 'Only', email: 'only@small.example', language: 'de' }] });
    // 1,200 more contacts straight in the database (the API would take longer than the test is about).
    await t.database.db.execute(
      sql`INSERT INTO contacts (client_id, name, email, language)
        SELECT ${big.id}::uuid, 'Contact ' || i, 'contact-' || lpad(i::text, 4, '0') || '@big.example', CASE WHEN i % 3 = 0 THEN 'de' ELSE 'en' END FROM generate_series(1, 1200) AS i`,
    );
    const incident = await buildAffectedIncident(t.admin, component.id);
    // The preview counts every copy but answers with a few of each client and language, not 1,202 bodies.
    const preview = await expectStatus(t.admin.post(`/api/v1/incidents/${incident.id}/communications/preview`, { kind: 'initial' }), 200);
    expect(preview.body.recipientTotal).toBe(1202);
    expect(preview.body.copies).toEqual(
      expect.arrayContaining([
        { channel: 'outbox', language: 'en', count: 801 },
        { channel: 'outbox', language: 'de', count: 401 },
      ]),
    );
    const sample = preview.body.recipients as { clientId: string; language: string; subject: string; text: string }[];
    expect(sample.length).toBeLessThanOrEqual(11);
    expect(new Set(sample.filter((r) => r.clientId === big.id).map((r) => r.language))).toEqual(new Set(['en', 'de']));
    expect(sample.some((r) => r.clientId === small.id && r.language === 'de')).toBe(true);
    expect(sample.every((r) => r.subject && r.text)).toBe(true);
    const sent = await expectStatus(t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial' }), 201);
    const counts = sent.body.communication.recipientCounts;
    expect(counts.total).toBe(1202);
    expect(counts.byClient.find((c: { clientId: string }) => c.clientId === big.id).total).toBe(1201);
    expect(counts.byClient.find((c: { clientId: string }) => c.clientId === small.id).total).toBe(1);

    const perContact = await rows<{ contact_id: string; n: number }>(
      t.database.db,
      sql`SELECT contact_id::text, count(*)::int AS n FROM communication_recipients WHERE communication_id = ${sent.body.communication.id} GROUP BY contact_id`,
    );
    expect(perContact).toHaveLength(1202);
    expect(perContact.every((c) => c.n === 1)).toBe(true);
    const copies = await recipientsOf(t.admin, sent.body.communication.id);
    expect(copies).toHaveLength(1202);
    expect(new Set(copies.map((c) => c.id)).size).toBe(1202);
    expect(new Set(copies.map((c) => c.messageId)).size).toBe(1202);
    expect(copies.filter((c) => c.language === 'de')).toHaveLength(401);
    // The message's subject is that of its first copy (the template's, not a placeholder).
    expect(sent.body.communication.subject).toMatch(/^Incident notice: /);
  });
});
