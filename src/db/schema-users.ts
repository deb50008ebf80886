// Tables of the people who sign in: users, their sessions and API tokens, the one-time setup token,
// their in-app notifications, and the idempotency keys of the requests they make. Re-exported by schema.ts.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, ts, createdAt } from './schema-columns.js';
import { clients } from './schema-catalog.js';

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

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    actorId: uuid('actor_id').notNull(),
    /** A hash of the Idempotency-Key, never the key; `response` is sealed under it (services/requests/idempotency-keys.ts). */
    key: text('key').notNull(),
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.key] }), index('idempotency_keys_created_at_idx').on(t.createdAt)],
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

/**
 * Failed logins, counted here so that every process sharing the database counts the same (see
 * src/services/auth/login-throttle.ts): a row per account and address, per address (`accountKey` ''),
 * and per account (`address` ''). The account key is a hash of the e-mail given, known or not.
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    accountKey: text('account_key').notNull(),
    address: text('address').notNull(),
    failures: integer('failures').notNull(),
    windowStartedAt: ts('window_started_at').notNull(),
    blockedUntil: ts('blocked_until'),
    /** On an account-and-address row: the last successful login from there. */
    succeededAt: ts('succeeded_at'),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountKey, t.address] }), index('login_throttle_expires_idx').on(t.expiresAt)],
);
