// Sign-ups to a status page and changes to a subscription, made so that nobody takes over a
// subscription that is not theirs. A sign-up for an address or URL that already follows the page
// changes nothing and is answered exactly as a new one (same status, same shape, the same statements
// run), so the form tells nobody who follows a page. An e-mail subscription changes only through the
// link mailed to its address; a webhook subscription is changed or ended only by whoever holds its
// signing secret. Pending sign-ups are bounded per page and mails per address (SignupLimits).
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { generateWebhookSecret } from '../../channels/webhook.js';
import type { Db } from '../../db/open.js';
import { statusSubscriberDeliveries, statusSubscribers } from '../../db/schema.js';
import { AppError } from '../app-error.js';
import { rows } from '../sql-rows.js';
import { checkComponents, enqueue, hashToken, newToken, unsubscribeHeaders, unsubscribeUrl, type PageRef, type SubscriptionDeps } from './subscriptions.js';

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
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SignupDeps extends SubscriptionDeps {
  limits: SignupLimits;
}

const onPage = (clientId: string | null) => (clientId ? sql`client_id = ${clientId}` : sql`client_id IS NULL`);
const confirmUrlOf = (baseUrl: string, token: string) => `${baseUrl}/status-subscriptions/confirm?token=${encodeURIComponent(token)}`;
export const manageUrlOf = (baseUrl: string, id: string) => `${baseUrl}/status-subscriptions/webhooks/${id}`;

/** Refuses a sign-up while the page has as many sign-ups and changes waiting for confirmation as it may. */
async function checkPendingCap(deps: SignupDeps, page: PageRef): Promise<void> {
  const since = new Date(deps.now.getTime() - CONFIRMATION_VALID_MS).toISOString();
  const [count] = await rows<{ n: number }>(
    deps.tx,
    sql`SELECT (SELECT count(*) FROM status_subscribers WHERE status = 'pending' AND ${onPage(page.clientId)} AND created_at > ${since}::timestamptz)
      + (SELECT count(*) FROM status_subscribers WHERE change_requested_at IS NOT NULL AND ${onPage(page.clientId)} AND change_requested_at > ${since}::timestamptz) AS n`,
  );
  if (Number(count?.n ?? 0) >= deps.limits.pendingPerPage) {
    throw new AppError('rate_limited', 'Too many sign-ups to this page are waiting for confirmation. Try again later.');
  }
}

/** Confirmation and change mails sent to this subscriber in the last 24 hours. */
async function mailsToday(deps: SignupDeps, subscriberId: string): Promise<number> {
  const since = new Date(deps.now.getTime() - DAY_MS).toISOString();
  const [count] = await rows<{ n: number }>(
    deps.tx,
    sql`SELECT count(*)::int AS n FROM status_subscriber_deliveries WHERE subscriber_id = ${subscriberId} AND kind IN ('confirmation', 'change') AND created_at > ${since}::timestamptz`,
  );
  return Number(count?.n ?? 0);
}

async function componentWords(tx: Db, componentIds: string[] | null): Promise<string> {
  if (!componentIds) return 'every component on the page';
  const found = await rows<{ name: string }>(tx, sql`SELECT name FROM components WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(componentIds)}::jsonb)) ORDER BY name`);
  return found.map((c) => c.name).join(', ');
}

/**
 * An e-mail sign-up. A new address (or one that ended or never confirmed) becomes a pending subscriber
 * and gets a confirmation link. An address that follows the page already keeps following what it
 * follows: it gets a link that applies the components asked for, and nothing changes unless that link
 * is used. Either way the caller learns only that a link was sent.
 */
