// A PostgreSQL server of a test's own: initdb and pg_ctl from /usr/lib/postgresql/*/bin into a
// temporary directory, on a free port, with trust authentication. For tests that stop and start the
// database: the shared server on 127.0.0.1:5432 serves other tests at the same time and is never
// restarted. PostgreSQL refuses to run as root, so as root its programs run as the `postgres` user.
// No vitest imports.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin directory with initdb and pg_ctl, or null when there is none. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no free port');
  return address.port;
}

export interface PgInstance {
  port: number;
  /** postgres://postgres@127.0.0.1:port/<database> (the superuser, trusted). */
  url(database?: string, user?: string): string;
  /** `pg_ctl stop -m fast`: connections are cut at once, as in a restart. */
  stop(): Promise<void>;
  /** Starts it again (on the same port) and waits until it takes connections. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPgInstance(): Promise<PgInstance> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server programs (initdb, pg_ctl) are not installed under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'herald-pg-'));
  const isRoot = process.getuid?.() === 0;
  const as = async (program: string, args: string[]) => {
    const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
    await run(file, argv, { cwd: dir });
  };
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  await as('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () => as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = () => as('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  await start();
  let isRunning = true;
  return {
    port,
    url: (database = 'postgres', user = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await stop();
      isRunning = false;
    },
    start: async () => {
      await start();
      isRunning = true;
    },
    destroy: async () => {
      if (isRunning) await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
