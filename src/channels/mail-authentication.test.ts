import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults, trustedAuthenticationResults } from './mail-authentication.js';

const mail = (headers: string[]) => [...headers, 'From: Alice <alice@acme.example>', 'Subject: hi', '', 'body', ''].join('\r\n');

describe('Authentication-Results (RFC 8601)', () => {
  it('reads the authserv-id, each method, its result and properties, without comments', () => {
    expect(
      parseAuthenticationResults('mx.google.com;\r\n dkim=pass header.i=@acme.example header.s=s1 header.b=abc;\r\n spf=pass (google.com: domain of a@acme.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@acme.example;\r\n dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=acme.example'),
    ).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.i': '@acme.example', 'header.s': 's1', 'header.b': 'abc' } },
        { method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'a@acme.example' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'acme.example' } },
      ],
    });
  });

  it('takes a version after the authserv-id, quoted values and "none"', () => {
    expect(parseAuthenticationResults('"mx.example.net" 1; spf=fail smtp.mailfrom="odd;name@acme.example"')).toMatchObject({ authservId: 'mx.example.net', results: [{ method: 'spf', result: 'fail', properties: { 'smtp.mailfrom': 'odd;name@acme.example' } }] });
    expect(parseAuthenticationResults('mx.example.net; none')).toEqual({ authservId: 'mx.example.net', results: [] });
  });

  it("uses only the trusted server's topmost headers, down to the next Received header", () => {
    const raw = mail([
      'Authentication-Results: other.example; dmarc=pass header.from=acme.example',
      'Authentication-Results: mx.herald.test; dmarc=fail header.from=acme.example',
      'DKIM-Filter: OpenDKIM Filter',
      'Authentication-Results: MX.herald.test; spf=softfail smtp.mailfrom=acme.example',
      'Received: from x by mx.herald.test',
      'Authentication-Results: mx.herald.test; dmarc=pass header.from=acme.example; dkim=pass header.d=acme.example',
    ]);
    expect(trustedAuthenticationResults(raw, 'mx.herald.test')).toEqual({
      fromAddresses: ['alice@acme.example'],
      dmarc: { result: 'fail', policy: null },
      spf: { result: 'softfail', domain: 'acme.example' },
      dkim: [],
    });
  });

  it('gives null when the trusted server added no header, and ignores a DMARC result about another From domain', () => {
    expect(trustedAuthenticationResults(mail(['Authentication-Results: other.example; dmarc=pass header.from=acme.example']), 'mx.herald.test')).toBeNull();
    const results = trustedAuthenticationResults(mail(['Authentication-Results: mx.herald.test; dmarc=pass header.from=globex.example; dkim=pass header.d=acme.example']), 'mx.herald.test');
    expect(results).toMatchObject({ dmarc: null, dkim: [{ result: 'pass', domain: 'acme.example' }] });
  });
});
