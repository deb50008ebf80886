// Tables of status pages: the clients' secret page links, subscribers and the messages delivered to
// them. Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, ts, createdAt } from './schema-columns.js';
import { clients } from './schema-catalog.js';
import { incidents } from './schema-incidents.js';

/** The secret link to a client's private status page: only its hash is kept; rotating replaces it. */
export const statusPageLinks = pgTable('status_page_links', {
  clientId: uuid('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull(),
  createdAt: createdAt(),
  rotatedAt: ts('rotated_at').notNull().defaultNow(),
});

/**
 * What staff published to the public status page about an incident: each entry its own public title
 * and Markdown body, shown as written (no template variables, nothing written for one client). A
 * withdrawal marks every entry of the incident withdrawn: they never show again, a new publish starts afresh.
 */
export const publicUpdates = pgTable(
  'public_updates',
  {
    id: uuid('id').primaryKey(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** The technical state the entry announces (investigating, identified, monitoring, resolved). */
    state: text('state').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    at: ts('at').notNull(),
    withdrawnAt: ts('withdrawn_at'),
  },
  (t) => [index('public_updates_incident_idx').on(t.incidentId, t.at)],
);

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
    /** The hash of the link last mailed for confirmation: of a pending sign-up, or of an active subscriber's requested change. */
    confirmTokenHash: text('confirm_token_hash'),
    /** The components an active e-mail subscriber's requested change asks for (null: all); applied only by the mailed link. */
    changeComponentIds: jsonb('change_component_ids'),
    /** When that change was asked for; null when none waits. */
    changeRequestedAt: ts('change_requested_at'),
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
    // Count the sign-ups and changes of a page still waiting for confirmation (the cap on pending sign-ups).
    index('status_subscribers_pending_idx').on(t.clientId, t.createdAt).where(sql`${t.status} = 'pending'`),
    index('status_subscribers_change_idx').on(t.clientId, t.changeRequestedAt).where(sql`${t.changeRequestedAt} IS NOT NULL`),
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
    /** The published entry this notice tells of (public page subscribers), when it is not a client message. */
    publicUpdateId: uuid('public_update_id').references(() => publicUpdates.id, { onDelete: 'cascade' }),
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
    /** While 'sending': the worker sending it holds it until then, renewing it as it goes (migration 0022). */
    claimedUntil: ts('claimed_until'),
    sentAt: ts('sent_at'),
    deadAt: ts('dead_at'),
  },
  (t) => [
    index('status_subscriber_deliveries_subscriber_idx').on(t.subscriberId, t.createdAt),
    uniqueIndex('status_subscriber_deliveries_once_key').on(t.subscriberId, t.communicationId).where(sql`communication_id IS NOT NULL`),
    uniqueIndex('status_subscriber_deliveries_public_once_key').on(t.subscriberId, t.publicUpdateId).where(sql`public_update_id IS NOT NULL`),
  ],
);
