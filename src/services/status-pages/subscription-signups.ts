// Sign-ups to a status page and changes to a subscription, made so that nobody takes over a
// subscription that is not theirs. A sign-up for an address or URL that already follows the page
// changes nothing and is answered exactly as a new one (same status, same shape, the same statements
// run), so the form tells nobody who follows a page. An e-mail subscription changes only through the
// link mailed to its address; a webhook subscription is changed or ended only by whoever holds its
// signing secret. Pending sign-ups are bounded per page and mails per address (SignupLimits). The
// e-mail sign-up itself is in email-signup.ts.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { generateWebhookSecret } from '../../channels/webhook.js';
import type { Database, Db } from '../../db/open.js';
import { queryComposed } from '../../db/raw.js';
import { statusSubscribers } from '../../db/schema.js';
import { AppError } from '../app-error.js';
import { checkComponents, componentsOnPage, hashToken, newToken, wrongComponents, type PageRef, type SubscriptionDeps } from './subscriptions.js';

export interface SignupLimits {
  /**
   * At most this many e-mail sign-ups and changes of one page wait for confirmation at a time (those
   * asked for within CONFIRMATION_VALID_MS); past it, sign-ups to that page answer 429 until some are
   * confirmed or expire. Bounds the confirmation mails a flood of sign-ups can queue.
   */
  pendingPerPage: number;
  /** At most this many confirmation or change mails go to one address of one page per 24 hours; further sign-ups send nothing (and are answered as always). */
  mailsPerAddressPerDay: number;
}

export const DEFAULT_SIGNUP_LIMITS: SignupLimits = { pendingPerPage: 500, mailsPerAddressPerDay: 3 };

/** A confirmation or change link works this long. */
export const CONFIRMATION_VALID_MS = 24 * 60 * 60 * 1000;

/** A sign-up opens its own transaction, if it needs one, after reading what it is decided on (email-signup.ts). */
export interface SignupDeps extends Omit<SubscriptionDeps, 'tx'> {
  database: Database;
  limits: SignupLimits;
}

const onPage = (clientId: string | null) => (clientId ? sql`client_id = ${clientId}::uuid` : sql`client_id IS NULL`);
export const confirmUrlOf = (baseUrl: string, token: string) => `${baseUrl}/status-subscriptions/confirm?token=${encodeURIComponent(token)}`;
export const manageUrlOf = (baseUrl: string, id: string) => `${baseUrl}/status-subscriptions/webhooks/${id}`;

/**
 * The page's sign-ups and changes waiting for confirmation (asked for within CONFIRMATION_VALID_MS),
 * as a scalar subquery: what SignupLimits.pendingPerPage bounds.
 */
export const pendingOnPage = (clientId: string | null, now: Date): SQL => {
  const since = new Date(now.getTime() - CONFIRMATION_VALID_MS).toISOString();
  return sql`(SELECT count(*) FROM status_subscribers WHERE status = 'pending' AND ${onPage(clientId)} AND created_at > ${since}::timestamptz)
      + (SELECT count(*) FROM status_subscribers WHERE change_requested_at IS NOT NULL AND ${onPage(clientId)} AND change_requested_at > ${since}::timestamptz)`;
};

/**
 * Follows a link mailed to a subscriber: a pending sign-up becomes active, or an active subscriber's
 * requested change of components is applied. Links older than CONFIRMATION_VALID_MS do nothing. One
 * statement, safe on its own (no transaction): it locks the row the link names (`link`), then applies
 * what that row was waiting for; a link replaced or used meanwhile names no row any more.
 */
export async function confirmSubscription(db: Db, token: string, now: Date): Promise<{ address: string; isChange: boolean }> {
  const since = new Date(now.getTime() - CONFIRMATION_VALID_MS).toISOString();
  const [row] = await queryComposed<{ address: string; is_change: boolean }>(
    db,
    sql`WITH link AS (
        SELECT id, status FROM status_subscribers WHERE confirm_token_hash = ${hashToken(token)} AND status IN ('pending', 'active') FOR UPDATE)
      UPDATE status_subscribers s SET
          status = 'active',
          confirmed_at = CASE WHEN link.status = 'pending' THEN ${now.toISOString()}::timestamptz ELSE s.confirmed_at END,
          component_ids = CASE WHEN link.status = 'active' THEN s.change_component_ids ELSE s.component_ids END,
          confirm_token_hash = NULL, change_component_ids = NULL, change_requested_at = NULL
        FROM link
        WHERE s.id = link.id
          AND CASE WHEN link.status = 'pending' THEN s.created_at >= ${since}::timestamptz ELSE s.change_requested_at >= ${since}::timestamptz END
        RETURNING s.address, link.status = 'active' AS is_change`,
    'signup_confirm',
  );
  if (!row) throw new AppError('not_found', 'This confirmation link is not valid (any more).', { field: 'token' });
  return { address: row.address, isChange: row.is_change };
}

