// Runs the real `herald serve` (dist/cli/main.js under the project's Node 24) as a child process:
// used by the durability test and by bench/api.ts. No vitest imports here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_BIN = `${REPO_ROOT}node_modules/.bin/node`;
export const CLI = `${REPO_ROOT}dist/cli/main.js`;
/** The Node.js flags `npm start` runs Herald with, read from package.json's start script (see docs/operations.md "Memory"). */
export const HERALD_NODE_FLAGS = (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HeraldProcess {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  exited: Promise<Exit>;
  /** Sends the signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export interface RunningHerald extends HeraldProcess {
  url: string;
  port: number;
}

export interface ServeOptions {
  /** PGlite data directory (exclusive with databaseUrl). */
  dataDir?: string;
  databaseUrl?: string;
  adminEmail?: string;
  adminPassword?: string;
  /** Any further variables (DATABASE_POOL_MAX, LOG_LEVEL, …). */
  extra?: Record<string, string>;
}

/** A clean environment for the child: nothing Herald reads leaks in from ours. */
export function serveEnv(opts: ServeOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('HERALD_') || ['DATABASE_URL', 'DATABASE_POOL_MAX', 'PORT', 'HOST', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(k)) continue;
    env[k] = v;
  }
  Object.assign(env, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  if (opts.dataDir) env.HERALD_DATA_DIR = opts.dataDir;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  if (opts.adminEmail) env.HERALD_ADMIN_EMAIL = opts.adminEmail;
  if (opts.adminPassword) env.HERALD_ADMIN_PASSWORD = opts.adminPassword;
  Object.assign(env, opts.extra ?? {});
  return env;
}

/** Throws unless dist/ is built: `vitest run` alone does not build (`npm test` does). */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` does).`);
}

/** Spawns `node dist/cli/main.js <args>` and collects its output; does not wait for anything. */
export function spawnHerald(args: string[], env: NodeJS.ProcessEnv): HeraldProcess {
  // Said here rather than as a missing module in the child's output.
  assertBuilt();
  const child = spawn(NODE_BIN, [...HERALD_NODE_FLAGS, CLI, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  return {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `serve`, waits for the listening line and for /healthz to answer 200. */
export async function startHerald(opts: ServeOptions, timeoutMs = 60_000): Promise<RunningHerald> {
  const proc = spawnHerald(['serve'], serveEnv(opts));
  const deadline = Date.now() + timeoutMs;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`herald did not start within ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
      const check = () => {
        const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.output());
        if (m) {
          clearTimeout(timer);
          proc.child.stdout!.off('data', check);
          resolve(Number(m[1]));
        }
      };
      proc.child.stdout!.on('data', check);
      proc.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`herald exited (code ${e.code}, signal ${e.signal}) before listening:\n${proc.output()}`));
      });
      check();
    });
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`herald /healthz did not answer within ${timeoutMs} ms:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { ...proc, url, port };
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
}

/** The API of a running server over real HTTP, with an API token (the body parsed when it is JSON). */
export interface HttpApi {
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
}

export function httpApi(url: string, token: string): HttpApi {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };
  return { post: (p, b) => call('POST', p, b), get: (p) => call('GET', p) };
}

/** Logs in with e-mail and password and creates an API token through the session (cookie + CSRF header). */
export async function createTokenOverHttp(url: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('herald_session='));
  if (!cookie) throw new Error('login set no session cookie');
  const res = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'harness' }),
  });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
