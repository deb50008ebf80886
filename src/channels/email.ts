// E-mail over SMTP with a pooled nodemailer transport. One send() is one attempt; the Message-ID is
// derived from the delivery id, so a retried delivery carries the same id and can be de-duplicated.
import { domainToASCII } from 'node:url';
import nodemailer from 'nodemailer';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import type { NodemailerError } from 'nodemailer';
import type { DeliveryAttempt, DeliveryFailure } from './types.js';

export interface MailerOptions {
  /** smtp://[user:pass@]host[:port] (STARTTLS when offered, port 587 by default) or smtps:// (TLS from the start, port 465). */
  smtpUrl: string;
  /** "Herald <status@example.com>", "status@example.com" or { name, address }. */
  from: string | { name: string; address: string };
  /** Right-hand side of every Message-ID; defaults to the domain of `from`. */
  messageIdDomain?: string;
  /** Open connections at most (nodemailer's pool); default 5. */
  maxConnections?: number;
  /** Messages per connection before it is replaced; default 100. */
  maxMessagesPerConnection?: number;
  /** Waiting for the TCP (or TLS) connection; default 10 s. */
  connectionTimeoutMs?: number;
  /** Waiting for the server's 220 greeting; default 10 s. */
  greetingTimeoutMs?: number;
  /** Silence from the server in the middle of a conversation; default 15 s. */
  socketTimeoutMs?: number;
  /** Set false only for a test or private server with a self-signed certificate. Default true. */
  tlsRejectUnauthorized?: boolean;
  /** Host name sent with EHLO; defaults to the machine's name. */
  clientName?: string;
}

export interface EmailAddress {
  name: string;
  address: string;
}

export interface EmailMessage {
  /** Stable per recipient and message: becomes the Message-ID `<deliveryId@domain>`. */
  deliveryId: string;
  to: EmailAddress;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (e.g. List-Unsubscribe). Message-ID, In-Reply-To and References here are ignored. */
  headers?: Record<string, string>;
  /** Message-ID this one answers, with or without angle brackets (threads updates under the initial notice). */
  inReplyTo?: string;
  references?: string[];
}

/** An e-mail attempt also says which Message-ID the message carries (the server's, if it replaced ours). */
export type EmailAttempt = DeliveryAttempt & { messageId: string };

export interface Mailer {
  send(message: EmailMessage): Promise<EmailAttempt>;
  /** Connects and authenticates once; throws an Error (without credentials) when that fails. */
  verify(): Promise<void>;
  /** Closes the pool; messages already handed over finish first. */
  close(): void;
  /** The Message-ID a delivery gets, e.g. to thread a later message under it. */
  messageIdFor(deliveryId: string): string;
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** Deliberately loose: the SMTP server is the judge; this only stops what cannot be an address at all. */
const PLAUSIBLE_ADDRESS = /^[^\s\p{Cc}@<>,;"]+@[^\s\p{Cc}@<>,;"]+$/u;
const RESERVED_HEADERS = new Set(['message-id', 'in-reply-to', 'references', 'from', 'to', 'cc', 'bcc', 'subject']);

/** `<deliveryId@domain>`; throws when the delivery id cannot be the left side of a Message-ID. */
export function formatMessageId(deliveryId: string, domain: string): string {
  if (!DOT_ATOM.test(deliveryId)) throw new Error(`The delivery id "${deliveryId}" cannot be used in a Message-ID.`);
  return `<${deliveryId}@${domain}>`;
}

interface SmtpEndpoint {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
}

/** Reads SMTP_URL with WHATWG URL rules; the error never repeats the URL, which may hold a password. */
export function parseSmtpUrl(smtpUrl: string): SmtpEndpoint {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error('SMTP_URL is not a valid URL (expected smtp://user:pass@host:587 or smtps://user:pass@host:465).');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//.`);
  }
  if (!url.hostname) throw new Error('SMTP_URL names no host.');
  const secure = url.protocol === 'smtps:';
  const endpoint: SmtpEndpoint = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : secure ? 465 : 587, secure };
  if (url.username || url.password) {
    endpoint.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  }
  return endpoint;
}

