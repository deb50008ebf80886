// What the API answers about the intake: monitoring integrations, stored alerts, the triage queue,
// attachments and the clients' report links.
import { z } from 'zod';
import { id, ImpactStatus, isoTime, Severity } from './common.js';

const labels = z.record(z.string(), z.string());
export const RoutingRule = z
  .object({ match: labels.optional(), matchRegex: labels.optional(), componentIds: z.array(id).optional(), severity: Severity.optional(), action: z.enum(['open', 'triage']).optional(), impact: ImpactStatus.optional() })
  .meta({ id: 'RoutingRule' });

export const Integration = z
  .object({
    id,
    kind: z.enum(['alertmanager', 'grafana', 'generic']),
    name: z.string(),
    slug: z.string(),
    hookPath: z.string(),
    isSigned: z.boolean(),
    /** Grafana signatures without their timestamp header are accepted (replayable; off by default). */
    acceptsUntimedSignatures: z.boolean(),
    groupKeyPath: z.string().nullable(),
    rules: z.array(RoutingRule),
    defaultSeverity: Severity,
    defaultAction: z.enum(['open', 'triage']),
    defaultComponentIds: z.array(id),
    isEnabled: z.boolean(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Integration' });

/** An integration as made or changed: its token and HMAC secret appear in this answer only. */
export const IntegrationWithSecrets = Integration.extend({ token: z.string().nullable(), hmacSecret: z.string().nullable(), note: z.string().optional() }).meta({ id: 'IntegrationWithSecrets' });

export const IntegrationStats = z
  .object({ payloadsPending: z.number().int(), payloadsProcessed: z.number().int(), alerts: z.number().int(), firingAlerts: z.number().int(), groups: z.number().int(), lastPayloadAt: isoTime.nullable() })
  .meta({ id: 'IntegrationStats' });
export const IntegrationDetail = Integration.extend({ stats: IntegrationStats }).meta({ id: 'IntegrationDetail' });

export const Alert = z
  .object({
    id,
    integrationId: id,
    groupKey: z.string(),
    incidentId: id.nullable(),
    fingerprint: z.string(),
    status: z.enum(['firing', 'resolved']),
    name: z.string(),
    labels,
    annotations: labels,
    startsAt: isoTime.nullable(),
    endsAt: isoTime.nullable(),
    url: z.string().nullable(),
    receiveCount: z.number().int(),
    firstSeenAt: isoTime,
    lastSeenAt: isoTime,
  })
  .meta({ id: 'Alert' });

export const TriageItem = z
  .object({
    id,
    kind: z.enum(['alert_group', 'email', 'public_report']),
    status: z.enum(['open', 'promoted', 'dismissed']),
    title: z.string(),
    description: z.string(),
    clientId: id.nullable(),
    sender: z.string().nullable(),
    reason: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    incidentId: id.nullable(),
    decidedBy: id.nullable(),
    decidedAt: isoTime.nullable(),
    decisionNote: z.string().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'TriageItem' });

export const Promotion = z.object({ item: TriageItem, incident: z.object({ id, number: z.number().int(), key: z.string() }) }).meta({ id: 'Promotion' });

export const Attachment = z.object({ id, filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), createdAt: isoTime }).meta({ id: 'Attachment' });

export const ReportLink = z
  .object({ clientId: id, isEnabled: z.boolean(), createdAt: isoTime.nullable(), url: z.string().nullable().describe('The secret link: only in the answer that made it') })
  .meta({ id: 'ReportLink' });
