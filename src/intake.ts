// The intake's moving parts in one Herald process: the alert-payload workers, the SMTP listener and
// the IMAP poller for incoming mail. Started and stopped by createHerald (src/herald.ts).
import { startImapIntake, type ImapIntake } from './channels/imap-intake.js';
import { readInboundMail } from './channels/inbound-mail.js';
import { startSmtpIntake, type SmtpIntake } from './channels/smtp-intake.js';
import type { Database } from './db/open.js';
import type { IntakeHttpOptions } from './http/routes/intake-routes.js';
import { startIntakeWorkers } from './jobs/intake-alerts.js';
import type { JobQueue } from './jobs/job-queue.js';
import { takeInEmail, type EmailOutcome } from './services/intake/email-intake.js';

export interface IntakeOptions {
  /** Listen for incoming mail on this port (0: any free port); null/undefined: no SMTP listener. */
  smtpPort?: number | null;
  smtpHost?: string;
  /** Largest incoming mail (default 25 MB). */
  maxMailBytes?: number;
  /** Attachments larger than this are listed but not kept (default 10 MB). */
  maxAttachmentBytes?: number;
  /** imap(s)://user:pass@host[:port]/MAILBOX: poll this mailbox for unseen mail. */
  imapUrl?: string | null;
  imapIntervalMs?: number;
  http?: IntakeHttpOptions;
}

export interface Intake {
  /** The SMTP listener's port; null when none runs. */
  smtpPort: number | null;
  /** Takes in one raw e-mail, as the listeners do. */
  takeInMail(raw: Buffer | string): Promise<EmailOutcome>;
  /** Looks for new IMAP mail now; resolves to how many mails it took in (null without IMAP). */
  pollImap: (() => Promise<number>) | null;
  stop(): Promise<void>;
}

const address = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();

export async function startIntake(deps: { database: Database; queue: JobQueue; runsJobs: boolean; mailFrom: string; log: (line: string) => void; logError?: (line: string) => void }, opts: IntakeOptions = {}): Promise<Intake> {
  if (deps.runsJobs) await startIntakeWorkers(deps.database, deps.queue);
  const settings = { maxAttachmentBytes: opts.maxAttachmentBytes ?? 10 * 1024 * 1024, ownAddresses: [address(deps.mailFrom)] };
  const takeInMail = async (raw: Buffer | string) => takeInEmail(deps.database, await readInboundMail(raw), settings, new Date());
  const onError = (err: Error) => (deps.logError ?? deps.log)(`mail intake: ${err.message}`);
  let smtp: SmtpIntake | null = null;
  if (opts.smtpPort !== undefined && opts.smtpPort !== null) {
    smtp = await startSmtpIntake({ port: opts.smtpPort, host: opts.smtpHost ?? '0.0.0.0', maxBytes: opts.maxMailBytes ?? 25 * 1024 * 1024, onMail: async (raw) => void (await takeInMail(raw)), onError });
    deps.log(`Mail intake: SMTP listening on port ${smtp.port}`);
  }
  let imap: ImapIntake | null = null;
  if (opts.imapUrl) imap = startImapIntake({ url: opts.imapUrl, intervalMs: opts.imapIntervalMs ?? 60_000, onMail: async (raw) => (await takeInMail(raw)).outcome !== 'duplicate', onError });
  return {
    smtpPort: smtp?.port ?? null,
    takeInMail,
    pollImap: imap ? () => imap.poll() : null,
    stop: async () => {
      await imap?.stop();
      await smtp?.close();
    },
  };
}
