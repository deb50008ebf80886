// Tables of the catalog: clients, the components they use (grouped, with their status history),
// their contacts and their webhook/chat endpoints. Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, ts, createdAt } from './schema-columns.js';

export const clients = pgTable('clients', {
  id: id(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  tier: text('tier').notNull().default('standard'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
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
