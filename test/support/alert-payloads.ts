// Real-shaped monitoring payloads: Prometheus Alertmanager webhook v4 and Grafana alerting webhook
// (version 1), as those programs send them. No vitest imports: tests and benchmarks use them alike.

export interface AlertSpec {
  fingerprint: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An Alertmanager v4 notification for one group (groupLabels are part of every alert's labels). */
export function alertmanagerPayload(opts: {
  groupLabels: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  alerts: AlertSpec[];
  truncatedAlerts?: number;
  status?: 'firing' | 'resolved';
  receiver?: string;
}) {
  const alerts = opts.alerts.map((a) => {
    const status = a.status ?? 'firing';
    return {
      status,
      labels: { ...opts.groupLabels, ...(opts.commonLabels ?? {}), ...(a.labels ?? {}) },
      annotations: { ...(opts.commonAnnotations ?? {}), ...(a.annotations ?? {}) },
      startsAt: a.startsAt ?? '2026-12-01T23:50:00.000Z',
      endsAt: status === 'resolved' ? (a.endsAt ?? '2026-12-02T00:10:00.000Z') : ZERO_TIME,
      generatorURL: `http://prometheus.example:9090/graph?g0.expr=up%3D%3D0&g0.tab=1&fp=${a.fingerprint}`,
      fingerprint: a.fingerprint,
    };
  });
  const status = opts.status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
  const groupKey = `{}/{severity="critical"}:{${Object.entries(opts.groupLabels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
  return {
    receiver: opts.receiver ?? 'herald',
    status,
    alerts,
    groupLabels: opts.groupLabels,
    commonLabels: { ...opts.groupLabels, ...(opts.commonLabels ?? {}) },
    commonAnnotations: opts.commonAnnotations ?? {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey,
    truncatedAlerts: opts.truncatedAlerts ?? 0,
  };
}

/** A Grafana alerting webhook notification (the shape of Grafana's documented example). */
export function grafanaPayload(opts: { alerts: AlertSpec[]; commonLabels?: Record<string, string>; groupKey?: string; truncatedAlerts?: number }) {
  const alerts = opts.alerts.map((a) => {
    const status = a.status ?? 'firing';
    return {
      status,
      labels: { ...(opts.commonLabels ?? {}), ...(a.labels ?? {}) },
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-12-01T23:56:03.157076+01:00',
      endsAt: status === 'resolved' ? (a.endsAt ?? '2026-12-02T00:20:00Z') : ZERO_TIME,
      generatorURL: 'https://grafana.example/alerting/d1rdpdv7k/edit',
      fingerprint: a.fingerprint,
      silenceURL: 'https://grafana.example/alerting/silence/new?alertmanager=grafana',
      dashboardURL: '',
      panelURL: '',
      values: { B: 44.23943737541908, C: 1 },
    };
  });
  const firing = alerts.filter((a) => a.status === 'firing').length;
  return {
    receiver: 'herald',
    status: firing ? 'firing' : 'resolved',
    orgId: 1,
    alerts,
    groupLabels: {},
    commonLabels: opts.commonLabels ?? {},
    commonAnnotations: {},
    externalURL: 'https://grafana.example/',
    version: '1',
    groupKey: opts.groupKey ?? '{}:{}',
    truncatedAlerts: opts.truncatedAlerts ?? 0,
    title: `[${firing ? `FIRING:${firing}` : 'RESOLVED'}]  (${opts.commonLabels?.team ?? ''})`,
    state: firing ? 'alerting' : 'ok',
    message: '**Firing**\n\nLabels:\n - alertname = T2\n',
  };
}

/** n alerts with fingerprints `${prefix}-0` … in one Alertmanager group. */
export function stormPayload(n: number, groupLabels: Record<string, string>, prefix = 'storm') {
  return alertmanagerPayload({
    groupLabels,
    commonAnnotations: { summary: 'Instances unreachable' },
    alerts: Array.from({ length: n }, (_, i) => ({ fingerprint: `${prefix}-${i.toString(16).padStart(8, '0')}`, labels: { instance: `node-${i}:9100`, job: 'node' } })),
  });
}
