// Monitoring integrations: who may post alerts to the hooks, and how their alerts are routed.
// The bearer token is shown once and stored as a SHA-256 hash; the HMAC secret is shown once too but
// kept, because checking a signature needs it.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { components, integrations } from '../../db/schema.js';
import { compileMatcher, type RoutingRule } from '../../domain/intake/routing-rules.js';
import type { Severity } from '../../domain/types.js';
import { AppError, notFound } from '../app-error.js';
import { rows } from '../sql-rows.js';
import { requireAdmin, requireStaff, type Ctx } from '../context.js';
import type { IntegrationKind } from './alert-formats.js';

export type IntegrationRow = typeof integrations.$inferSelect;

export interface IntegrationInput {
  kind: IntegrationKind;
  name: string;
  slug: string;
  groupKeyPath?: string | null | undefined;
  rules?: RoutingRule[] | undefined;
  defaultSeverity?: Severity | undefined;
  defaultAction?: 'open' | 'triage' | undefined;
  defaultComponentIds?: string[] | undefined;
  /** Also give the integration an HMAC secret for signed calls. */
  isSigned?: boolean | undefined;
  /** Accept Grafana signatures sent without their timestamp header (replayable; off by default). */
  acceptsUntimedSignatures?: boolean | undefined;
}

export type IntegrationPatch = Partial<Omit<IntegrationInput, 'kind' | 'slug' | 'isSigned'>> & {
  isEnabled?: boolean | undefined;
  rotateToken?: boolean | undefined;
  /** true: a new HMAC secret; false: no more signed calls. */
  rotateSecret?: boolean | undefined;
  removeSecret?: boolean | undefined;
};

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => `hri_${randomBytes(32).toString('base64url')}`;
const newSecret = () => `hmac_${randomBytes(32).toString('base64url')}`;

async function checkRouting(ctx: Ctx, input: { rules?: RoutingRule[] | undefined; defaultComponentIds?: string[] | undefined }) {
  const ids = new Set<string>(input.defaultComponentIds ?? []);
  (input.rules ?? []).forEach((rule, i) => {
    for (const [label, expression] of Object.entries(rule.matchRegex ?? {})) {
      if (!compileMatcher(expression)) throw new AppError('invalid_input', `rules.${i}.matchRegex.${label} is not a valid regular expression.`, { field: `body.rules.${i}.matchRegex.${label}` });
    }
    for (const id of rule.componentIds ?? []) ids.add(id);
  });
  if (!ids.size) return;
  const known = new Set((await ctx.tx.select({ id: components.id }).from(components)).map((c) => c.id));
  const missing = [...ids].filter((id) => !known.has(id));
  if (missing.length) throw new AppError('invalid_input', `Unknown components: ${missing.join(', ')}.`, { field: 'componentIds', missing });
}

