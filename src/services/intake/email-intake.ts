// E-mail intake (SMTP listener or IMAP mailbox): a reply to one of Herald's notices lands on that
// incident's timeline; a mail from a known client contact opens a client-reported incident; anything
// else waits in triage. Each mail is taken in once (by Message-ID), in one transaction, before the
// SMTP server answers 250 or the IMAP message is marked seen. A mail whose sender did not pass
// authentication (SPF, DKIM, DMARC: domain/intake/sender-authentication.ts) speaks for no client:
// from a contact's address it waits in triage too, with the reason, since anyone can write any From.
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/open.js';
import { inboundEmails, intakeAttachments, triageItems } from '../../db/schema.js';
import type { OversizedMessage } from '../../channels/imap-intake.js';
import type { InboundAttachment, InboundMail } from '../../channels/inbound-mail.js';
import type { SenderVerdict } from '../../domain/intake/sender-authentication.js';
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

export async function takeInEmail(database: Database, mail: InboundMail, sender: SenderVerdict, s: EmailIntakeSettings, now: Date): Promise<EmailOutcome> {
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
    const senderAuthentication = clean(sender.explanation, 1000);
    // A reply counts from a contact of the client it went to (or of any client Herald knows, for forwarded threads).
    if (repliedTo && clientIds.length && sender.isAuthenticated) {
      const { kept, dropped } = await keepAttachments(tx, mail.attachments, { incidentId: repliedTo.incident_id }, s, now);
      await appendIntakeEvent(tx, repliedTo.incident_id, 'email.received', { from, subject, text, messageId, attachments: kept, droppedAttachments: dropped, clientIds }, label, now);
      await record({ outcome: 'reply', incidentId: repliedTo.incident_id });
      return { outcome: 'reply', incidentId: repliedTo.incident_id, incidentKey: `INC-${repliedTo.number}` };
    }
    if (!repliedTo && clientIds.length === 1 && sender.isAuthenticated) {
      const incident = await openIntakeIncident(tx, {
        title: subject,
        description: text,
        source: 'client',
        reporterClientId: clientIds[0]!,
        actorLabel: label,
        intake: { channel: 'email', from, messageId, senderAuthentication },
        now,
      });
      const { kept, dropped } = await keepAttachments(tx, mail.attachments, { incidentId: incident.id }, s, now);
      if (kept.length || dropped.length) await appendIntakeEvent(tx, incident.id, 'email.attachments', { attachments: kept, droppedAttachments: dropped }, label, now);
      await record({ outcome: 'incident', incidentId: incident.id });
      return { outcome: 'incident', incidentId: incident.id, incidentKey: incident.key };
    }
    const reason = clientIds.length && !sender.isAuthenticated ? 'unauthenticated_sender' : repliedTo ? 'unknown_sender_reply' : clientIds.length > 1 ? 'ambiguous_sender' : 'unknown_sender';
    const [item] = await tx
      .insert(triageItems)
      .values({
        kind: 'email',
        title: subject,
        description: text,
        clientId: clientIds.length === 1 ? clientIds[0]! : null,
        sender: clean(from, 320),
        reason,
        data: { messageId, fromName: mail.from?.name ?? null, clientIds, senderAuthentication, isSenderAuthenticated: sender.isAuthenticated, ...(repliedTo && { inReplyToIncidentId: repliedTo.incident_id, inReplyToIncidentKey: `INC-${repliedTo.number}` }) },
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

/** A message left in a mailbox because it is larger than the intake takes (only its envelope was read). */
export type OversizedEmail = OversizedMessage;

/**
 * Records a mail too large to take in as a triage item (reason too_large), once per Message-ID, so
 * staff see it and where it waits; nothing of it is kept but its envelope. Resolves to false when it
 * was recorded already (a second poller, or a poll after a failed flag change).
 */
export async function recordOversizedEmail(database: Database, mail: OversizedEmail, now: Date): Promise<boolean> {
  const from = clean((mail.from ?? '').toLowerCase(), 320);
  const where = `${mail.mailbox} (UID ${mail.uid}, UIDVALIDITY ${mail.uidValidity})`;
  const messageId = clean(mail.messageId ? bracket(mail.messageId) : `<${createHash('sha256').update(where).digest('hex')}@intake.herald>`, 990);
  const size = mail.sizeBytes === null ? 'of unknown size' : `of ${mail.sizeBytes} bytes`;
  return database.transaction(async (tx) => {
    const [claimed] = await rows<{ message_id: string }>(
      tx,
      sql`INSERT INTO inbound_emails (message_id, received_at, sender, outcome) VALUES (${messageId}, ${now}, ${from}, 'pending') ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
    );
    if (!claimed) return false;
    const [item] = await tx
      .insert(triageItems)
      .values({
        kind: 'email',
        title: clean(mail.subject.trim() || '(no subject)', 200),
        description: `A mail ${size} (the limit is ${mail.maxBytes} bytes, HERALD_INTAKE_MAX_MAIL_BYTES) was not taken in. It is left in the mailbox ${where}, marked read and flagged.`,
        clientId: null,
        sender: from || null,
        reason: 'too_large',
        data: { messageId, mailbox: mail.mailbox, uid: mail.uid, uidValidity: mail.uidValidity, sizeBytes: mail.sizeBytes, maxBytes: mail.maxBytes, isSenderAuthenticated: false },
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: triageItems.id });
    await tx.update(inboundEmails).set({ outcome: 'triage', triageItemId: item!.id }).where(eq(inboundEmails.messageId, messageId));
    return true;
  });
}
