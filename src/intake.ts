// The intake's moving parts in one Herald process: the alert-payload workers, the SMTP listener and
// the IMAP poller for incoming mail. Started and stopped by createHerald (src/herald.ts).
import { startImapIntake, type ImapIntake } from './channels/imap-intake.js';
import { readInboundMail, type InboundMail } from './channels/inbound-mail.js';
import { checkSmtpSender, trustedAuthenticationResults, type DNSResolver, type MailOrigin } from './channels/mail-authentication.js';
import { startSmtpIntake, type SmtpIntake, type SmtpIntakeStats } from './channels/smtp-intake.js';
import type { Database } from './db/open.js';
import { judgeSender, type SenderVerdict } from './domain/intake/sender-authentication.js';
import type { IntakeHttpOptions } from './http/routes/intake-routes.js';
import { startIntakeWorkers } from './jobs/intake-alerts.js';
import type { JobQueue } from './jobs/job-queue.js';
import { recordOversizedEmail, takeInEmail, type EmailOutcome } from './services/intake/email-intake.js';

export interface IntakeOptions {
  /** Listen for incoming mail on this port (0: any free port); null/undefined: no SMTP listener. */
  smtpPort?: number | null;
  smtpHost?: string;
  /** Largest incoming mail (default 25 MB). */
  maxMailBytes?: number;
  /** The most the SMTP listener holds of all mails being received at once (default 4 × maxMailBytes; then 452). */
  maxHeldMailBytes?: number;
  /** Attachments larger than this are listed but not kept (default 10 MB). */
  maxAttachmentBytes?: number;
  /** imap(s)://user:pass@host[:port]/MAILBOX: poll this mailbox for unseen mail. */
  imapUrl?: string | null;
  imapIntervalMs?: number;
  /**
   * Check that mail comes from its From domain (SPF, DKIM, DMARC) before it speaks for a client
   * (default true). Off only behind a relay that lets no unauthenticated mail through.
   */
  verifiesSender?: boolean;
  /** The authserv-id of the server that received the IMAP mailbox's mail; its Authentication-Results header is trusted. */
  imapTrustedAuthservId?: string | null;
  /** DNS lookups of the SMTP listener's sender checks (default: the system's resolver); tests serve their own zone. */
  dnsResolver?: DNSResolver;
  http?: IntakeHttpOptions;
}

export interface Intake {
  /** The SMTP listener's port; null when none runs. */
  smtpPort: number | null;
  /** What the SMTP listener held in memory and refused; null when none runs. */
  smtpStats(): SmtpIntakeStats | null;
  /**
   * Takes in one raw e-mail, as the listeners do. Without an origin the mail is handed in by this
   * process itself (tests, imports) and its sender is taken as authenticated.
   */
  takeInMail(raw: Buffer | string, origin?: MailOrigin): Promise<EmailOutcome>;
  /** Looks for new IMAP mail now; resolves to how many mails it took in (null without IMAP). */
  pollImap: (() => Promise<number>) | null;
  stop(): Promise<void>;
}

const address = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();

/** Whether the mail comes from its From address's domain, as far as its origin lets Herald tell. */
async function verdictFor(raw: Buffer, mail: InboundMail, origin: MailOrigin, opts: IntakeOptions): Promise<SenderVerdict> {
  if (origin.via === 'trusted') return { isAuthenticated: true, method: 'not_checked', explanation: 'handed in by Herald itself' };
  if (opts.verifiesSender === false) return { isAuthenticated: true, method: 'not_checked', explanation: 'sender authentication is turned off (HERALD_INTAKE_VERIFY_SENDER=false)' };
  let results;
  if (origin.via === 'smtp') {
    try {
      results = await checkSmtpSender(raw, origin.envelope, opts.dnsResolver);
    } catch (err) {
      return { isAuthenticated: false, explanation: `the sender could not be checked: ${(err as Error).message}` };
    }
  } else {
    if (!origin.trustedAuthservId) return { isAuthenticated: false, explanation: 'IMAP mail is not checked: no receiving server is trusted (HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID)' };
    results = trustedAuthenticationResults(raw, origin.trustedAuthservId);
    if (!results) return { isAuthenticated: false, explanation: `no Authentication-Results header from ${origin.trustedAuthservId}` };
  }
  // The address the intake acts on (the parser's first From) must be the one that was authenticated.
  return judgeSender({ ...results, fromAddresses: [...results.fromAddresses, ...(mail.from ? [mail.from.address] : [])] });
}

