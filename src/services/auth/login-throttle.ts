// Failed logins, counted in the database so that every process sharing it counts the same. Three
// counters, each a row of login_throttle:
//   * the account and the address together: after PAIR_FREE_FAILURES failures, each next attempt from
//     that address for that account waits 1 s, 2 s, 4 s… up to MAX_DELAY_S;
//   * the address, whatever the account (one address trying many accounts): the same after
//     ADDRESS_FREE_FAILURES failures;
//   * the account, whatever the address: at most ACCOUNT_FAILURES_PER_HOUR failures in an hour, after
//     which it takes logins only from addresses it logged in from before (KNOWN_ADDRESS_DAYS), for the
//     rest of the hour. An address hammering an account slows only itself: the owner, elsewhere, gets in.
// An attempt is counted as a failure BEFORE the password is checked, and given back when it was right:
// requests sent all at once cannot slip past the delays. The account is keyed by a hash of the e-mail
// as given, whether or not such a user exists, so the answers tell nothing about which accounts exist.
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { loginThrottle } from '../../db/schema.js';

export const PAIR_FREE_FAILURES = 5;
export const ADDRESS_FREE_FAILURES = 30;
export const MAX_DELAY_S = 15 * 60;
export const ACCOUNT_FAILURES_PER_HOUR = 100;
const HOUR_MS = 60 * 60 * 1000;
/** How long failures from an address are remembered after the last one. */
const FORGET_AFTER_MS = 24 * HOUR_MS;
const KNOWN_ADDRESS_DAYS = 30;
/** Expired rows deleted per attempt: bounded work, and more than an attempt can add (three). */
const PRUNE_BATCH = 100;

type Row = typeof loginThrottle.$inferSelect;

export interface AttemptKeys {
  accountKey: string;
  address: string;
}

/** The key of an account: a hash of the e-mail as given (lower-cased), for known and unknown e-mails alike. */
export const accountKeyOf = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');

/**
 * The address a client is counted under: an IPv4 address as is, an IPv6 address by its /64 network
 * (one host is usually given a whole /64, so counting single IPv6 addresses would count nothing).
 */
export function addressKeyOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The wait after `failures` failures: none for the free ones, then 1 s, doubling, capped. */
export const delayS = (failures: number, free: number) => (failures < free ? 0 : Math.min(2 ** (failures - free), MAX_DELAY_S));

const plusMs = (at: Date, ms: number) => new Date(at.getTime() + ms);
const later = (a: Date, b: Date | null) => (b && b > a ? b : a);

/**
 * Counts an attempt as failed before its password is checked. Answers how many seconds to wait
 * instead, without counting, while any of its counters holds the attempt back.
 */
