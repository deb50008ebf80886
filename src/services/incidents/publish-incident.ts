// Publishing an incident to the public status page, a decision of its own (see domain/incident/publication.ts):
// each publish is an entry with its own public title and Markdown body, recorded on the timeline, and
// told to the public page's subscribers in the same transaction; a withdrawal takes the incident off
// the page. The status pages hear of it by the incident's NOTIFY (herald_incident), like any command.
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { publicUpdates } from '../../db/schema.js';
import { findEvent } from '../../domain/incident/lifecycle.js';
import type { TechState } from '../../domain/types.js';
import { requireStaff, defineVerb, type Ctx } from '../context.js';
import { keyset, pageByKey, type Page } from '../pagination.js';
import { queuePublicNotices } from '../status-pages/public-notices.js';
import { loadIncident } from './incident-store.js';
import { runIncidentCommand } from './run-incident-command.js';

export interface PublishInput {
  /** Null or absent: the current public title (a later entry of a publication). */
  title?: string | null | undefined;
  body: string;
  /** The state the entry announces; absent: the incident's technical state. */
  state?: TechState | null | undefined;
}

/** Publishes an entry: the first puts the incident on the public page, later ones follow it there. */
export const publishIncident = defineVerb({
  // Several rows in one transaction (the entry, the incident, the subscribers' notices and their jobs).
  autocommit: false,
  run: (ctx: Ctx, id: string, input: PublishInput) => {
    const publicUpdateId = randomUUID();
    return runIncidentCommand(
      ctx,
      id,
      () => ({ type: 'publish', publicUpdateId, title: input.title ?? null, body: input.body, state: input.state ?? null }),
      async ({ record, outcome }, c) => {
        const published = findEvent(outcome.events, 'publication.published')!.data;
        await c.tx.insert(publicUpdates).values({
          id: publicUpdateId,
          incidentId: record.id,
          title: published.title,
          body: published.body,
          state: published.state,
          actorId: c.actor.userId,
          actorLabel: c.actor.label,
          at: c.now,
        });
        await queuePublicNotices({ tx: c.tx, now: c.now, baseUrl: c.settings.baseUrl, jobs: c.jobs ?? null }, { incidentId: record.id, key: record.key, ...published, publicUpdateId });
        return {};
      },
    );
  },
});

/** Takes the incident off the public page: every entry published so far is withdrawn and never shows again. */
export const withdrawPublication = defineVerb({
  autocommit: false,
  run: (ctx: Ctx, id: string, input: { reason: string }) =>
    runIncidentCommand(
      ctx,
      id,
      () => ({ type: 'unpublish', reason: input.reason }),
      async ({ record }, c) => {
        await c.tx
          .update(publicUpdates)
          .set({ withdrawnAt: c.now })
          .where(and(eq(publicUpdates.incidentId, record.id), isNull(publicUpdates.withdrawnAt)));
        return {};
      },
    ),
});

/** Every entry published about the incident, oldest first, withdrawn ones included (staff only). */
export async function listPublicUpdates(ctx: Ctx, idOrKey: string, page: Page) {
  requireStaff(ctx);
  const record = await loadIncident(ctx.tx, idOrKey);
  const k = keyset(page, [publicUpdates.at, publicUpdates.id]);
  const found = await ctx.tx.select().from(publicUpdates).where(and(eq(publicUpdates.incidentId, record.id), k.where)).orderBy(...k.orderBy).limit(k.limit);
  const { items, nextCursor } = pageByKey(found, page, (u) => [u.at, u.id]);
  const presented = items.map((u) => ({
    id: u.id,
    title: u.title,
    body: u.body,
    state: u.state as TechState,
    at: u.at.toISOString(),
    actorId: u.actorId,
    actor: u.actorLabel,
    withdrawnAt: u.withdrawnAt?.toISOString() ?? null,
  }));
  return { items: presented, nextCursor };
}