export async function startIntake(deps: { database: Database; queue: JobQueue; runsJobs: boolean; mailFrom: string; log: (line: string) => void; logError?: (line: string) => void }, opts: IntakeOptions = {}): Promise<Intake> {
  if (deps.runsJobs) await startIntakeWorkers(deps.database, deps.queue);
  const settings = { maxAttachmentBytes: opts.maxAttachmentBytes ?? 10 * 1024 * 1024, ownAddresses: [address(deps.mailFrom)] };
  const maxMailBytes = opts.maxMailBytes ?? 25 * 1024 * 1024;
  const takeInMail = async (raw: Buffer | string, origin: MailOrigin = { via: 'trusted' }) => {
    const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const mail = await readInboundMail(bytes);
    return takeInEmail(deps.database, mail, await verdictFor(bytes, mail, origin, opts), settings, new Date());
  };
  const onError = (err: Error) => (deps.logError ?? deps.log)(`mail intake: ${err.message}`);
  let smtp: SmtpIntake | null = null;
  if (opts.smtpPort !== undefined && opts.smtpPort !== null) {
    smtp = await startSmtpIntake({
      port: opts.smtpPort,
      host: opts.smtpHost ?? '0.0.0.0',
      maxBytes: maxMailBytes,
      ...(opts.maxHeldMailBytes && { maxHeldBytes: opts.maxHeldMailBytes }),
      onMail: async (raw, envelope) => void (await takeInMail(raw, { via: 'smtp', envelope })),
      onRefused: (r) =>
        deps.log(
          r.reason === 'too_large'
            ? `mail intake: refused a mail over ${maxMailBytes} bytes (${r.receivedBytes} bytes sent) from ${r.remoteAddress}, MAIL FROM <${r.mailFrom}>: 552`
            : `mail intake: deferred a mail from ${r.remoteAddress}, MAIL FROM <${r.mailFrom}>: the mails being received hold the most they may together: 452`,
        ),
      onError,
    });
    deps.log(`Mail intake: SMTP listening on port ${smtp.port}`);
  }
  let imap: ImapIntake | null = null;
  if (opts.imapUrl) {
    const origin: MailOrigin = { via: 'imap', trustedAuthservId: opts.imapTrustedAuthservId ?? null };
    if (opts.verifiesSender !== false && !origin.trustedAuthservId)
      deps.log('Mail intake: IMAP mail cannot be checked for forged senders without HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID: mail from client contacts will wait in triage');
    imap = startImapIntake({
      url: opts.imapUrl,
      intervalMs: opts.imapIntervalMs ?? 60_000,
      maxBytes: maxMailBytes,
      onMail: async (raw) => (await takeInMail(raw, origin)).outcome !== 'duplicate',
      onTooLarge: async (message) => {
        const isNew = await recordOversizedEmail(deps.database, message, new Date());
        if (isNew) deps.log(`mail intake: left a mail of ${message.sizeBytes ?? 'unknown size'} bytes (over ${maxMailBytes}) in ${message.mailbox}, UID ${message.uid}, flagged; it waits in triage`);
        return isNew;
      },
      onError,
    });
  }
  return {
    smtpPort: smtp?.port ?? null,
    smtpStats: () => smtp?.stats() ?? null,
    takeInMail,
    pollImap: imap ? () => imap.poll() : null,
    stop: async () => {
      await imap?.stop();
      await smtp?.close();
    },
  };
}
