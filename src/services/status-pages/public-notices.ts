// Notices to the public status page's subscribers: only entries staff published (see
// services/incidents/publish-incident.ts), with the public text as written; never a client message.
// Written as delivery rows and jobs in the publishing transaction, once per subscriber and entry.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { publicEntryKind } from '../../domain/incident/publication.js';
import type { TechState } from '../../domain/types.js';
import type { Enqueuer } from '../context.js';
import { rows } from '../sql-rows.js';
import { noticeDelivery, unsubscribeUrl, writeNotices } from './subscriptions.js';

export interface PublicNoticeDeps {
  tx: Db;
  now: Date;
  baseUrl: string;
  jobs: Enqueuer | null;
}

export interface PublishedEntry {
  publicUpdateId: string;
  incidentId: string;
  /** INC-n */
  key: string;
  title: string;
  body: string;
  state: TechState;
  isFirst: boolean;
}

const KIND_WORDS: Record<string, string> = { initial: 'Investigating', update: 'Update', resolution: 'Resolved' };

/** Queues the entry for every active subscriber of the public page who follows one of its components (or all). */
export async function queuePublicNotices(deps: PublicNoticeDeps, entry: PublishedEntry): Promise<number> {
  const impacts = await rows<{ component_id: string; name: string; status: string }>(
    deps.tx,
    sql`SELECT ic.component_id, co.name, ic.status FROM incident_components ic JOIN components co ON co.id = ic.component_id WHERE ic.incident_id = ${entry.incidentId} ORDER BY co.name`,
  );
  const impacted = impacts.map((i) => i.component_id);
  const subscribers = await rows<{ id: string; channel: string; address: string; unsubscribe_token: string }>(
    deps.tx,
    sql`SELECT s.id, s.channel, s.address, s.unsubscribe_token FROM status_subscribers s
      WHERE s.status = 'active' AND s.client_id IS NULL
        AND (s.component_ids IS NULL OR s.component_ids ?| ${`{${impacted.join(',')}}`}::text[])
        AND NOT EXISTS (SELECT 1 FROM status_subscriber_deliveries d WHERE d.subscriber_id = s.id AND d.public_update_id = ${entry.publicUpdateId})`,
  );
  if (!subscribers.length) return 0;
  if (!deps.jobs) throw new Error('subscriber messages are queued but no job queue is running');
  const kind = publicEntryKind(entry.isFirst, entry.state);
  const isResolved = entry.state === 'resolved';
  const pageUrl = `${deps.baseUrl}/status`;
  const at = deps.now.toISOString();
  const subject = `[${KIND_WORDS[kind]}] ${entry.key}: ${entry.title}`;
  const components = impacts.map((i) => ({ name: i.name, status: isResolved ? 'operational' : i.status }));
  const deliveries = subscribers.map((s) => {
    const lines = [
      `${entry.key}: ${entry.title}`,
      `Status: ${entry.state}${impacts.length ? ` · affects ${impacts.map((i) => i.name).join(', ')}` : ''}`,
      entry.body.trim(),
      `Status page: ${pageUrl}#${entry.key}`,
      `--\nYou receive this because you subscribed to our status page. Unsubscribe: ${unsubscribeUrl(deps.baseUrl, s.unsubscribe_token)}`,
    ];
    const webhookBody = {
      type: 'status.incident_update',
      timestamp: at,
      data: {
        page: { kind: 'public', url: pageUrl },
        incident: { key: entry.key, title: entry.title, state: entry.state, url: `${pageUrl}#${entry.key}`, components },
        update: { id: entry.publicUpdateId, kind, state: entry.state, at, text: entry.body, impactSummary: null, nextUpdateAt: null },
      },
    };
    return noticeDelivery(deps, { subscriber: s, source: { publicUpdateId: entry.publicUpdateId }, subject, lines, webhookBody });
  });
  return writeNotices(deps, deliveries);
}
