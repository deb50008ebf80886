// Tables of planned and emergency changes: maintenance windows, the components and clients they
// touch, their append-only events, the advance-notice schedule per tier and the notices sent.
// Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, ts, createdAt } from './schema-columns.js';
import { clients, components } from './schema-catalog.js';
import { incidents } from './schema-incidents.js';
import { users } from './schema-users.js';

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
    check('maintenance_windows_kind_check', sql`kind IN ('planned', 'emergency')`),
    check('maintenance_windows_state_check', sql`state IN ('scheduled', 'in_progress', 'completed', 'cancelled')`),
    check('maintenance_windows_times_check', sql`ends_at > starts_at`),
    check('maintenance_windows_justification_check', sql`kind = 'planned' OR length(trim(coalesce(justification, ''))) > 0`),
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
