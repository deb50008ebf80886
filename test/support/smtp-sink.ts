// A real SMTP server in the test process (smtp-server on 127.0.0.1) that records every message it
// accepts, parsed with mailparser, and can refuse chosen messages or recipients with a reply code.
// No vitest imports: integration tests and benchmarks use it alike.
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface SinkMail {
  /** As in the header, with angle brackets; null when the message had none. */
  messageId: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[];
  /** Addresses of the To header. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  inReplyTo: string | null;
  references: string[];
  /** Header lines as received, lower-case names (the last one wins when repeated). */
  headers: Record<string, string>;
  raw: string;
  /** The user the client authenticated as, if it did. */
  user: string | null;
  receivedAt: number;
}

export interface SmtpSinkOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Reply code to refuse a message with at the end of DATA (e.g. 550, 451); null accepts it. */
  failWith?: (mail: SinkMail) => number | null;
  /** Reply code to refuse a recipient with at RCPT TO; null accepts it. */
  rejectRecipient?: (address: string) => number | null;
  /** Holds the answer to DATA this long (a slow server). */
  delayMs?: number;
  /** Implicit TLS (smtps) with smtp-server's built-in self-signed certificate. */
  secure?: boolean;
  /** Require AUTH with exactly these credentials (PLAIN or LOGIN). Without it, AUTH is optional. */
  auth?: { user: string; pass: string };
  /**
   * false skips mailparser: only the headers are read (Message-ID, Subject, …), text and html stay
   * empty. For benchmarks with thousands of messages.
   */
  parse?: boolean;
}

export interface SmtpSink {
  port: number;
  /** smtp://127.0.0.1:port (or smtps://), with the credentials when `auth` was given. */
  url: string;
  /** Accepted messages, in order of arrival. */
  messages: SinkMail[];
  /** Messages refused by failWith, with the code sent. */
  refused: { mail: SinkMail; code: number }[];
  /** Resolves once `count` messages were accepted; rejects after timeoutMs (default 10 s). */
  waitForMessages(count: number, timeoutMs?: number): Promise<SinkMail[]>;
  close(): Promise<void>;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

function headerBlock(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const unfolded = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

async function readMail(raw: string, envelope: { from: string | null; to: string[]; user: string | null }, parse: boolean): Promise<SinkMail> {
  const headers = headerBlock(raw);
  const base = { envelopeFrom: envelope.from, envelopeTo: envelope.to, headers, raw, user: envelope.user, receivedAt: Date.now() };
  if (!parse) {
    return {
      ...base,
      messageId: headers['message-id'] ?? null,
      to: [],
      subject: headers.subject ?? '',
      text: '',
      html: '',
      inReplyTo: headers['in-reply-to'] ?? null,
      references: headers.references?.split(/\s+/).filter(Boolean) ?? [],
    };
  }
  const parsed = await simpleParser(raw);
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  return {
    ...base,
    messageId: parsed.messageId ?? null,
    to: addresses(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    inReplyTo: parsed.inReplyTo ?? null,
    references,
  };
}

function smtpError(code: number, message: string): SMTPServerError {
  const err: SMTPServerError = new Error(message);
  err.responseCode = code;
  return err;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMail[] = [];
  const refused: SmtpSink['refused'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  const isParsed = options.parse ?? true;

  const server = new SMTPServer({
    secure: options.secure ?? false,
    // Without a certificate of our own, STARTTLS would offer a self-signed one nodemailer rightly refuses.
    disabledCommands: options.secure ? [] : ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 200,
    size: 25 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected && (auth.username !== expected.user || auth.password !== expected.pass)) {
        return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      }
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onRcptTo(address, _session, callback) {
      const code = options.rejectRecipient?.(address.address) ?? null;
      if (code !== null) return callback(smtpError(code, `Recipient <${address.address}> refused by the test sink`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
        };
        const answer = (err?: Error) => {
          if (!options.delayMs) return callback(err);
          const timer = setTimeout(() => {
            timers.delete(timer);
            callback(err);
          }, options.delayMs);
          timers.add(timer);
        };
        readMail(raw, envelope, isParsed).then(
          (mail) => {
            const code = options.failWith?.(mail) ?? null;
            if (code !== null) {
              refused.push({ mail, code });
              return answer(smtpError(code, `Message refused by the test sink (${code})`));
            }
            messages.push(mail);
            for (const wake of waiters) wake();
            answer();
          },
          (err: Error) => answer(smtpError(554, `Unparseable message: ${err.message}`)),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors of single connections (a client that hangs up) are the client's business, not a crash.
  server.on('error', () => undefined);
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';

  return {
    port,
    url: `${options.secure ? 'smtps' : 'smtp'}://${credentials}127.0.0.1:${port}`,
    messages,
    refused,
    waitForMessages(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        if (messages.length >= count) return resolve(messages);
        const wake = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`The SMTP sink has ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
