// Sending a client message: checked by the lifecycle, held for a second person's approval where the
// severity needs it, then filled from the templates per client and contact language, recorded with
// one delivery per recipient and channel, and enqueued, all in the command's transaction. The copies
// are built, written and enqueued a chunk at a time, so a message to 10,000 recipients never holds
// all of their rendered bodies in memory at once (nor in one statement).
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { buildSlackMessage } from '../../channels/slack.js';
import { buildTeamsMessage } from '../../channels/teams.js';
import type { IncidentMessage } from '../../channels/types.js';
import { buildWebhookPayload } from '../../channels/webhook.js';
import { formatMessageId } from '../../channels/email.js';
import { query } from '../../db/raw.js';
import { communicationRecipients, communications } from '../../db/schema.js';
import { decide, findEvent, type Accepted, type IncidentState } from '../../domain/incident/lifecycle.js';
import type { PastOccurrence } from '../../domain/messages/plain-message.js';
import type { ComponentStatus, MessageKind, SlaPolicy } from '../../domain/types.js';
import { renderTemplate, templateRenderer, type EmailParts, type ChatParts } from '../../templates/engine.js';
import { buildContext, contactContext, type TemplateData } from '../../templates/variables.js';
import { resolveLanguage } from '../../templates/texts.js';
import { QUEUES } from '../queues.js';
import { DELIVERIES_PER_JOB } from './delivery-jobs.js';
import { AppError, notFound } from '../app-error.js';
import { requireWriter, type Ctx } from '../context.js';
import { garbageCollector } from '../garbage.js';
import { appendEvents, loadIncident, SAVE_WITH_FIRST_PARAM, type IncidentRecord, type SaveWith } from '../incidents/incident-store.js';
import { runIncidentCommand } from '../incidents/run-incident-command.js';
import { notify } from '../notifications.js';
import { loadPolicies, needsApproval, requiresApproval } from '../sla/sla-policies.js';
import { pickTemplate } from '../templates/templates.js';
import { queueSubscriberNotices } from '../status-pages/subscriptions.js';
import { CLIENTS_PER_READ, loadContacts, loadMessageContext, type ContextContact, type MessageContext } from './message-context.js';
import { newCounts, presentCommunication, tally } from './read-communications.js';

export interface SendInput {
  kind: MessageKind;
  clientIds?: string[] | null | undefined;
  subject?: string | null | undefined;
  body?: string | null | undefined;
}

export interface SendResult {
  record: IncidentRecord;
  communicationId: string;
  clientIds: string[];
  status: 'sent' | 'pending_approval' | 'rejected';
  /** A message sent now: as the API presents it to its (staff) sender, without reading it back. */
  communication?: SentCommunication;
}

const sentTo = (outcome: Accepted) => findEvent(outcome.events, 'communication.sent')?.data.clientIds ?? [];

export async function sendCommunication(ctx: Ctx, idOrKey: string, input: SendInput): Promise<SendResult> {
  const communicationId = randomUUID();
  let result: Omit<SendResult, 'record'> | null = null;
  const record = await runIncidentCommand(
    ctx,
    idOrKey,
    () => ({ type: 'sendMessage', kind: input.kind, clientIds: input.clientIds ?? null, body: input.body || null, communicationId }),
    {
      // Outside a transaction: a message that is one write is sent as one statement; any other in a transaction.
      inOneStatement: async (rec, outcome, policies) => {
        const one = await messageInOneStatement(ctx, rec, outcome, policies, { ...input, communicationId });
        if (one) result = one.result;
        return one?.saveWith ?? null;
      },
      beforeSave: async (rec, outcome, policies, tctx) => {
        const clientIds = sentTo(outcome);
        const tiers = outcome.state.clients.filter((c) => clientIds.includes(c.clientId)).map((c) => c.tier);
        if (needsApproval(policies, tiers, outcome.state.severity ?? 'SEV4')) {
          // Nothing is sent or met yet: the message waits for a second person.
          await holdForApproval(tctx, rec, input, communicationId, clientIds);
          result = { communicationId, clientIds, status: 'pending_approval' };
          return 'discard';
        }
        const communication = await recordAndDeliver(tctx, rec, outcome, clientIds, { ...input, communicationId, isNew: true });
        result = { communicationId, clientIds, status: 'sent', communication };
        return 'save';
      },
    },
  );
  return { record, ...result! };
}

