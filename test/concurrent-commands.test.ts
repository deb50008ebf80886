// Commands on one incident at the same moment: each is decided on the state the others left, none is
// lost, and the disclosures keep one version per change (on both backends).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryOf } from '../src/services/handle-memory.js';
import { loadIncident } from '../src/services/incidents/incident-store.js';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent, buildIncident, fullDisclosures } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

describe.each(testBackends())('concurrent commands on one incident on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });
  const classifyAffected = (incidentId: string, componentId: string) =>
    t.admin.post(`/api/v1/incidents/${incidentId}/classification`, {
      severity: 'SEV2',
      impacts: [{ componentId, status: 'partial_outage' }],
      isClientAffected: true,
      reason: 'Clients cannot log in.',
    });

  it('records every one of many notes and disclosure changes sent at once, each disclosure change as its own version', async () => {
    const component = await buildComponent(t.admin);
    await buildClient(t.admin, { componentIds: [component.id] });
    const incident = await buildIncident(t.admin);
    const classified = await classifyAffected(incident.id, component.id);
    expect(classified.status, JSON.stringify(classified.body)).toBe(200);
    const base = fullDisclosures();
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => t.admin.post(`/api/v1/incidents/${incident.id}/notes`, { text: `Note ${i}` })),
      ...Array.from({ length: 12 }, (_, i) => t.admin.post(`/api/v1/incidents/${incident.id}/disclosures`, { ...base, impactSummary: `Impact ${i}` })),
    ]);
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);

    const timeline = await t.admin.get(`/api/v1/incidents/${incident.id}/timeline?order=asc&limit=200`);
    expect(timeline.status).toBe(200);
    const notes = (timeline.body.items as { type: string; data: { text?: string } }[]).filter((e) => e.type === 'note.added');
    expect(new Set(notes.map((e) => e.data.text))).toEqual(new Set(Array.from({ length: 12 }, (_, i) => `Note ${i}`)));

    const versions = await t.admin.get(`/api/v1/incidents/${incident.id}/disclosures/versions`);
    expect(versions.status).toBe(200);
    const items = versions.body.items as { version: number; disclosures: { impactSummary: string } }[];
    expect(items.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(items.map((v) => v.disclosures.impactSummary))).toEqual(new Set(Array.from({ length: 12 }, (_, i) => `Impact ${i}`)));

    const now = await t.admin.get(`/api/v1/incidents/${incident.id}`);
    expect(now.body.disclosureVersion).toBe(12);
    expect(now.body.disclosures.impactSummary).toBe(items.find((v) => v.version === 12)!.disclosures.impactSummary);
  });

  it('moves the technical state once when the same transition is asked twice at once, refusing the other as already done', async () => {
    const incident = await buildIncident(t.admin);
    const classified = await t.admin.post(`/api/v1/incidents/${incident.id}/classification`, { severity: 'SEV3', impacts: [], isClientAffected: false, reason: 'Internal only.' });
    expect(classified.status, JSON.stringify(classified.body)).toBe(200);
    const answers = await Promise.all([1, 2].map(() => t.admin.post(`/api/v1/incidents/${incident.id}/state`, { state: 'identified' })));
    const statuses = answers.map((a) => a.status).sort();
    const timeline = await t.admin.get(`/api/v1/incidents/${incident.id}/timeline?order=asc&limit=200`);
    const moves = (timeline.body.items as { type: string; data: { to?: string } }[]).filter((e) => e.type === 'state.changed' && e.data.to === 'identified');
    expect(moves).toHaveLength(1);
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    const refused = answers.find((a) => a.status !== 200)!;
    expect(refused.body.code).toBe('already_in_state');
  });

  it('decides on the incident as stored when another process changed it since this one last did', async () => {
    const incident = await buildIncident(t.admin);
    const classified = await t.admin.post(`/api/v1/incidents/${incident.id}/classification`, { severity: 'SEV3', impacts: [], isClientAffected: false, reason: 'Internal only.' });
    expect(classified.status, JSON.stringify(classified.body)).toBe(200);
    expect((await t.admin.post(`/api/v1/incidents/${incident.id}/state`, { state: 'identified' })).status).toBe(200);
    // Another process moves it on (written here past this process, as that one would).
    await rows(t.database.db, sql`UPDATE incidents SET tech_state = 'monitoring', updated_at = now() WHERE id = ${incident.id}`);
    const again = await t.admin.post(`/api/v1/incidents/${incident.id}/state`, { state: 'monitoring' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_in_state');
    const resolved = await t.admin.post(`/api/v1/incidents/${incident.id}/state`, { state: 'resolved' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    const timeline = await t.admin.get(`/api/v1/incidents/${incident.id}/timeline?order=asc&limit=200`);
    const moves = (timeline.body.items as { type: string; data: { from?: string; to?: string } }[]).filter((e) => e.type === 'state.changed').map((e) => `${e.data.from}>${e.data.to}`);
    expect(moves).toEqual(['investigating>identified', 'monitoring>resolved']);
  });

  it('remembers a reported incident exactly as loading it back gives it, so the next command decides on the same state', async () => {
    const [a, b] = [await buildComponent(t.admin), await buildComponent(t.admin)];
    const client = await buildClient(t.admin, { componentIds: [a.id] });
    const clientUser = await t.user('client', { clientId: client.id });
    // Some command has loaded the SLA policies in this process (a copy is decided on with them).
    expect((await t.admin.post(`/api/v1/incidents/${(await buildIncident(t.admin)).id}/notes`, { text: 'x' })).status).toBe(200);
    const reports = [
      await buildIncident(t.admin),
      await buildIncident(t.admin, { source: 'monitoring', impacts: [{ componentId: b.id.toUpperCase(), status: 'degraded_performance' }, { componentId: a.id, status: 'major_outage' }] }),
      await buildIncident(t.admin, { clientIds: [client.id], description: '' }),
      await buildIncident(clientUser, { impacts: [{ componentId: a.id, status: 'partial_outage' }] }),
    ];
    for (const r of reports) {
      const recalled = memoryOf(t.database.db).incidents.recall(r.id);
      expect(recalled, r.key).not.toBeNull();
      expect(recalled!.record, r.key).toEqual(await loadIncident(t.database.db, r.id));
      const [row] = await rows<{ version: string }>(t.database.db, sql`SELECT xmin::text AS version FROM incidents WHERE id = ${r.id}`);
      expect(recalled!.version).toBe(row!.version);
    }
  });

  it('sends a message with the disclosures as stored when another process changed them since this one last did', async () => {
    const component = await buildComponent(t.admin);
    const client = await buildClient(t.admin, { componentIds: [component.id] });
    const incident = await buildAffectedIncident(t.admin, component.id);
    // Another process changes the impact statement (written here past this process, as that one would).
    await rows(
      t.database.db,
      sql`UPDATE incidents SET disclosures = jsonb_set(disclosures, '{impactSummary}', '"Every login fails."'), updated_at = now() WHERE id = ${incident.id}`,
    );
    const sent = await t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.communication.disclosures.impactSummary).toBe('Every login fails.');
    const messages = (await t.admin.get(`/api/v1/incidents/${incident.id}/communications`)).body.items as { id: string; kind: string }[];
    expect(messages.map((m) => m.kind)).toEqual(['initial']);
    const outbox = (await t.admin.get(`/api/v1/outbox?incidentId=${incident.id}`)).body.items as { to: string; text: string }[];
    expect(outbox.map((d) => d.to)).toEqual([client.contacts[0]!.email]);
    expect(outbox[0]!.text).toContain('Every login fails.');
    expect(outbox[0]!.text).not.toContain('Logins fail for about half of the users.');
  });

  it('records each of many messages sent on one incident at once exactly once, with its copies', async () => {
    const component = await buildComponent(t.admin);
    await buildClient(t.admin, { componentIds: [component.id], contacts: [{ name: 'Ann', email: 'ann@one.example' }, { name: 'Bob', email: 'bob@one.example' }] });
    const incident = await buildAffectedIncident(t.admin, component.id);
    expect((await t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial' })).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => t.admin.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'update', body: `Update ${i}` })));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(201);
    const messages = (await t.admin.get(`/api/v1/incidents/${incident.id}/communications`)).body.items as { id: string; kind: string; body: string; recipientCounts: { total: number } }[];
    const updates = messages.filter((m) => m.kind === 'update');
    expect(updates.map((m) => m.body).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `Update ${i}`).sort());
    expect(new Set(updates.map((m) => m.id))).toEqual(new Set(answers.map((a) => a.body.communication.id)));
    for (const m of updates) expect(m.recipientCounts.total).toBe(2);
    const timeline = await t.admin.get(`/api/v1/incidents/${incident.id}/timeline?order=asc&limit=200`);
    const sentEvents = (timeline.body.items as { type: string }[]).filter((e) => e.type === 'communication.sent');
    expect(sentEvents).toHaveLength(9);
    const outbox = (await t.admin.get(`/api/v1/outbox?incidentId=${incident.id}&limit=100`)).body.items as unknown[];
    expect(outbox).toHaveLength(18);
  });

  it('decides with the SLA policies as stored when they were changed past this process', async () => {
    const component = await buildComponent(t.admin);
    await buildClient(t.admin, { tier: 'standard', componentIds: [component.id] });
    const incident = await buildIncident(t.admin);
    expect((await t.admin.post(`/api/v1/incidents/${incident.id}/notes`, { text: 'Looking.' })).status).toBe(200);
    // Another process changes the policies (written here past this process, as that one would).
    const changed = await rows<{ tier: string; initial_notice_minutes: number }>(
      t.database.db,
      sql`UPDATE sla_policies SET initial_notice_minutes = initial_notice_minutes + 3 WHERE severity = 'SEV2' RETURNING tier, initial_notice_minutes`,
    );
    try {
      const classified = await classifyAffected(incident.id, component.id);
      expect(classified.status, JSON.stringify(classified.body)).toBe(200);
      const obligations = (await t.admin.get(`/api/v1/incidents/${incident.id}/obligations`)).body.items as { kind: string; dueAt: string; createdAt: string }[];
      const initial = obligations.find((o) => o.kind === 'initial')!;
      const minutes = (changed.find((p) => p.tier === 'standard') ?? changed.find((p) => p.tier === '*'))!.initial_notice_minutes;
      expect(new Date(initial.dueAt).getTime() - new Date(initial.createdAt).getTime()).toBe(minutes * 60_000);
    } finally {
      await rows(t.database.db, sql`UPDATE sla_policies SET initial_notice_minutes = initial_notice_minutes - 3 WHERE severity = 'SEV2'`);
    }
  });
});
