// Filling a message's templates for every recipient and channel: one delivery row per e-mail contact
// and per endpoint (webhook, Slack, Teams), built a chunk at a time so that a message to 10,000
// recipients never holds all of their rendered bodies in memory at once.
import { randomUUID } from 'node:crypto';
import { buildSlackMessage } from '../../channels/slack.js';
import { buildTeamsMessage } from '../../channels/teams.js';
import type { IncidentMessage } from '../../channels/types.js';
import { buildWebhookPayload } from '../../channels/webhook.js';
import { formatMessageId } from '../../channels/email.js';
import type { communicationRecipients } from '../../db/schema.js';
import type { IncidentState } from '../../domain/incident/lifecycle.js';
import type { ComponentStatus, MessageKind } from '../../domain/types.js';
import { renderTemplate, templateRenderer, type EmailParts, type ChatParts } from '../../templates/index.js';
import { buildContext, contactContext, type TemplateData } from '../../templates/variables.js';
import { resolveLanguage } from '../../templates/texts.js';
import { AppError } from '../app-error.js';
import type { Ctx } from '../context.js';
import { garbageCollector } from '../garbage.js';
import type { IncidentRecord } from '../incidents/incident-store.js';
import { pickTemplate } from '../templates/templates.js';
import { CLIENTS_PER_READ, loadContacts, loadMessageContext, type ContextContact, type MessageContext } from './message-context.js';

/** What a message says: its kind and the sender's words (the templates fill in the rest). */
export interface MessageInput {
  kind: MessageKind;
  subject?: string | null | undefined;
  body?: string | null | undefined;
  communicationId: string;
}

export type NewDelivery = typeof communicationRecipients.$inferInsert;
export type Draft = { language: string; channel: 'email' | 'chat'; parts: Record<string, string> };

/** Deliveries built (and handed on) at a time: their rendered bodies are what a send holds in memory. */
export const DELIVERY_CHUNK = 200;

/** Fills the templates for every recipient and channel of the message: what each client will receive. */
export async function buildDeliveries(
  ctx: Ctx,
  rec: IncidentRecord,
  state: IncidentState,
  clientIds: string[],
  input: MessageInput,
  /** A template's draft to use in place of the current version (the template editor's preview). */
  draft?: Draft,
) {
  const deliveries: NewDelivery[] = [];
  const context = await loadMessageContext(ctx, { incidentId: rec.id, clientIds, kind: input.kind, componentIds: state.impacts.map((i) => i.componentId), reportedAt: state.reportedAt });
  const built = await buildDeliveriesInChunks(ctx, context, rec, state, input, draft, async (chunk) => void deliveries.push(...chunk));
  return { deliveries, ...built };
}

/** What building the deliveries found, as far as it got (handed to each chunk). */
export interface BuildProgress {
  usedTemplates: Record<string, number>;
  firstSubject: string | null;
  /** This is the last chunk. */
  isLast: boolean;
}

/**
 * The same, handing the deliveries to `onChunk` at most DELIVERY_CHUNK at a time, in client order and,
 * within a client, e-mail contacts by address then endpoints. Refuses (before handing on any) when a
 * client has nobody who receives this kind of message.
 */
