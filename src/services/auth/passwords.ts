// scrypt hashing: passwords at OWASP's current parameters, and the secret half of session, API and
// setup tokens (random, 256 bits: nothing to guess, so a cheaper cost is enough for them).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../app-error.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const scrypt = (secret: string, salt: Buffer, keylen: number, params: ScryptParams) =>
  new Promise<Buffer>((resolve, reject) =>
    // scrypt needs 128·N·r bytes; Node refuses above `maxmem` (32 MiB by default), so it is set from the cost.
    scryptCb(secret, salt, keylen, { ...params, maxmem: 128 * params.N * params.r + 16 * 1024 * 1024 } satisfies ScryptOptions, (err, key) => (err ? reject(err) : resolve(key))),
  );

/**
 * OWASP Password Storage Cheat Sheet: scrypt at N=2^17 (128 MiB), r=8, p=1, or one of the rows it lists
 * as equivalent in the defence they give, trading memory for passes: N=2^16 (64 MiB), r=8, p=2 is the one
 * taken here. The CPU cost is the same (p passes of N=2^16), but one process also opens PGlite, serves
 * the status pages and fans messages out within 400 MB, and the 128 MiB row pushed the first start (the
 * admin's password hashed while PGlite opens its data directory) past that (`npm run bench:fanout`,
 * peak RSS 403–427 MB, against 366 MB at N=2^14; see docs/security.md).
 */
export const PASSWORD_HASH_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 16, r: 8, p: 2 });
/** Token secrets are 32 random bytes; their hash only has to be one-way. Kept at the parameters tokens always had. */
const TOKEN_HASH_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 14, r: 8, p: 1 });
const KEY_LENGTH = 32;
/** The most memory a stored hash may ask for (128·N·r bytes), and its most passes: a hash is data, and a forged one must not make a login use gigabytes. */
const MAX_HASH_MEMORY = 128 * 1024 * 1024;
const MAX_PASSES = 16;

let passwordParams: ScryptParams = PASSWORD_HASH_PARAMS;

/**
 * One password hash runs at a time (64 MiB and up to a second of CPU at the password parameters);
 * at most MAX_WAITING_COSTLY_HASHES more wait their turn, and any further one is refused at once
 * (`rate_limited`, try again in a second). A burst of logins from many addresses thus holds at most
 * 64 MiB and a bounded queue, instead of N × 64 MiB.
 */
const MAX_CONCURRENT_COSTLY_HASHES = 1;
const MAX_WAITING_COSTLY_HASHES = 20;
let costlyRunning = 0;
const costlyWaiting: (() => void)[] = [];

async function bounded<T>(params: ScryptParams, fn: () => Promise<T>): Promise<T> {
  if (params.N <= TOKEN_HASH_PARAMS.N) return fn();
  if (costlyRunning >= MAX_CONCURRENT_COSTLY_HASHES) {
    if (costlyWaiting.length >= MAX_WAITING_COSTLY_HASHES) throw new AppError('rate_limited', 'Too many logins at once; try again in a second.', { retryAfterS: 1 });
    await new Promise<void>((resolve) => costlyWaiting.push(resolve));
  } else {
    costlyRunning++;
  }
  try {
    return await fn();
  } finally {
    // The slot passes straight to the next in line, or is given back.
    const next = costlyWaiting.shift();
    if (next) next();
    else costlyRunning--;
  }
}

/**
 * Tests only: a lower password-hashing cost, so that a test can make hundreds of login attempts. Nothing
 * in src/ calls it; a server always hashes at PASSWORD_HASH_PARAMS.
 */
export function setPasswordHashParamsForTests(params: ScryptParams | null): void {
  passwordParams = params ?? PASSWORD_HASH_PARAMS;
  decoy = null;
}

async function hashWith(secret: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await bounded(params, () => scrypt(secret, salt, KEY_LENGTH, params));
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every(Number.isSafeInteger) || params.N < 2 || params.r < 1 || params.p < 1 || 128 * params.N * params.r > MAX_HASH_MEMORY || params.p > MAX_PASSES) return null;
  return { params, salt: Buffer.from(saltB64, 'base64'), key: Buffer.from(keyB64, 'base64') };
}

/** A user's password, hashed at the current password parameters. */
export const hashPassword = (password: string): Promise<string> => hashWith(password, passwordParams);

/** The secret half of a session, API or setup token. */
export const hashSecret = (secret: string): Promise<string> => hashWith(secret, TOKEN_HASH_PARAMS);

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await bounded(parsed.params, () => scrypt(secret, parsed.salt, parsed.key.length, parsed.params));
  return timingSafeEqual(key, parsed.key);
}

/** Whether a stored password hash was made with other parameters than today's (it is then made again at the next login). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.N !== passwordParams.N || parsed.params.r !== passwordParams.r || parsed.params.p !== passwordParams.p;
}

/** A hash of a random secret nobody knows: compared against when the e-mail is unknown, so timing tells nothing. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

export const randomToken = (bytes = 24) => randomBytes(bytes).toString('base64url');
