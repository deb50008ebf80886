// What a status page shows, read once per change: the public page or one client's page, as the
// document published at /status.json (docs/status-schema.json). A client page shows what that client
// was sent: an incident appears once a message about it was sent to the client, with the text of each
// message as sent. The public page shows only what staff published to it (publish-incident.ts), each
// entry as written: a message written for a client never reaches it. Internal-only incidents, notes,
// drafts and unapproved messages appear on neither.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { worstStatus, type ComponentStatus, type MessageKind, type TechState } from '../../domain/types.js';
import { publicEntryKind } from '../../domain/incident/publication.js';
import { json, rows } from '../sql-rows.js';
import { loadStatusMaintenance, type StatusMaintenance } from './status-maintenance.js';
import { dayKeys, uptimeDays, type HistoryRow, type UptimeDay } from './uptime.js';

export const STATUS_SCHEMA_VERSION = 1;
/** Days of uptime bars per component. */
export const UPTIME_DAYS = 90;
/** Days of incident history on the page and in the document. */
export const HISTORY_DAYS = 14;

export type StatusScope = { kind: 'public' } | { kind: 'client'; clientId: string; name: string; slug: string };

export interface StatusUpdate {
  id: string;
  kind: MessageKind;
  /** The technical state when the message was sent. */
  state: TechState;
  at: string;
  text: string;
  impactSummary: string | null;
  nextUpdateAt: string | null;
  expectedResolutionAt: string | null;
}

export interface StatusIncident {
  key: string;
  title: string;
  state: TechState;
  isActive: boolean;
  impact: ComponentStatus;
  startedAt: string;
  resolvedAt: string | null;
  components: { id: string; name: string; status: ComponentStatus }[];
  updates: StatusUpdate[];
}

export interface StatusComponent {
  id: string;
  name: string;
  description: string | null;
  group: string | null;
  status: ComponentStatus;
  /** Share of the last 90 days without a partial or major outage (0–1); null before any data. */
  uptime: number | null;
  days: UptimeDay[];
}

export interface StatusDocument {
  schemaVersion: number;
  generatedAt: string;
  page: { kind: 'public' | 'client'; title: string; url: string; client: { name: string; slug: string } | null };
  status: { indicator: ComponentStatus; description: string };
  components: StatusComponent[];
  incidents: { active: StatusIncident[]; recent: StatusIncident[] };
  maintenance: { active: StatusMaintenance[]; upcoming: StatusMaintenance[] };
}

export const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

const OVERALL_WORDS: Record<ComponentStatus, string> = {
  operational: 'All systems operational',
  degraded_performance: 'Some systems have degraded performance',
  partial_outage: 'Partial outage: some systems are unavailable',
  major_outage: 'Major outage: systems are unavailable',
  under_maintenance: 'Maintenance in progress',
};

const isoOf = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export function pagePath(scope: StatusScope): string {
  return scope.kind === 'public' ? '/status' : `/status/${scope.slug}`;
}

/** The incidents a page shows, and the updates of each, oldest first. */
interface Told {
  incidents: { id: string; number: number; title: string; stage: string; reportedAt: unknown; firstAt: unknown }[];
  updates: Map<string, StatusUpdate[]>;
}

const groupBy = <T extends { incidentId: string }>(list: T[]) => {
  const map = new Map<string, T[]>();
  for (const x of list) map.set(x.incidentId, [...(map.get(x.incidentId) ?? []), x]);
  return map;
};