export async function beginAttempt(db: Db, keys: AttemptKeys, now: Date): Promise<{ retryAfterS: number } | null> {
  const pair = { accountKey: keys.accountKey, address: keys.address };
  const address = { accountKey: '', address: keys.address };
  const account = { accountKey: keys.accountKey, address: '' };
  return db.transaction(async (tx) => {
    await tx.execute(
      // SKIP LOCKED: rows another login is pruning or counting are left to it (no waiting on each other).
      sql`DELETE FROM login_throttle WHERE (account_key, address) IN (SELECT account_key, address FROM login_throttle WHERE expires_at < ${now} LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)`,
    );
    // The rows exist before they are locked, in one order, so two attempts never wait on each other in a circle.
    const fresh = (k: AttemptKeys) => ({ ...k, failures: 0, windowStartedAt: now, blockedUntil: null, succeededAt: null, expiresAt: now });
    await tx.insert(loginThrottle).values([fresh(address), fresh(account), fresh(pair)]).onConflictDoNothing();
    const locked = await tx
      .select()
      .from(loginThrottle)
      .where(sql`(${loginThrottle.accountKey}, ${loginThrottle.address}) IN ((${account.accountKey}, ''), ('', ${address.address}), (${pair.accountKey}, ${pair.address}))`)
      .orderBy(loginThrottle.accountKey, loginThrottle.address)
      .for('update');
    const find = (k: AttemptKeys) => locked.find((r) => r.accountKey === k.accountKey && r.address === k.address)!;
    // A row past its expiry counts as new (it will be pruned).
    const live = (r: Row): Row => (r.expiresAt <= now ? { ...r, failures: 0, windowStartedAt: now, blockedUntil: null, succeededAt: null } : r);
    const p = live(find(pair));
    const a = live(find(address));
    const accountRow = find(account);
    const acc = accountRow.windowStartedAt.getTime() + HOUR_MS <= now.getTime() ? { ...accountRow, failures: 0, windowStartedAt: now } : accountRow;

    const isKnownAddress = !!p.succeededAt && p.succeededAt.getTime() + KNOWN_ADDRESS_DAYS * 24 * HOUR_MS > now.getTime();
    const waits = [p.blockedUntil, a.blockedUntil].map((b) => (b ? b.getTime() - now.getTime() : 0));
    if (acc.failures >= ACCOUNT_FAILURES_PER_HOUR && !isKnownAddress) waits.push(acc.windowStartedAt.getTime() + HOUR_MS - now.getTime());
    const waitMs = Math.max(0, ...waits);
    if (waitMs > 0) return { retryAfterS: Math.ceil(waitMs / 1000) };

    const failed = (r: Row, free: number) => {
      const failures = r.failures + 1;
      const blockedUntil = delayS(failures, free) ? plusMs(now, delayS(failures, free) * 1000) : null;
      const known = r.succeededAt ? plusMs(r.succeededAt, KNOWN_ADDRESS_DAYS * 24 * HOUR_MS) : null;
      return { failures, windowStartedAt: r.windowStartedAt, blockedUntil, expiresAt: later(later(plusMs(now, FORGET_AFTER_MS), blockedUntil), known) };
    };
    const updates: [AttemptKeys, Partial<Row>][] = [
      [pair, failed(p, PAIR_FREE_FAILURES)],
      [address, failed(a, ADDRESS_FREE_FAILURES)],
      [account, { failures: acc.failures + 1, windowStartedAt: acc.windowStartedAt, blockedUntil: null, expiresAt: plusMs(acc.windowStartedAt, HOUR_MS) }],
    ];
    for (const [k, set] of updates) await tx.update(loginThrottle).set(set).where(and(eq(loginThrottle.accountKey, k.accountKey), eq(loginThrottle.address, k.address)));
    return null;
  });
}

/**
 * The attempt begun was right: its failure is given back to the address and the account, the pair
 * starts afresh and the address is remembered as one this account logs in from.
 */
export async function attemptSucceeded(db: Db, keys: AttemptKeys, now: Date): Promise<void> {
  await giveBack(db, keys, { failures: 0, blockedUntil: null, succeededAt: now, windowStartedAt: now, expiresAt: plusMs(now, KNOWN_ADDRESS_DAYS * 24 * HOUR_MS) });
}

/** The attempt begun was not tried after all (the password checks were too busy): its failure is given back everywhere. */
export async function attemptNotTried(db: Db, keys: AttemptKeys): Promise<void> {
  await giveBack(db, keys, { failures: sql`greatest(${loginThrottle.failures} - 1, 0)` });
}

/**
 * Gives the failure counted by beginAttempt back to the address and the account, and sets `pair` on the
 * pair's row. Rows are written in the order beginAttempt locks them (address, account, pair), so that
 * two logins never wait on each other in a circle.
 */
async function giveBack(db: Db, keys: AttemptKeys, pair: { [K in keyof Row]?: Row[K] | SQL }): Promise<void> {
  const row = (k: AttemptKeys) => and(eq(loginThrottle.accountKey, k.accountKey), eq(loginThrottle.address, k.address));
  const giveOne = { failures: sql`greatest(${loginThrottle.failures} - 1, 0)` };
  await db.transaction(async (tx) => {
    await tx.update(loginThrottle).set(giveOne).where(row({ accountKey: '', address: keys.address }));
    await tx.update(loginThrottle).set(giveOne).where(row({ accountKey: keys.accountKey, address: '' }));
    await tx.update(loginThrottle).set(pair).where(row(keys));
  });
}

/** Forgets the failures counted against an account (the `herald reset-logins` command): its hourly cap and every address's delay for it. */
export async function resetAccountThrottle(db: Db, email: string): Promise<number> {
  const deleted = await db
    .delete(loginThrottle)
    .where(and(eq(loginThrottle.accountKey, accountKeyOf(email)), sql`${loginThrottle.succeededAt} IS NULL`))
    .returning({ address: loginThrottle.address });
  // Known addresses stay known; only their failures are forgotten.
  await db.update(loginThrottle).set({ failures: 0, blockedUntil: null }).where(and(eq(loginThrottle.accountKey, accountKeyOf(email)), sql`${loginThrottle.succeededAt} IS NOT NULL`));
  return deleted.length;
}

