import { describe, expect, it } from 'vitest';
import { isNonPublicAddress, publicTargetRefusal } from './public-target.js';

describe('webhook targets a stranger may choose', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.20.0.5', true], ['192.168.1.1', true], ['169.254.169.254', true],
    ['100.64.0.1', true], ['0.0.0.0', true], ['224.0.0.1', true], ['::1', true], ['::', true], ['fd00::1', true],
    ['fe80::1', true], ['::ffff:127.0.0.1', true], ['::ffff:10.0.0.1', true], ['::ffff:7f00:1', true], ['::7f00:1', true], ['fc00::1', true],
    ['93.184.216.34', false], ['8.8.8.8', false], ['172.32.0.1', false], ['2606:4700::1111', false], ['::ffff:8.8.8.8', false],
  ])('%s is non-public: %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });

  it('refuses loopback, private and metadata addresses, by literal or by name, unless allowed', async () => {
    expect(await publicTargetRefusal('http://127.0.0.1:8080/hook', false)).toMatch(/public/);
    expect(await publicTargetRefusal('http://[::1]/hook', false)).toMatch(/public/);
    expect(await publicTargetRefusal('http://169.254.169.254/latest/meta-data', false)).toMatch(/public/);
    expect(await publicTargetRefusal('http://localhost:3000/hook', false)).toMatch(/public/);
    expect(await publicTargetRefusal('https://93.184.216.34/hook', false)).toBeNull();
    expect(await publicTargetRefusal('http://127.0.0.1:8080/hook', true)).toBeNull();
  });

  it('refuses other schemes and credentials in the URL even when private targets are allowed', async () => {
    expect(await publicTargetRefusal('file:///etc/passwd', true)).toMatch(/http/);
    expect(await publicTargetRefusal('https://user:pw@example.com/hook', true)).toMatch(/user name/);
    expect(await publicTargetRefusal('not a url', true)).toMatch(/valid URL/);
  });
});