/** A client page: incidents with a message sent to the client, each message's text as sent. */
async function loadSentToClient(db: Db, clientId: string, windowStart: Date): Promise<Told> {
  const sentToScope = sql` AND c.client_ids @> ${JSON.stringify([clientId])}::jsonb`;
  const incidentRows = await rows<{ id: string; number: number; title: string; stage: string; reported_at: unknown; first_sent: unknown }>(
    db,
    sql`SELECT i.id, i.number, i.title, i.stage, i.reported_at,
        (SELECT min(c.sent_at) FROM communications c WHERE c.incident_id = i.id AND c.status = 'sent'${sentToScope}) AS first_sent
      FROM incidents i
      WHERE i.stage <> 'internal'
        AND EXISTS (SELECT 1 FROM communications c WHERE c.incident_id = i.id AND c.status = 'sent'${sentToScope}
          AND (c.sent_at >= ${windowStart} OR i.stage <> 'closed'))`,
  );
  const idList = JSON.stringify(incidentRows.map((i) => i.id));
  const updateRows = incidentRows.length
    ? await rows<{ id: string; incident_id: string; kind: string; body: string; disclosures: unknown; sent_at: unknown }>(
        db,
        sql`SELECT c.id, c.incident_id, c.kind, c.body, c.disclosures, c.sent_at FROM communications c
          WHERE c.status = 'sent' AND c.incident_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${idList}::jsonb))${sentToScope}
          ORDER BY c.sent_at, c.id`,
      )
    : [];
  const stateRows = incidentRows.length
    ? await rows<{ incident_id: string; at: unknown; data: unknown }>(
        db,
        sql`SELECT e.incident_id, e.at, e.data FROM incident_events e
          WHERE e.type = 'state.changed' AND e.incident_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${idList}::jsonb)) ORDER BY e.seq`,
      )
    : [];
  const stateAt = (incidentId: string, at: number): TechState => {
    let state: TechState = 'investigating';
    for (const e of stateRows) {
      if (e.incident_id !== incidentId) continue;
      if (new Date(e.at as string).getTime() > at) break;
      state = json<{ to: TechState }>(e.data).to;
    }
    return state;
  };
  const updates = updateRows.map((u) => {
    const at = new Date(u.sent_at as string);
    const d = json<{ impactSummary: string | null; nextUpdateAt: string | null; expectedResolutionAt: string | null }>(u.disclosures);
    const kind = u.kind as MessageKind;
    const isClosing = kind === 'resolution' || kind === 'rca';
    return {
      incidentId: u.incident_id,
      id: u.id,
      kind,
      state: isClosing ? 'resolved' : stateAt(u.incident_id, at.getTime()),
      at: at.toISOString(),
      text: u.body,
      impactSummary: d.impactSummary ?? null,
      nextUpdateAt: isClosing ? null : (d.nextUpdateAt ?? null),
      expectedResolutionAt: isClosing ? null : (d.expectedResolutionAt ?? null),
    };
  });
  return {
    incidents: incidentRows.map((i) => ({ id: i.id, number: i.number, title: i.title, stage: i.stage, reportedAt: i.reported_at, firstAt: i.first_sent })),
    updates: new Map([...groupBy(updates)].map(([k, list]) => [k, list.map(({ incidentId: _i, ...u }) => u)])),
  };
}

/**
 * The public page: incidents staff published (and did not withdraw), under their public title, with
 * each published entry as written. Client messages, their disclosures and promised times stay on the
 * clients' pages.
 */
async function loadPublished(db: Db, windowStart: Date): Promise<Told> {
  const entryRows = await rows<{ id: string; incident_id: string; number: number; public_title: string; stage: string; reported_at: unknown; body: string; state: string; at: unknown }>(
    db,
    sql`SELECT u.id, u.incident_id, i.number, i.public_title, i.stage, i.reported_at, u.body, u.state, u.at
      FROM incidents i JOIN public_updates u ON u.incident_id = i.id AND u.withdrawn_at IS NULL
      WHERE i.published_at IS NOT NULL AND i.stage <> 'internal'
        AND (i.stage <> 'closed' OR EXISTS (SELECT 1 FROM public_updates r WHERE r.incident_id = i.id AND r.withdrawn_at IS NULL AND r.at >= ${windowStart}))
      ORDER BY u.at, u.id`,
  );
  const byIncident = groupBy(entryRows.map((r) => ({ ...r, incidentId: r.incident_id })));
  const incidents: Told['incidents'] = [];
  const updates = new Map<string, StatusUpdate[]>();
  for (const [incidentId, entries] of byIncident) {
    const first = entries[0]!;
    incidents.push({ id: incidentId, number: first.number, title: first.public_title, stage: first.stage, reportedAt: first.reported_at, firstAt: first.at });
    updates.set(
      incidentId,
      entries.map((e, n) => ({
        id: e.id,
        kind: publicEntryKind(n === 0, e.state as TechState),
        state: e.state as TechState,
        at: new Date(e.at as string).toISOString(),
        text: e.body,
        impactSummary: null,
        nextUpdateAt: null,
        expectedResolutionAt: null,
      })),
    );
  }
  return { incidents, updates };
}