export interface WebhookSignup {
  /** The subscription's id: its management URL is manageUrl. */
  id: string;
  /** The signing secret (whsec_…), shown this once: it signs every delivery and authorises changes. */
  secret: string;
  /** PATCH (componentIds) or DELETE with `Authorization: Bearer <secret>`. */
  manageUrl: string;
}

/**
 * A webhook sign-up is active at once and its secret is returned this once. A URL that follows the
 * page already is left exactly as it is (its secret is neither rotated nor shown); the answer has the
 * same shape, with a secret and id that belong to nothing. A URL whose subscription ended starts afresh.
 * One statement covers the three cases, so they also cost the same; it checks the components too
 * (writing nothing when one is not on the page), so a sign-up is that one statement and no transaction.
 */
export async function subscribeWebhook(deps: SignupDeps, page: PageRef, input: { url: string; componentIds: string[] }): Promise<WebhookSignup> {
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const requested = [...new Set(input.componentIds)];
  const now = deps.now.toISOString();
  const [result] = await queryComposed<{ found: number; id: string | null }>(
    deps.database.db,
    sql`WITH requested AS (SELECT count(*)::int AS found FROM (${componentsOnPage(page.clientId, requested)}) c),
      stored AS (
        INSERT INTO status_subscribers (id, client_id, channel, address, secret, component_ids, status, unsubscribe_token, created_at, confirmed_at)
        SELECT ${id}::uuid, ${page.clientId}::uuid, 'webhook', ${input.url}, ${secret}, ${requested.length ? JSON.stringify(requested) : null}::jsonb, 'active', ${newToken()},
          ${now}::timestamptz, ${now}::timestamptz
        FROM requested WHERE requested.found = ${requested.length}::int
        ON CONFLICT (COALESCE(client_id::text, ''), channel, lower(address)) DO UPDATE
          SET secret = EXCLUDED.secret, component_ids = EXCLUDED.component_ids, status = 'active', unsubscribe_token = EXCLUDED.unsubscribe_token,
              created_at = EXCLUDED.created_at, confirmed_at = EXCLUDED.confirmed_at, unsubscribed_at = NULL, confirm_token_hash = NULL
          WHERE status_subscribers.status <> 'active'
        RETURNING id)
      SELECT requested.found, (SELECT stored.id FROM stored) AS id FROM requested`,
    'webhook_signup',
  );
  if (Number(result!.found) !== requested.length) throw wrongComponents();
  const answeredId = result!.id ?? id;
  return { id: answeredId, secret, manageUrl: manageUrlOf(deps.baseUrl, answeredId) };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The active webhook subscription `id` when `secret` is its signing secret (compared in constant time). */
async function webhookHeldBy(tx: Db, id: string, secret: string) {
  const [row] = await tx
    .select()
    .from(statusSubscribers)
    .where(and(eq(statusSubscribers.id, id), eq(statusSubscribers.channel, 'webhook'), eq(statusSubscribers.status, 'active')))
    .for('update');
  if (!row?.secret || !timingSafeEqual(digest(row.secret), digest(secret))) {
    // One answer for an unknown id and a wrong secret: the caller learns nothing about the other.
    throw new AppError('not_found', 'No such webhook subscription, or that is not its signing secret.');
  }
  return row;
}

/** Changes the components a webhook subscription follows; only the holder of its secret may. */
export async function changeWebhookSubscription(tx: Db, id: string, secret: string, input: { componentIds: string[] }): Promise<{ componentIds: string[] | null }> {
  const row = await webhookHeldBy(tx, id, secret);
  await checkComponents(tx, row.clientId, input.componentIds);
  const componentIds = input.componentIds.length ? [...new Set(input.componentIds)] : null;
  await tx.update(statusSubscribers).set({ componentIds }).where(eq(statusSubscribers.id, row.id));
  return { componentIds };
}

/** Ends a webhook subscription; only the holder of its secret may (or the receiver, by answering 410 Gone). */
export async function endWebhookSubscription(tx: Db, id: string, secret: string, now: Date): Promise<void> {
  const row = await webhookHeldBy(tx, id, secret);
  await tx.update(statusSubscribers).set({ status: 'unsubscribed', unsubscribedAt: now }).where(eq(statusSubscribers.id, row.id));
}
