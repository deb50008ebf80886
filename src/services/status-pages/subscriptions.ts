// Subscribers of a status page: e-mail with double opt-in, or signed webhooks (sign-ups and changes:
// subscription-signups.ts). Each message to a subscriber is a delivery row and a job written in the
// caller's transaction, so nothing is lost.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { queryComposed } from '../../db/raw.js';
import { statusSubscriberDeliveries } from '../../db/schema.js';
import { QUEUES } from '../queues.js';
import { AppError } from '../app-error.js';
import type { Enqueuer } from '../context.js';
import { json, rows } from '../sql-rows.js';

export interface SubscriptionDeps {
  tx: Db;
  now: Date;
  baseUrl: string;
  companyName: string;
  jobs: Enqueuer | null;
}

export interface PageRef {
  clientId: string | null;
  /** /status or /status/{client} */
  path: string;
  title: string;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(24).toString('base64url');

export const unsubscribeUrl = (baseUrl: string, token: string) => `${baseUrl}/status-subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;

/** RFC 8058 one-click unsubscribe: the mail client POSTs `List-Unsubscribe=One-Click` to the URL. */
export const unsubscribeHeaders = (baseUrl: string, token: string) => ({
  'List-Unsubscribe': `<${unsubscribeUrl(baseUrl, token)}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/**
 * The components of `componentIds` that the page shows (id, name): all components on the public page,
 * a client's own on its page. A sign-up may follow only these; fewer rows than distinct ids means a
 * wrong pick. Composed into the sign-up statements, so the check costs no statement of its own.
 */
export const componentsOnPage = (clientId: string | null, componentIds: string[]): SQL => {
  const scope = clientId ? sql` AND EXISTS (SELECT 1 FROM client_components cc WHERE cc.component_id = c.id AND cc.client_id = ${clientId}::uuid)` : sql``;
  return sql`SELECT c.id, c.name FROM components c WHERE c.id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(componentIds)}::jsonb))${scope}`;
};

export const wrongComponents = () => new AppError('invalid_input', 'Pick components shown on this page.', { field: 'componentIds' });

export async function checkComponents(tx: Db, clientId: string | null, componentIds: string[]): Promise<void> {
  if (!componentIds.length) return;
  const found = await rows<{ id: string }>(tx, componentsOnPage(clientId, componentIds));
  if (found.length !== new Set(componentIds).size) throw wrongComponents();
}

export async function enqueue(deps: Pick<SubscriptionDeps, 'tx' | 'jobs'>, deliveryIds: string[]): Promise<void> {
  if (!deliveryIds.length) return;
  if (!deps.jobs) throw new Error('subscriber messages are queued but no job queue is running');
  await deps.jobs.enqueue(deps.tx, QUEUES.statusSubscriber, deliveryIds.map((deliveryId) => ({ data: { deliveryId } })));
}

/** What one subscriber is told of one update, whichever page it came from. */
export interface SubscriberNotice {
  subscriber: { id: string; channel: string; address: string; unsubscribe_token: string };
  /** The update it tells of: a client message (client pages) or a published entry (the public page). */
  source: { communicationId: string } | { publicUpdateId: string };
  subject: string;
  /** The mail's paragraphs. */
  lines: string[];
  /** What a webhook subscriber receives (signed at delivery). */
  webhookBody: object;
}

/** The delivery row of a notice: a mail with its RFC 8058 unsubscribe headers, or the webhook body. */
export function noticeDelivery(deps: { baseUrl: string; now: Date }, n: SubscriberNotice): typeof statusSubscriberDeliveries.$inferInsert {
  const s = n.subscriber;
  return {
    id: randomUUID(),
    subscriberId: s.id,
    ...n.source,
    kind: 'update',
    channel: s.channel,
    toAddress: s.address,
    subject: n.subject,
    textBody: n.lines.join('\n\n'),
    htmlBody: null,
    payload: s.channel === 'email' ? { headers: unsubscribeHeaders(deps.baseUrl, s.unsubscribe_token) } : { body: n.webhookBody },
    status: 'queued',
    createdAt: deps.now,
  };
}

/** Writes the notices (500 rows a statement) and their jobs in the caller's transaction; returns how many. */
export async function writeNotices(deps: Pick<SubscriptionDeps, 'tx' | 'jobs'>, deliveries: (typeof statusSubscriberDeliveries.$inferInsert)[]): Promise<number> {
  for (let i = 0; i < deliveries.length; i += 500) await deps.tx.insert(statusSubscriberDeliveries).values(deliveries.slice(i, i + 500));
  await enqueue(deps, deliveries.map((d) => d.id!));
  return deliveries.length;
}

/** One click (or one POST, RFC 8058) ends a subscription; repeating it is harmless (it keeps when it ended). One statement. */
export async function unsubscribe(db: Db, token: string, now: Date): Promise<{ address: string }> {
  const [row] = await queryComposed<{ address: string }>(
    db,
    sql`UPDATE status_subscribers SET status = 'unsubscribed',
        unsubscribed_at = CASE WHEN status = 'unsubscribed' THEN unsubscribed_at ELSE ${now.toISOString()}::timestamptz END,
        confirm_token_hash = NULL, change_component_ids = NULL, change_requested_at = NULL
      WHERE unsubscribe_token = ${token}
      RETURNING address`,
    'unsubscribe',
  );
  if (!row) throw new AppError('not_found', 'This unsubscribe link is not valid.', { field: 'token' });
  return { address: row.address };
}

const KIND_WORDS: Record<string, string> = { initial: 'Investigating', update: 'Update', resolution: 'Resolved', rca: 'Root-cause analysis' };

/**
 * Queues the notice of a just-sent incident message for every active subscriber who should get it:
 * followers of the page of each client the message went to, each filtered by the components they
 * follow. Never the public page's followers: a client message is written for its clients, and the
 * public page tells only what staff published to it (public-notices.ts). Runs in the sending transaction.
 */
export async function queueSubscriberNotices(deps: SubscriptionDeps, communicationId: string): Promise<number> {
  const [c] = await rows<{ id: string; incident_id: string; kind: string; body: string; disclosures: unknown; client_ids: unknown; number: number; title: string; tech_state: string; stage: string }>(
    deps.tx,
    sql`SELECT c.id, c.incident_id, c.kind, c.body, c.disclosures, c.client_ids, i.number, i.title, i.tech_state, i.stage
      FROM communications c JOIN incidents i ON i.id = c.incident_id WHERE c.id = ${communicationId} AND c.status = 'sent'`,
  );
  if (!c || c.stage === 'internal') return 0;
  const clientIds = json<string[]>(c.client_ids);
  const disclosures = json<{ impactSummary: string | null; nextUpdateAt: string | null }>(c.disclosures);
  const impacts = await rows<{ component_id: string; name: string; status: string }>(
    deps.tx,
    sql`SELECT ic.component_id, co.name, ic.status FROM incident_components ic JOIN components co ON co.id = ic.component_id WHERE ic.incident_id = ${c.incident_id} ORDER BY co.name`,
  );
  const impacted = impacts.map((i) => i.component_id);
  const subscribers = await rows<{ id: string; client_id: string | null; channel: string; address: string; unsubscribe_token: string; slug: string | null; client_name: string | null }>(
    deps.tx,
    sql`SELECT s.id, s.client_id, s.channel, s.address, s.unsubscribe_token, cl.slug, cl.name AS client_name
      FROM status_subscribers s LEFT JOIN clients cl ON cl.id = s.client_id
      WHERE s.status = 'active'
        AND s.client_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(clientIds)}::jsonb))
        AND (s.component_ids IS NULL OR s.component_ids ?| ${`{${impacted.join(',')}}`}::text[])
        AND NOT EXISTS (SELECT 1 FROM status_subscriber_deliveries d WHERE d.subscriber_id = s.id AND d.communication_id = ${communicationId})`,
  );
  if (!subscribers.length) return 0;
  const key = `INC-${c.number}`;
  const isClosing = c.kind === 'resolution' || c.kind === 'rca';
  const state = isClosing ? 'resolved' : c.tech_state;
  const at = deps.now.toISOString();
  const deliveries: (typeof statusSubscriberDeliveries.$inferInsert)[] = [];
  const usedBy = new Map<string, Set<string>>();
  for (const s of subscribers) {
    // A client's page names only the components that client uses; the public page names all.
    let used: Set<string> | null = null;
    if (s.client_id) {
      used = usedBy.get(s.client_id) ?? new Set((await rows<{ component_id: string }>(deps.tx, sql`SELECT component_id FROM client_components WHERE client_id = ${s.client_id}`)).map((r) => r.component_id));
      usedBy.set(s.client_id, used);
    }
    const shown = impacts.filter((i) => !used || used.has(i.component_id));
    const pageUrl = `${deps.baseUrl}/status${s.slug ? `/${s.slug}` : ''}`;
    const subject = `[${KIND_WORDS[c.kind] ?? c.kind}] ${key}: ${c.title}`;
    const lines = [
      `${key}: ${c.title}`,
      `Status: ${state}${shown.length ? ` · affects ${shown.map((i) => i.name).join(', ')}` : ''}`,
      disclosures.impactSummary ? `Impact: ${disclosures.impactSummary}` : '',
      c.body.trim(),
      !isClosing && disclosures.nextUpdateAt ? `Next update by ${disclosures.nextUpdateAt}` : '',
      `Status page: ${pageUrl}#${key}`,
      `--\nYou receive this because you subscribed to ${s.client_name ? `the status page of ${s.client_name}` : 'our status page'}. Unsubscribe: ${unsubscribeUrl(deps.baseUrl, s.unsubscribe_token)}`,
    ].filter(Boolean);
    const webhookBody = {
      type: 'status.incident_update',
      timestamp: at,
      data: {
        page: { kind: s.client_id ? 'client' : 'public', url: pageUrl },
        incident: { key, title: c.title, state, url: `${pageUrl}#${key}`, components: shown.map((i) => ({ name: i.name, status: isClosing ? 'operational' : i.status })) },
        update: { id: communicationId, kind: c.kind, state, at, text: c.body, impactSummary: disclosures.impactSummary ?? null, nextUpdateAt: isClosing ? null : (disclosures.nextUpdateAt ?? null) },
      },
    };
    deliveries.push(noticeDelivery(deps, { subscriber: s, source: { communicationId }, subject, lines, webhookBody }));
  }
  return writeNotices(deps, deliveries);
}
