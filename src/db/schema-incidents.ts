// Tables of incidents: the SLA policies that set their clocks, the incident row, the components
// and clients it affects, the obligations owed, disclosure versions and the append-only event log.
// Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, ts } from './schema-columns.js';
import { clients, components } from './schema-catalog.js';
import { users } from './schema-users.js';

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
export const slaPoliciesVersion = pgTable(
  'sla_policies_version',
  {
    id: boolean('id').primaryKey().default(true),
    version: bigint('version', { mode: 'number' }).notNull(),
  },
  // The key can only be true: there is one row.
  () => [check('sla_policies_version_id_check', sql`id`)],
);

/** Where the policies' version numbers come from (migration 0016): never the same number twice, even across rollbacks. */
export const slaPoliciesVersionSeq = pgSequence('sla_policies_version_seq');

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
    /** The impacts a client user's report named: a suggestion for staff, never a component's status (report-incident.ts). */
    suggestedImpacts: jsonb('suggested_impacts').notNull().default(sql`'[]'::jsonb`),
    stage: text('stage').notNull(),
    techState: text('tech_state').notNull(),
    severity: text('severity'),
    /** The highest severity the incident has had: four-eyes approval follows it (migration 0018). */
    peakSeverity: text('peak_severity'),
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
    /** The title the public status page shows while the incident is published (the last one published). */
    publicTitle: text('public_title'),
    /** When staff published the incident to the public status page; null while it is not there (never published, or withdrawn). */
    publishedAt: ts('published_at'),
  },
  (t) => [
    index('incidents_open_idx').on(t.stage, t.reportedAt),
    index('incidents_reported_idx').on(t.reportedAt, t.id),
    index('incidents_published_idx').on(t.publishedAt).where(sql`published_at IS NOT NULL`),
  ],
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
  (t) => [primaryKey({ columns: [t.incidentId, t.clientId] }), index('incident_clients_client_reported_idx').on(t.clientId, t.incidentReportedAt.desc())],
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
