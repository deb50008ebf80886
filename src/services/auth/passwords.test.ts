// Password hashing parameters: what a server stores, and which stored hashes are made again at login.
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, hashSecret, needsRehash, PASSWORD_HASH_PARAMS, setPasswordHashParamsForTests, verifySecret } from './passwords.js';

afterEach(() => setPasswordHashParamsForTests(null));

describe('password hashing', () => {
  it('stores new password hashes at one of OWASP’s scrypt rows (N=2^16, r=8, p=2: as strong as N=2^17, p=1, in half the memory) by default', async () => {
    expect(PASSWORD_HASH_PARAMS).toEqual({ N: 65536, r: 8, p: 2 });
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$65536\$8\$2\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifySecret('correct horse battery staple', stored)).toBe(true);
    expect(await verifySecret('correct horse battery stapler', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('asks for a rehash of a hash made with the earlier parameters (N=2^14)', async () => {
    const earlier = await hashSecret('correct horse battery staple');
    expect(earlier).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(needsRehash(earlier)).toBe(true);
    expect(await verifySecret('correct horse battery staple', earlier)).toBe(true);
  });

  it('runs one password hash at a time with at most 20 waiting, and refuses any more at once instead of holding 64 MiB for each', async () => {
    setPasswordHashParamsForTests({ N: 2 ** 15, r: 8, p: 1 });
    const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => hashPassword(`password ${i}`)));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(21);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual(Array(4).fill('rate_limited'));
    // Once the queue has drained, hashing goes on as before.
    expect(await hashPassword('after the burst')).toMatch(/^scrypt\$32768\$/);
  });

  it('refuses a stored hash that asks for an unbounded cost instead of computing it', async () => {
    expect(await verifySecret('x', `scrypt$${2 ** 24}$8$1$c2FsdA==$a2V5`)).toBe(false);
    // 1 GiB through the block size instead of N, and passes without end: refused the same way.
    expect(await verifySecret('x', `scrypt$${2 ** 18}$32$1$c2FsdA==$a2V5`)).toBe(false);
    expect(await verifySecret('x', `scrypt$${2 ** 14}$8$1000$c2FsdA==$a2V5`)).toBe(false);
    expect(await verifySecret('x', 'md5$abc')).toBe(false);
  });
});