export async function buildStatusDocument(db: Db, scope: StatusScope, opts: { baseUrl: string; companyName: string; now: Date }): Promise<StatusDocument> {
  const { now } = opts;
  const clientId = scope.kind === 'client' ? scope.clientId : null;
  const windowStart = new Date(now.getTime() - UPTIME_DAYS * 86_400_000);

  const componentRows = await rows<{ id: string; name: string; description: string | null; group_name: string | null; status: string; created_at: unknown; last_manual: boolean | null }>(
    db,
    sql`SELECT co.id, co.name, co.description, g.name AS group_name, co.status, co.created_at,
        (SELECT h.incident_id IS NULL AND h.maintenance_window_id IS NULL AND h.actor_id IS NOT NULL FROM component_status_history h WHERE h.component_id = co.id ORDER BY h.at DESC, h.seq DESC LIMIT 1) AS last_manual
      FROM components co LEFT JOIN component_groups g ON g.id = co.group_id
      WHERE ${clientId ? sql`EXISTS (SELECT 1 FROM client_components cc WHERE cc.component_id = co.id AND cc.client_id = ${clientId})` : sql`TRUE`}
      ORDER BY g.position NULLS LAST, g.name NULLS LAST, co.position, co.name`,
  );
  const componentIds = new Set(componentRows.map((c) => c.id));

  // Incidents the scope was told about: on a client page, what was sent to that client; on the public
  // page, only what staff published to it (never a text written for a client).
  const told = clientId ? await loadSentToClient(db, clientId, windowStart) : await loadPublished(db, windowStart);
  const incidentIds = told.incidents.map((i) => i.id);
  const idList = JSON.stringify(incidentIds);
  const impactRows = incidentIds.length
    ? await rows<{ incident_id: string; component_id: string; name: string; status: string }>(
        db,
        sql`SELECT ic.incident_id, ic.component_id, co.name, ic.status FROM incident_components ic JOIN components co ON co.id = ic.component_id
          WHERE ic.incident_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${idList}::jsonb)) ORDER BY co.name`,
      )
    : [];

  const incidents: StatusIncident[] = told.incidents.map((i) => {
    const updates = [...(told.updates.get(i.id) ?? [])].reverse();
    const last = updates[0];
    const isActive = i.stage !== 'closed' && !!last && last.kind !== 'resolution' && last.kind !== 'rca';
    // A client page names only the components that client uses.
    const mine = impactRows.filter((r) => r.incident_id === i.id && (!clientId || componentIds.has(r.component_id)));
    const impacts = mine.map((r) => ({ id: r.component_id, name: r.name, status: (isActive ? r.status : 'operational') as ComponentStatus }));
    const impact = worstStatus(mine.map((r) => r.status as ComponentStatus));
    const resolvedUpdate = updates.find((u) => u.kind === 'resolution');
    return {
      key: `INC-${i.number}`,
      title: i.title,
      state: last?.state ?? 'investigating',
      isActive,
      impact,
      startedAt: isoOf(i.firstAt) ?? isoOf(i.reportedAt)!,
      resolvedAt: isActive ? null : (resolvedUpdate?.at ?? last?.at ?? null),
      components: impacts,
      updates,
    };
  });

  const maintenance = await loadStatusMaintenance(db, { clientId, now });
  const maintained = new Set(maintenance.active.flatMap((m) => m.components.map((c) => c.id)));

  // Status history caused by incidents this page does not show is left out of the bars.
  const shownIncidents = new Set(incidentIds);
  const historyRows = componentIds.size
    ? await rows<{ component_id: string; status: string; at: unknown; incident_id: string | null }>(
        db,
        sql`SELECT h.component_id, h.status, h.at, h.incident_id FROM component_status_history h
          WHERE h.component_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify([...componentIds])}::jsonb))
            AND (h.at >= ${windowStart} OR h.seq = (SELECT max(p.seq) FROM component_status_history p WHERE p.component_id = h.component_id AND p.at < ${windowStart}))
          ORDER BY h.at, h.seq`,
      )
    : [];
  const days = dayKeys(now, UPTIME_DAYS);
  const components: StatusComponent[] = componentRows.map((c) => {
    const history: HistoryRow[] = historyRows
      .filter((h) => h.component_id === c.id && (!h.incident_id || shownIncidents.has(h.incident_id)))
      .map((h) => ({ at: new Date(h.at as string).getTime(), status: h.status as ComponentStatus }));
    const fromIncidents = incidents.filter((i) => i.isActive).flatMap((i) => i.components.filter((x) => x.id === c.id).map((x) => x.status));
    const status = worstStatus([
      ...fromIncidents,
      ...(maintained.has(c.id) ? (['under_maintenance'] as ComponentStatus[]) : []),
      ...(c.last_manual ? [c.status as ComponentStatus] : []),
    ]);
    const bars = uptimeDays(history, { days, now: now.getTime(), createdAt: new Date(c.created_at as string).getTime() });
    const measured = bars.filter((d) => d.uptime !== null);
    const uptime = measured.length ? measured.reduce((sum, d) => sum + d.uptime! * d.coveredMs, 0) / Math.max(1, measured.reduce((s, d) => s + d.coveredMs, 0)) : null;
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      group: c.group_name,
      status,
      uptime: uptime === null ? null : Math.round(uptime * 100_000) / 100_000,
      days: bars.map(({ coveredMs: _covered, ...d }) => d),
    };
  });

  const active = incidents.filter((i) => i.isActive).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const historyStart = now.getTime() - HISTORY_DAYS * 86_400_000;
  const recent = incidents
    .filter((i) => !i.isActive && Date.parse(i.updates[0]?.at ?? i.startedAt) >= historyStart)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const indicator = worstStatus([...components.map((c) => c.status), ...active.map((i) => i.impact)]);
  const description =
    indicator === 'operational' && active.length ? 'We are working on an incident; see below.' : OVERALL_WORDS[indicator];
  const path = pagePath(scope);
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    page: {
      kind: scope.kind,
      title: scope.kind === 'public' ? `${opts.companyName} status` : `${opts.companyName} status for ${scope.name}`,
      url: `${opts.baseUrl}${path}`,
      client: scope.kind === 'client' ? { name: scope.name, slug: scope.slug } : null,
    },
    status: { indicator, description },
    components,
    incidents: { active, recent },
    maintenance,
  };
}