export async function createIntegration(ctx: Ctx, input: IntegrationInput) {
  requireAdmin(ctx);
  await checkRouting(ctx, input);
  const [dup] = await ctx.tx.select({ id: integrations.id }).from(integrations).where(eq(integrations.slug, input.slug));
  if (dup) throw new AppError('conflict', 'An integration with this slug exists.', { field: 'slug' });
  const token = newToken();
  const hmacSecret = input.isSigned ? newSecret() : null;
  const [row] = await ctx.tx
    .insert(integrations)
    .values({
      kind: input.kind,
      name: input.name,
      slug: input.slug,
      tokenHash: hashToken(token),
      hmacSecret,
      acceptsUntimedSignatures: input.acceptsUntimedSignatures ?? false,
      groupKeyPath: input.groupKeyPath ?? null,
      rules: input.rules ?? [],
      defaultSeverity: input.defaultSeverity ?? 'SEV3',
      defaultAction: input.defaultAction ?? 'open',
      defaultComponentIds: input.defaultComponentIds ?? [],
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  return { row: row!, token, hmacSecret };
}

export async function listIntegrations(ctx: Ctx, page: Page) {
  requireStaff(ctx);
  const k = keyset(page, [integrations.name, integrations.id]);
  const found = await ctx.tx.select().from(integrations).where(k.where).orderBy(...k.orderBy).limit(k.limit);
  return pageByKey(found, page, (i) => [i.name, i.id]);
}

export async function getIntegration(ctx: Ctx, id: string) {
  requireStaff(ctx);
  const [row] = await ctx.tx.select().from(integrations).where(eq(integrations.id, id));
  if (!row) throw notFound('Integration');
  return row;
}

export async function updateIntegration(ctx: Ctx, id: string, patch: IntegrationPatch) {
  requireAdmin(ctx);
  const current = await getIntegration(ctx, id);
  await checkRouting(ctx, patch);
  const token = patch.rotateToken ? newToken() : null;
  const hmacSecret = patch.rotateSecret ? newSecret() : null;
  const [row] = await ctx.tx
    .update(integrations)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.groupKeyPath !== undefined && { groupKeyPath: patch.groupKeyPath }),
      ...(patch.rules !== undefined && { rules: patch.rules }),
      ...(patch.defaultSeverity !== undefined && { defaultSeverity: patch.defaultSeverity }),
      ...(patch.defaultAction !== undefined && { defaultAction: patch.defaultAction }),
      ...(patch.defaultComponentIds !== undefined && { defaultComponentIds: patch.defaultComponentIds }),
      ...(patch.isEnabled !== undefined && { isEnabled: patch.isEnabled }),
      ...(patch.acceptsUntimedSignatures !== undefined && { acceptsUntimedSignatures: patch.acceptsUntimedSignatures }),
      ...(token && { tokenHash: hashToken(token) }),
      ...(hmacSecret ? { hmacSecret } : patch.removeSecret ? { hmacSecret: null } : {}),
      updatedAt: ctx.now,
    })
    .where(eq(integrations.id, current.id))
    .returning();
  return { row: row!, token, hmacSecret };
}

export interface HookCaller {
  kind: IntegrationKind;
  /** From the path (/hooks/generic/{integration}); required for signed calls. */
  slug: string | null;
  authorization: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  now: Date;
}

/** A signature to check over the body as it arrives, chunk by chunk (nothing of the body is kept for it). */
export interface BodySignature {
  update(chunk: Buffer): void;
  /** Whether the bytes given to update() are the ones that were signed. */
  matches(): boolean;
}

export interface IdentifiedHookCaller {
  integration: IntegrationRow;
  /** For a signed call: what the body must match once read. Null for a bearer token. */
  signature: BodySignature | null;
}

