// Monitoring alerts end to end: real Alertmanager v4 and Grafana notifications posted to the hooks,
// processed by the job workers, and checked through the API — one incident per group, alerts stored
// once per fingerprint with their repeat count, components and severity from the routing rules,
// timeline events for new and resolved alerts, a resolve suggestion (never a client message) once
// a whole group has resolved, truncated groups, triage, and concurrent repeats.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/services/sql-rows.js';
import { alertmanagerPayload, grafanaPayload, stormPayload, type AlertSpec } from './support/alert-payloads.js';
import { buildComponent } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

describe.each(testBackends())('monitoring alerts on %s', (kind) => {
  let t: TestApp;
  let api: { id: string };
  let db: { id: string };
  let amToken: string;
  let grafanaToken: string;

  const hook = async (path: string, body: unknown, token: string) => {
    const res = await t.app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(res.statusCode, res.body).toBe(202);
    return JSON.parse(res.body) as { payloadId: string; alerts: number; groups: number };
  };
  /** Waits until the job worker has processed the payload (a state, not a time, is asserted). */
  const processed = async (payloadId: string) => {
    for (let i = 0; ; i++) {
      const [row] = await rows<{ processed_at: string | null; outcome: unknown }>(t.database.db, sql`SELECT processed_at, outcome FROM alert_payloads WHERE id = ${payloadId}`);
      if (row?.processed_at) return row.outcome as { status: string; groups: { incidentId: string | null; triageItemId: string | null; firing: number; total: number }[] };
      if (i > 1200) throw new Error(`payload ${payloadId} was not processed`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const send = async (path: string, body: unknown, token = amToken) => processed((await hook(path, body, token)).payloadId);
  const monitoringIncidents = async () => rows<{ id: string; title: string }>(t.database.db, sql`SELECT id, title FROM incidents WHERE source = 'monitoring' ORDER BY number`);
  const timeline = async (incidentId: string) => (await t.admin.get(`/api/v1/incidents/${incidentId}/timeline?order=asc&limit=200`)).body.items as { type: string; data: Record<string, unknown>; actor: string }[];
  const alertsOf = async (incidentId: string) => (await t.admin.get(`/api/v1/alerts?incidentId=${incidentId}&limit=200`)).body.items as { fingerprint: string; status: string; receiveCount: number }[];

  const apiGroup = { alertname: 'HighErrorRate', service: 'api' };
  const apiAlerts = (statuses: ('firing' | 'resolved')[]): AlertSpec[] =>
    statuses.map((status, i) => ({ fingerprint: `a1f0c3d2e5b6070${i}`, status, labels: { instance: `api-${i}:8080` }, annotations: { summary: `5xx above 5% on api-${i}` } }));

  beforeAll(async () => {
    t = await createTestApp(kind);
    api = await buildComponent(t.admin, 'Public API');
    db = await buildComponent(t.admin, 'Database');
    const am = await t.admin.post('/api/v1/integrations', {
      kind: 'alertmanager',
      name: 'Prometheus production',
      slug: 'prom-prod',
      defaultSeverity: 'SEV3',
      rules: [
        { match: { service: 'api' }, componentIds: [api.id], severity: 'SEV1', impact: 'major_outage' },
        { matchRegex: { service: 'batch|reports' }, action: 'triage', severity: 'SEV4' },
        { match: { service: 'db' }, componentIds: [db.id], severity: 'SEV2' },
      ],
    });
    expect(am.status, JSON.stringify(am.body)).toBe(201);
    expect(am.body.token).toMatch(/^hri_/);
    amToken = am.body.token;
    const gf = await t.admin.post('/api/v1/integrations', { kind: 'grafana', name: 'Grafana', slug: 'grafana', defaultSeverity: 'SEV2', defaultComponentIds: [db.id] });
    expect(gf.status, JSON.stringify(gf.body)).toBe(201);
    grafanaToken = gf.body.token;
  });
  afterAll(() => t?.close());

  it('shows an integration token once and never again', async () => {
    const list = await t.admin.get('/api/v1/integrations');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(amToken);
    expect(list.body.items.map((i: { slug: string }) => i.slug)).toEqual(expect.arrayContaining(['prom-prod', 'grafana']));
    const [stored] = await rows<{ token_hash: string }>(t.database.db, sql`SELECT token_hash FROM integrations WHERE slug = 'prom-prod'`);
    expect(stored!.token_hash).not.toContain(amToken);
  });

  it('opens one incident for a firing group, with components and severity from the rules', async () => {
    const outcome = await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, commonAnnotations: { summary: 'API error rate above 5%' }, alerts: apiAlerts(['firing', 'firing', 'firing']) }));
    expect(outcome.status).toBe('processed');
    const incidents = await monitoringIncidents();
    expect(incidents).toHaveLength(1);
    const incident = (await t.admin.get(`/api/v1/incidents/${incidents[0]!.id}`)).body;
    expect(incident).toMatchObject({ source: 'monitoring', stage: 'reported', severity: 'SEV1', impacts: [{ componentId: api.id, status: 'major_outage' }] });
    expect(incident.title).toContain('HighErrorRate');
    expect(incident.title).toContain('API error rate above 5%');
    expect((await t.admin.get(`/api/v1/components/${api.id}`)).body.status).toBe('major_outage');
    const alerts = await alertsOf(incident.id);
    expect(alerts.map((a) => [a.status, a.receiveCount])).toEqual([
      ['firing', 1],
      ['firing', 1],
      ['firing', 1],
    ]);
    const events = await timeline(incident.id);
    expect(events.map((e) => e.type)).toEqual(['incident.reported', 'alerts.firing']);
    expect(events[1]).toMatchObject({ actor: 'Prometheus production (alertmanager)', data: { count: 3, firing: 3, total: 3 } });
  });

  it('counts a repeated notification on the stored alerts and adds nothing else', async () => {
    const [incident] = await monitoringIncidents();
    const before = await timeline(incident!.id);
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['firing', 'firing', 'firing']) }));
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['firing', 'firing', 'firing']) }));
    expect(await monitoringIncidents()).toHaveLength(1);
    const alerts = await alertsOf(incident!.id);
    expect(alerts).toHaveLength(3);
    expect(alerts.map((a) => a.receiveCount)).toEqual([3, 3, 3]);
    expect(await timeline(incident!.id)).toEqual(before);
    const [count] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM alerts`);
    expect(Number(count!.n)).toBe(3);
  });

  it('writes resolved alerts on the timeline and suggests resolving once the whole group has resolved, without messaging clients', async () => {
    const [incident] = await monitoringIncidents();
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['firing', 'resolved', 'firing']) }));
    let events = await timeline(incident!.id);
    expect(events.filter((e) => e.type === 'alerts.resolved').map((e) => e.data.count)).toEqual([1]);
    expect(events.some((e) => e.type === 'resolve.suggested')).toBe(false);

    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['resolved', 'resolved', 'resolved']) }));
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['resolved', 'resolved', 'resolved']) }));
    events = await timeline(incident!.id);
    expect(events.filter((e) => e.type === 'alerts.resolved').map((e) => e.data.count)).toEqual([1, 2]);
    const suggestions = events.filter((e) => e.type === 'resolve.suggested');
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]!.data).toMatchObject({ firing: 0, total: 3 });
    expect((await alertsOf(incident!.id)).every((a) => a.status === 'resolved')).toBe(true);
    // A suggestion only: the incident is still open, and no client heard anything.
    expect((await t.admin.get(`/api/v1/incidents/${incident!.id}`)).body.techState).toBe('investigating');
    expect((await t.admin.get(`/api/v1/incidents/${incident!.id}/communications`)).body.items).toEqual([]);
    expect((await t.admin.get('/api/v1/outbox')).body.items).toEqual([]);
    const notes = await rows<{ kind: string }>(t.database.db, sql`SELECT kind FROM notifications WHERE incident_id = ${incident!.id}`);
    expect(notes.map((n) => n.kind)).toContain('resolve.suggested');
  });

  it('puts alerts that fire again on the same open incident and suggests resolving again after they clear', async () => {
    const [incident] = await monitoringIncidents();
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['firing', 'resolved', 'resolved']) }));
    expect(await monitoringIncidents()).toHaveLength(1);
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: apiGroup, alerts: apiAlerts(['resolved', 'resolved', 'resolved']) }));
    const events = await timeline(incident!.id);
    expect(events.filter((e) => e.type === 'alerts.firing').map((e) => e.data.count)).toEqual([3, 1]);
    expect(events.filter((e) => e.type === 'resolve.suggested')).toHaveLength(2);
  });

  it('keeps counting what a truncated notification left out, and does not suggest resolving while it may still fire', async () => {
    const group = { alertname: 'ReplicationLag', service: 'db' };
    const alerts = (s: 'firing' | 'resolved'): AlertSpec[] => [
      { fingerprint: 'db00000000000001', status: s },
      { fingerprint: 'db00000000000002', status: s },
    ];
    const first = await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: group, alerts: alerts('firing'), truncatedAlerts: 3 }));
    const incidentId = first.groups[0]!.incidentId!;
    const incident = (await t.admin.get(`/api/v1/incidents/${incidentId}`)).body;
    expect(incident).toMatchObject({ severity: 'SEV2', impacts: [{ componentId: db.id, status: 'partial_outage' }] });
    expect((await timeline(incidentId)).find((e) => e.type === 'alerts.firing')!.data).toMatchObject({ count: 2, truncatedAlerts: 3 });
    // The two shown resolve, but the group still fires (three alerts were left out): no suggestion.
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: group, alerts: alerts('resolved'), truncatedAlerts: 3, status: 'firing' }));
    expect((await timeline(incidentId)).some((e) => e.type === 'resolve.suggested')).toBe(false);
    // Alertmanager says the whole group resolved.
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: group, alerts: alerts('resolved'), truncatedAlerts: 0, status: 'resolved' }));
    expect((await timeline(incidentId)).filter((e) => e.type === 'resolve.suggested')).toHaveLength(1);
    expect(await monitoringIncidents()).toHaveLength(2);
  });

  it('takes Grafana notifications: one incident per group, repeats de-duplicated by fingerprint', async () => {
    const payload = (s: 'firing' | 'resolved') =>
      grafanaPayload({
        commonLabels: { team: 'blue' },
        groupKey: '{}/{team="blue"}:{}',
        alerts: [
          { fingerprint: 'bc97ff14869b13e3', status: s, labels: { alertname: 'T1', zone: 'eu-1' }, annotations: { summary: 'This alert was triggered for zone eu-1' } },
          { fingerprint: 'c6eb4ba3b7b3b0e5', status: 'firing', labels: { alertname: 'T2', zone: 'us-1' }, annotations: { summary: 'This is my summary' } },
        ],
      });
    const first = await send('/hooks/grafana', payload('firing'), grafanaToken);
    await send('/hooks/grafana', payload('firing'), grafanaToken);
    const resolved = await send('/hooks/grafana', payload('resolved'), grafanaToken);
    const incidentId = first.groups[0]!.incidentId!;
    expect(resolved.groups[0]!.incidentId).toBe(incidentId);
    expect(resolved.groups[0]).toMatchObject({ firing: 1, total: 2 });
    const incident = (await t.admin.get(`/api/v1/incidents/${incidentId}`)).body;
    expect(incident).toMatchObject({ source: 'monitoring', severity: 'SEV2', impacts: [{ componentId: db.id }] });
    expect(incident.title).toMatch(/^Grafana/);
    expect((await alertsOf(incidentId)).map((a) => a.receiveCount)).toEqual([3, 3]);
    expect(await monitoringIncidents()).toHaveLength(3);
  });

  it('holds a group in triage when its rule says so; promoting it opens the incident later alerts land on', async () => {
    const group = { alertname: 'NightlyExportLate', service: 'batch' };
    const held = await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: group, alerts: [{ fingerprint: 'b000000000000001' }] }));
    expect(held.groups[0]).toMatchObject({ incidentId: null, triageItemId: expect.any(String) });
    expect(await monitoringIncidents()).toHaveLength(3);
    const queue = (await t.admin.get('/api/v1/triage?status=open&kind=alert_group')).body.items;
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ id: held.groups[0]!.triageItemId, reason: 'rule', data: { severity: 'SEV4', firing: 1 } });
    // Repeats while it waits do not make a second item.
    await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: group, alerts: [{ fingerprint: 'b000000000000001' }, { fingerprint: 'b000000000000002' }] }));
    expect((await t.admin.get('/api/v1/triage?status=open&kind=alert_group')).body.items).toHaveLength(1);

    const promoted = await t.admin.post(`/api/v1/triage/${queue[0].id}/promotion`, { severity: 'SEV3' });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(201);
    const incidentId = promoted.body.incident.id;
    expect((await t.admin.get(`/api/v1/incidents/${incidentId}`)).body).toMatchObject({ source: 'monitoring', severity: 'SEV3' });
    expect((await t.admin.post(`/api/v1/triage/${queue[0].id}/promotion`, {})).status).toBe(409);
    const later = await send('/hooks/alertmanager', alertmanagerPayload({ groupLabels: group, alerts: [{ fingerprint: 'b000000000000001' }, { fingerprint: 'b000000000000003' }] }));
    expect(later.groups[0]!.incidentId).toBe(incidentId);
    expect((await timeline(incidentId)).filter((e) => e.type === 'alerts.firing').map((e) => e.data.count)).toEqual([2, 1]);
    expect(await monitoringIncidents()).toHaveLength(4);
  });

  it('opens exactly one incident when the same new group arrives many times at once', async () => {
    const body = stormPayload(50, { alertname: 'NodeDown', service: 'edge' }, 'edge');
    const accepted = await Promise.all(Array.from({ length: 8 }, () => hook('/hooks/alertmanager', body, amToken)));
    const outcomes = await Promise.all(accepted.map((a) => processed(a.payloadId)));
    const ids = new Set(outcomes.map((o) => o.groups[0]!.incidentId));
    expect(ids.size).toBe(1);
    expect(await monitoringIncidents()).toHaveLength(5);
    const [n] = await rows<{ n: number; repeats: number }>(t.database.db, sql`SELECT count(*)::int AS n, min(receive_count)::int AS repeats FROM alerts WHERE fingerprint LIKE 'edge-%'`);
    expect(n).toEqual({ n: 50, repeats: 8 });
    const events = await timeline([...ids][0]!);
    expect(events.filter((e) => e.type === 'alerts.firing').map((e) => e.data.count)).toEqual([50]);
  });

  it('groups generic alerts by the configured key, one incident per group', async () => {
    const created = await t.admin.post('/api/v1/integrations', { kind: 'generic', name: 'Uptime checks', slug: 'uptime', groupKeyPath: 'labels.site', defaultSeverity: 'SEV4' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const body = {
      alerts: [
        { id: 'check-1', status: 'firing', title: 'shop.example is down', labels: { site: 'shop' } },
        { id: 'check-2', status: 'firing', title: 'shop.example checkout slow', labels: { site: 'shop' } },
        { id: 'check-3', status: 'firing', title: 'blog.example is down', labels: { site: 'blog' } },
      ],
    };
    const outcome = await send('/hooks/generic/uptime', body, created.body.token);
    expect(outcome.groups).toHaveLength(2);
    expect(new Set(outcome.groups.map((g) => g.incidentId)).size).toBe(2);
    await send('/hooks/generic/uptime', body, created.body.token);
    expect(await monitoringIncidents()).toHaveLength(7);
  });
});
