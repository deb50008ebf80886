// The three payload formats the hooks take — Prometheus Alertmanager webhook v4, Grafana alerting
// webhook (version 1) and Herald's generic JSON — checked and turned into one shape: groups of alerts
// with a fingerprint each. Checking happens before anything is stored; a bad body names its field.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../app-error.js';

export type IntegrationKind = 'alertmanager' | 'grafana' | 'generic';
export const INTEGRATION_KINDS = ['alertmanager', 'grafana', 'generic'] as const;

export interface NormalAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string | null;
  endsAt: string | null;
  url: string | null;
}

export interface AlertGroupInput {
  key: string;
  /** The sender's status of the whole group (Alertmanager, Grafana); null when it does not say. */
  status: 'firing' | 'resolved' | null;
  /** Alerts the sender left out of this notification (Alertmanager's max_alerts). */
  truncatedAlerts: number;
  /** Labels all alerts share: what the routing rules look at. */
  labels: Record<string, string>;
  title: string;
  description: string;
  alerts: NormalAlert[];
}

export const MAX_ALERTS_PER_PAYLOAD = 100_000;

const labelMap = z.record(z.string().max(2000), z.string().max(20_000));
const status = z.enum(['firing', 'resolved']);
const timestamp = z.string().max(64);

const prometheusAlert = z.object({
  status,
  labels: labelMap,
  annotations: labelMap.optional(),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(4000).optional(),
  fingerprint: z.string().min(1).max(200),
});

const alertmanagerBody = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook version 4)' }),
  groupKey: z.string().min(1).max(10_000),
  truncatedAlerts: z.number().int().min(0).max(1e9).optional(),
  status,
  receiver: z.string().max(1000).optional(),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().max(4000).optional(),
  alerts: z.array(prometheusAlert).min(1).max(MAX_ALERTS_PER_PAYLOAD),
});

const grafanaBody = alertmanagerBody.extend({
  version: z.literal('1', { error: 'must be "1" (Grafana alerting webhook)' }),
  groupKey: z.string().max(10_000).optional(),
  orgId: z.number().optional(),
  title: z.string().max(10_000).optional(),
  message: z.string().max(100_000).optional(),
  alerts: z.array(prometheusAlert.extend({ fingerprint: z.string().min(1).max(200).optional(), silenceURL: z.string().max(4000).optional() })).min(1).max(MAX_ALERTS_PER_PAYLOAD),
});

const genericAlert = z.object({
  id: z.string().min(1).max(200),
  status,
  title: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(20_000).optional(),
  labels: labelMap.optional(),
  annotations: labelMap.optional(),
  startsAt: timestamp.optional(),
  endsAt: timestamp.optional(),
  url: z.string().max(4000).optional(),
  group: z.string().min(1).max(1000).optional(),
});

const genericBody = z.object({
  group: z.string().min(1).max(1000).optional(),
  alerts: z.array(genericAlert).min(1).max(MAX_ALERTS_PER_PAYLOAD),
});

function refuse(issue: z.core.$ZodIssue | undefined): never {
  const field = ['body', ...(issue?.path ?? []).map(String)].join('.');
  throw new AppError('invalid_input', `Invalid ${field}: ${issue?.message ?? 'is not valid'}`, { field });
}

/** JSON text → value; a body that is not JSON (or holds a NUL character PostgreSQL cannot store) is refused. */
export function parseJsonBody(text: string): unknown {
  if (!text.trim()) throw new AppError('invalid_input', 'The body is empty; send the alert payload as JSON.', { field: 'body' });
  if (/\\u0000/i.test(text)) throw new AppError('invalid_input', 'The body contains a NUL character (\\u0000), which cannot be stored.', { field: 'body' });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_input', `The body is not valid JSON: ${(err as Error).message}`, { field: 'body' });
  }
}

/** A time as ISO text, or null for none (Go's zero time, which Alertmanager sends for "not ended"). */
function time(value: string | undefined, field: string): string | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < Date.UTC(1970, 0, 1) || ms > Date.UTC(9999, 0, 1)) throw new AppError('invalid_input', `Invalid ${field}: not an RFC 3339 time.`, { field });
  return new Date(ms).toISOString();
}

