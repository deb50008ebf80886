// Session cookies and API tokens: "<kind>_<id>_<secret>"; only an scrypt hash of the secret is stored.
import { hash } from 'node:crypto';
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { apiTokens, sessions, users } from '../../db/schema.js';
import type { Actor, InstallRole } from '../../domain/types.js';
import { hashSecret, randomToken, verifySecret } from './passwords.js';

export type CredentialKind = 'session' | 'token';
const PREFIX: Record<CredentialKind, string> = { session: 'hrs', token: 'hrt' };

export interface Authenticated {
  actor: Actor;
  kind: CredentialKind;
  credentialId: string;
  csrfToken: string | null;
}

/**
 * Verified credentials are remembered for a short while so that the scrypt check runs once, not on
 * every request. Revocation and logout drop the entry at once on this instance; other instances
 * notice within CACHE_TTL_MS, when the entry is checked against the database again: the credential
 * and its user are read afresh, and the scrypt check is skipped only when the stored hash is the one
 * this token was verified against. Requests that miss the cache at the same moment share one check.
 */
const CACHE_TTL_MS = 10_000;
const cache = new Map<string, { value: Authenticated; expiresAt: number; secretHash: string }>();
const inFlight = new Map<string, Promise<{ value: Authenticated; secretHash: string } | null>>();
const cacheKey = (token: string) => hash('sha256', token, 'base64url');

export function forgetCredential(credentialId: string): void {
  for (const [key, entry] of cache) if (entry.value.credentialId === credentialId) cache.delete(key);
}

/** Every verified credential is checked against the database again at its next use (changes may have gone unannounced). */
export function forgetAllCredentials(): void {
  cache.clear();
}

export function forgetUser(userId: string): void {
  for (const [key, entry] of cache) if (entry.value.actor.userId === userId) cache.delete(key);
}

export async function issueCredential(kind: CredentialKind, id: string): Promise<{ token: string; secretHash: string }> {
  const secret = randomToken(32);
  return { token: `${PREFIX[kind]}_${id.replaceAll('-', '')}_${secret}`, secretHash: await hashSecret(secret) };
}

function parse(token: string): { kind: CredentialKind; id: string; secret: string } | null {
  const m = /^(hrs|hrt)_([0-9a-f]{32})_([A-Za-z0-9_-]{20,100})$/.exec(token);
  if (!m) return null;
  const hex = m[2]!;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { kind: m[1] === 'hrs' ? 'session' : 'token', id, secret: m[3]! };
}

export async function authenticate(db: Db, token: string, expected: CredentialKind, now: Date): Promise<Authenticated | null> {
  const key = cacheKey(token);
  const hit = cache.get(key);
  if (hit && hit.expiresAt > now.getTime() && hit.value.kind === expected) return hit.value;
  const flightKey = `${expected}:${key}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = check(db, token, expected, now, hit?.value.kind === expected ? hit.secretHash : null).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  const checked = await flight;
  if (!checked) {
    if (cache.get(key) === hit) cache.delete(key);
    return null;
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, { value: checked.value, expiresAt: now.getTime() + CACHE_TTL_MS, secretHash: checked.secretHash });
  return checked.value;
}

/** Reads the credential and its user; runs the scrypt check unless the token was verified against this very hash before. */
async function check(db: Db, token: string, expected: CredentialKind, now: Date, verifiedHash: string | null): Promise<{ value: Authenticated; secretHash: string } | null> {
  const parsed = parse(token);
  if (!parsed || parsed.kind !== expected) return null;
  const row =
    parsed.kind === 'session'
      ? (
          await db
            .select({ secretHash: sessions.secretHash, csrfToken: sessions.csrfToken, user: users })
            .from(sessions)
            .innerJoin(users, eq(users.id, sessions.userId))
            .where(and(eq(sessions.id, parsed.id), gt(sessions.expiresAt, now)))
        )[0]
      : (
          await db
            .select({ secretHash: apiTokens.secretHash, user: users })
            .from(apiTokens)
            .innerJoin(users, eq(users.id, apiTokens.userId))
            .where(and(eq(apiTokens.id, parsed.id), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))))
        )[0];
  if (!row || row.user.isDisabled) return null;
  if (row.secretHash !== verifiedHash && !(await verifySecret(parsed.secret, row.secretHash))) return null;
  const value: Authenticated = {
    actor: { userId: row.user.id, role: row.user.role as InstallRole, clientId: row.user.clientId, label: `${row.user.name} <${row.user.email}>` },
    kind: parsed.kind,
    credentialId: parsed.id,
    csrfToken: 'csrfToken' in row ? (row.csrfToken as string) : null,
  };
  return { value, secretHash: row.secretHash };
}
