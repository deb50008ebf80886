// The database schema. Migrations in ./migrations are generated from it (npm run db:generate).
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const id = () => uuid('id').primaryKey().defaultRandom();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const clients = pgTable('clients', {
  id: id(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  tier: text('tier').notNull().default('standard'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    clientId: uuid('client_id').references(() => clients.id),
    passwordHash: text('password_hash'),
    isDisabled: boolean('is_disabled').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

export const setupTokens = pgTable('setup_tokens', {
  id: id(),
  secretHash: text('secret_hash').notNull(),
  createdAt: createdAt(),
  usedAt: ts('used_at'),
});

export const componentGroups = pgTable('component_groups', {
  id: id(),
  name: text('name').notNull().unique(),
  description: text('description'),
  position: integer('position').notNull().default(0),
  createdAt: createdAt(),
});

export const components = pgTable('components', {
  id: id(),
  name: text('name').notNull().unique(),
  description: text('description'),
  groupId: uuid('group_id').references(() => componentGroups.id, { onDelete: 'set null' }),
  status: text('status').notNull().default('operational'),
  position: integer('position').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const componentStatusHistory = pgTable(
  'component_status_history',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    componentId: uuid('component_id').notNull().references(() => components.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    at: ts('at').notNull(),
    incidentId: uuid('incident_id'),
    actorId: uuid('actor_id'),
    maintenanceWindowId: uuid('maintenance_window_id'),
  },
  (t) => [index('component_status_history_component_idx').on(t.componentId, t.at)],
);

export const clientComponents = pgTable(
  'client_components',
  {
    clientId: uuid('client_id').notNull().references(() => clients.id, { onDelete: 'cascade' }),
    componentId: uuid('component_id').notNull().references(() => components.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.componentId] }), index('client_components_component_idx').on(t.componentId)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    clientId: uuid('client_id').notNull().references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email').notNull(),
    language: text('language').notNull().default('en'),
    role: text('role').notNull().default('technical'),
    /** Channels this contact is written to: ['email'], or [] to write to the client's endpoints only. */
    channels: jsonb('channels').notNull().default(sql`'["email"]'::jsonb`),
    /** Message kinds this contact receives; null means every kind. */
    kinds: jsonb('kinds'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contacts_client_email_key').on(t.clientId, sql`lower(${t.email})`)],
);

export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: id(),
    tier: text('tier').notNull(),
    severity: text('severity').notNull(),
    initialNoticeMinutes: integer('initial_notice_minutes').notNull(),
    updateEveryMinutes: integer('update_every_minutes'),
    resolutionNoticeMinutes: integer('resolution_notice_minutes').notNull(),
    rcaBusinessDays: integer('rca_business_days'),
    /** Four-eyes rule: client messages need a second person's approval before they go out. */
    requiresApproval: boolean('requires_approval').notNull().default(false),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sla_policies_tier_severity_key').on(t.tier, t.severity)],
);

/** The version of the SLA policies (migration 0014): one row, raised by a trigger on every change to them. */
export const slaPoliciesVersion = pgTable('sla_policies_version', {
  id: boolean('id').primaryKey().default(true),
  version: bigint('version', { mode: 'number' }).notNull(),
});

export const incidentNumberSeq = pgSequence('incident_number_seq', { startWith: 1 });

export const incidents = pgTable(
  'incidents',
  {
    id: id(),
    number: integer('number').notNull().unique().default(sql`nextval('incident_number_seq')`),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    source: text('source').notNull(),
    reporterId: uuid('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    reporterClientId: uuid('reporter_client_id').references(() => clients.id),
    /** Clients the reporter named; offered as affected at classification. */
    reportedClientIds: jsonb('reported_client_ids').notNull().default(sql`'[]'::jsonb`),
    stage: text('stage').notNull(),
    techState: text('tech_state').notNull(),
    severity: text('severity'),
    decision: jsonb('decision'),
    disclosures: jsonb('disclosures').notNull(),
    disclosureVersion: integer('disclosure_version').notNull().default(0),
    incidentManagerId: uuid('incident_manager_id').references(() => users.id),
    communicationLeadId: uuid('communication_lead_id').references(() => users.id),
    technicalTeamIds: jsonb('technical_team_ids').notNull().default(sql`'[]'::jsonb`),
    internalSummary: text('internal_summary'),
    reportedAt: ts('reported_at').notNull(),
    classifiedAt: ts('classified_at'),
    resolvedAt: ts('resolved_at'),
    reopenedAt: ts('reopened_at'),
    closedAt: ts('closed_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('incidents_open_idx').on(t.stage, t.reportedAt), index('incidents_reported_idx').on(t.reportedAt, t.id)],
);

export const incidentComponents = pgTable(
  'incident_components',
  {
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    componentId: uuid('component_id').notNull().references(() => components.id),
    status: text('status').notNull(),
    /** The incident is live (neither resolved nor closed): kept current by the statement that changes it. */
    isLive: boolean('is_live').notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.componentId] }),
    index('incident_components_component_idx').on(t.componentId),
    index('incident_components_live_idx').on(t.componentId).where(sql`is_live`),
  ],
);

export const incidentClients = pgTable(
  'incident_clients',
  {
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    clientId: uuid('client_id').notNull().references(() => clients.id),
    tier: text('tier').notNull(),
    source: text('source').notNull(),
    addedAt: ts('added_at').notNull(),
    sent: jsonb('sent').notNull().default(sql`'{}'::jsonb`),
    met: jsonb('met').notNull().default(sql`'{}'::jsonb`),
    /** The next update the last message sent to this client promised (the update deadline holds to it). */
    promisedNextUpdateAt: ts('promised_next_update_at'),
    /** The incident's report time (it never changes), so that a client's incidents are read newest first from an index. */
    incidentReportedAt: ts('incident_reported_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.clientId] }), index('incident_clients_client_reported_idx').on(t.clientId, sql`${t.incidentReportedAt} DESC`)],
);

export const incidentObligations = pgTable(
  'incident_obligations',
  {
    id: uuid('id').primaryKey(),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    clientId: uuid('client_id').notNull().references(() => clients.id),
    kind: text('kind').notNull(),
    dueAt: ts('due_at').notNull(),
    status: text('status').notNull(),
    createdAt: ts('created_at').notNull(),
    closedAt: ts('closed_at'),
    metByCommunicationId: uuid('met_by_communication_id'),
    waiver: jsonb('waiver'),
    remindedAt: ts('reminded_at'),
    escalatedAt: ts('escalated_at'),
    breachedAt: ts('breached_at'),
  },
  (t) => [
    index('incident_obligations_incident_idx').on(t.incidentId),
    index('incident_obligations_open_due_idx').on(t.dueAt).where(sql`status = 'open'`),
  ],
);

export const incidentDisclosureVersions = pgTable(
  'incident_disclosure_versions',
  {
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    disclosures: jsonb('disclosures').notNull(),
    actorId: uuid('actor_id'),
    at: ts('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.version] })],
);

export const incidentEvents = pgTable(
  'incident_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id),
    at: ts('at').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [index('incident_events_incident_idx').on(t.incidentId, t.seq)],
);

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
    maintenanceNoticeId: uuid('maintenance_notice_id'),
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
    deadAt: ts('dead_at'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    index('communication_recipients_comm_idx').on(t.communicationId),
    index('communication_recipients_client_idx').on(t.clientId, t.createdAt),
    index('communication_recipients_outbox_idx').on(t.createdAt, t.id),
    index('communication_recipients_unsent_idx').on(t.status).where(sql`status NOT IN ('sent', 'dead')`),
  ],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    actorId: uuid('actor_id').notNull(),
    key: text('key').notNull(),
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.key] })],
);

export const clientEndpoints = pgTable(
  'client_endpoints',
  {
    id: id(),
    clientId: uuid('client_id').notNull().references(() => clients.id, { onDelete: 'cascade' }),
    /** webhook (signed, Standard Webhooks), slack, teams. */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    /** Signing secret of webhook endpoints (whsec_…); the client verifies signatures with it. */
    secret: text('secret'),
    isEnabled: boolean('is_enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('client_endpoints_client_idx').on(t.clientId)],
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

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    incidentId: uuid('incident_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
    readAt: ts('read_at'),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

export const maintenanceNumberSeq = pgSequence('maintenance_number_seq', { startWith: 1 });

/** A planned change (or an emergency one, with its justification): scheduled → in_progress → completed, or cancelled. */
export const maintenanceWindows = pgTable(
  'maintenance_windows',
  {
    id: id(),
    /** MNT-1, MNT-2, … */
    key: text('key').notNull().unique().default(sql`('MNT-' || nextval('maintenance_number_seq')::text)`),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** planned or emergency. */
    kind: text('kind').notNull(),
    justification: text('justification'),
    incidentId: uuid('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
    /** Internal windows are neither announced to clients nor shown on status pages. */
    isInternal: boolean('is_internal').notNull().default(false),
    state: text('state').notNull().default('scheduled'),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    /** Raised on every change of time or cancellation (the iCal SEQUENCE). */
    sequence: integer('sequence').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
    cancelledAt: ts('cancelled_at'),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    index('maintenance_windows_time_idx').on(t.startsAt, t.endsAt),
    index('maintenance_windows_open_idx').on(t.state, t.startsAt).where(sql`state IN ('scheduled', 'in_progress')`),
  ],
);

export const maintenanceComponents = pgTable(
  'maintenance_components',
  {
    windowId: uuid('window_id').notNull().references(() => maintenanceWindows.id, { onDelete: 'cascade' }),
    componentId: uuid('component_id').notNull().references(() => components.id),
    /** The component's status when the window started, restored at its end. */
    priorStatus: text('prior_status'),
  },
  (t) => [primaryKey({ columns: [t.windowId, t.componentId] }), index('maintenance_components_component_idx').on(t.componentId)],
);

export const maintenanceClients = pgTable(
  'maintenance_clients',
  {
    windowId: uuid('window_id').notNull().references(() => maintenanceWindows.id, { onDelete: 'cascade' }),
    clientId: uuid('client_id').notNull().references(() => clients.id),
    /** derived (uses an affected component) or manual. */
    source: text('source').notNull().default('derived'),
    addedAt: ts('added_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.windowId, t.clientId] }), index('maintenance_clients_client_idx').on(t.clientId)],
);

export const maintenanceEvents = pgTable(
  'maintenance_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    windowId: uuid('window_id').notNull().references(() => maintenanceWindows.id),
    at: ts('at').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [index('maintenance_events_window_idx').on(t.windowId, t.seq)],
);

/** When clients of a tier hear of a planned window ('*': every tier without a schedule of its own). */
export const maintenanceNoticeSchedules = pgTable('maintenance_notice_schedules', {
  tier: text('tier').primaryKey(),
  /** Minutes before the start, e.g. [10080, 1440]: the first is the announcement, the others reminders. */
  advanceMinutes: jsonb('advance_minutes').notNull(),
  atStart: boolean('at_start').notNull().default(true),
  atCompletion: boolean('at_completion').notNull().default(true),
  updatedBy: uuid('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** One notice about a window to one client; dedupe_key makes each notice go out once. */
export const maintenanceNotices = pgTable(
  'maintenance_notices',
  {
    id: uuid('id').primaryKey(),
    windowId: uuid('window_id').notNull().references(() => maintenanceWindows.id),
    clientId: uuid('client_id').notNull().references(() => clients.id),
    kind: text('kind').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    sequence: integer('sequence').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    subject: text('subject').notNull(),
    recipientCount: integer('recipient_count').notNull().default(0),
    templateVersions: jsonb('template_versions').notNull().default(sql`'{}'::jsonb`),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('maintenance_notices_dedupe_key').on(t.windowId, t.clientId, t.dedupeKey)],
);

/** The secret link to a client's private status page: only its hash is kept; rotating replaces it. */
export const statusPageLinks = pgTable('status_page_links', {
  clientId: uuid('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull(),
  createdAt: createdAt(),
  rotatedAt: ts('rotated_at').notNull().defaultNow(),
});

/** Who follows a status page (public when client_id is null): by e-mail (double opt-in) or signed webhook. */
export const statusSubscribers = pgTable(
  'status_subscribers',
  {
    id: id(),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    /** email or webhook. */
    channel: text('channel').notNull(),
    /** The e-mail address or the webhook URL. */
    address: text('address').notNull(),
    /** Webhook signing secret (whsec_…), kept to sign every delivery. */
    secret: text('secret'),
    /** Components followed; null follows all. */
    componentIds: jsonb('component_ids'),
    /** pending (confirmation sent) → active → unsubscribed. */
    status: text('status').notNull(),
    confirmTokenHash: text('confirm_token_hash'),
    /** Goes into every message's unsubscribe link, so it is kept as is. */
    unsubscribeToken: text('unsubscribe_token').notNull(),
    createdAt: ts('created_at').notNull(),
    confirmedAt: ts('confirmed_at'),
    unsubscribedAt: ts('unsubscribed_at'),
  },
  (t) => [
    uniqueIndex('status_subscribers_page_address_key').on(sql`COALESCE(${t.clientId}::text, '')`, t.channel, sql`lower(${t.address})`),
    uniqueIndex('status_subscribers_unsubscribe_token_key').on(t.unsubscribeToken),
    index('status_subscribers_confirm_idx').on(t.confirmTokenHash),
  ],
);

/** Each message to a subscriber (a confirmation, or an incident update), delivered by a job. */
export const statusSubscriberDeliveries = pgTable(
  'status_subscriber_deliveries',
  {
    id: uuid('id').primaryKey(),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => statusSubscribers.id, { onDelete: 'cascade' }),
    communicationId: uuid('communication_id'),
    /** confirmation or update. */
    kind: text('kind').notNull(),
    channel: text('channel').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    /** E-mail: extra headers (List-Unsubscribe). Webhook: the JSON body. */
    payload: jsonb('payload'),
    /** queued → sending → sent; retrying, then dead after the last attempt. */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerRef: text('provider_ref'),
    createdAt: ts('created_at').notNull(),
    lastAttemptAt: ts('last_attempt_at'),
    sentAt: ts('sent_at'),
    deadAt: ts('dead_at'),
  },
  (t) => [
    index('status_subscriber_deliveries_subscriber_idx').on(t.subscriberId, t.createdAt),
    uniqueIndex('status_subscriber_deliveries_once_key').on(t.subscriberId, t.communicationId).where(sql`communication_id IS NOT NULL`),
  ],
);

// The intake tables (monitoring alerts, triage, inbound e-mail, report links) live in their own file.
export * from './schema-intake.js';
