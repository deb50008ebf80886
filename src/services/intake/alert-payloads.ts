// Monitoring payloads: accepted by a hook (the raw body and its job in one transaction, so the 202 means
// durable), then processed by a job — alerts stored and de-duplicated by fingerprint, each group mapped
// to one open incident (or a triage item), new and resolved alerts written on the incident's timeline,
// and a resolve suggestion once every alert of the group has resolved. Never a client message.
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/open.js';
import { alertGroups, alertPayloads, incidents, integrations, triageItems } from '../../db/schema.js';
import { route, type RoutingRule } from '../../domain/intake/routing-rules.js';
import type { Severity } from '../../domain/types.js';
import { QUEUES } from '../queues.js';
import { AppError } from '../app-error.js';
import type { Enqueuer } from '../context.js';
import { notify } from '../notifications.js';
import { rows } from '../sql-rows.js';
import { parseJsonBody, readAlertPayload, type AlertGroupInput, type IntegrationKind, type NormalAlert } from './alert-formats.js';
import type { IntegrationRow } from './integrations.js';
import { appendIntakeEvent, openIntakeIncident } from './open-intake-incident.js';

/** Alerts per upsert statement: big payloads go in slices so no statement carries megabytes. */
const UPSERT_BATCH = 2000;
/** Alert names a timeline event lists (the count says how many there were). */
const NAMES_SHOWN = 20;
const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

export async function acceptAlertPayload(database: Database, jobs: Enqueuer, input: { integration: IntegrationRow; bodyText: string; alertCount: number; now: Date }): Promise<{ payloadId: string }> {
  const payloadId = randomUUID();
  // Level 1: alert payloads shrink about tenfold in a few milliseconds per megabyte, off the event loop.
  const bodyGzip = await gzip(input.bodyText, { level: 1 });
  await database.transaction(async (tx) => {
    await tx.insert(alertPayloads).values({ id: payloadId, integrationId: input.integration.id, receivedAt: input.now, alertCount: input.alertCount, bodyGzip });
    await jobs.enqueue(tx, QUEUES.intakeAlerts, [{ data: { payloadId } }]);
  });
  return { payloadId };
}

export interface GroupOutcome {
  groupKey: string;
  alerts: number;
  newlyFiring: number;
  newlyResolved: number;
  firing: number;
  total: number;
  incidentId: string | null;
  triageItemId: string | null;
  isIncidentOpened: boolean;
  isResolveSuggested: boolean;
}

export type PayloadOutcome = { status: 'processed'; groups: GroupOutcome[] } | { status: 'skipped' } | { status: 'refused'; error: string };

/** Processes one stored payload exactly once (a repeated job finds it processed and does nothing). */
export async function processAlertPayload(database: Database, payloadId: string, now: () => Date = () => new Date()): Promise<PayloadOutcome> {
  return database.transaction(async (tx) => {
    const [payload] = await tx
      .select({ integrationId: alertPayloads.integrationId, receivedAt: alertPayloads.receivedAt, bodyGzip: alertPayloads.bodyGzip, processedAt: alertPayloads.processedAt })
      .from(alertPayloads)
      .where(eq(alertPayloads.id, payloadId))
      .for('update');
    if (!payload || payload.processedAt) return { status: 'skipped' } as const;
    const body = (await gunzip(payload.bodyGzip)).toString('utf8');
    const [integration] = await tx.select().from(integrations).where(eq(integrations.id, payload.integrationId));
    // The raw body is kept only when it could not be processed; the alerts hold what it said.
    const finish = async (outcome: PayloadOutcome) => {
      await tx.update(alertPayloads).set({ processedAt: now(), outcome, ...(outcome.status !== 'refused' && { bodyGzip: Buffer.alloc(0) }) }).where(eq(alertPayloads.id, payloadId));
      return outcome;
    };
    if (!integration) return finish({ status: 'refused', error: 'The integration was removed.' });
    let groups: AlertGroupInput[];
    try {
      groups = readAlertPayload(integration.kind as IntegrationKind, parseJsonBody(body), { groupKeyPath: integration.groupKeyPath });
    } catch (err) {
      if (err instanceof AppError) return finish({ status: 'refused', error: err.message });
      throw err;
    }
    const receivedAt = payload.receivedAt;
    const outcomes: GroupOutcome[] = [];
    for (const group of groups) outcomes.push(await processGroup(tx, integration, group, receivedAt, payloadId, now()));
    return finish({ status: 'processed', groups: outcomes });
  });
}