/**
 * A message whose whole write is one statement, written with the incident (see runIncidentCommand's
 * inOneStatement): a message to the local outbox (nothing is queued), to at most one chunk of
 * recipients, no webhooks or chat, no status page subscribers to tell, and no approval needed. Null
 * for any other message: it is sent in a transaction.
 */
async function messageInOneStatement(
  ctx: Ctx,
  rec: IncidentRecord,
  outcome: Accepted,
  policies: SlaPolicy[],
  input: SendInput & { communicationId: string },
): Promise<{ saveWith: SaveWith; result: Omit<SendResult, 'record'> } | null> {
  if (ctx.settings.emailChannel !== 'outbox') return null;
  const clientIds = sentTo(outcome);
  const tiers = outcome.state.clients.filter((c) => clientIds.includes(c.clientId)).map((c) => c.tier);
  if (needsApproval(policies, tiers, outcome.state.severity ?? 'SEV4')) return null;
  const state = outcome.state;
  const context = await loadMessageContext(ctx, { incidentId: rec.id, clientIds, kind: input.kind, componentIds: state.impacts.map((i) => i.componentId), reportedAt: state.reportedAt });
  if (context.endpoints.length || context.hasSubscribers || !context.contacts || context.contacts.length > DELIVERY_CHUNK) return null;
  const message = newMessageValues(ctx, rec, state, clientIds, input);
  message.pastOccurrences = context.past;
  let deliveries: NewDelivery[] = [];
  await buildDeliveriesInChunks(ctx, context, rec, state, input, undefined, async (chunk, progress) => {
    if (!progress.isLast) throw new Error('a message to at most one chunk of contacts came in several');
    deliveries = chunk;
    Object.assign(message, { subject: input.subject?.trim() || progress.firstSubject || message.subject, templateVersions: progress.usedTemplates });
  });
  const row = { id: input.communicationId, incidentId: rec.id, createdBy: ctx.actor.userId, createdAt: ctx.now, ...message };
  const counts = newCounts();
  for (const d of deliveries) tally(counts, d.clientId, d.status ?? 'queued', d.channel);
  const communication = presentCommunication({ ...row, requiresApproval: false, decidedBy: null, decidedAt: null, decisionNote: null }, counts, null);
  return {
    saveWith: {
      key: 'message',
      parts: MESSAGE_WITH_INCIDENT,
      params: [JSON.stringify(toJsonRow(COMMUNICATION_COLUMNS, communications, row)), JSON.stringify(deliveries.map((d) => toJsonRow(DELIVERY_COLUMNS, communicationRecipients, d)))],
    },
    result: { communicationId: input.communicationId, clientIds, status: 'sent', communication },
  };
}

/** The columns of a message sent now (its subject, past occurrences and template versions are completed as it is built). */
function newMessageValues(ctx: Ctx, rec: IncidentRecord, state: IncidentState, clientIds: string[], input: SendInput) {
  const promised = input.kind === 'initial' || input.kind === 'update' ? state.disclosures.nextUpdateAt : null;
  // Kept when every client it goes to hears from us no later than the last message sent to that client
  // promised (null when none of them was promised anything).
  const promises = rec.state.clients.filter((c) => clientIds.includes(c.clientId) && c.promisedNextUpdateAt).map((c) => Date.parse(c.promisedNextUpdateAt!));
  const isPromiseKept = promises.length ? promises.every((p) => ctx.now.getTime() <= p) : null;
  return {
    kind: input.kind,
    subject: input.subject?.trim() || `${rec.key}: ${rec.title}`,
    body: input.body ?? '',
    clientIds,
    disclosures: state.disclosures,
    pastOccurrences: {} as Record<string, PastOccurrence[]>,
    status: 'sent',
    sentAt: ctx.now,
    promisedNextUpdateAt: promised ? new Date(promised) : null,
    isPromiseKept,
    templateVersions: {} as Record<string, number>,
  };
}

