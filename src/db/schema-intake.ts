// Tables of the intake (migration 0004_intake): monitoring integrations, the raw alert payloads kept
// before the hook answers, alerts de-duplicated by fingerprint and grouped, the triage queue, inbound
// e-mail, attachments, and the clients' secret report links. Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { boolean, customType, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { clients } from './schema-catalog.js';
import { ts } from './schema-columns.js';
import { incidents } from './schema-incidents.js';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

export const integrations = pgTable('integrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** alertmanager, grafana or generic. */
  kind: text('kind').notNull(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  /** SHA-256 of the bearer token (a random 32-byte secret: a fast hash is enough, and lets one query find it). */
  tokenHash: text('token_hash').notNull().unique(),
  /** HMAC-SHA256 key for signed calls; kept as is, because verifying a signature needs the key. */
  hmacSecret: text('hmac_secret'),
  /**
   * Grafana signatures without X-Grafana-Alerting-Signature-Timestamp are accepted (they can be
   * replayed): off unless an admin turns it on; migration 0021 turned it on for signed Grafana
   * integrations that existed before, so the upgrade refused none of their alerts.
   */
  acceptsUntimedSignatures: boolean('accepts_untimed_signatures').notNull().default(false),
  /** Generic hooks: where in each alert the group key is (e.g. labels.service). */
  groupKeyPath: text('group_key_path'),
  rules: jsonb('rules').notNull().default(sql`'[]'::jsonb`),
  defaultSeverity: text('default_severity').notNull().default('SEV3'),
  /** open (an incident at once) or triage (wait for a person). */
  defaultAction: text('default_action').notNull().default('open'),
  defaultComponentIds: jsonb('default_component_ids').notNull().default(sql`'[]'::jsonb`),
  isEnabled: boolean('is_enabled').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const alertPayloads = pgTable(
  'alert_payloads',
  {
    id: uuid('id').primaryKey(),
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    receivedAt: ts('received_at').notNull(),
    alertCount: integer('alert_count').notNull(),
    /** The body exactly as received (JSON text), gzipped: a 7 MB storm is stored in one quick insert. */
    bodyGzip: bytea('body_gzip').notNull(),
    processedAt: ts('processed_at'),
    outcome: jsonb('outcome'),
  },
  (t) => [index('alert_payloads_unprocessed_idx').on(t.receivedAt).where(sql`processed_at IS NULL`)],
);

export const triageItems = pgTable(
  'triage_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** alert_group, email or public_report. */
    kind: text('kind').notNull(),
    /** open → promoted or dismissed. */
    status: text('status').notNull().default('open'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    sender: text('sender'),
    /** Why it waits here: rule, unknown_sender, unknown_sender_reply, ambiguous_sender, unauthenticated_sender, too_large, spam_guard. */
    reason: text('reason').notNull(),
    data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
    incidentId: uuid('incident_id').references(() => incidents.id),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('triage_items_status_idx').on(t.status, t.createdAt, t.id)],
);

export const alertGroups = pgTable(
  'alert_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    groupKey: text('group_key').notNull(),
    incidentId: uuid('incident_id').references(() => incidents.id),
    triageItemId: uuid('triage_item_id').references(() => triageItems.id),
    labels: jsonb('labels').notNull().default(sql`'{}'::jsonb`),
    truncatedAlerts: integer('truncated_alerts').notNull().default(0),
    lastStatus: text('last_status'),
    resolveSuggestedAt: ts('resolve_suggested_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [unique('alert_groups_integration_key_unique').on(t.integrationId, t.groupKey), index('alert_groups_incident_idx').on(t.incidentId)],
);

export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id')
      .notNull()
      .references(() => alertGroups.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    /** firing or resolved. */
    status: text('status').notNull(),
    name: text('name').notNull(),
    labels: jsonb('labels').notNull(),
    annotations: jsonb('annotations').notNull(),
    startsAt: ts('starts_at'),
    endsAt: ts('ends_at'),
    url: text('url'),
    /** How many notifications carried this alert. */
    receiveCount: integer('receive_count').notNull().default(1),
    firstSeenAt: ts('first_seen_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
  },
  (t) => [unique('alerts_integration_fingerprint_unique').on(t.integrationId, t.fingerprint), index('alerts_group_idx').on(t.groupId, t.status)],
);

export const inboundEmails = pgTable('inbound_emails', {
  messageId: text('message_id').primaryKey(),
  receivedAt: ts('received_at').notNull(),
  sender: text('sender').notNull(),
  /** incident, reply, triage or ignored. */
  outcome: text('outcome').notNull(),
  incidentId: uuid('incident_id').references(() => incidents.id),
  triageItemId: uuid('triage_item_id').references(() => triageItems.id),
});

export const intakeAttachments = pgTable(
  'intake_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id').references(() => incidents.id),
    triageItemId: uuid('triage_item_id').references(() => triageItems.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    content: bytea('content').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('intake_attachments_incident_idx').on(t.incidentId)],
);

export const clientReportLinks = pgTable('client_report_links', {
  clientId: uuid('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  /** SHA-256 of the secret in the link (shown once when made). */
  secretHash: text('secret_hash').notNull().unique(),
  /** Signs the form's timestamp (the spam guard's minimum fill time); never leaves the server. */
  formKey: text('form_key').notNull(),
  createdAt: ts('created_at').notNull(),
});