function fromAddress(from: MailerOptions['from']): string {
  if (typeof from !== 'string') return from.address;
  const angled = /<([^>]+)>\s*$/.exec(from);
  return (angled?.[1] ?? from).trim();
}

function messageIdDomainOf(options: MailerOptions): string {
  const sender = fromAddress(options.from);
  const raw = options.messageIdDomain ?? (sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1) : '');
  const domain = domainToASCII(raw.trim().toLowerCase());
  if (!domain || !DOMAIN.test(domain)) {
    throw new Error('No usable Message-ID domain: give `from` an address with a domain, or set messageIdDomain.');
  }
  return domain;
}

function bracketed(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

const BOUNDARY = '=_herald_alternative';

/** A body part: UTF-8, quoted-printable, with CRLF line ends and lines of at most 76 characters. */
function bodyPart(type: 'plain' | 'html', content: string): string {
  const encoded = wrapQuotedPrintable(encodeQuotedPrintable(content.replace(/\r\n|\r|\n/g, '\r\n')), 76);
  return `Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${encoded}`;
}

export interface BuiltMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

/**
 * Builds a message as one buffer: the headers as nodemailer encodes them (addresses punycoded and
 * mime-encoded, unstructured text mime-encoded when it is not plain ASCII, folded at 76), then a
 * multipart/alternative of the plain text and the HTML, each quoted-printable. Nodemailer's own
 * composer builds a tree of streams per message, which cost a fan-out 0.75 ms of CPU per message.
 */
export function createMessageBuilder(from: MailerOptions['from']) {
  const headers = new MimeNode(false, { textEncoding: 'Q' });
  const fromHeader = headers.encodeHeaderValue('From', from);
  const envelopeFrom = fromAddress(from);
  const normalizedFrom = (headers.encodeHeaderValue('From', envelopeFrom) as string).replace(/^<|>$/g, '');
  const line = (key: string, value: string) => foldLines(`${key}: ${value}`, 76);
  return (message: EmailMessage & { messageId: string; extraHeaders: Record<string, string>; date: Date }): BuiltMessage => {
    const to = headers.encodeHeaderValue('To', { name: message.to.name.replace(/[\r\n]+/g, ' '), address: message.to.address }) as string;
    const toAddress = (headers.encodeHeaderValue('To', message.to.address) as string).replace(/^<|>$/g, '');
    const lines = [
      ...Object.entries(message.extraHeaders).map(([key, value]) => line(key, headers.encodeHeaderValue(key, value) as string)),
      line('From', fromHeader as string),
      line('To', to),
      ...(message.inReplyTo ? [line('In-Reply-To', headers.encodeHeaderValue('In-Reply-To', bracketed(message.inReplyTo)) as string)] : []),
      ...(message.references?.length ? [line('References', headers.encodeHeaderValue('References', message.references.map(bracketed)) as string)] : []),
      line('Subject', headers.encodeHeaderValue('Subject', message.subject) as string),
      line('Message-ID', headers.encodeHeaderValue('Message-ID', message.messageId) as string),
      line('Date', headers.encodeHeaderValue('Date', message.date) as string),
      'MIME-Version: 1.0',
      // Without HTML, the plain text is the whole message. Both parts are quoted-printable, where "=_"
      // cannot occur, so one fixed boundary can never occur in a part.
      ...(message.html
        ? [`Content-Type: multipart/alternative;\r\n boundary="${BOUNDARY}"`, '', `--${BOUNDARY}`, bodyPart('plain', message.text), `--${BOUNDARY}`, bodyPart('html', message.html), `--${BOUNDARY}--`, '']
        : [bodyPart('plain', message.text), '']),
    ];
    return { envelope: { from: normalizedFrom, to: [toAddress] }, raw: Buffer.from(lines.join('\r\n'), 'utf8') };
  };
}

/** Replaces every form of the credentials that could appear in a message text. */
function redactor(auth: SmtpEndpoint['auth']): (text: string) => string {
  // A user name of one or two characters is no secret, and redacting it would garble the whole text.
  const secrets = [auth?.pass, auth?.user && auth.user.length >= 3 ? auth.user : undefined]
    .filter((s): s is string => !!s)
    .flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), text);
}