export async function buildDeliveriesInChunks(
  ctx: Ctx,
  context: MessageContext,
  rec: IncidentRecord,
  state: IncidentState,
  input: MessageInput,
  draft: Draft | undefined,
  onChunk: (deliveries: NewDelivery[], progress: BuildProgress) => Promise<void>,
) {
  const { settings } = ctx;
  const without = context.clients.filter((c) => !c.isReached && !context.endpoints.some((e) => e.clientId === c.id)).map((c) => c.id);
  if (without.length) throw new AppError('no_contacts', 'These clients have no contact or endpoint that receives this kind of message; add one first.', { missing: without });
  const active = context.templates;
  if (draft) active.set(`${input.kind}/${draft.language}/${draft.channel}`, { templateId: 'draft', version: 0, parts: draft.parts });
  const { earlier, past, threads, componentNames: names, links } = context;
  const usedTemplates: Record<string, number> = {};
  const severity = state.severity ?? 'SEV4';
  let deliveries: NewDelivery[] = [];
  let firstSubject: string | null = null;
  // Every 1,000 copies written, their garbage is collected (see garbage.ts).
  const collect = garbageCollector(1000);
  const flush = async (isLast: boolean) => {
    if (!deliveries.length && !isLast) return;
    firstSubject ??= deliveries[0]?.subject ?? null;
    const chunk = deliveries;
    deliveries = [];
    await onChunk(chunk, { usedTemplates, firstSubject, isLast });
    if (!isLast) collect(chunk.length);
  };
  let contactRows: ContextContact[] = context.contacts ?? [];

  for (const [n, client] of context.clients.entries()) {
    if (!context.contacts && n % CLIENTS_PER_READ === 0) {
      contactRows = await loadContacts(ctx, context.clients.slice(n, n + CLIENTS_PER_READ).map((c) => c.id), input.kind);
    }
    const mine = new Set(links.filter((l) => l.clientId === client.id).map((l) => l.componentId));
    // A client hears about the components it uses; if it uses none of them, about all impacted ones.
    const relevant = state.impacts.filter((i) => mine.has(i.componentId));
    const shown = (relevant.length ? relevant : state.impacts).map((i) => ({ name: names.get(i.componentId) ?? 'Service', status: i.status as ComponentStatus }));
    const data = (contact: { name: string; email: string; role: string }): TemplateData => ({
      kind: input.kind,
      incident: { key: rec.key, title: rec.title, severity, state: state.techState, reportedAt: state.reportedAt, resolvedAt: state.resolvedAt },
      client: { name: client.name, slug: client.slug },
      contact,
      components: shown,
      disclosures: state.disclosures,
      body: input.body || null,
      timeline: earlier.filter((e) => e.clientIds.includes(client.id) && e.sentAt).map((e) => ({ at: e.sentAt!.toISOString(), kind: e.kind, text: e.body })),
      pastOccurrences: input.kind === 'initial' ? (past[client.id] ?? []) : null,
      links: { statusPage: `${settings.baseUrl}/`, incident: `${settings.baseUrl}/incidents/${rec.key}`, unsubscribe: null },
      company: { name: settings.companyName },
    });
    // The contacts of one client in one language get the same message but for their own names: the
    // template is prepared once per language and filled in per contact (see templateRenderer).
    const renderers = new Map<string, (contact: ReturnType<typeof contactContext>) => EmailParts>();
    const own = contactRows.filter((c) => c.clientId === client.id);
    for (const contact of own) {
      const language = resolveLanguage(contact.language);
      let render = renderers.get(language);
      if (!render) {
        const template = pickTemplate(active, input.kind, language, 'email');
        usedTemplates[`email/${language}`] = template.version;
        render = templateRenderer('email', template.parts as EmailParts, buildContext(data(contact), language));
        renderers.set(language, render);
      }
      const parts = render(contactContext(contact, language));
      const id = randomUUID();
      const isOutbox = settings.emailChannel === 'outbox';
      const inReplyTo = threads.get(contact.id);
      deliveries.push({
        id,
        communicationId: input.communicationId,
        incidentId: rec.id,
        clientId: client.id,
        contactId: contact.id,
        toAddress: contact.email,
        toName: contact.name,
        language,
        subject: input.subject?.trim() || parts.subject,
        textBody: parts.text,
        htmlBody: parts.html,
        channel: settings.emailChannel,
        payload: inReplyTo ? { inReplyTo } : null,
        status: isOutbox ? 'sent' : 'queued',
        providerRef: isOutbox ? 'local outbox' : null,
        messageId: formatMessageId(id, settings.messageIdDomain),
        createdAt: ctx.now,
        sentAt: isOutbox ? ctx.now : null,
      });
      if (deliveries.length >= DELIVERY_CHUNK) await flush(false);
    }
    const endpoints = context.endpoints.filter((e) => e.clientId === client.id);
    if (endpoints.length) {
      const language = resolveLanguage(own[0]?.language ?? 'en');
      const chatTemplate = pickTemplate(active, input.kind, language, 'chat');
      usedTemplates[`chat/${language}`] = chatTemplate.version;
      const chat = renderTemplate('chat', chatTemplate.parts as ChatParts, buildContext(data({ name: client.name, email: '', role: 'other' }), language));
      const message: IncidentMessage = {
        messageId: input.communicationId,
        kind: input.kind,
        createdAt: ctx.now.toISOString(),
        incident: { id: rec.id, key: rec.key, title: rec.title, severity, state: state.techState, url: `${settings.baseUrl}/incidents/${rec.key}` },
        client: { id: client.id, name: client.name },
        subject: input.subject?.trim() || `${rec.key}: ${rec.title}`,
        text: chat.text,
        components: shown,
        disclosures: state.disclosures,
        nextUpdateAt: input.kind === 'initial' || input.kind === 'update' ? state.disclosures.nextUpdateAt : null,
      };
      for (const endpoint of endpoints) {
        const body = endpoint.kind === 'webhook' ? buildWebhookPayload(message) : endpoint.kind === 'slack' ? buildSlackMessage(message) : buildTeamsMessage(message);
        const id = randomUUID();
        deliveries.push({
          id,
          communicationId: input.communicationId,
          incidentId: rec.id,
          clientId: client.id,
          contactId: null,
          toAddress: `${endpoint.kind}:${endpoint.name}`,
          toName: endpoint.name,
          language,
          subject: message.subject,
          textBody: chat.text,
          htmlBody: null,
          channel: endpoint.kind,
          endpointId: endpoint.id,
          payload: { body },
          status: 'queued',
          messageId: id,
          createdAt: ctx.now,
        });
      }
      if (deliveries.length >= DELIVERY_CHUNK) await flush(false);
    }
  }
  await flush(true);
  return { past, usedTemplates, earlier, firstSubject: firstSubject as string | null };
}

