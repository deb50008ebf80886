// Reads a received e-mail (RFC 5322 source) into what the intake needs: sender, subject, text,
// threading headers and attachments. Used by the SMTP listener and the IMAP poller alike.
import { simpleParser } from 'mailparser';

export interface InboundAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A received mail as the intake reads it (the channel owns the shape it produces; the intake service takes it). */
export interface InboundMail {
  /** With angle brackets; null when the mail had none. */
  messageId: string | null;
  from: { address: string; name: string } | null;
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  attachments: InboundAttachment[];
  /** Auto-Submitted other than "no", or an out-of-office Precedence: never opens anything. */
  isAutomatic: boolean;
}

const htmlToText = (html: string) =>
  html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/li>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

export async function readInboundMail(raw: Buffer | string): Promise<InboundMail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = parsed.from?.value[0];
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  const autoSubmitted = String(parsed.headers.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  return {
    messageId: parsed.messageId ?? null,
    from: from?.address ? { address: from.address, name: from.name ?? '' } : null,
    subject: parsed.subject ?? '',
    text: parsed.text ?? (typeof parsed.html === 'string' ? htmlToText(parsed.html) : ''),
    inReplyTo: parsed.inReplyTo ?? null,
    references,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType ?? 'application/octet-stream', content: a.content })),
    isAutomatic: (autoSubmitted !== 'no' && autoSubmitted !== '') || precedence === 'auto_reply' || precedence === 'bulk' || precedence === 'junk',
  };
}