const header = (h: HookCaller['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

const MAX_SKEW_SECONDS = 300;

const isTimely = (ts: string, now: Date) => /^\d{1,12}$/.test(ts) && Math.abs(Number(ts) - now.getTime() / 1000) <= MAX_SKEW_SECONDS;

function bodySignature(secret: string, prefix: string, expectedHex: string): BodySignature {
  const hmac = createHmac('sha256', secret).update(prefix);
  return {
    update: (chunk) => void hmac.update(chunk),
    matches: () => timingSafeEqual(hmac.digest(), Buffer.from(expectedHex, 'hex')),
  };
}

/**
 * What a signed call's headers promise: Herald's (X-Herald-Signature with X-Herald-Timestamp) or
 * Grafana's (X-Grafana-Alerting-Signature, with X-Grafana-Alerting-Signature-Timestamp unless the
 * integration accepts signatures without one). The timestamp and the signature's form are checked
 * here, before the body is read; null when they do not hold.
 */
function expectedSignature(row: IntegrationRow, c: HookCaller): BodySignature | null {
  const secret = row.hmacSecret;
  if (!secret) return null;
  const herald = header(c.headers, 'x-herald-signature');
  if (herald) {
    const ts = header(c.headers, 'x-herald-timestamp') ?? '';
    const m = /^sha256=([0-9a-f]{64})$/i.exec(herald.trim());
    return m && isTimely(ts, c.now) ? bodySignature(secret, `${ts}.`, m[1]!) : null;
  }
  const grafana = header(c.headers, 'x-grafana-alerting-signature')?.trim() ?? '';
  if (!/^[0-9a-f]{64}$/i.test(grafana)) return null;
  const ts = header(c.headers, 'x-grafana-alerting-signature-timestamp');
  // Without a timestamp the same signed body is good for ever: refused unless the integration allows it.
  if (ts === undefined) return row.acceptsUntimedSignatures ? bodySignature(secret, '', grafana) : null;
  return isTimely(ts, c.now) ? bodySignature(secret, `${ts}:`, grafana) : null;
}

/**
 * Who is calling a hook, from the headers alone, before any of the body is read: the integration
 * whose bearer token is sent, or, for a signed call, the integration named in the path (its
 * signature is then checked over the body as it arrives). Anything else is refused alike, and an
 * unknown or disabled integration is refused here, so its caller's body is never read.
 */
export async function identifyHookCaller(db: Db, c: HookCaller): Promise<IdentifiedHookCaller> {
  const refuse = (detail: string) => new AppError('unauthenticated', detail);
  const bearer = c.authorization ? /^Bearer\s+(\S+)$/i.exec(c.authorization)?.[1] : undefined;
  let row: IntegrationRow | undefined;
  let signature: BodySignature | null = null;
  if (bearer) {
    [row] = await db.select().from(integrations).where(eq(integrations.tokenHash, hashToken(bearer)));
    if (!row || (c.slug && row.slug !== c.slug)) throw refuse('The token is not valid for this hook.');
  } else if (header(c.headers, 'x-herald-signature') || header(c.headers, 'x-grafana-alerting-signature')) {
    if (!c.slug) throw refuse('A signed call names its integration in the path: /hooks/<kind>/<integration>.');
    [row] = await db.select().from(integrations).where(eq(integrations.slug, c.slug));
    signature = row ? expectedSignature(row, c) : null;
    if (!row || !signature) throw refuse('The signature is not valid (or its timestamp is missing or more than 5 minutes off).');
  } else {
    throw refuse('Send the integration token as "Authorization: Bearer …" or sign the body (X-Herald-Signature).');
  }
  if (row.kind !== c.kind) throw refuse(`This integration takes ${row.kind} payloads, at /hooks/${row.kind}.`);
  if (!row.isEnabled) throw new AppError('forbidden', 'This integration is disabled.');
  return { integration: row, signature };
}

/** The signature's verdict once the whole body has been read; refuses a body that is not the one signed. */
export function requireSignedBody(signature: BodySignature | null): void {
  if (signature && !signature.matches()) throw new AppError('unauthenticated', 'The signature is not valid (or its timestamp is missing or more than 5 minutes off).');
}

/** What a signed call sends: the X-Herald-Signature value for `body` at unix time `timestamp`. */
export const signHookBody = (secret: string, timestamp: number, body: string | Buffer) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;

/** What an integration has sent: payloads still waiting for their job, alerts stored and firing. */
export async function integrationStats(ctx: Ctx, id: string) {
  requireStaff(ctx);
  const [s] = await rows<{ pending: number; processed: number; alerts: number; firing: number; groups: number; last: string | null }>(
    ctx.tx,
    sql`SELECT (SELECT count(*)::int FROM alert_payloads WHERE integration_id = ${id} AND processed_at IS NULL) AS pending,
               (SELECT count(*)::int FROM alert_payloads WHERE integration_id = ${id} AND processed_at IS NOT NULL) AS processed,
               (SELECT count(*)::int FROM alerts WHERE integration_id = ${id}) AS alerts,
               (SELECT count(*)::int FROM alerts WHERE integration_id = ${id} AND status = 'firing') AS firing,
               (SELECT count(*)::int FROM alert_groups WHERE integration_id = ${id}) AS groups,
               (SELECT max(received_at) FROM alert_payloads WHERE integration_id = ${id}) AS last`,
  );
  return {
    payloadsPending: Number(s!.pending),
    payloadsProcessed: Number(s!.processed),
    alerts: Number(s!.alerts),
    firingAlerts: Number(s!.firing),
    groups: Number(s!.groups),
    lastPayloadAt: s!.last ? new Date(s!.last).toISOString() : null,
  };
}
