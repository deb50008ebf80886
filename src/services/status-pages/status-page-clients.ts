// Which client a private status page name (its slug) means, and who may see that page: the holder of
// its secret link, or a logged-in user of the client or of the staff. The page, its feeds, its
// calendar and its subscription form all ask this.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { authenticate } from '../auth/credentials.js';
import { rows } from '../sql-rows.js';
import { isLinkSecret } from './status-links.js';

export interface StatusPageClient {
  id: string;
  name: string;
  slug: string;
  /** The hash of the page's secret link; null when none was made. */
  secretHash: string | null;
}

export async function findStatusPageClient(db: Db, slug: string): Promise<StatusPageClient | null> {
  const [row] = await rows<{ id: string; name: string; slug: string; secret_hash: string | null }>(
    db,
    sql`SELECT c.id, c.name, c.slug, l.secret_hash FROM clients c LEFT JOIN status_page_links l ON l.client_id = c.id WHERE c.slug = ${slug}`,
  );
  return row ? { id: row.id, name: row.name, slug: row.slug, secretHash: row.secret_hash } : null;
}

/**
 * How a visitor may see the client's page: by its secret link ('key'), by a session of one of the
 * client's users or of staff ('session'), or not at all (null). A key given is the only thing checked.
 */
export async function statusPageAccess(db: Db, client: StatusPageClient, visitor: { key?: string | undefined; sessionToken?: string | undefined }, now: Date): Promise<'key' | 'session' | null> {
  if (visitor.key) return isLinkSecret(visitor.key, client.secretHash) ? 'key' : null;
  if (!visitor.sessionToken) return null;
  const auth = await authenticate(db, visitor.sessionToken, 'session', now);
  if (!auth) return null;
  return auth.actor.role !== 'client' || auth.actor.clientId === client.id ? 'session' : null;
}
