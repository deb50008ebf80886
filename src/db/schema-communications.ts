// Tables of client messages: each communication, its per-recipient deliveries (also used by
// maintenance notices) and the versioned templates they are rendered from. Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, ts, createdAt } from './schema-columns.js';
import { clients } from './schema-catalog.js';
import { incidents } from './schema-incidents.js';
import { maintenanceNotices } from './schema-maintenance.js';
import { users } from './schema-users.js';

export const communications = pgTable(
  'communications',
  {
    id: uuid('id').primaryKey(),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    clientIds: jsonb('client_ids').notNull(),
    disclosures: jsonb('disclosures').notNull(),
    pastOccurrences: jsonb('past_occurrences').notNull(),
    /** pending_approval → sent, or rejected. */
    status: text('status').notNull().default('sent'),
    requiresApproval: boolean('requires_approval').notNull().default(false),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    sentAt: ts('sent_at'),
    /** The next-update time this message promised the clients. */
    promisedNextUpdateAt: ts('promised_next_update_at'),
    /** Whether this message kept the previous message's promise of the next update (null: none made). */
    isPromiseKept: boolean('is_promise_kept'),
    templateVersions: jsonb('template_versions').notNull().default(sql`'{}'::jsonb`),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('communications_incident_idx').on(t.incidentId, t.createdAt), index('communications_rca_idx').on(t.incidentId, t.createdAt).where(sql`kind = 'rca'`)],
);

export const communicationRecipients = pgTable(
  'communication_recipients',
  {
    id: id(),
    /** The incident message this delivers; null for a maintenance notice. */
    communicationId: uuid('communication_id').references(() => communications.id),
    incidentId: uuid('incident_id').references(() => incidents.id),
    /** The maintenance notice this delivers; null for an incident message. */
    maintenanceNoticeId: uuid('maintenance_notice_id').references(() => maintenanceNotices.id),
    clientId: uuid('client_id').notNull().references(() => clients.id),
    contactId: uuid('contact_id'),
    toAddress: text('to_address').notNull(),
    toName: text('to_name').notNull(),
    language: text('language').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    /** e-mail, outbox (local), webhook, slack, teams. */
    channel: text('channel').notNull(),
    endpointId: uuid('endpoint_id'),
    /** What the channel sends beyond subject and text, fixed at creation: the chat/webhook message, threading. */
    payload: jsonb('payload'),
    /** queued → sending → sent; or retrying, then dead after the last attempt. */
    status: text('status').notNull(),
    messageId: text('message_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerRef: text('provider_ref'),
    lastAttemptAt: ts('last_attempt_at'),
    nextAttemptAt: ts('next_attempt_at'),
    /** While 'sending': the worker sending it holds it until then, renewing it as it goes (migration 0022). */
    claimedUntil: ts('claimed_until'),
    deadAt: ts('dead_at'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    index('communication_recipients_comm_idx').on(t.communicationId),
    index('communication_recipients_client_idx').on(t.clientId, t.createdAt),
    index('communication_recipients_outbox_idx').on(t.createdAt, t.id),
    index('communication_recipients_unsent_idx').on(t.status).where(sql`status NOT IN ('sent', 'dead')`),
    index('communication_recipients_notice_idx').on(t.maintenanceNoticeId).where(sql`maintenance_notice_id IS NOT NULL`),
    check('communication_recipients_source_check', sql`(communication_id IS NOT NULL AND incident_id IS NOT NULL) OR maintenance_notice_id IS NOT NULL`),
  ],
);

export const templates = pgTable(
  'templates',
  {
    id: id(),
    kind: text('kind').notNull(),
    language: text('language').notNull(),
    /** email (subject, html, text) or chat (text). */
    channel: text('channel').notNull(),
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** An incident role that owns the template when no user does: communication_lead, incident_manager. */
    ownerRole: text('owner_role'),
    currentVersion: integer('current_version').notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('templates_kind_language_channel_key').on(t.kind, t.language, t.channel)],
);

export const templateVersions = pgTable(
  'template_versions',
  {
    templateId: uuid('template_id').notNull().references(() => templates.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    parts: jsonb('parts').notNull(),
    note: text('note'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] })],
);
