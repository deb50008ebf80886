import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver, type HttpReceiverOptions } from '../../test/support/http-receiver.js';
import { buildIncidentMessage } from '../../test/support/incident-message.js';
import { parseRetryAfter } from './http-post.js';
import { buildWebhookPayload, generateWebhookSecret, sendWebhook, signWebhook, verifyWebhook } from './webhook.js';
import type { TargetRule } from './public-target.js';

// The receivers listen on 127.0.0.1: these tests run as an installation that allows private targets.
const LOOPBACK: TargetRule = { allowsPrivate: true };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function receiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const r = await startHttpReceiver(options);
  cleanups.push(() => r.close());
  return r;
}

/**
 * The Standard Webhooks verification written out from the spec, independently of webhook.ts:
 * HMAC-SHA256 keyed with the base64-decoded secret after "whsec_", over "id.timestamp.body",
 * compared against each space-separated "v1,<base64>" entry.
 */
function independentlyVerify(secret: string, headers: Record<string, string | string[] | undefined>, rawBody: string): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((entry) => entry === `v1,${expected}`);
}

const payload = buildWebhookPayload(buildIncidentMessage());

describe('webhook signing', () => {
  it('makes secrets of "whsec_" and 32 random bytes in base64', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('reproduces the published Standard Webhooks test vector', () => {
    expect(signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('verifies a good signature among several and refuses tampering, stale timestamps and missing headers', () => {
    const secret = generateWebhookSecret();
    const body = '{"a":1}';
    const now = 1_760_000_000;
    const signature = signWebhook(secret, 'dlv_1', now, body);
    const headers = { 'webhook-id': 'dlv_1', 'webhook-timestamp': String(now), 'webhook-signature': `v1,bm9wZQ== ${signature}` };
    expect(verifyWebhook(secret, headers, body, 300, now + 10)).toEqual({ isValid: true, id: 'dlv_1', timestampSeconds: now });
    expect(verifyWebhook(secret, new Headers(headers), body, 300, now)).toMatchObject({ isValid: true });
    expect(verifyWebhook(secret, headers, '{"a":2}', 300, now)).toEqual({ isValid: false, reason: 'invalid_signature' });
    expect(verifyWebhook(generateWebhookSecret(), headers, body, 300, now)).toEqual({ isValid: false, reason: 'invalid_signature' });
    expect(verifyWebhook(secret, headers, body, 300, now + 301)).toEqual({ isValid: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook(secret, headers, body, 300, now - 301)).toEqual({ isValid: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook(secret, { 'webhook-id': 'dlv_1' }, body, 300, now)).toEqual({ isValid: false, reason: 'missing_headers' });
  });

  it('refuses a secret that is not base64', () => {
    expect(() => signWebhook('whsec_not base64!', 'id', 1, '{}')).toThrow(/whsec_/);
  });
});

describe('webhook payload', () => {
  it('carries the documented shape, identical on every build', () => {
    const message = buildIncidentMessage();
    expect(buildWebhookPayload(message)).toEqual({
      type: 'incident.message',
      timestamp: '2026-03-01T14:00:00.000Z',
      data: {
        messageId: 'msg_01J9Z6Q6M4',
        kind: 'update',
        incident: {
          id: 'inc_7f3a',
          key: 'INC-42',
          title: 'Logins fail for some users',
          severity: 'SEV2',
          state: 'identified',
          url: 'https://status.example.com/acme/incidents/INC-42',
        },
        client: { id: 'cli_acme', name: 'ACME & Sons' },
        subject: '[Incident update] INC-42: Logins fail for some users',
        text: message.text,
        components: [
          { name: 'Login', status: 'major_outage' },
          { name: 'API', status: 'degraded_performance' },
        ],
        disclosures: {
          impactSummary: 'Logins fail for about half of the users.',
          dataLoss: { level: 'none', details: null },
          dataExposure: { level: 'none', details: null, isPersonalData: false },
          expectedResolutionAt: '2026-03-01T18:00:00.000Z',
          remediation: null,
        },
        nextUpdateAt: '2026-03-01T14:30:00.000Z',
      },
    });
    expect(JSON.stringify(buildWebhookPayload(message))).toBe(JSON.stringify(buildWebhookPayload(message)));
  });
});

describe('webhook delivery', () => {
  it('POSTs the JSON with a signature the Standard Webhooks algorithm verifies', async () => {
    const r = await receiver({ respond: 204 });
    const secret = generateWebhookSecret();
    const attempt = await sendWebhook({ url: `${r.url}/hooks/herald`, secret, deliveryId: 'dlv_0190f4c2', payload, timeoutMs: 2000, targets: LOOPBACK });

    expect(attempt).toEqual({ ok: true, providerRef: 'HTTP 204' });
    const [req] = r.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hooks/herald');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toMatch(/Herald/);
    expect(req!.headers['webhook-id']).toBe('dlv_0190f4c2');
    expect(Math.abs(Number(req!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(req!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(independentlyVerify(secret, req!.headers, req!.body)).toBe(true);
    expect(verifyWebhook(secret, req!.headers, req!.body)).toMatchObject({ isValid: true });
    expect(JSON.parse(req!.body)).toEqual(payload);
  });

  it('sends the same webhook-id and body on every attempt of a delivery', async () => {
    const r = await receiver();
    const secret = generateWebhookSecret();
    const send = { url: r.url, secret, deliveryId: 'dlv_same', payload, timeoutMs: 2000, targets: LOOPBACK };
    await sendWebhook({ ...send, timestampSeconds: 1_760_000_000 });
    await sendWebhook({ ...send, timestampSeconds: 1_760_000_060 });
    const [first, second] = r.requests;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['webhook-timestamp']).toBe('1760000060');
    expect(independentlyVerify(secret, first!.headers, first!.body)).toBe(true);
    expect(independentlyVerify(secret, second!.headers, second!.body)).toBe(true);
  });

  it('reports 410 Gone as permanent and gone, so the endpoint gets disabled', async () => {
    const r = await receiver({ respond: { status: 410, body: 'endpoint removed' } });
    const attempt = await sendWebhook({ url: r.url, secret: generateWebhookSecret(), deliveryId: 'd1', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toMatchObject({ ok: false, isPermanent: true, isGone: true });
    expect(!attempt.ok && attempt.error).toContain('HTTP 410: endpoint removed');
  });

  it('reports other 4xx answers as permanent, 408 as temporary', async () => {
    const r = await receiver({ respond: (req) => Number(req.path.slice(1)) });
    const secret = generateWebhookSecret();
    const at = (status: number) => sendWebhook({ url: `${r.url}/${status}`, secret, deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(await at(400)).toMatchObject({ ok: false, isPermanent: true });
    expect(await at(401)).toMatchObject({ ok: false, isPermanent: true });
    expect(await at(404)).toMatchObject({ ok: false, isPermanent: true });
    expect(await at(404)).not.toHaveProperty('isGone');
    expect(await at(408)).toMatchObject({ ok: false, isPermanent: false });
  });

  it('reports 500 as temporary with the Retry-After seconds', async () => {
    const r = await receiver({ respond: { status: 500, headers: { 'retry-after': '120' }, body: 'database down' } });
    const attempt = await sendWebhook({ url: r.url, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toEqual({ ok: false, isPermanent: false, retryAfterMs: 120_000, error: 'HTTP 500: database down' });
  });

  it('reports 429 as temporary with a Retry-After date turned into a delay', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    const r = await receiver({ respond: { status: 429, headers: { 'retry-after': at } } });
    const attempt = await sendWebhook({ url: r.url, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
    const retryAfterMs = attempt.ok ? 0 : attempt.retryAfterMs!;
    expect(retryAfterMs).toBeGreaterThan(85_000);
    expect(retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it('gives up on a receiver that never answers after the timeout, as temporary', async () => {
    const r = await receiver({ respond: { hang: true } });
    const started = Date.now();
    const attempt = await sendWebhook({ url: r.url, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 300, targets: LOOPBACK });
    expect(attempt).toEqual({ ok: false, isPermanent: false, error: 'No answer within 300 ms (timed out).' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.requests).toHaveLength(1);
  });

  it('waits for a slow receiver that answers within the timeout', async () => {
    const r = await receiver({ respond: { status: 200, delayMs: 150 } });
    const attempt = await sendWebhook({ url: r.url, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toEqual({ ok: true, providerRef: 'HTTP 200' });
  });

  it('reports an unreachable endpoint as temporary', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const attempt = await sendWebhook({ url: `http://127.0.0.1:${port}/x`, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
    expect(!attempt.ok && attempt.error).toContain('ECONNREFUSED');
  });

  it('does not follow a redirect: the signed body stays with the registered URL', async () => {
    const target = await receiver();
    const r = await receiver({ respond: { status: 308, headers: { location: `${target.url}/elsewhere` } } });
    const attempt = await sendWebhook({ url: r.url, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toMatchObject({ ok: false, isPermanent: true });
    expect(!attempt.ok && attempt.error).toContain('redirects are not followed');
    expect(target.requests).toHaveLength(0);
  });

  it('refuses a bad secret, URL or delivery id as permanent without sending', async () => {
    const r = await receiver();
    const ok = { url: r.url, secret: generateWebhookSecret(), deliveryId: 'd', payload, timeoutMs: 2000, targets: LOOPBACK };
    expect(await sendWebhook({ ...ok, secret: 'whsec_%%%' })).toMatchObject({ ok: false, isPermanent: true });
    expect(await sendWebhook({ ...ok, url: 'ftp://example.com/x' })).toMatchObject({ ok: false, isPermanent: true });
    expect(await sendWebhook({ ...ok, url: 'not a url' })).toMatchObject({ ok: false, isPermanent: true });
    expect(await sendWebhook({ ...ok, deliveryId: 'two\nlines' })).toMatchObject({ ok: false, isPermanent: true });
    expect(r.requests).toHaveLength(0);
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2026-03-01T14:00:00Z');
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 30 ', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 14:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 13:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
