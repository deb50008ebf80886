// Polls an IMAP mailbox (HERALD_INTAKE_IMAP_URL, e.g. imaps://user:pass@mail.example.com/INBOX) for
// unseen mail: once when started, then every interval. Each message is marked \Seen only after the
// intake has committed it, so a crash in between takes it in again; the intake itself takes each
// Message-ID once (in the same transaction as the incident), so a second poller on the same mailbox
// and database (another Herald process) that fetches the same message finds it taken and only marks
// it \Seen. A message the intake fails on stays unseen and is reported; the others are still taken.
// A message larger than the intake's limit is not downloaded: its size (RFC822.SIZE) and envelope are
// read first, it is handed to onTooLarge (the intake records it in triage), and it is marked \Seen
// and \Flagged, so it stays in the mailbox, visible to whoever reads it there.
import { ImapFlow } from 'imapflow';

/** What is known of a message left in the mailbox for its size, without downloading it. */
export interface OversizedMessage {
  mailbox: string;
  uid: number;
  uidValidity: string;
  /** RFC822.SIZE; null if the server did not say (such a message is not downloaded either). */
  sizeBytes: number | null;
  maxBytes: number;
  messageId: string | null;
  subject: string;
  from: string | null;
}

export interface ImapIntakeOptions {
  url: string;
  intervalMs: number;
  /** Larger messages (by RFC822.SIZE) are not downloaded but handed to onTooLarge. */
  maxBytes: number;
  /** Takes in one message; false: it had been taken in already (by Message-ID). */
  onMail(raw: Buffer): Promise<boolean | void>;
  /** Records a message too large to take in; false: recorded already. */
  onTooLarge(message: OversizedMessage): Promise<boolean | void>;
  onError?(err: Error): void;
}

export interface ImapIntake {
  /** Looks for new mail now (the timer does this every interval); mail present when called is looked at.
   * Resolves to the number of messages this poll took in (not those found taken already). */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

export function parseImapUrl(url: string) {
  const u = new URL(url);
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error('must start with imap:// or imaps://');
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    mailbox: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX',
  };
}

type ImapError = Error & { authenticationFailed?: boolean; responseText?: string; code?: string };

/** An error that names the server, the user and what went wrong, never the password. */
function describe(err: unknown, where: string): Error {
  const e = (err instanceof Error ? err : new Error(String(err))) as ImapError;
  if (e.authenticationFailed) return new Error(`IMAP login ${where} failed: the server refused the user name or password (${e.responseText || 'authentication failed'})`);
  const detail = [e.responseText, e.code].filter(Boolean).join(', ');
  return new Error(`IMAP ${where}: ${e.message}${detail && !e.message.includes(detail) ? ` (${detail})` : ''}`);
}

export function startImapIntake(opts: ImapIntakeOptions): ImapIntake {
  const target = parseImapUrl(opts.url);
  const where = `to ${target.host}:${target.port} as ${target.auth.user}`;
  const report = (err: Error) => opts.onError?.(err);
  const pollOnce = async (): Promise<number> => {
    const client = new ImapFlow({ host: target.host, port: target.port, secure: target.secure, auth: target.auth, logger: false });
    // A dropped connection is reported as an 'error' event; without a listener it would end the process.
    client.on('error', (err: Error) => report(describe(err, where)));
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw describe(err, where);
    }
    let taken = 0;
    try {
      const lock = await client.getMailboxLock(target.mailbox).catch((err: unknown) => {
        throw describe(err, `mailbox ${target.mailbox} ${where}`);
      });
      try {
        const uids = (await client.search({ seen: false }, { uid: true })) || [];
        // Sizes and envelopes first (one command for all): nothing is downloaded before its size is known.
        const found = uids.length ? await client.fetchAll(uids, { uid: true, size: true, envelope: true }, { uid: true }) : [];
        const uidValidity = String(client.mailbox ? client.mailbox.uidValidity : '');
        for (const { uid, size, envelope } of found) {
          if (size === undefined || size > opts.maxBytes) {
            const from = envelope?.from?.[0]?.address ?? null;
            const oversized: OversizedMessage = { mailbox: target.mailbox, uid, uidValidity, sizeBytes: size ?? null, maxBytes: opts.maxBytes, messageId: envelope?.messageId ?? null, subject: envelope?.subject ?? '', from };
            try {
              await opts.onTooLarge(oversized);
            } catch (err) {
              report(describe(err, `message UID ${uid} in ${target.mailbox} (too large; left unseen)`));
              continue;
            }
            await client.messageFlagsAdd(String(uid), ['\\Seen', '\\Flagged'], { uid: true });
            continue;
          }
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          let isNew: boolean | void;
          try {
            isNew = await opts.onMail(message.source);
          } catch (err) {
            report(describe(err, `message UID ${uid} in ${target.mailbox} (left unseen)`));
            continue;
          }
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          if (isNew !== false) taken++;
        }
      } finally {
        lock.release();
      }
    } finally {
      // A connection that cannot log out (it broke) is closed instead: nothing is left to report.
      await client.logout().catch(() => client.close());
    }
    return taken;
  };
  let current: Promise<number> | null = null;
  let next: Promise<number> | null = null;
  let stopped = false;
  const poll = (): Promise<number> => {
    if (!current) {
      current = pollOnce().finally(() => (current = null));
      return current;
    }
    // A poll is under way and may have searched already: look again once it is done.
    // The running poll's failure goes to its own caller (or to onError, from the timer): not again here.
    next ??= current
      .catch(() => 0)
      .then(() => {
        next = null;
        return poll();
      });
    return next;
  };
  const tick = () => {
    if (!stopped) void poll().catch(report);
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  tick();
  return {
    poll,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      // Only waiting for polls under way to end: their failures were reported where they were started.
      await next?.catch(() => {});
      await current?.catch(() => {});
    },
  };
}
