// Herald's own SMTP listener for incoming mail (HERALD_INTAKE_SMTP_PORT). A message is answered 250
// only after the intake has committed it; a failure answers 451, so the sending server tries again.
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface SmtpIntakeOptions {
  port: number;
  host: string;
  /** Largest message accepted (announced with SIZE; larger ones are refused with 552). */
  maxBytes: number;
  onMail(raw: Buffer): Promise<void>;
  onError?(err: Error): void;
}

export interface SmtpIntake {
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string): SMTPServerError => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpIntake(opts: SmtpIntakeOptions): Promise<SmtpIntake> {
  const server = new SMTPServer({
    name: 'herald-intake',
    banner: 'Herald incident intake',
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    size: opts.maxBytes,
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(smtpError(552, `5.3.4 Message larger than ${opts.maxBytes} bytes`));
        opts.onMail(Buffer.concat(chunks)).then(
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
