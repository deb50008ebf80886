// An e-mail sign-up to a status page in as few statements as its rules allow. Sign-ups come from
// anyone, so under a flood every statement counts: each wakes a database backend that competes with
// the server for the CPU (bench:abuse). Hence:
//   1. one read, outside any transaction, of all the sign-up is decided on: the page's sign-ups waiting
//      for confirmation, the address's subscriber and the mails it had today, the names of the
//      components asked for. A refusal (the page is full, a component not on the page, the address
//      had its mails for today) costs this read and nothing else;
//   2. one statement writing the subscriber and its mail (delivery row), in a transaction with the
//      mail's job (the job queue writes it), so the answer comes only once both are durable.
// The write holds only if what the read saw still holds: the page under its cap, and the subscriber
// as it was read (its status and the hash of its last link: every mail of a sign-up changes that
// hash). If not, another sign-up, confirmation or unsubscribe came in between: decide again on what is
// there now. So two sign-ups of one address at once send one mail, and the mails-per-day rule holds.
// The cap is counted by each write on what has committed: sign-ups written at the very same moment do
// not see each other, so a page can end a few over its cap (at most one per database connection
// writing at once); it bounds a flood, it is not a quota.
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { queryComposed } from '../../db/raw.js';
import { AppError } from '../app-error.js';
import { json } from '../sql-rows.js';
import { componentsOnPage, enqueue, hashToken, newToken, unsubscribeHeaders, unsubscribeUrl, wrongComponents, type PageRef } from './subscriptions.js';
import { confirmUrlOf, pendingOnPage, type SignupDeps } from './subscription-signups.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Reads and writes of one sign-up while other changes to its subscriber keep coming in between; past
 * them the sign-up is answered as always and sends nothing (the address was just sent a link).
 */
const MAX_ATTEMPTS = 3;

/** What a sign-up is decided on (one read). */
interface SignupState {
  /** The page's sign-ups and changes waiting for confirmation. */
  pending: number;
  /** The names of the requested components that the page shows, by name. */
  componentNames: string[];
  /** The address's subscription to the page, if it has one (in any state). */
  subscriber: { id: string; status: string; confirmTokenHash: string | null; unsubscribeToken: string; mailsToday: number } | null;
}

/** The subscriber of this page and address: `lower(address)` per page, as the unique index has it. */
const subscriberOf = (page: PageRef, email: string) =>
  sql`COALESCE(s.client_id::text, '') = ${page.clientId ?? ''} AND s.channel = 'email' AND lower(s.address) = lower(${email})`;

async function readSignupState(deps: SignupDeps, page: PageRef, email: string, componentIds: string[]): Promise<SignupState> {
  const daySince = new Date(deps.now.getTime() - DAY_MS).toISOString();
  const [row] = await queryComposed<{
    pending: number;
    component_names: unknown;
    id: string | null;
    status: string | null;
    confirm_token_hash: string | null;
    unsubscribe_token: string | null;
    mails_today: number | null;
  }>(
    deps.database.db,
    sql`SELECT (${pendingOnPage(page.clientId, deps.now)})::int AS pending,
        (SELECT json_agg(c.name ORDER BY c.name) FROM (${componentsOnPage(page.clientId, componentIds)}) c) AS component_names,
        s.id, s.status, s.confirm_token_hash, s.unsubscribe_token,
        (SELECT count(*)::int FROM status_subscriber_deliveries d
          WHERE d.subscriber_id = s.id AND d.kind IN ('confirmation', 'change') AND d.created_at > ${daySince}::timestamptz) AS mails_today
      FROM (SELECT 1) AS one LEFT JOIN status_subscribers s ON ${subscriberOf(page, email)}`,
    'signup_read',
  );
  return {
    pending: Number(row!.pending),
    componentNames: json<string[] | null>(row!.component_names) ?? [],
    subscriber: row!.id
      ? { id: row!.id, status: row!.status!, confirmTokenHash: row!.confirm_token_hash, unsubscribeToken: row!.unsubscribe_token!, mailsToday: Number(row!.mails_today) }
      : null,
  };
}

/** The mail a sign-up sends: a confirmation link for a new subscription, or a link that applies a change to an active one. */
interface SignupMail {
  kind: 'confirmation' | 'change';
  subject: string;
  text: string;
  headers: Record<string, string>;
}

function signupMail(deps: SignupDeps, page: PageRef, m: { isChange: boolean; token: string; unsubscribeToken: string; componentNames: string[] | null }): SignupMail {
  const pageWords = `${page.title} (${deps.baseUrl}${page.path})`;
  const components = m.componentNames ? m.componentNames.join(', ') : 'every component on the page';
  const confirmUrl = confirmUrlOf(deps.baseUrl, m.token);
  const unsubscribe = `--\nUnsubscribe: ${unsubscribeUrl(deps.baseUrl, m.unsubscribeToken)}`;
  const lines = m.isChange
    ? [
        `Someone (hopefully you) signed this address up for updates from ${pageWords}, which it receives already.`,
        `To follow ${components} from now on, confirm the change: ${confirmUrl}`,
        `If you did not ask for this, ignore this message: nothing changes unless you follow the link (it works for 24 hours).`,
        unsubscribe,
      ]
    : [
        `Someone (hopefully you) asked to receive updates about ${components} from ${pageWords} at this address.`,
        `Confirm the subscription: ${confirmUrl}`,
        `If you did not ask for this, ignore this message: nothing will be sent unless you confirm (the link works for 24 hours).`,
        unsubscribe,
      ];
  return {
    kind: m.isChange ? 'change' : 'confirmation',
    subject: m.isChange ? `Confirm the change to your subscription to ${page.title}` : `Confirm your subscription to ${page.title}`,
    text: lines.join('\n\n'),
    headers: unsubscribeHeaders(deps.baseUrl, m.unsubscribeToken),
  };
}

