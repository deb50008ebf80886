// A client's own endpoints: signed webhooks (Standard Webhooks), Slack and Microsoft Teams.
import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { clientEndpoints } from '../../db/schema.js';
import { AppError, notFound } from '../app-error.js';
import { requireAdmin, requireStaff, type Ctx } from '../context.js';
import { getClient } from './clients.js';

export type EndpointKind = 'webhook' | 'slack' | 'teams';
export type EndpointRow = typeof clientEndpoints.$inferSelect;

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

function assertUrl(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('invalid_input', 'The URL is not valid.', { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppError('invalid_input', 'Endpoints use http or https.', { field: 'url' });
}

export async function listEndpoints(ctx: Ctx, clientId: string) {
  requireStaff(ctx);
  await getClient(ctx, clientId);
  return ctx.tx.select().from(clientEndpoints).where(eq(clientEndpoints.clientId, clientId)).orderBy(asc(clientEndpoints.createdAt));
}

export async function addEndpoint(ctx: Ctx, clientId: string, input: { kind: EndpointKind; name: string; url: string }) {
  requireAdmin(ctx);
  await getClient(ctx, clientId);
  assertUrl(input.url);
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
  if (patch.url) assertUrl(patch.url);
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
