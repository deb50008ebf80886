// A throwaway Dovecot IMAP server for one test file: its own config, passwd file, maildir, runtime
// and log directory in a temp dir, listening on 127.0.0.1 and a free port (plain IMAP, no TLS). It
// does not touch the system's Dovecot service or its configuration.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export const DOVECOT_BIN = '/usr/sbin/dovecot';
export const hasDovecot = existsSync(DOVECOT_BIN);

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** imap://user:password@127.0.0.1:port/INBOX */
  url(password?: string): string;
  /** Delivers a raw message into the INBOX, as a mail server would (IMAP APPEND). */
  deliver(raw: Buffer): Promise<void>;
  /** Every message in the INBOX with its flags and Message-ID. */
  inbox(): Promise<{ uid: number; flags: string[]; messageId: string | undefined }[]>;
  log(): string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** Dovecot never lets mail processes run as root: as root, mail is owned by `nobody`. */
function mailOwner(): { uid: number; gid: number; extra: string } {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) {
    const name = userInfo().username;
    return { uid, gid, extra: `default_login_user = ${name}\ndefault_internal_user = ${name}\n` };
  }
  const nobody = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((f) => f[0] === 'nobody');
  return { uid: Number(nobody?.[2] ?? 65534), gid: Number(nobody?.[3] ?? 65534), extra: '' };
}

export async function startDovecot(user = 'herald', password = 'intake password 1'): Promise<Dovecot> {
  const root = mkdtempSync(join(tmpdir(), 'herald-dovecot-'));
  chmodSync(root, 0o755);
  const port = await freePort();
  const owner = mailOwner();
  const mail = join(root, 'mail');
  mkdirSync(mail);
  if (process.getuid?.() === 0) chownSync(mail, owner.uid, owner.gid);
  writeFileSync(join(root, 'passwd'), `${user}:{PLAIN}${password}\n`);
  const conf = join(root, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${join(root, 'run')}
state_dir = ${join(root, 'state')}
log_path = ${join(root, 'dovecot.log')}
info_log_path = ${join(root, 'dovecot.log')}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = ${Math.min(owner.uid, 500)}
${owner.extra}mail_location = maildir:${mail}/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(root, 'passwd')}
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  let out = '';
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => `${out}${existsSync(join(root, 'dovecot.log')) ? readFileSync(join(root, 'dovecot.log'), 'utf8') : ''}`;
  const connect = async (pass = password) => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass }, logger: false });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const withInbox = async <T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        return await fn(client);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  };
  // Wait until it answers a login (it starts within a second; the loop ends if it exits instead).
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}:\n${log()}`);
    try {
      await (await connect()).logout();
      break;
    } catch (err) {
      if (attempt > 100) throw new Error(`dovecot did not accept a login: ${(err as Error).message}\n${log()}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    user,
    password,
    url: (pass = password) => `imap://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}/INBOX`,
    deliver: async (raw) => {
      const client = await connect();
      try {
        await client.append('INBOX', raw);
      } finally {
        await client.logout();
      }
    },
    inbox: () =>
      withInbox(async (client) => {
        const found: { uid: number; flags: string[]; messageId: string | undefined }[] = [];
        if (!client.mailbox || client.mailbox.exists === 0) return found;
        for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          found.push({ uid: m.uid, flags: [...(m.flags ?? [])], messageId: m.envelope?.messageId });
        }
        return found;
      }),
    log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
