// The secret link to a client's private status page. Only a hash of the secret is kept: the link is
// shown once, when it is made; making a new one (rotating) ends the old one at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { clients, statusPageLinks } from '../../db/schema.js';
import { notFound } from '../app-error.js';
import { clientScope, requireAdmin, type Ctx } from '../context.js';

/** The secret is 32 random bytes: a fast hash is enough to keep it from being read back. */
export const hashLinkSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function isLinkSecret(secret: string, hash: string | null): boolean {
  if (!hash || !/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return false;
  const a = Buffer.from(hashLinkSecret(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A client user may see and rotate its own client's link; admins any client's. */
async function clientFor(ctx: Ctx, clientId: string) {
  const scope = clientScope(ctx);
  if (scope && scope !== clientId) throw notFound('Client');
  if (!scope) requireAdmin(ctx);
  const [client] = await ctx.tx.select().from(clients).where(eq(clients.id, clientId));
  if (!client) throw notFound('Client');
  return client;
}

export async function getStatusLink(ctx: Ctx, clientId: string) {
  const client = await clientFor(ctx, clientId);
  const [link] = await ctx.tx.select().from(statusPageLinks).where(eq(statusPageLinks.clientId, clientId));
  return { clientId, pageUrl: `${ctx.settings.baseUrl}/status/${client.slug}`, hasSecretLink: !!link, rotatedAt: link?.rotatedAt.toISOString() ?? null };
}

export async function rotateStatusLink(ctx: Ctx, clientId: string) {
  const client = await clientFor(ctx, clientId);
  const secret = randomBytes(32).toString('base64url');
  const secretHash = hashLinkSecret(secret);
  await ctx.tx
    .insert(statusPageLinks)
    .values({ clientId, secretHash, createdAt: ctx.now, rotatedAt: ctx.now })
    .onConflictDoUpdate({ target: statusPageLinks.clientId, set: { secretHash, rotatedAt: ctx.now } });
  return { clientId, pageUrl: `${ctx.settings.baseUrl}/status/${client.slug}`, url: `${ctx.settings.baseUrl}/status/${client.slug}?key=${secret}`, hasSecretLink: true, rotatedAt: ctx.now.toISOString() };
}