interface GroupRow {
  id: string;
  incident_id: string | null;
  triage_item_id: string | null;
  prior_truncated_alerts: number | null;
  prior_last_status: string | null;
  resolve_suggested_at: string | null;
  labels: Record<string, string> | string;
}

interface UpsertCounts {
  newly_firing: number;
  newly_resolved: number;
  firing_names: string[] | null;
  resolved_names: string[] | null;
}

/** Stores a slice of alerts (new ones inserted, known ones updated) and counts what changed. */
async function upsertAlerts(tx: Db, integrationId: string, groupId: string, alerts: NormalAlert[], receivedAt: Date): Promise<UpsertCounts> {
  const input = JSON.stringify(
    alerts.map((a) => ({ fingerprint: a.fingerprint, status: a.status, name: a.name, labels: a.labels, annotations: a.annotations, starts_at: a.startsAt, ends_at: a.endsAt, url: a.url })),
  );
  // A payload older than what is stored (jobs may run out of order) counts as a repeat but changes nothing.
  const newer = sql.raw('alerts.last_seen_at <= excluded.last_seen_at');
  const [counts] = await rows<UpsertCounts>(
    tx,
    sql`WITH input AS (
        SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS x(fingerprint text, status text, name text, labels jsonb, annotations jsonb, starts_at timestamptz, ends_at timestamptz, url text)
      ), prior AS (
        SELECT a.fingerprint, a.status FROM alerts a WHERE a.integration_id = ${integrationId} AND a.fingerprint IN (SELECT fingerprint FROM input)
      ), up AS (
        INSERT INTO alerts (integration_id, group_id, fingerprint, status, name, labels, annotations, starts_at, ends_at, url, receive_count, first_seen_at, last_seen_at)
        SELECT ${integrationId}, ${groupId}, fingerprint, status, name, labels, annotations, starts_at, ends_at, url, 1, ${receivedAt}, ${receivedAt} FROM input
        ON CONFLICT (integration_id, fingerprint) DO UPDATE SET
          receive_count = alerts.receive_count + 1,
          group_id = CASE WHEN ${newer} THEN excluded.group_id ELSE alerts.group_id END,
          status = CASE WHEN ${newer} THEN excluded.status ELSE alerts.status END,
          name = CASE WHEN ${newer} THEN excluded.name ELSE alerts.name END,
          labels = CASE WHEN ${newer} THEN excluded.labels ELSE alerts.labels END,
          annotations = CASE WHEN ${newer} THEN excluded.annotations ELSE alerts.annotations END,
          starts_at = CASE WHEN ${newer} THEN excluded.starts_at ELSE alerts.starts_at END,
          ends_at = CASE WHEN ${newer} THEN excluded.ends_at ELSE alerts.ends_at END,
          url = CASE WHEN ${newer} THEN excluded.url ELSE alerts.url END,
          last_seen_at = GREATEST(alerts.last_seen_at, excluded.last_seen_at)
        RETURNING fingerprint, status, name
      )
      SELECT
        count(*) FILTER (WHERE up.status = 'firing' AND prior.status IS DISTINCT FROM 'firing')::int AS newly_firing,
        count(*) FILTER (WHERE up.status = 'resolved' AND prior.status = 'firing')::int AS newly_resolved,
        (array_agg(up.name ORDER BY up.name) FILTER (WHERE up.status = 'firing' AND prior.status IS DISTINCT FROM 'firing'))[1:${NAMES_SHOWN}] AS firing_names,
        (array_agg(up.name ORDER BY up.name) FILTER (WHERE up.status = 'resolved' AND prior.status = 'firing'))[1:${NAMES_SHOWN}] AS resolved_names
      FROM up LEFT JOIN prior USING (fingerprint)`,
  );
  return counts!;
}

const names = (v: string[] | string | null): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? v.replace(/^\{|\}$/g, '').split(',').filter(Boolean) : []);

