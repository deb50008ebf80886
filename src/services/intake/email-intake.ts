// E-mail intake (SMTP listener or IMAP mailbox): a reply to one of Herald's notices lands on that
// incident's timeline; a mail from a known client contact opens a client-reported incident; anything
// else waits in triage. Each mail is taken in once (by Message-ID), in one transaction, before the
// SMTP server answers 250 or the IMAP message is marked seen.
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/open.js';
import { inboundEmails, intakeAttachments, triageItems } from '../../db/schema.js';
import type { InboundAttachment, InboundMail } from '../../channels/inbound-mail.js';
import { rows } from '../sql-rows.js';
import { appendIntakeEvent, openIntakeIncident } from './open-intake-incident.js';

export interface EmailIntakeSettings {
  /** Attachments larger than this are listed but not kept (default 10 MB). */
  maxAttachmentBytes: number;
  /** Herald's own sender addresses: mail from them is ignored (a loop). */
  ownAddresses: string[];
}

export type EmailOutcome =
  | { outcome: 'incident'; incidentId: string; incidentKey: string }
  | { outcome: 'reply'; incidentId: string; incidentKey: string }
  | { outcome: 'triage'; triageItemId: string }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'duplicate' };

const MAX_ATTACHMENTS = 20;
const bracket = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

async function keepAttachments(tx: Db, attachments: InboundAttachment[], owner: { incidentId?: string; triageItemId?: string }, s: EmailIntakeSettings, now: Date) {
  const kept: { id: string; filename: string; sizeBytes: number }[] = [];
  const dropped: { filename: string; sizeBytes: number; reason: string }[] = [];
  for (const [i, a] of attachments.entries()) {
    const filename = (a.filename || `attachment-${i + 1}`).slice(0, 255);
    if (i >= MAX_ATTACHMENTS) dropped.push({ filename, sizeBytes: a.content.length, reason: `more than ${MAX_ATTACHMENTS} attachments` });
    else if (a.content.length > s.maxAttachmentBytes) dropped.push({ filename, sizeBytes: a.content.length, reason: `larger than ${s.maxAttachmentBytes} bytes` });
    else {
      const [row] = await tx
        .insert(intakeAttachments)
        .values({ incidentId: owner.incidentId ?? null, triageItemId: owner.triageItemId ?? null, filename, contentType: a.contentType.slice(0, 255) || 'application/octet-stream', sizeBytes: a.content.length, content: a.content, createdAt: now })
        .returning({ id: intakeAttachments.id });
      kept.push({ id: row!.id, filename, sizeBytes: a.content.length });
    }
  }
  return { kept, dropped };
}

/** Text PostgreSQL can store: no NUL characters. */
const clean = (s: string, max: number) => s.replaceAll('\u0000', '').slice(0, max);

