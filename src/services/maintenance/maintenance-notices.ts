// Notices about maintenance windows to the affected clients, through the same delivery pipeline as
// incident messages: filled from the templates per contact language and channel, recorded as one
// delivery per recipient (communication_recipients) and enqueued, all in the caller's transaction.
// Each notice is one row per window, client and dedupe key, so it goes out once however often asked.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { formatMessageId } from '../../channels/email.js';
import { escapeSlack } from '../../channels/slack.js';
import type { Db } from '../../db/open.js';
import { clientComponents, clientEndpoints, clients, communicationRecipients, components, contacts, incidents, maintenanceClients, maintenanceComponents, maintenanceNotices, maintenanceNoticeSchedules, type maintenanceWindows } from '../../db/schema.js';
import { DEFAULT_NOTICE_SCHEDULE, templateKindOf, type MaintenanceKind, type MaintenanceNoticeKind } from '../../domain/maintenance.js';
import type { Actor } from '../../domain/types.js';
import { QUEUES } from '../queues.js';
import type { ChatParts, EmailParts } from '../../templates/index.js';
import { buildMaintenanceContext, DEFAULT_MAINTENANCE_TEMPLATES, renderMaintenanceTemplate, type MaintenanceTemplateData } from '../../templates/maintenance.js';
import { resolveLanguage } from '../../templates/texts.js';
import type { Enqueuer, ServiceSettings } from '../context.js';
import { loadActiveTemplates } from '../templates/templates.js';
import { appendMaintenanceEvents } from './maintenance-store.js';

export type WindowRow = typeof maintenanceWindows.$inferSelect;

/** What sending needs: the caller's transaction and clock, who acts (null: the maintenance clock). */
export interface NoticeEnv {
  tx: Db;
  now: Date;
  settings: ServiceSettings;
  jobs: Enqueuer | null | undefined;
  actor: Actor | null;
}

export interface NoticeSchedule {
  tier: string;
  advanceMinutes: number[];
  atStart: boolean;
  atCompletion: boolean;
}

/** Every tier's schedule, and the '*' schedule for tiers without their own. */
export async function loadSchedules(tx: Db): Promise<{ byTier: Map<string, NoticeSchedule>; fallback: NoticeSchedule }> {
  const found = await tx.select().from(maintenanceNoticeSchedules);
  const byTier = new Map(
    found.map((s) => [s.tier, { tier: s.tier, advanceMinutes: [...(s.advanceMinutes as number[])].sort((a, b) => b - a), atStart: s.atStart, atCompletion: s.atCompletion }]),
  );
  const fallback = byTier.get('*') ?? { tier: '*', advanceMinutes: [...DEFAULT_NOTICE_SCHEDULE.advanceMinutes], atStart: true, atCompletion: true };
  return { byTier, fallback };
}

export interface NoticeTarget {
  clientId: string;
  dedupeKey: string;
}

export interface NoticeExtra {
  previousStartsAt?: Date | null;
  previousEndsAt?: Date | null;
  body?: string | null;
}

/** The clients of a window, with their tiers. */
export async function windowClients(tx: Db, windowId: string): Promise<{ clientId: string; tier: string }[]> {
  return tx
    .select({ clientId: clients.id, tier: clients.tier })
    .from(maintenanceClients)
    .innerJoin(clients, eq(clients.id, maintenanceClients.clientId))
    .where(eq(maintenanceClients.windowId, windowId))
    .orderBy(asc(clients.id));
}

/** The clients that have already heard of the window (any notice sent): only they hear of a change to it. */
export async function informedClientIds(tx: Db, windowId: string): Promise<Set<string>> {
  const found = await tx.selectDistinct({ clientId: maintenanceNotices.clientId }).from(maintenanceNotices).where(eq(maintenanceNotices.windowId, windowId));
  return new Set(found.map((f) => f.clientId));
}

interface Delivery extends Omit<typeof communicationRecipients.$inferInsert, 'id'> {
  id: string;
}

/**
 * Sends one notice of `kind` about window `w` to each target client whose dedupe key is new; returns
 * the number of notices sent. Clients without a contact or endpoint get the notice recorded with no
 * recipient (and a timeline event saying so), so it is not tried again on every tick.
 */