/**
 * SMTP reply classes decide (RFC 5321): 5xx is permanent (except 503, a session-state complaint),
 * 4xx temporary. Failed authentication is temporary for the message: the credentials are at fault,
 * and once an operator fixes them the retries go through. A refused envelope without a reply (no
 * valid recipient) is permanent; connection, TLS, DNS and timeout failures are temporary.
 */
export function classifySmtpError(err: unknown, redact: (text: string) => string = (t) => t): DeliveryFailure {
  const e = (err instanceof Error ? err : new Error(String(err))) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { ok: false, error: redact(`SMTP authentication failed: ${e.message}. Check the credentials in SMTP_URL.`), isPermanent: false };
  }
  if (responseCode !== undefined && responseCode >= 400) {
    const isPermanent = e.permanent ?? (responseCode >= 500 && responseCode < 600 && responseCode !== 503);
    return { ok: false, error: redact(`SMTP ${responseCode}: ${e.message}`), isPermanent };
  }
  if (code === 'EENVELOPE') return { ok: false, error: redact(`Invalid envelope: ${e.message}`), isPermanent: true };
  const why = e.originalCode && e.originalCode !== code ? `${code} (${e.originalCode})` : (code ?? 'error');
  return { ok: false, error: redact(`SMTP ${why}: ${e.message}`), isPermanent: false };
}

export function createMailer(options: MailerOptions): Mailer {
  const endpoint = parseSmtpUrl(options.smtpUrl);
  const domain = messageIdDomainOf(options);
  const redact = redactor(endpoint.auth);
  const transporter = nodemailer.createTransport({
    pool: true,
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    ...(endpoint.auth ? { auth: endpoint.auth } : {}),
    ...(options.clientName ? { name: options.clientName } : {}),
    maxConnections: options.maxConnections ?? 5,
    maxMessages: options.maxMessagesPerConnection ?? 100,
    // A message whose connection dropped is failed, not silently resent: retrying is the job's call.
    maxRequeues: 0,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    greetingTimeout: options.greetingTimeoutMs ?? 10_000,
    socketTimeout: options.socketTimeoutMs ?? 15_000,
    tls: { rejectUnauthorized: options.tlsRejectUnauthorized ?? true },
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const messageIdFor = (deliveryId: string) => formatMessageId(deliveryId, domain);
  const build = createMessageBuilder(options.from);

  return {
    messageIdFor,

    async send(message) {
      let messageId: string;
      try {
        messageId = messageIdFor(message.deliveryId);
      } catch (err) {
        return { ok: false, error: (err as Error).message, isPermanent: true, messageId: '' };
      }
      if (!PLAUSIBLE_ADDRESS.test(message.to.address)) {
        return { ok: false, error: `Invalid recipient address "${message.to.address}".`, isPermanent: true, messageId };
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name] = value;
      }
      try {
        // The message is built whole first and handed over as one buffer: streamed, nodemailer writes it
        // to the socket a few hundred bytes at a time, and those writes were a tenth of a fan-out's CPU.
        const { envelope, raw } = build({ ...message, messageId, extraHeaders: headers, date: new Date() });
        const info = await transporter.sendMail({ envelope, raw, messageId });
        return { ok: true, providerRef: redact(info.response), messageId: info.serverMessageId ?? messageId };
      } catch (err) {
        return { ...classifySmtpError(err, redact), messageId };
      }
    },

    async verify() {
      try {
        await transporter.verify();
      } catch (err) {
        // No `cause`: the original error is not redacted, and loggers print causes.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(classifySmtpError(err, redact).error);
      }
    },

    close() {
      transporter.close();
    },
  };
}
