// A client's own endpoints: signed webhooks (Standard Webhooks), Slack and Microsoft Teams.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { endpointTargetRefusal } from '../../channels/public-target.js';
import { clientEndpoints } from '../../db/schema.js';
import { AppError, notFound } from '../app-error.js';
import { requireAdmin, requireStaff, type Ctx } from '../context.js';
import { getClient } from './clients.js';

export type EndpointKind = 'webhook' | 'slack' | 'teams';
export type EndpointRow = typeof clientEndpoints.$inferSelect;

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

async function assertUrl(ctx: Ctx, url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('invalid_input', 'The URL is not valid.', { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppError('invalid_input', 'Endpoints use http or https.', { field: 'url' });
  // Said when the endpoint is saved; every delivery is held to the same rule when it connects.
  const refusal = await endpointTargetRefusal(url, ctx.settings.endpointTargets ?? { allowsPrivate: false });
  if (refusal) throw new AppError('invalid_input', `The URL ${refusal}.`, { field: 'url' });
}

/**
 * What a URL shows to someone who may not change it: a Slack or Teams incoming-webhook URL (and
 * many webhook URLs) is itself the credential that lets anyone post in the client's channel, so
 * only its origin and its last four characters are shown, e.g. `https://hooks.slack.com/…/****abcd`.
 */
export function maskUrl(url: string): string {
  let origin = '';
  try {
    origin = new URL(url).origin;
  } catch {
    // Stored URLs were checked when they were saved; an unparsable one shows no origin.
  }
  return `${origin}/…/****${url.slice(-4)}`;
}

/** A webhook secret as shown outside the answer that made it: its prefix and nothing of the secret itself. */
export const maskSecret = (secret: string | null) => (secret ? `${secret.slice(0, 'whsec_'.length)}****` : null);

/**
 * The URL and secret of an endpoint as this actor may see them: in full for admins (who may change
 * them; the secret only in the answer that made or rotated it), masked for everyone else.
 */
export function endpointAsSeenBy(ctx: Ctx, e: EndpointRow, isSecretShown: boolean): { url: string; secret: string | null } {
  const mayChange = ctx.actor.role === 'admin';
  return { url: mayChange ? e.url : maskUrl(e.url), secret: mayChange && isSecretShown ? e.secret : maskSecret(e.secret) };
}

export async function listEndpoints(ctx: Ctx, clientId: string, page: Page) {
  requireStaff(ctx);
  await getClient(ctx, clientId);
  const k = keyset(page, [clientEndpoints.createdAt, clientEndpoints.id]);
  const found = await ctx.tx.select().from(clientEndpoints).where(and(eq(clientEndpoints.clientId, clientId), k.where)).orderBy(...k.orderBy).limit(k.limit);
  return pageByKey(found, page, (e) => [e.createdAt, e.id]);
}

export async function addEndpoint(ctx: Ctx, clientId: string, input: { kind: EndpointKind; name: string; url: string }) {
  requireAdmin(ctx);
  await getClient(ctx, clientId);
  await assertUrl(ctx, input.url);
  const [row] = await ctx.tx
    .insert(clientEndpoints)
    .values({ clientId, kind: input.kind, name: input.name, url: input.url, secret: input.kind === 'webhook' ? newWebhookSecret() : null, createdAt: ctx.now, updatedAt: ctx.now })
    .returning();
  return row!;
}

export async function updateEndpoint(
  ctx: Ctx,
  clientId: string,
  endpointId: string,
  patch: { name?: string | undefined; url?: string | undefined; isEnabled?: boolean | undefined; rotateSecret?: boolean | undefined },
) {
  requireAdmin(ctx);
  if (patch.url) await assertUrl(ctx, patch.url);
  const [current] = await ctx.tx.select().from(clientEndpoints).where(and(eq(clientEndpoints.id, endpointId), eq(clientEndpoints.clientId, clientId)));
  if (!current) throw notFound('Endpoint');
  const [row] = await ctx.tx
    .update(clientEndpoints)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.isEnabled !== undefined && { isEnabled: patch.isEnabled, disabledReason: patch.isEnabled ? null : 'disabled by a user' }),
      ...(patch.rotateSecret && current.kind === 'webhook' && { secret: newWebhookSecret() }),
      updatedAt: ctx.now,
    })
    .where(eq(clientEndpoints.id, endpointId))
    .returning();
  return row!;
}

export async function removeEndpoint(ctx: Ctx, clientId: string, endpointId: string) {
  requireAdmin(ctx);
  const [row] = await ctx.tx.delete(clientEndpoints).where(and(eq(clientEndpoints.id, endpointId), eq(clientEndpoints.clientId, clientId))).returning();
  if (!row) throw notFound('Endpoint');
}
