// Herald's own SMTP listener for incoming mail (HERALD_INTAKE_SMTP_PORT). A message is answered 250
// only after the intake has committed it; a failure answers 451, so the sending server tries again.
// A message over the size limit is answered 552. SMTP has no way to refuse DATA half-way (short of
// dropping the connection), so its remaining bytes are read and thrown away as they come: a mail
// holds at most the limit in memory, however much the client sends.
import { SMTPServer, type SMTPServerDataStream, type SMTPServerError } from 'smtp-server';
import type { SmtpEnvelope } from './mail-authentication.js';

export interface SmtpIntakeOptions {
  port: number;
  host: string;
  /** Largest message accepted (announced with SIZE; larger ones are refused with 552). */
  maxBytes: number;
  /** Takes in one mail, with what the connection said about its sender. */
  onMail(raw: Buffer, envelope: SmtpEnvelope): Promise<void>;
  /** A mail refused for its size (answered 552): for the log. */
  onRefused?(what: { remoteAddress: string; mailFrom: string; receivedBytes: number }): void;
  onError?(err: Error): void;
}

/** What the listener has kept in memory and refused, since it started (for /metrics-style checks and tests). */
export interface SmtpIntakeStats {
  /** The most bytes one mail held in memory while it was received. */
  peakHeldBytes: number;
  /** Mails answered 552 for their size. */
  refusedTooLarge: number;
}

export interface SmtpIntake {
  port: number;
  stats(): SmtpIntakeStats;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string): SMTPServerError => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpIntake(opts: SmtpIntakeOptions): Promise<SmtpIntake> {
  const stats: SmtpIntakeStats = { peakHeldBytes: 0, refusedTooLarge: 0 };
  const server = new SMTPServer({
    name: 'herald-intake',
    banner: 'Herald incident intake',
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    size: opts.maxBytes,
    closeTimeout: 1000,
    onData(stream: SMTPServerDataStream, session, callback) {
      let chunks: Buffer[] = [];
      let heldBytes = 0;
      let isTooLarge = false;
      stream.on('data', (c: Buffer) => {
        if (isTooLarge) return;
        // smtp-server counts the bytes as they arrive (stream.sizeExceeded); it answers nothing until
        // the end of DATA, so past the limit the chunks are dropped here instead of kept.
        if (stream.sizeExceeded || heldBytes + c.length > opts.maxBytes) {
          isTooLarge = true;
          chunks = [];
          heldBytes = 0;
          return;
        }
        chunks.push(c);
        heldBytes += c.length;
        if (heldBytes > stats.peakHeldBytes) stats.peakHeldBytes = heldBytes;
      });
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        if (isTooLarge || stream.sizeExceeded) {
          stats.refusedTooLarge++;
          opts.onRefused?.({ remoteAddress: session.remoteAddress, mailFrom, receivedBytes: stream.byteLength });
          return callback(smtpError(552, `5.3.4 Message larger than ${opts.maxBytes} bytes`));
        }
        const envelope: SmtpEnvelope = { remoteAddress: session.remoteAddress, helo: session.hostNameAppearsAs || '', mailFrom };
        opts.onMail(Buffer.concat(chunks, heldBytes), envelope).then(
          () => callback(),
          (err: Error) => {
            opts.onError?.(err);
            callback(smtpError(451, '4.3.0 The message could not be stored; try again later'));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err: Error) => opts.onError?.(err));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    stats: () => ({ ...stats }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