export async function takeInEmail(database: Database, mail: InboundMail, s: EmailIntakeSettings, now: Date): Promise<EmailOutcome> {
  const from = mail.from?.address.toLowerCase() ?? '';
  const messageId = clean(mail.messageId ?? `<${createHash('sha256').update(`${from}\n${mail.subject}\n${mail.text}`).digest('hex')}@intake.herald>`, 990);
  const subject = clean(mail.subject.trim() || '(no subject)', 200);
  const text = clean(mail.text.trim(), 20_000);
  return database.transaction(async (tx): Promise<EmailOutcome> => {
    const [claimed] = await rows<{ message_id: string }>(
      tx,
      sql`INSERT INTO inbound_emails (message_id, received_at, sender, outcome) VALUES (${messageId}, ${now}, ${clean(from, 320)}, 'pending') ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
    );
    if (!claimed) return { outcome: 'duplicate' };
    const record = (o: { outcome: string; incidentId?: string; triageItemId?: string }) =>
      tx.update(inboundEmails).set({ outcome: o.outcome, incidentId: o.incidentId ?? null, triageItemId: o.triageItemId ?? null }).where(eq(inboundEmails.messageId, messageId));

    if (!from || mail.isAutomatic || s.ownAddresses.includes(from)) {
      const reason = !from ? 'no sender' : mail.isAutomatic ? 'automatic reply' : 'sent by Herald';
      await record({ outcome: 'ignored' });
      return { outcome: 'ignored', reason };
    }
    const senderContacts = await rows<{ client_id: string; name: string; client_name: string }>(
      tx,
      sql`SELECT c.client_id, c.name, cl.name AS client_name FROM contacts c JOIN clients cl ON cl.id = c.client_id WHERE lower(c.email) = ${from} ORDER BY cl.name`,
    );
    const clientIds = [...new Set(senderContacts.map((c) => c.client_id))];
    const label = `${senderContacts[0]?.name ?? mail.from?.name ?? from} <${from}> (e-mail)`;

    // A reply: one of its references is a Message-ID Herald sent (or a mail that opened an incident).
    const refs = [...new Set([mail.inReplyTo, ...mail.references].filter((r): r is string => !!r).map((r) => clean(bracket(r.trim()), 990)))].slice(0, 50);
    let repliedTo: { incident_id: string; number: number; client_id: string | null } | undefined;
    if (refs.length) {
      const list = JSON.stringify(refs);
      [repliedTo] = await rows(
        tx,
        sql`SELECT i.id AS incident_id, i.number, r.client_id FROM communication_recipients r JOIN incidents i ON i.id = r.incident_id
            WHERE r.message_id IN (SELECT jsonb_array_elements_text(${list}::jsonb))
            UNION ALL
            SELECT i.id, i.number, i.reporter_client_id FROM inbound_emails e JOIN incidents i ON i.id = e.incident_id
            WHERE e.message_id IN (SELECT jsonb_array_elements_text(${list}::jsonb))
            LIMIT 1`,
      );
    }
    // A reply counts from a contact of the client it went to (or of any client Herald knows, for forwarded threads).
    if (repliedTo && clientIds.length) {
      const { kept, dropped } = await keepAttachments(tx, mail.attachments, { incidentId: repliedTo.incident_id }, s, now);
      await appendIntakeEvent(tx, repliedTo.incident_id, 'email.received', { from, subject, text, messageId, attachments: kept, droppedAttachments: dropped, clientIds }, label, now);
      await record({ outcome: 'reply', incidentId: repliedTo.incident_id });
      return { outcome: 'reply', incidentId: repliedTo.incident_id, incidentKey: `INC-${repliedTo.number}` };
    }
    if (!repliedTo && clientIds.length === 1) {
      const incident = await openIntakeIncident(tx, {
        title: subject,
        description: text,
        source: 'client',
        reporterClientId: clientIds[0]!,
        actorLabel: label,
        intake: { channel: 'email', from, messageId },
        now,
      });
      const { kept, dropped } = await keepAttachments(tx, mail.attachments, { incidentId: incident.id }, s, now);
      if (kept.length || dropped.length) await appendIntakeEvent(tx, incident.id, 'email.attachments', { attachments: kept, droppedAttachments: dropped }, label, now);
      await record({ outcome: 'incident', incidentId: incident.id });
      return { outcome: 'incident', incidentId: incident.id, incidentKey: incident.key };
    }
    const reason = repliedTo ? 'unknown_sender_reply' : clientIds.length > 1 ? 'ambiguous_sender' : 'unknown_sender';
    const [item] = await tx
      .insert(triageItems)
      .values({
        kind: 'email',
        title: subject,
        description: text,
        clientId: clientIds.length === 1 ? clientIds[0]! : null,
        sender: clean(from, 320),
        reason,
        data: { messageId, fromName: mail.from?.name ?? null, clientIds, ...(repliedTo && { inReplyToIncidentId: repliedTo.incident_id, inReplyToIncidentKey: `INC-${repliedTo.number}` }) },
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: triageItems.id });
    const { kept, dropped } = await keepAttachments(tx, mail.attachments, { triageItemId: item!.id }, s, now);
    if (kept.length || dropped.length) await tx.update(triageItems).set({ data: sql`${triageItems.data} || ${JSON.stringify({ attachments: kept, droppedAttachments: dropped })}::jsonb` }).where(eq(triageItems.id, item!.id));
    await record({ outcome: 'triage', triageItemId: item!.id });
    return { outcome: 'triage', triageItemId: item!.id };
  });
}