async function holdForApproval(ctx: Ctx, checked: IncidentRecord, input: SendInput, communicationId: string, clientIds: string[]) {
  await ctx.tx.insert(communications).values({
    id: communicationId,
    incidentId: checked.id,
    kind: input.kind,
    subject: input.subject?.trim() ?? '',
    body: input.body ?? '',
    clientIds,
    disclosures: checked.state.disclosures,
    pastOccurrences: {},
    status: 'pending_approval',
    requiresApproval: true,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  await appendEvents(ctx.tx, checked.id, [{ type: 'communication.approval_requested', data: { communicationId, kind: input.kind, clientIds } }], ctx.actor, ctx.now);
  const approvers = [checked.state.roles.incidentManagerId, checked.state.roles.communicationLeadId].filter((u): u is string => !!u && u !== ctx.actor.userId);
  await notify(
    ctx.tx,
    { userIds: approvers, kind: 'communication.approval_requested', incidentId: checked.id, title: `${checked.key}: a ${input.kind} message waits for your approval`, body: input.body ?? '' },
    ctx.now,
  );
  await ctx.tx.execute(sql`UPDATE incidents SET updated_at = ${ctx.now} WHERE id = ${checked.id}`);
}

/** Approves (and so sends) or rejects a message waiting for approval: by the Incident Manager or Communication Lead, not its author. */
export async function decideCommunication(ctx: Ctx, communicationId: string, input: { isApproved: boolean; note?: string | null | undefined }): Promise<SendResult> {
  // Before any lookup: a client user must not learn whether (or in which state) a message exists.
  requireWriter(ctx);
  const [c] = await ctx.tx.select().from(communications).where(eq(communications.id, communicationId)).for('update');
  if (!c) throw notFound('Communication');
  if (c.status !== 'pending_approval') throw new AppError('conflict', `The message is ${c.status.replace('_', ' ')}, not waiting for approval.`);
  const [incident] = await ctx.tx.execute(sql`SELECT incident_manager_id, communication_lead_id FROM incidents WHERE id = ${c.incidentId}`).then((r) => (r as unknown as { rows: { incident_manager_id: string | null; communication_lead_id: string | null }[] }).rows);
  const approvers = [incident?.incident_manager_id, incident?.communication_lead_id].filter(Boolean);
  if (!approvers.includes(ctx.actor.userId)) throw new AppError('not_approver', 'Messages are approved by the Incident Manager or the Communication Lead.');
  if (c.createdBy === ctx.actor.userId) throw new AppError('not_approver', 'A second person must approve: the author cannot approve their own message.');
  await ctx.tx.update(communications).set({ decidedBy: ctx.actor.userId, decidedAt: ctx.now, decisionNote: input.note ?? null }).where(eq(communications.id, c.id));
  if (!input.isApproved) {
    await ctx.tx.update(communications).set({ status: 'rejected' }).where(eq(communications.id, c.id));
    await appendEvents(ctx.tx, c.incidentId, [{ type: 'communication.rejected', data: { communicationId: c.id, note: input.note ?? null } }], ctx.actor, ctx.now);
    if (c.createdBy) {
      await notify(ctx.tx, { userIds: [c.createdBy], kind: 'communication.rejected', incidentId: c.incidentId, title: `Your ${c.kind} message was not approved`, body: input.note ?? '' }, ctx.now);
    }
    await ctx.tx.execute(sql`UPDATE incidents SET updated_at = ${ctx.now} WHERE id = ${c.incidentId}`);
    return { record: await loadIncident(ctx.tx, c.incidentId), communicationId: c.id, clientIds: c.clientIds as string[], status: 'rejected' };
  }
  await appendEvents(ctx.tx, c.incidentId, [{ type: 'communication.approved', data: { communicationId: c.id, note: input.note ?? null } }], ctx.actor, ctx.now);
  return sendNow(ctx, c.incidentId, { kind: c.kind as MessageKind, clientIds: c.clientIds as string[], subject: c.subject, body: c.body, communicationId: c.id, isNew: false });
}

async function sendNow(ctx: Ctx, idOrKey: string, input: SendInput & { communicationId: string; isNew: boolean }): Promise<SendResult> {
  let clientIds: string[] = [];
  let communication: SentCommunication | undefined;
  const record = await runIncidentCommand(
    ctx,
    idOrKey,
    () => ({ type: 'sendMessage', kind: input.kind, clientIds: input.clientIds ?? null, body: input.body || null, communicationId: input.communicationId }),
    {
      beforeSave: async (rec, outcome, _policies, tctx) => {
        clientIds = sentTo(outcome);
        communication = await recordAndDeliver(tctx, rec, outcome, clientIds, input);
        return 'save';
      },
    },
  );
  return { record, communicationId: input.communicationId, clientIds, status: 'sent', ...(communication && { communication }) };
}

type NewDelivery = typeof communicationRecipients.$inferInsert;
type Draft = { language: string; channel: 'email' | 'chat'; parts: Record<string, string> };

/** Deliveries built (and handed on) at a time: their rendered bodies are what a send holds in memory. */
const DELIVERY_CHUNK = 200;


/** Fills the templates for every recipient and channel of the message: what each client will receive. */
export async function buildDeliveries(
  ctx: Ctx,
  rec: IncidentRecord,
  state: IncidentState,
  clientIds: string[],
  input: SendInput & { communicationId: string },
  /** A template's draft to use in place of the current version (the template editor's preview). */
  draft?: Draft,
) {
  const deliveries: NewDelivery[] = [];
  const context = await loadMessageContext(ctx, { incidentId: rec.id, clientIds, kind: input.kind, componentIds: state.impacts.map((i) => i.componentId), reportedAt: state.reportedAt });
  const built = await buildDeliveriesInChunks(ctx, context, rec, state, input, draft, async (chunk) => void deliveries.push(...chunk));
  return { deliveries, ...built };
}

/** What building the deliveries found, as far as it got (handed to each chunk). */
interface BuildProgress {
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
async function buildDeliveriesInChunks(
  ctx: Ctx,
  context: MessageContext,
  rec: IncidentRecord,
  state: IncidentState,
  input: SendInput & { communicationId: string },
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

/** A message sent now, as the API presents it (read-communications' shape for a staff reader). */
export type SentCommunication = ReturnType<typeof presentCommunication>;

async function recordAndDeliver(
  ctx: Ctx,
  rec: IncidentRecord,
  outcome: Accepted,
  clientIds: string[],
  input: SendInput & { communicationId: string; isNew: boolean },
): Promise<SentCommunication | undefined> {
  const state = outcome.state;
  const values = newMessageValues(ctx, rec, state, clientIds, input);
  const context = await loadMessageContext(ctx, { incidentId: rec.id, clientIds, kind: input.kind, componentIds: state.impacts.map((i) => i.componentId), reportedAt: state.reportedAt });
  values.pastOccurrences = context.past;
  // A message approved earlier exists; a new one is written with its first deliveries (they refer to it).
  if (!input.isNew) await ctx.tx.update(communications).set(values).where(eq(communications.id, input.communicationId));
  let isWritten = !input.isNew;
  let isComplete = false;
  const counts = newCounts();
  await buildDeliveriesInChunks(ctx, context, rec, state, input, undefined, async (chunk, progress) => {
    for (const d of chunk) tally(counts, d.clientId, d.status ?? 'queued', d.channel);
    const complete = { ...values, subject: input.subject?.trim() || progress.firstSubject || values.subject, templateVersions: progress.usedTemplates };
    if (!isWritten) {
      // Written complete when this is the only chunk; else completed by the update below.
      await insertMessageWithDeliveries(ctx, { id: input.communicationId, incidentId: rec.id, createdBy: ctx.actor.userId, createdAt: ctx.now, ...complete }, chunk);
      isWritten = true;
      isComplete = progress.isLast;
      Object.assign(values, complete);
    } else if (chunk.length) {
      await insertMessageWithDeliveries(ctx, null, chunk);
    }
    if (progress.isLast && !isComplete) {
      Object.assign(values, complete);
      await ctx.tx
        .update(communications)
        .set({ subject: values.subject, pastOccurrences: values.pastOccurrences, templateVersions: values.templateVersions })
        .where(eq(communications.id, input.communicationId));
    }
    const queued = chunk.filter((d) => d.status === 'queued').map((d) => d.id!);
    if (!queued.length) return;
    if (!ctx.jobs) throw new Error('deliveries are queued but no job queue is running');
    // A job per few deliveries, not per delivery: fewer job rows to write, fetch and complete.
    const jobs: { data: { deliveryIds: string[] } }[] = [];
    for (let i = 0; i < queued.length; i += DELIVERIES_PER_JOB) jobs.push({ data: { deliveryIds: queued.slice(i, i + DELIVERIES_PER_JOB) } });
    await ctx.jobs.enqueue(ctx.tx, QUEUES.delivery, jobs);
  });
  if (context.hasSubscribers) {
    await queueSubscriberNotices({ tx: ctx.tx, now: ctx.now, baseUrl: ctx.settings.baseUrl, companyName: ctx.settings.companyName, jobs: ctx.jobs ?? null }, input.communicationId);
  }
  if (!input.isNew) return undefined;
  return presentCommunication(
    {
      id: input.communicationId,
      incidentId: rec.id,
      ...values,
      requiresApproval: false,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      createdBy: ctx.actor.userId,
      createdAt: ctx.now,
    },
    counts,
    null,
  );
}

/** The columns insertDeliveries writes: every one buildDeliveries fills (the others keep their defaults). */
const DELIVERY_COLUMNS = [
  'id',
  'communicationId',
  'incidentId',
  'clientId',
  'contactId',
  'toAddress',
  'toName',
  'language',
  'subject',
  'textBody',
  'htmlBody',
  'channel',
  'endpointId',
  'payload',
  'status',
  'providerRef',
  'messageId',
  'createdAt',
  'sentAt',
] as const satisfies readonly (keyof NewDelivery)[];

const COMMUNICATION_COLUMNS = [
  'id',
  'incidentId',
  'kind',
  'subject',
  'body',
  'clientIds',
  'disclosures',
  'pastOccurrences',
  'status',
  'sentAt',
  'promisedNextUpdateAt',
  'isPromiseKept',
  'templateVersions',
  'createdBy',
  'createdAt',
] as const satisfies readonly (keyof typeof communications.$inferInsert)[];

const columnList = (names: string[]) => names.map((c) => `"${c}"`).join(', ');
const DELIVERY_LIST = columnList(DELIVERY_COLUMNS.map((key) => communicationRecipients[key].name));
const COMMUNICATION_LIST = columnList(COMMUNICATION_COLUMNS.map((key) => communications[key].name));
const INSERT_DELIVERIES = `INSERT INTO communication_recipients (${DELIVERY_LIST}) SELECT ${DELIVERY_LIST} FROM jsonb_populate_recordset(NULL::communication_recipients, $1::jsonb)`;
// The message and its first deliveries in one statement (the deliveries' reference to it is checked at its end).
const INSERT_MESSAGE_WITH_DELIVERIES = `WITH m AS (INSERT INTO communications (${COMMUNICATION_LIST}) SELECT ${COMMUNICATION_LIST} FROM jsonb_populate_record(NULL::communications, $2::jsonb))
  ${INSERT_DELIVERIES}`;
const qualified = (list: string) => list.split(', ').map((c) => `r.${c}`).join(', ');
const [MESSAGE_PARAM, DELIVERIES_PARAM] = [SAVE_WITH_FIRST_PARAM, SAVE_WITH_FIRST_PARAM + 1];
// The same, as parts of the incident's save statement: written only when the incident is (see saveIncident).
const MESSAGE_WITH_INCIDENT = `m AS (INSERT INTO communications (${COMMUNICATION_LIST})
      SELECT ${qualified(COMMUNICATION_LIST)} FROM jsonb_populate_record(NULL::communications, $${MESSAGE_PARAM}::jsonb) r WHERE EXISTS (SELECT 1 FROM upd)),
    md AS (INSERT INTO communication_recipients (${DELIVERY_LIST})
      SELECT ${qualified(DELIVERY_LIST)} FROM jsonb_populate_recordset(NULL::communication_recipients, $${DELIVERIES_PARAM}::jsonb) r WHERE EXISTS (SELECT 1 FROM upd))`;

function toJsonRow<K extends string>(keys: readonly K[], names: Record<K, { name: string }>, source: Partial<Record<K, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of keys) {
    const v = source[key];
    row[names[key].name] = v instanceof Date ? v.toISOString() : (v ?? null);
  }
  return row;
}

/**
 * Writes the deliveries (and, given, the message first) in one statement per DELIVERY_CHUNK rows, each
 * chunk one JSON parameter unpacked by the database: a message to 10,000 recipients is a handful of
 * statements, not 200,000 bound values.
 */
async function insertMessageWithDeliveries(ctx: Ctx, message: Partial<typeof communications.$inferInsert> | null, deliveries: NewDelivery[]): Promise<void> {
  for (let i = 0; i < deliveries.length || (i === 0 && message); i += DELIVERY_CHUNK) {
    const chunk = JSON.stringify(deliveries.slice(i, i + DELIVERY_CHUNK).map((d) => toJsonRow(DELIVERY_COLUMNS, communicationRecipients, d)));
    if (message && i === 0) {
      await query(ctx.tx, INSERT_MESSAGE_WITH_DELIVERIES, [chunk, JSON.stringify(toJsonRow(COMMUNICATION_COLUMNS, communications, message))], 'herald_message_insert_with_deliveries');
    } else {
      await query(ctx.tx, INSERT_DELIVERIES, [chunk], 'herald_message_insert_deliveries');
    }
  }
}

/**
 * What a message would look like for every recipient, and whether it could go out now (the refusal
 * the lifecycle would give, with the missing disclosures named). Nothing is written.
 */
export async function previewCommunication(ctx: Ctx, idOrKey: string, input: SendInput) {
  requireWriter(ctx);
  const record = await loadIncident(ctx.tx, idOrKey);
  const policies = await loadPolicies(ctx.tx);
  const outcome = decide(
    record.state,
    { type: 'sendMessage', kind: input.kind, clientIds: input.clientIds ?? null, body: input.body || null, communicationId: randomUUID() },
    { actor: ctx.actor, now: ctx.now.toISOString(), policies, newId: randomUUID },
  );
  let refusal = outcome.ok ? null : { code: outcome.code as string, message: outcome.message, missing: outcome.missing ?? [] };
  const affected = new Set(record.state.clients.map((c) => c.clientId));
  const clientIds = (input.clientIds ?? [...affected]).filter((id) => affected.has(id));
  const tiers = record.state.clients.filter((c) => clientIds.includes(c.clientId)).map((c) => c.tier);
  const needsApproval = clientIds.length > 0 && (await requiresApproval(ctx.tx, tiers, record.state.severity ?? 'SEV4'));
  let recipients: { clientId: string; channel: string; to: string; toName: string; language: string; subject: string; text: string; html: string | null }[] = [];
  if (clientIds.length) {
    try {
      const built = await buildDeliveries(ctx, record, record.state, clientIds, { ...input, communicationId: randomUUID() });
      recipients = built.deliveries.map((d) => ({
        clientId: d.clientId,
        channel: d.channel,
        to: d.toAddress,
        toName: d.toName,
        language: d.language,
        subject: d.subject,
        text: d.textBody,
        html: d.htmlBody ?? null,
      }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refusal ??= { code: err.code, message: err.message, missing: err.details.missing ?? [] };
    }
  }
  const summary = new Map<string, { channel: string; language: string; count: number }>();
  for (const r of recipients) {
    const k = `${r.channel}\u0000${r.language}`;
    const entry = summary.get(k) ?? { channel: r.channel, language: r.language, count: 0 };
    entry.count++;
    summary.set(k, entry);
  }
  return {
    canSend: refusal === null,
    refusal,
    requiresApproval: needsApproval,
    recipientTotal: recipients.length,
    copies: [...summary.values()],
    recipients: previewSample(recipients),
  };
}

/** Copies a preview shows at most in all, and of each client, channel and language. */
export const PREVIEW_SAMPLE_MAX = 300;
export const PREVIEW_SAMPLE_PER_GROUP = 5;

/**
 * The copies a preview answers with: every copy for an ordinary message; for a message to thousands,
 * a few of each client in each channel and language (they differ only in the name of the person), so
 * the answer stays small while every client and language can still be looked at.
 */
export function previewSample<T extends { clientId: string; channel: string; language: string }>(all: T[]): T[] {
  if (all.length <= PREVIEW_SAMPLE_MAX) return all;
  const taken = new Map<string, number>();
  const sample: T[] = [];
  for (const r of all) {
    const k = `${r.clientId}\u0000${r.channel}\u0000${r.language}`;
    const n = taken.get(k) ?? 0;
    if (n >= PREVIEW_SAMPLE_PER_GROUP) continue;
    taken.set(k, n + 1);
    sample.push(r);
  }
  return sample.slice(0, PREVIEW_SAMPLE_MAX);
}

/**
 * Renders a template (its current version, or draft parts) against a real incident for one client
 * and, for e-mail, one of its contacts: what that person would receive.
 */
export async function previewTemplate(
  ctx: Ctx,
  template: { kind: MessageKind; language: string; channel: 'email' | 'chat'; parts: Record<string, string> },
  input: { incidentId: string; clientId: string; contactId?: string | null | undefined; body?: string | null | undefined },
) {
  requireWriter(ctx);
  const record = await loadIncident(ctx.tx, input.incidentId);
  if (!record.state.clients.some((c) => c.clientId === input.clientId) && record.reporterClientId !== input.clientId) {
    throw new AppError('client_not_affected', 'Pick a client of this incident.', { field: 'clientId' });
  }
  const built = await buildDeliveries(ctx, record, record.state, [input.clientId], { kind: template.kind, body: input.body ?? null, communicationId: randomUUID() }, template);
  const chosen =
    template.channel === 'email'
      ? built.deliveries.find((d) => d.contactId && (!input.contactId || d.contactId === input.contactId))
      : built.deliveries.find((d) => !d.contactId);
  if (!chosen) throw new AppError('no_contacts', template.channel === 'email' ? 'The client has no such contact receiving e-mail.' : 'The client has no chat or webhook endpoint.', { field: 'contactId' });
  return { channel: template.channel, to: chosen.toAddress, language: chosen.language, subject: template.channel === 'email' ? chosen.subject : null, text: chosen.textBody, html: chosen.htmlBody ?? null };
}
