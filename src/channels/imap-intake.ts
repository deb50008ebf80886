// Polls an IMAP mailbox (HERALD_INTAKE_IMAP_URL, e.g. imaps://user:pass@mail.example.com/INBOX) for
// unseen mail; each message is marked \Seen only after the intake has committed it, so a crash in
// between takes it in again (the intake skips a Message-ID it has already seen).
import { ImapFlow } from 'imapflow';

export interface ImapIntakeOptions {
  url: string;
  intervalMs: number;
  onMail(raw: Buffer): Promise<void>;
  onError?(err: Error): void;
}

export interface ImapIntake {
  /** Looks for new mail now (the timer does this every interval). */
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

export function startImapIntake(opts: ImapIntakeOptions): ImapIntake {
  const target = parseImapUrl(opts.url);
  let running: Promise<number> | null = null;
  const pollOnce = async (): Promise<number> => {
    const client = new ImapFlow({ host: target.host, port: target.port, secure: target.secure, auth: target.auth, logger: false });
    await client.connect();
    let taken = 0;
    try {
      const lock = await client.getMailboxLock(target.mailbox);
      try {
        const uids = (await client.search({ seen: false }, { uid: true })) || [];
        for (const uid of uids) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          await opts.onMail(message.source);
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          taken++;
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => {});
    }
    return taken;
  };
  const poll = () => (running ??= pollOnce().finally(() => (running = null)));
  const timer = setInterval(() => void poll().catch((err: Error) => opts.onError?.(err)), opts.intervalMs);
  timer.unref();
  return {
    poll,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