export async function sendMaintenanceNotices(env: NoticeEnv, w: WindowRow, kind: MaintenanceNoticeKind, targets: NoticeTarget[], extra: NoticeExtra = {}): Promise<number> {
  if (w.isInternal || !targets.length) return 0;
  const { tx, now, settings } = env;
  const templateKind = templateKindOf(kind);
  const claimed: { noticeId: string; clientId: string }[] = [];
  for (const t of targets) {
    const noticeId = randomUUID();
    const inserted = await tx
      .insert(maintenanceNotices)
      .values({
        id: noticeId,
        windowId: w.id,
        clientId: t.clientId,
        kind,
        dedupeKey: t.dedupeKey,
        sequence: w.sequence,
        startsAt: w.startsAt,
        endsAt: w.endsAt,
        subject: '',
        createdBy: env.actor?.userId ?? null,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: maintenanceNotices.id });
    if (inserted.length) claimed.push({ noticeId, clientId: t.clientId });
  }
  if (!claimed.length) return 0;
  const clientIds = claimed.map((c) => c.clientId);
  const clientRows = await tx.select().from(clients).where(inArray(clients.id, clientIds));
  const contactRows = (await tx.select().from(contacts).where(inArray(contacts.clientId, clientIds)).orderBy(asc(contacts.email))).filter(
    (c) => (c.channels as string[]).includes('email') && (!c.kinds || (c.kinds as string[]).includes(templateKind)),
  );
  const endpointRows = await tx.select().from(clientEndpoints).where(and(inArray(clientEndpoints.clientId, clientIds), eq(clientEndpoints.isEnabled, true)));
  const windowComponents = await tx
    .select({ id: components.id, name: components.name })
    .from(maintenanceComponents)
    .innerJoin(components, eq(components.id, maintenanceComponents.componentId))
    .where(eq(maintenanceComponents.windowId, w.id))
    .orderBy(asc(components.position), asc(components.name));
  const links = await tx.select().from(clientComponents).where(inArray(clientComponents.clientId, clientIds));
  const [incident] = w.incidentId ? await tx.select({ number: incidents.number }).from(incidents).where(eq(incidents.id, w.incidentId)) : [];
  const active = await loadActiveTemplates(tx);
  const pick = <C extends 'email' | 'chat'>(language: string, channel: C) => {
    const t = active.get(`${templateKind}/${language}/${channel}`) ?? active.get(`${templateKind}/en/${channel}`);
    if (t) return { version: t.version, parts: t.parts as unknown as C extends 'email' ? EmailParts : ChatParts };
    const shipped = DEFAULT_MAINTENANCE_TEMPLATES.find((d) => d.kind === templateKind && d.channel === channel && d.language === resolveLanguage(language))!;
    return { version: 0, parts: shipped.parts as C extends 'email' ? EmailParts : ChatParts };
  };

  const deliveries: Delivery[] = [];
  for (const { noticeId, clientId } of claimed) {
    const client = clientRows.find((c) => c.id === clientId);
    if (!client) continue;
    const mine = new Set(links.filter((l) => l.clientId === clientId).map((l) => l.componentId));
    const relevant = windowComponents.filter((c) => mine.has(c.id));
    const shown = (relevant.length ? relevant : windowComponents).map((c) => ({ name: c.name }));
    const data = (contact: { name: string; email: string; role: string }): MaintenanceTemplateData => ({
      notice: kind,
      maintenance: {
        key: w.key,
        title: w.title,
        kind: w.kind as MaintenanceKind,
        description: w.description,
        justification: w.justification,
        startsAt: w.startsAt,
        endsAt: w.endsAt,
        previousStartsAt: extra.previousStartsAt ?? null,
        previousEndsAt: extra.previousEndsAt ?? null,
        cancelReason: w.cancelReason,
        incidentKey: incident ? `INC-${incident.number}` : null,
      },
      client: { name: client.name, slug: client.slug },
      contact,
      components: shown,
      body: extra.body ?? null,
      baseUrl: settings.baseUrl,
      company: { name: settings.companyName },
    });
    const usedTemplates: Record<string, number> = {};
    const mineBefore = deliveries.length;
    let subject = '';
    for (const contact of contactRows.filter((c) => c.clientId === clientId)) {
      const language = resolveLanguage(contact.language);
      const template = pick(language, 'email');
      usedTemplates[`email/${language}`] = template.version;
      const parts = renderMaintenanceTemplate('email', template.parts, buildMaintenanceContext(data(contact), language));
      subject ||= parts.subject;
      const id = randomUUID();
      const isOutbox = settings.emailChannel === 'outbox';
      deliveries.push({
        id,
        communicationId: null,
        incidentId: null,
        maintenanceNoticeId: noticeId,
        clientId,
        contactId: contact.id,
        toAddress: contact.email,
        toName: contact.name,
        language,
        subject: parts.subject,
        textBody: parts.text,
        htmlBody: parts.html,
        channel: settings.emailChannel,
        payload: null,
        status: isOutbox ? 'sent' : 'queued',
        providerRef: isOutbox ? 'local outbox' : null,
        messageId: formatMessageId(id, settings.messageIdDomain),
        createdAt: now,
        sentAt: isOutbox ? now : null,
      });
    }
    const endpoints = endpointRows.filter((e) => e.clientId === clientId);
    if (endpoints.length) {
      const language = resolveLanguage(contactRows.find((c) => c.clientId === clientId)?.language ?? 'en');
      const template = pick(language, 'chat');
      usedTemplates[`chat/${language}`] = template.version;
      const chat = renderMaintenanceTemplate('chat', template.parts, buildMaintenanceContext(data({ name: client.name, email: '', role: 'other' }), language));
      const title = chat.text.split('\n')[0] ?? `${w.key}: ${w.title}`;
      subject ||= title;
      for (const endpoint of endpoints) {
        const id = randomUUID();
        const body =
          endpoint.kind === 'webhook'
            ? {
                type: 'maintenance.notice',
                timestamp: now.toISOString(),
                data: {
                  noticeId,
                  kind,
                  maintenance: { id: w.id, key: w.key, title: w.title, kind: w.kind, state: w.state, startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString(), sequence: w.sequence },
                  client: { id: client.id, name: client.name },
                  subject: title,
                  text: chat.text,
                  components: shown,
                },
              }
            : endpoint.kind === 'slack'
              ? { text: title, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeSlack(chat.text).slice(0, 3000) } }] }
              : {
                  type: 'message',
                  attachments: [
                    {
                      contentType: 'application/vnd.microsoft.card.adaptive',
                      contentUrl: null,
                      content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: chat.text, wrap: true }] },
                    },
                  ],
                };
        deliveries.push({
          id,
          communicationId: null,
          incidentId: null,
          maintenanceNoticeId: noticeId,
          clientId,
          contactId: null,
          toAddress: `${endpoint.kind}:${endpoint.name}`,
          toName: endpoint.name,
          language,
          subject: title,
          textBody: chat.text,
          htmlBody: null,
          channel: endpoint.kind,
          endpointId: endpoint.id,
          payload: { body },
          status: 'queued',
          messageId: id,
          createdAt: now,
        });
      }
    }
    const count = deliveries.length - mineBefore;
    await tx
      .update(maintenanceNotices)
      .set({ subject: subject || `${w.key}: ${w.title}`, recipientCount: count, templateVersions: usedTemplates })
      .where(eq(maintenanceNotices.id, noticeId));
    await appendMaintenanceEvents(
      tx,
      w.id,
      [count ? { type: 'notice.sent', data: { noticeId, kind, clientId, recipients: count } } : { type: 'notice.no_recipients', data: { noticeId, kind, clientId } }],
      env.actor,
      now,
    );
  }
  for (let i = 0; i < deliveries.length; i += 500) await tx.insert(communicationRecipients).values(deliveries.slice(i, i + 500));
  const queued = deliveries.filter((d) => d.status === 'queued').map((d) => ({ data: { deliveryId: d.id } }));
  if (queued.length) {
    if (!env.jobs) throw new Error('deliveries are queued but no job queue is running');
    await env.jobs.enqueue(tx, QUEUES.delivery, queued);
  }
  return claimed.length;
}