export async function subscribeByEmail(deps: SignupDeps, page: PageRef, input: { email: string; componentIds: string[] }): Promise<void> {
  await checkPendingCap(deps, page);
  await checkComponents(deps.tx, page.clientId, input.componentIds);
  const email = input.email.trim();
  const [existing] = await deps.tx
    .select()
    .from(statusSubscribers)
    .where(and(sql`COALESCE(${statusSubscribers.clientId}::text, '') = ${page.clientId ?? ''}`, eq(statusSubscribers.channel, 'email'), sql`lower(${statusSubscribers.address}) = lower(${email})`))
    .for('update');
  // Many sign-ups of one address (from many places) must not fill its inbox: past the limit, nothing is sent.
  if (existing && (await mailsToday(deps, existing.id)) >= deps.limits.mailsPerAddressPerDay) return;
  const componentIds = input.componentIds.length ? [...new Set(input.componentIds)] : null;
  const token = newToken();
  const isChange = existing?.status === 'active';
  let subscriber: typeof statusSubscribers.$inferSelect | undefined;
  if (isChange) {
    [subscriber] = await deps.tx
      .update(statusSubscribers)
      .set({ confirmTokenHash: hashToken(token), changeComponentIds: componentIds, changeRequestedAt: deps.now })
      .where(eq(statusSubscribers.id, existing.id))
      .returning();
  } else {
    const values = {
      clientId: page.clientId,
      channel: 'email',
      address: email,
      componentIds,
      status: 'pending',
      confirmTokenHash: hashToken(token),
      unsubscribeToken: existing?.unsubscribeToken ?? newToken(),
      createdAt: deps.now,
      confirmedAt: null,
      unsubscribedAt: null,
      changeComponentIds: null,
      changeRequestedAt: null,
    };
    [subscriber] = existing
      ? await deps.tx.update(statusSubscribers).set(values).where(eq(statusSubscribers.id, existing.id)).returning()
      : await deps.tx.insert(statusSubscribers).values(values).returning();
  }
  const pageWords = `${page.title} (${deps.baseUrl}${page.path})`;
  const unsubscribe = `--\nUnsubscribe: ${unsubscribeUrl(deps.baseUrl, subscriber!.unsubscribeToken)}`;
  const text = isChange
    ? [
        `Someone (hopefully you) signed this address up for updates from ${pageWords}, which it receives already.`,
        `To follow ${await componentWords(deps.tx, componentIds)} from now on, confirm the change: ${confirmUrlOf(deps.baseUrl, token)}`,
        `If you did not ask for this, ignore this message: nothing changes unless you follow the link (it works for 24 hours).`,
        unsubscribe,
      ]
    : [
        `Someone (hopefully you) asked to receive updates about ${await componentWords(deps.tx, componentIds)} from ${pageWords} at this address.`,
        `Confirm the subscription: ${confirmUrlOf(deps.baseUrl, token)}`,
        `If you did not ask for this, ignore this message: nothing will be sent unless you confirm (the link works for 24 hours).`,
        unsubscribe,
      ];
  const id = randomUUID();
  await deps.tx.insert(statusSubscriberDeliveries).values({
    id,
    subscriberId: subscriber!.id,
    kind: isChange ? 'change' : 'confirmation',
    channel: 'email',
    toAddress: subscriber!.address,
    subject: isChange ? `Confirm the change to your subscription to ${page.title}` : `Confirm your subscription to ${page.title}`,
    textBody: text.join('\n\n'),
    htmlBody: null,
    payload: { headers: unsubscribeHeaders(deps.baseUrl, subscriber!.unsubscribeToken) },
    status: 'queued',
    createdAt: deps.now,
  });
  await enqueue(deps, [id]);
}

/**
 * Follows a link mailed to a subscriber: a pending sign-up becomes active, or an active subscriber's
 * requested change of components is applied. Links older than CONFIRMATION_VALID_MS do nothing.
 */
export async function confirmSubscription(tx: Db, token: string, now: Date): Promise<{ address: string; isChange: boolean }> {
  const since = now.getTime() - CONFIRMATION_VALID_MS;
  const [row] = await tx
    .select()
    .from(statusSubscribers)
    .where(and(eq(statusSubscribers.confirmTokenHash, hashToken(token)), inArray(statusSubscribers.status, ['pending', 'active'])))
    .for('update');
  const invalid = new AppError('not_found', 'This confirmation link is not valid (any more).', { field: 'token' });
  if (!row) throw invalid;
  if (row.status === 'pending') {
    if (row.createdAt.getTime() < since) throw invalid;
    await tx.update(statusSubscribers).set({ status: 'active', confirmedAt: now, confirmTokenHash: null }).where(eq(statusSubscribers.id, row.id));
    return { address: row.address, isChange: false };
  }
  if (!row.changeRequestedAt || row.changeRequestedAt.getTime() < since) throw invalid;
  await tx
    .update(statusSubscribers)
    .set({ componentIds: row.changeComponentIds, confirmTokenHash: null, changeComponentIds: null, changeRequestedAt: null })
    .where(eq(statusSubscribers.id, row.id));
  return { address: row.address, isChange: true };
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
 * One statement covers the three cases, so they also cost the same.
 */
export async function subscribeWebhook(deps: SignupDeps, page: PageRef, input: { url: string; componentIds: string[] }): Promise<WebhookSignup> {
  await checkComponents(deps.tx, page.clientId, input.componentIds);
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const componentIds = input.componentIds.length ? JSON.stringify([...new Set(input.componentIds)]) : null;
  const now = deps.now.toISOString();
  const [stored] = await rows<{ id: string }>(
    deps.tx,
    sql`INSERT INTO status_subscribers (id, client_id, channel, address, secret, component_ids, status, unsubscribe_token, created_at, confirmed_at)
      VALUES (${id}, ${page.clientId}, 'webhook', ${input.url}, ${secret}, ${componentIds}::jsonb, 'active', ${newToken()}, ${now}::timestamptz, ${now}::timestamptz)
      ON CONFLICT (COALESCE(client_id::text, ''), channel, lower(address)) DO UPDATE
        SET secret = EXCLUDED.secret, component_ids = EXCLUDED.component_ids, status = 'active', unsubscribe_token = EXCLUDED.unsubscribe_token,
            created_at = EXCLUDED.created_at, confirmed_at = EXCLUDED.confirmed_at, unsubscribed_at = NULL, confirm_token_hash = NULL
        WHERE status_subscribers.status <> 'active'
      RETURNING id`,
  );
  const answeredId = stored?.id ?? id;
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
