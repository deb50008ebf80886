// Herald's own SMTP listener for incoming mail (HERALD_INTAKE_SMTP_PORT). A message is answered 250
// only after the intake has committed it; a failure answers 451, so the sending server tries again.
// A message over the size limit is answered 552. SMTP has no way to refuse DATA half-way (short of
// dropping the connection), so its remaining bytes are read and thrown away as they come: a mail
// holds at most the limit in memory, however much the client sends. All mails being received at
// once hold at most maxHeldBytes together: a mail that would go past it is read and thrown away
// the same way and answered 452, so its sender tries again later (a flood of connections cannot
// multiply the limit).
import { SMTPServer, type SMTPServerDataStream, type SMTPServerError } from 'smtp-server';
import type { SmtpEnvelope } from './mail-authentication.js';

export interface SmtpIntakeOptions {
  port: number;
  host: string;
  /** Largest message accepted (announced with SIZE; larger ones are refused with 552). */
  maxBytes: number;
  /** The most all mails being received at once may hold together (default 4 × maxBytes). */
  maxHeldBytes?: number;
  /** Takes in one mail, with what the connection said about its sender. */
  onMail(raw: Buffer, envelope: SmtpEnvelope): Promise<void>;
  /** A mail refused for its size (answered 552): for the log. */
  onRefused?(what: { remoteAddress: string; mailFrom: string; receivedBytes: number; reason: 'too_large' | 'busy' }): void;
  onError?(err: Error): void;
}

/** What the listener has kept in memory and refused, since it started (for /metrics-style checks and tests). */
export interface SmtpIntakeStats {
  /** Bytes the mails being received (or taken in) hold now, together. */
  heldBytes: number;
  /** The most bytes one mail held in memory while it was received. */
  peakHeldBytes: number;
  /** The most bytes all mails held together. */
  peakHeldBytesInAll: number;
  /** Mails answered 552 for their size. */
  refusedTooLarge: number;
  /** Mails answered 452 because the others being received held maxHeldBytes already. */
  refusedBusy: number;
}

export interface SmtpIntake {
  port: number;
  stats(): SmtpIntakeStats;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string): SMTPServerError => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpIntake(opts: SmtpIntakeOptions): Promise<SmtpIntake> {
  const stats: SmtpIntakeStats = { heldBytes: 0, peakHeldBytes: 0, peakHeldBytesInAll: 0, refusedTooLarge: 0, refusedBusy: 0 };
  const maxHeldBytes = opts.maxHeldBytes ?? 4 * opts.maxBytes;
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
      let refusal: 'too_large' | 'busy' | null = null;
      const release = () => {
        stats.heldBytes -= heldBytes;
        chunks = [];
        heldBytes = 0;
      };
      stream.on('data', (c: Buffer) => {
        if (refusal) return;
        // smtp-server counts the bytes as they arrive (stream.sizeExceeded); it answers nothing until
        // the end of DATA, so past a limit the chunks are dropped here instead of kept.
        if (stream.sizeExceeded || heldBytes + c.length > opts.maxBytes) refusal = 'too_large';
        else if (stats.heldBytes + c.length > maxHeldBytes) refusal = 'busy';
        if (refusal) return release();
        chunks.push(c);
        heldBytes += c.length;
        stats.heldBytes += c.length;
        stats.peakHeldBytes = Math.max(stats.peakHeldBytes, heldBytes);
        stats.peakHeldBytesInAll = Math.max(stats.peakHeldBytesInAll, stats.heldBytes);
      });
      // The client went away in the middle of DATA: smtp-server destroys the stream ('error', then 'close').
      stream.on('error', () => {});
      stream.on('close', () => {
        if (!stream.readableEnded) release();
      });
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        if (stream.sizeExceeded) refusal = 'too_large';
        if (refusal) {
          release();
          if (refusal === 'too_large') stats.refusedTooLarge++;
          else stats.refusedBusy++;
          opts.onRefused?.({ remoteAddress: session.remoteAddress, mailFrom, receivedBytes: stream.byteLength, reason: refusal });
          return callback(refusal === 'too_large' ? smtpError(552, `5.3.4 Message larger than ${opts.maxBytes} bytes`) : smtpError(452, '4.3.1 Too much mail being received at once; try again later'));
        }
        const envelope: SmtpEnvelope = { remoteAddress: session.remoteAddress, helo: session.hostNameAppearsAs || '', mailFrom };
        const raw = Buffer.concat(chunks, heldBytes);
        chunks = [];
        // The mail counts as held until it is taken in (parsed and stored).
        opts
          .onMail(raw, envelope)
          .finally(release)
          .then(
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