/**
 * The statement that writes the subscriber (as a data-modifying CTE returning its id and address) for
 * one of three cases: a new address; an address whose sign-up is pending or whose subscription ended
 * (it starts afresh, keeping its unsubscribe link); an active subscriber (only the change it is asked
 * to confirm is recorded). Each writes only while the page is under its cap, and the last two only
 * while the subscriber is as it was read.
 */
function subscriberWrite(deps: SignupDeps, page: PageRef, w: { state: SignupState; email: string; componentIds: string | null; tokenHash: string; unsubscribeToken: string }): SQL {
  const now = deps.now.toISOString();
  const isUnderCap = sql`(${pendingOnPage(page.clientId, deps.now)}) < ${deps.limits.pendingPerPage}::int`;
  const existing = w.state.subscriber;
  if (!existing) {
    // A concurrent first sign-up of the same address wins the unique index; this one then writes nothing and decides again.
    return sql`INSERT INTO status_subscribers (id, client_id, channel, address, component_ids, status, confirm_token_hash, unsubscribe_token, created_at)
      SELECT ${randomUUID()}::uuid, ${page.clientId}::uuid, 'email', ${w.email}, ${w.componentIds}::jsonb, 'pending', ${w.tokenHash}, ${w.unsubscribeToken}, ${now}::timestamptz
      WHERE ${isUnderCap}
      ON CONFLICT (COALESCE(client_id::text, ''), channel, lower(address)) DO NOTHING
      RETURNING id, address`;
  }
  const isAsRead = sql`id = ${existing.id}::uuid AND status = ${existing.status} AND confirm_token_hash IS NOT DISTINCT FROM ${existing.confirmTokenHash}::text`;
  if (existing.status === 'active') {
    return sql`UPDATE status_subscribers SET confirm_token_hash = ${w.tokenHash}, change_component_ids = ${w.componentIds}::jsonb, change_requested_at = ${now}::timestamptz
      WHERE ${isAsRead} AND ${isUnderCap}
      RETURNING id, address`;
  }
  return sql`UPDATE status_subscribers SET address = ${w.email}, component_ids = ${w.componentIds}::jsonb, status = 'pending', confirm_token_hash = ${w.tokenHash},
        created_at = ${now}::timestamptz, confirmed_at = NULL, unsubscribed_at = NULL, change_component_ids = NULL, change_requested_at = NULL
      WHERE ${isAsRead} AND ${isUnderCap}
      RETURNING id, address`;
}

/** Writes the subscriber and its mail in one statement; returns the delivery's id, or null when nothing was written. */
async function writeSubscriberWithMail(tx: Db, deps: SignupDeps, subscriber: SQL, mail: SignupMail): Promise<string | null> {
  const [delivery] = await queryComposed<{ id: string }>(
    tx,
    sql`WITH subscriber AS (${subscriber})
      INSERT INTO status_subscriber_deliveries (id, subscriber_id, kind, channel, to_address, subject, text_body, payload, status, created_at)
      SELECT ${randomUUID()}::uuid, subscriber.id, ${mail.kind}, 'email', subscriber.address, ${mail.subject}, ${mail.text}, ${JSON.stringify({ headers: mail.headers })}::jsonb,
        'queued', ${deps.now.toISOString()}::timestamptz
      FROM subscriber
      RETURNING id`,
    'signup_write',
  );
  return delivery?.id ?? null;
}

/**
 * An e-mail sign-up. A new address (or one that ended or never confirmed) becomes a pending subscriber
 * and gets a confirmation link. An address that follows the page already keeps following what it
 * follows: it gets a link that applies the components asked for, and nothing changes unless that link
 * is used. Either way the caller learns only that a link was sent: the same answer after the same
 * statements. Refused (429) while the page has SignupLimits.pendingPerPage sign-ups waiting.
 */
export async function subscribeByEmail(deps: SignupDeps, page: PageRef, input: { email: string; componentIds: string[] }): Promise<void> {
  const email = input.email.trim();
  const requested = [...new Set(input.componentIds)];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const state = await readSignupState(deps, page, email, requested);
    if (state.pending >= deps.limits.pendingPerPage) {
      throw new AppError('rate_limited', 'Too many sign-ups to this page are waiting for confirmation. Try again later.');
    }
    if (state.componentNames.length !== requested.length) throw wrongComponents();
    // Many sign-ups of one address (from many places) must not fill its inbox: past the limit, nothing is sent.
    if (state.subscriber && state.subscriber.mailsToday >= deps.limits.mailsPerAddressPerDay) return;

    const token = newToken();
    const unsubscribeToken = state.subscriber?.unsubscribeToken ?? newToken();
    const mail = signupMail(deps, page, { isChange: state.subscriber?.status === 'active', token, unsubscribeToken, componentNames: requested.length ? state.componentNames : null });
    const subscriber = subscriberWrite(deps, page, { state, email, componentIds: requested.length ? JSON.stringify(requested) : null, tokenHash: hashToken(token), unsubscribeToken });
    const isWritten = await deps.database.transaction(async (tx) => {
      const deliveryId = await writeSubscriberWithMail(tx, deps, subscriber, mail);
      if (deliveryId) await enqueue({ ...deps, tx }, [deliveryId]);
      return deliveryId !== null;
    });
    if (isWritten) return;
    // The page filled up or the subscriber changed since the read: decide again on what is there now.
  }
}
