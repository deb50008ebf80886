// Sending a client message: checked by the lifecycle, filled per client and contact, recorded, and
// placed in the local outbox, all in the command's transaction.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { clientComponents, clients, communicationRecipients, communications, components, contacts } from '../../db/schema.js';
import { defaultSubject, renderPlainMessage, type PastOccurrence } from '../../domain/messages/plain-message.js';
import type { ComponentStatus, MessageKind } from '../../domain/types.js';
import { AppError } from '../app-error.js';
import type { Ctx } from '../context.js';
import { runIncidentCommand } from '../incidents/run-incident-command.js';
import { findPastOccurrences } from './past-occurrences.js';

export interface SendInput {
  kind: MessageKind;
  clientIds?: string[] | null | undefined;
  subject?: string | null | undefined;
  body?: string | null | undefined;
}

export async function sendCommunication(ctx: Ctx, idOrKey: string, input: SendInput) {
  const communicationId = randomUUID();
  let sentTo: string[] = [];
  const record = await runIncidentCommand(
    ctx,
    idOrKey,
    () => ({ type: 'sendMessage', kind: input.kind, clientIds: input.clientIds ?? null, body: input.body ?? null, communicationId }),
    {
      beforeSave: async (rec, outcome) => {
        const sent = outcome.events.find((e) => e.type === 'communication.sent');
        const clientIds = (sent?.data.clientIds as string[] | undefined) ?? [];
        sentTo = clientIds;
        const state = outcome.state;
        // One connection per transaction: these run one after another.
        const clientRows = await ctx.tx.select().from(clients).where(inArray(clients.id, clientIds));
        const contactRows = await ctx.tx.select().from(contacts).where(inArray(contacts.clientId, clientIds));
        const componentRows = state.impacts.length
          ? await ctx.tx.select({ id: components.id, name: components.name }).from(components).where(inArray(components.id, state.impacts.map((i) => i.componentId)))
          : [];
        const without = clientIds.filter((id) => !contactRows.some((c) => c.clientId === id));
        if (without.length) throw new AppError('no_contacts', 'These clients have no contacts to write to; add contacts first.', { missing: without });
        const names = new Map(componentRows.map((c) => [c.id, c.name]));
        const usedBy = await clientComponentMap(ctx, clientIds);
        const past: Record<string, PastOccurrence[]> = {};
        if (input.kind === 'initial') {
          for (const clientId of clientIds) {
            past[clientId] = await findPastOccurrences(ctx, {
              incidentId: rec.id,
              clientId,
              componentIds: state.impacts.map((i) => i.componentId),
              before: new Date(state.reportedAt),
            });
          }
        }
        const subject = input.subject?.trim() || defaultSubject({ kind: input.kind, incidentKey: rec.key, title: rec.title });
        await ctx.tx.insert(communications).values({
          id: communicationId,
          incidentId: rec.id,
          kind: input.kind,
          subject,
          body: input.body ?? '',
          clientIds,
          disclosures: state.disclosures,
          pastOccurrences: past,
          createdBy: ctx.actor.userId,
          createdAt: ctx.now,
        });
        const recipients = contactRows.map((contact) => {
          const client = clientRows.find((c) => c.id === contact.clientId)!;
          const mine = usedBy.get(client.id);
          // A client hears about the components it uses; if it uses none of them, about all impacted ones.
          const relevant = state.impacts.filter((i) => !mine || mine.has(i.componentId));
          const shown = (relevant.length ? relevant : state.impacts).map((i) => ({ name: names.get(i.componentId) ?? 'Service', status: i.status as ComponentStatus }));
          const id = randomUUID();
          return {
            id,
            communicationId,
            incidentId: rec.id,
            clientId: client.id,
            contactId: contact.id,
            toAddress: contact.email,
            toName: contact.name,
            language: contact.language,
            subject,
            textBody: renderPlainMessage({
              kind: input.kind,
              incidentKey: rec.key,
              title: rec.title,
              techState: state.techState,
              clientName: client.name,
              contactName: contact.name,
              components: shown,
              disclosures: state.disclosures,
              resolvedAt: state.resolvedAt,
              body: input.body ?? null,
              pastOccurrences: input.kind === 'initial' ? (past[client.id] ?? []) : null,
            }),
            channel: 'outbox',
            status: 'sent',
            messageId: `<${id}@herald>`,
            createdAt: ctx.now,
            sentAt: ctx.now,
          };
        });
        for (let i = 0; i < recipients.length; i += 500) await ctx.tx.insert(communicationRecipients).values(recipients.slice(i, i + 500));
      },
    },
  );
  return { record, communicationId, clientIds: sentTo };
}

async function clientComponentMap(ctx: Ctx, clientIds: string[]): Promise<Map<string, Set<string>>> {
  const links = await ctx.tx.select().from(clientComponents).where(inArray(clientComponents.clientId, clientIds));
  const map = new Map<string, Set<string>>();
  for (const l of links) {
    if (!map.has(l.clientId)) map.set(l.clientId, new Set());
    map.get(l.clientId)!.add(l.componentId);
  }
  return map;
}