async function processGroup(tx: Db, integration: IntegrationRow, group: AlertGroupInput, receivedAt: Date, payloadId: string, now: Date): Promise<GroupOutcome> {
  // The group row is locked for the rest of the transaction: payloads of one group are processed one at a time.
  const [g] = await rows<GroupRow>(
    tx,
    sql`WITH prior AS (
          SELECT truncated_alerts, last_status FROM alert_groups WHERE integration_id = ${integration.id} AND group_key = ${group.key} FOR UPDATE
        )
        INSERT INTO alert_groups (integration_id, group_key, labels, truncated_alerts, last_status, created_at, updated_at)
        VALUES (${integration.id}, ${group.key}, ${JSON.stringify(group.labels)}::jsonb, ${group.truncatedAlerts}, ${group.status}, ${receivedAt}, ${receivedAt})
        ON CONFLICT (integration_id, group_key) DO UPDATE SET
          truncated_alerts = CASE WHEN alert_groups.updated_at <= excluded.updated_at THEN excluded.truncated_alerts ELSE alert_groups.truncated_alerts END,
          last_status = CASE WHEN alert_groups.updated_at <= excluded.updated_at THEN excluded.last_status ELSE alert_groups.last_status END,
          labels = CASE WHEN alert_groups.updated_at <= excluded.updated_at THEN excluded.labels ELSE alert_groups.labels END,
          updated_at = GREATEST(alert_groups.updated_at, excluded.updated_at)
        RETURNING id, incident_id, triage_item_id, resolve_suggested_at, labels,
          (SELECT truncated_alerts FROM prior) AS prior_truncated_alerts, (SELECT last_status FROM prior) AS prior_last_status`,
  );
  const groupId = g!.id;
  let newlyFiring = 0;
  let newlyResolved = 0;
  const firingNames: string[] = [];
  const resolvedNames: string[] = [];
  for (let i = 0; i < group.alerts.length; i += UPSERT_BATCH) {
    const c = await upsertAlerts(tx, integration.id, groupId, group.alerts.slice(i, i + UPSERT_BATCH), receivedAt);
    newlyFiring += Number(c.newly_firing);
    newlyResolved += Number(c.newly_resolved);
    firingNames.push(...names(c.firing_names).slice(0, NAMES_SHOWN - firingNames.length));
    resolvedNames.push(...names(c.resolved_names).slice(0, NAMES_SHOWN - resolvedNames.length));
  }
  const actor = `${integration.name} (${integration.kind})`;
  const outcome: GroupOutcome = { groupKey: group.key, alerts: group.alerts.length, newlyFiring, newlyResolved, firing: 0, total: 0, incidentId: g!.incident_id, triageItemId: g!.triage_item_id, isIncidentOpened: false, isResolveSuggested: false };
  // A pure repeat (no alert changed state, the group's truncation and status as before) changes
  // nothing else: most notifications of a long incident are such repeats.
  const isRepeat =
    newlyFiring === 0 && newlyResolved === 0 && (g!.incident_id !== null || g!.triage_item_id !== null) && Number(g!.prior_truncated_alerts) === group.truncatedAlerts && g!.prior_last_status === group.status;
  if (isRepeat) return outcome;
  outcome.incidentId = null;
  outcome.triageItemId = null;
  const [totals] = await rows<{ firing: number; total: number }>(
    tx,
    sql`SELECT count(*) FILTER (WHERE status = 'firing')::int AS firing, count(*)::int AS total FROM alerts WHERE group_id = ${groupId}`,
  );
  const firing = Number(totals!.firing);
  const total = Number(totals!.total);
  outcome.firing = firing;
  outcome.total = total;

  let incident: { id: string; stage: string; incident_manager_id: string | null; communication_lead_id: string | null; number: number } | undefined;
  if (g!.incident_id) {
    [incident] = await rows(tx, sql`SELECT id, stage, incident_manager_id, communication_lead_id, number FROM incidents WHERE id = ${g!.incident_id}`);
    if (incident?.stage === 'closed') incident = undefined;
  }
  let triage: { id: string; status: string } | undefined;
  if (!incident && g!.triage_item_id) {
    [triage] = await tx.select({ id: triageItems.id, status: triageItems.status }).from(triageItems).where(eq(triageItems.id, g!.triage_item_id));
    if (triage?.status !== 'open') triage = undefined;
  }

  const labels = group.labels;
  if (!incident && !triage && newlyFiring > 0) {
    const routing = route(labels, integration.rules as RoutingRule[], {
      severity: integration.defaultSeverity as Severity,
      action: integration.defaultAction as 'open' | 'triage',
      componentIds: integration.defaultComponentIds as string[],
    });
    const facts = { integrationId: integration.id, integration: integration.name, kind: integration.kind, groupKey: group.key, labels, ruleIndex: routing.ruleIndex };
    if (routing.action === 'open') {
      const opened = await openIntakeIncident(tx, {
        title: group.title,
        description: group.description,
        source: 'monitoring',
        reporterClientId: null,
        actorLabel: actor,
        severity: routing.severity,
        componentIds: routing.componentIds,
        impact: routing.impact,
        intake: facts,
        now,
      });
      await tx.update(alertGroups).set({ incidentId: opened.id, triageItemId: null, resolveSuggestedAt: null }).where(eq(alertGroups.id, groupId));
      incident = { id: opened.id, stage: 'reported', incident_manager_id: null, communication_lead_id: null, number: opened.number };
      outcome.isIncidentOpened = true;
    } else {
      const [item] = await tx
        .insert(triageItems)
        .values({
          kind: 'alert_group',
          title: group.title,
          description: group.description,
          reason: 'rule',
          data: { ...facts, severity: routing.severity, componentIds: routing.componentIds, impact: routing.impact, firing, total, truncatedAlerts: group.truncatedAlerts },
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: triageItems.id });
      await tx.update(alertGroups).set({ triageItemId: item!.id }).where(eq(alertGroups.id, groupId));
      outcome.triageItemId = item!.id;
      return outcome;
    }
  }

  if (triage) {
    await tx
      .update(triageItems)
      .set({ data: sql`${triageItems.data} || ${JSON.stringify({ firing, total, truncatedAlerts: group.truncatedAlerts })}::jsonb`, updatedAt: now })
      .where(eq(triageItems.id, triage.id));
    outcome.triageItemId = triage.id;
    return outcome;
  }
  if (!incident) return outcome;
  outcome.incidentId = incident.id;

  const common = { integration: integration.name, groupKey: group.key, firing, total, truncatedAlerts: group.truncatedAlerts, payloadId };
  if (newlyFiring > 0) {
    await appendIntakeEvent(tx, incident.id, 'alerts.firing', { ...common, count: newlyFiring, alerts: firingNames }, actor, now);
    if (g!.resolve_suggested_at) await tx.update(alertGroups).set({ resolveSuggestedAt: null }).where(eq(alertGroups.id, groupId));
  }
  if (newlyResolved > 0) await appendIntakeEvent(tx, incident.id, 'alerts.resolved', { ...common, count: newlyResolved, alerts: resolvedNames }, actor, now);

  // Every alert of the group resolved — and none left out of the notification still firing.
  const isAllResolved = total > 0 && firing === 0 && (group.truncatedAlerts === 0 || group.status === 'resolved');
  const wasSuggested = g!.resolve_suggested_at !== null && newlyFiring === 0;
  if (isAllResolved && !wasSuggested) {
    await appendIntakeEvent(
      tx,
      incident.id,
      'resolve.suggested',
      { ...common, reason: `All ${total} alert(s) of the group have resolved. Resolve the incident if the cause is fixed; no client was messaged.` },
      actor,
      now,
    );
    await tx.update(alertGroups).set({ resolveSuggestedAt: now }).where(eq(alertGroups.id, groupId));
    const lead = incident.incident_manager_id ?? incident.communication_lead_id;
    const to = lead ? [lead] : (await rows<{ id: string }>(tx, sql`SELECT id FROM users WHERE role = 'admin' AND NOT is_disabled`)).map((r) => r.id);
    await notify(
      tx,
      { userIds: to, kind: 'resolve.suggested', incidentId: incident.id, title: `INC-${incident.number}: every alert has resolved`, body: `All ${total} alert(s) of ${group.key} (${integration.name}) have resolved. Consider resolving the incident.` },
      now,
    );
    outcome.isResolveSuggested = true;
  }
  await tx.update(incidents).set({ updatedAt: now }).where(eq(incidents.id, incident.id));
  return outcome;
}
