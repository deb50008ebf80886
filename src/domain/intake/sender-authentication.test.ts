import { describe, expect, it } from 'vitest';
import { isAligned, judgeSender, type AuthenticationResults } from './sender-authentication.js';

const results = (r: Partial<AuthenticationResults>): AuthenticationResults => ({ fromAddresses: ['alice@acme.example'], dmarc: null, spf: null, dkim: [], ...r });

describe('sender authentication', () => {
  it.each([
    ['DMARC pass', { dmarc: { result: 'pass', policy: 'reject' } }, 'dmarc'],
    ['aligned DKIM pass without a DMARC record', { dmarc: { result: 'none', policy: null }, dkim: [{ result: 'pass', domain: 'acme.example' }] }, 'dkim'],
    ['DKIM pass by a subdomain without a DMARC record', { dmarc: { result: 'none', policy: null }, dkim: [{ result: 'pass', domain: 'mail.acme.example' }] }, 'dkim'],
    ['aligned SPF pass without a DMARC record', { dmarc: { result: 'none', policy: null }, spf: { result: 'pass', domain: 'bounces.acme.example' } }, 'spf'],
    ['aligned SPF pass when the receiving server reports no DMARC result', { spf: { result: 'pass', domain: 'acme.example' } }, 'spf'],
  ])('passes on %s', (_name, r, method) => {
    expect(judgeSender(results(r))).toMatchObject({ isAuthenticated: true, method });
  });

  it.each([
    ['DMARC fail, whatever else passed', { dmarc: { result: 'fail', policy: 'none' }, spf: { result: 'pass', domain: 'other.example' } }, /^DMARC fail for acme\.example \(p=none\): SPF pass for other\.example/],
    ['DMARC that could not be evaluated', { dmarc: { result: 'temperror', policy: null }, spf: { result: 'pass', domain: 'acme.example' } }, /could not be evaluated for acme\.example \(temperror\)/],
    ['SPF pass for an unaligned domain', { dmarc: { result: 'none', policy: null }, spf: { result: 'pass', domain: 'mallory.example' } }, /no SPF or DKIM pass aligned with acme\.example/],
    ['a look-alike domain', { dmarc: { result: 'none', policy: null }, spf: { result: 'pass', domain: 'evil-acme.example' } }, /no SPF or DKIM pass aligned/],
    ['DKIM pass for another domain', { dmarc: { result: 'none', policy: null }, dkim: [{ result: 'pass', domain: 'mailer.example' }] }, /DKIM pass for mailer\.example/],
    ['aligned DKIM that failed', { dkim: [{ result: 'fail', domain: 'acme.example' }] }, /DKIM fail for acme\.example/],
    ['SPF softfail', { spf: { result: 'softfail', domain: 'acme.example' } }, /SPF softfail for acme\.example; no DKIM signature/],
    ['several From addresses', { fromAddresses: ['alice@acme.example', 'bob@globex.example'], dmarc: { result: 'pass', policy: 'reject' } }, /several addresses/],
    ['no From address', { fromAddresses: [], dmarc: { result: 'pass', policy: 'reject' } }, /no From address/],
  ])('fails on %s', (_name, r, explanation) => {
    const verdict = judgeSender(results(r));
    expect(verdict.isAuthenticated).toBe(false);
    expect(verdict.explanation).toMatch(explanation);
  });

  it('counts the same address written twice (different case) as one', () => {
    expect(judgeSender(results({ fromAddresses: ['Alice@Acme.example', 'alice@acme.example'], dmarc: { result: 'pass', policy: 'reject' } })).isAuthenticated).toBe(true);
  });

  it('aligns a domain with itself, its parents and its subdomains, on label boundaries only', () => {
    expect(isAligned('acme.example', 'ACME.example.')).toBe(true);
    expect(isAligned('mail.acme.example', 'acme.example')).toBe(true);
    expect(isAligned('acme.example', 'support.acme.example')).toBe(true);
    expect(isAligned('notacme.example', 'acme.example')).toBe(false);
    expect(isAligned('bounces.acme.example', 'support.acme.example')).toBe(false);
    expect(isAligned(null, 'acme.example')).toBe(false);
  });
});