const labelFingerprint = (labels: Record<string, string>) =>
  createHash('sha256')
    .update(JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
    .digest('hex')
    .slice(0, 16);

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function groupTitle(prefix: string, labels: Record<string, string>, annotations: Record<string, string>, first: NormalAlert | undefined): string {
  const name = labels.alertname ?? first?.name ?? 'alert';
  const summary = annotations.summary ?? annotations.title ?? (first && Object.keys(labels).length === 0 ? first.annotations.summary : undefined);
  return clip(`${prefix}: ${name}${summary ? ` — ${summary}` : ''}`, 200);
}

/** Alertmanager v4 and Grafana bodies: one group per notification. */
function prometheusGroup(kind: 'alertmanager' | 'grafana', body: z.infer<typeof grafanaBody> | z.infer<typeof alertmanagerBody>): AlertGroupInput {
  const alerts: NormalAlert[] = body.alerts.map((a, i) => {
    const fingerprint = a.fingerprint ?? labelFingerprint(a.labels);
    return {
      fingerprint,
      status: a.status,
      name: clip(a.labels.alertname ?? fingerprint, 200),
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: time(a.startsAt, `body.alerts.${i}.startsAt`),
      endsAt: a.status === 'resolved' ? time(a.endsAt, `body.alerts.${i}.endsAt`) : null,
      url: a.generatorURL || null,
    };
  });
  const labels = body.commonLabels ?? body.groupLabels ?? {};
  const key = body.groupKey || JSON.stringify(Object.entries(body.groupLabels ?? {}).sort());
  const annotations = body.commonAnnotations ?? {};
  return {
    key,
    status: body.status,
    truncatedAlerts: body.truncatedAlerts ?? 0,
    labels,
    title: groupTitle(kind === 'grafana' ? 'Grafana' : 'Alertmanager', labels, annotations, alerts[0]),
    description: annotations.description ?? annotations.summary ?? '',
    alerts,
  };
}

function valueAt(alert: Record<string, unknown>, path: string): string | null {
  let cur: unknown = alert;
  for (const seg of path.split('.')) {
    if (!cur || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return typeof cur === 'string' || typeof cur === 'number' ? String(cur) : null;
}

function genericGroups(body: z.infer<typeof genericBody>, groupKeyPath: string | null): AlertGroupInput[] {
  const byKey = new Map<string, AlertGroupInput>();
  body.alerts.forEach((a, i) => {
    const key = (groupKeyPath ? valueAt(a, groupKeyPath) : null) ?? a.group ?? body.group ?? 'default';
    const labels = a.labels ?? {};
    const alert: NormalAlert = {
      fingerprint: a.id,
      status: a.status,
      name: clip(a.title ?? labels.alertname ?? a.id, 200),
      labels,
      annotations: { ...(a.annotations ?? {}), ...(a.title && { summary: a.title }), ...(a.description && { description: a.description }) },
      startsAt: time(a.startsAt, `body.alerts.${i}.startsAt`),
      endsAt: time(a.endsAt, `body.alerts.${i}.endsAt`),
      url: a.url ?? null,
    };
    let group = byKey.get(key);
    if (!group) {
      group = { key, status: null, truncatedAlerts: 0, labels: { ...labels }, title: clip(a.title ?? `Alert: ${key}`, 200), description: a.description ?? '', alerts: [] };
      byKey.set(key, group);
    } else {
      // The labels every alert of the group shares.
      for (const [k, v] of Object.entries(group.labels)) if (labels[k] !== v) delete group.labels[k];
    }
    group.alerts.push(alert);
  });
  return [...byKey.values()];
}

/**
 * Checks a parsed body against the integration's format and returns its alert groups (sorted by key,
 * so concurrent payloads lock groups in one order). Throws invalid_input naming the field.
 */
export function readAlertPayload(kind: IntegrationKind, value: unknown, opts: { groupKeyPath?: string | null } = {}): AlertGroupInput[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AppError('invalid_input', 'The body must be a JSON object.', { field: 'body' });
  let groups: AlertGroupInput[];
  if (kind === 'generic') {
    const parsed = genericBody.safeParse(value);
    if (!parsed.success) refuse(parsed.error.issues[0]);
    groups = genericGroups(parsed.data, opts.groupKeyPath ?? null);
  } else {
    const parsed = (kind === 'alertmanager' ? alertmanagerBody : grafanaBody).safeParse(value);
    if (!parsed.success) refuse(parsed.error.issues[0]);
    groups = [prometheusGroup(kind, parsed.data)];
  }
  for (const g of groups) {
    // A repeated fingerprint within one notification: the last one stands.
    const last = new Map<string, NormalAlert>();
    for (const a of g.alerts) last.set(a.fingerprint, a);
    // Sorted by fingerprint: concurrent payloads that share alerts lock their rows in one order.
    g.alerts = [...last.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  }
  return groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const countAlerts = (groups: AlertGroupInput[]) => groups.reduce((n, g) => n + g.alerts.length, 0);
