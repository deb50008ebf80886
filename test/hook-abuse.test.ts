// The monitoring hooks under abuse, over real sockets: a caller is known from its headers before any
// of its body is read, so an unknown token, an unknown signed integration or a disabled one is
// answered at once and its connection closed; a body is read only to its limit; the bodies in flight
// are bounded per integration and in all (429/503 with Retry-After); an address that keeps failing
// is refused before any look-up; and a client that sends its headers or body too slowly
// (slow-loris) is cut off. Each case names what it protects; none measures time.
import net from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerPayload, grafanaPayload } from './support/alert-payloads.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const MAX_BYTES = 64 * 1024;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 exchange on a raw socket, so a test controls exactly how much of a body is sent. */
function rawCall(port: number, localAddress: string) {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {}); // writes after the server closed: EPIPE/ECONNRESET are expected here
  let buffer = Buffer.alloc(0);
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buffer.toString('latin1', 0, end).split('\r\n');
      const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      if (buffer.length < end + 4 + length) return;
      resolve({ status: Number(lines[0]!.slice(9, 12)), headers, body: buffer.toString('utf8', end + 4, end + 4 + length) });
    });
    socket.on('close', () => reject(new Error(`closed without a complete answer: ${buffer.toString('latin1').slice(0, 200)}`)));
  });
  answer.catch(() => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    answer,
    closed,
    /** Request line and headers (and optionally the start of the body). */
    send: (text: string | Buffer) => socket.write(text),
  };
}

const head = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: herald.test\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

describe('monitoring hooks under abuse', () => {
  let t: TestApp;
  let port: number;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const valid = (fp = 'f000000000000001') => JSON.stringify(alertmanagerPayload({ groupLabels: { alertname: 'Up' }, alerts: [{ fingerprint: fp }] }));

  beforeAll(async () => {
    t = await createTestApp('pglite', {
      runsJobs: false,
      intake: { http: { hookMaxBytes: MAX_BYTES, hookLimits: { maxInFlight: 2, maxInFlightPerIntegration: 1, failuresPerMinute: 5 } } },
      serverTimeouts: { headersTimeoutMs: 300, requestTimeoutMs: 1000, idleTimeoutMs: 60_000 },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
    for (const [slug, body] of Object.entries({
      am1: { kind: 'alertmanager', name: 'AM 1', slug: 'am1' },
      am2: { kind: 'alertmanager', name: 'AM 2', slug: 'am2' },
      am3: { kind: 'alertmanager', name: 'AM 3', slug: 'am3' },
      off: { kind: 'alertmanager', name: 'Off', slug: 'off' },
      gen: { kind: 'generic', name: 'Generic', slug: 'gen', isSigned: true },
    })) {
      const res = await t.admin.post('/api/v1/integrations', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      tokens[slug] = res.body.token;
      ids[slug] = res.body.id;
    }
    expect((await t.admin.patch(`/api/v1/integrations/${ids.off}`, { isEnabled: false })).status).toBe(200);
  });
  afterAll(() => t?.close());

  it('answers an unknown token before reading the body, and closes the connection (no 32 MB is waited for)', async () => {
    const call = rawCall(port, '127.0.0.2');
    // 32 MB announced, 1 KB sent: the answer must come without the rest.
    call.send(head('/hooks/alertmanager', { authorization: 'Bearer hri_not-a-token', 'content-type': 'application/json', 'content-length': 32 * 1024 * 1024 }));
    call.send(Buffer.alloc(1024, 0x20));
    const answer = await call.answer;
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The server closes the connection itself (the rest of the body is never read).
    await call.closed;
  });

  it('answers a signed call for an unknown or disabled integration before reading the body', async () => {
    const unknown = rawCall(port, '127.0.0.3');
    unknown.send(head('/hooks/generic/nobody', { 'x-herald-signature': `sha256=${'0'.repeat(64)}`, 'x-herald-timestamp': Math.floor(Date.now() / 1000), 'content-length': 32 * 1024 * 1024 }));
    expect((await unknown.answer).status).toBe(401);
    await unknown.closed;
    const disabled = rawCall(port, '127.0.0.3');
    disabled.send(head('/hooks/alertmanager', { authorization: `Bearer ${tokens.off}`, 'content-length': 32 * 1024 * 1024 }));
    expect((await disabled.answer).status).toBe(403);
    await disabled.closed;
  });

  it('refuses a body announced over the limit at once, and stops reading a chunked body at the limit with 413', async () => {
    const announced = rawCall(port, '127.0.0.4');
    announced.send(head('/hooks/alertmanager', { authorization: `Bearer ${tokens.am1}`, 'content-length': MAX_BYTES + 1 }));
    const first = await announced.answer;
    expect(first.status).toBe(413);
    expect(JSON.parse(first.body).code).toBe('payload_too_large');
    await announced.closed;
    const chunked = rawCall(port, '127.0.0.4');
    chunked.send(head('/hooks/alertmanager', { authorization: `Bearer ${tokens.am1}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
    const piece = Buffer.alloc(16 * 1024, 0x20);
    for (let i = 0; i < 6; i++) chunked.send(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    const second = await chunked.answer;
    expect(second.status).toBe(413);
    await chunked.closed;
    const after = await t.app.inject({ method: 'POST', url: '/hooks/alertmanager', headers: { authorization: `Bearer ${tokens.am1}`, 'content-type': 'application/json' }, payload: valid() });
    expect(after.statusCode, after.body).toBe(202);
  });

  it('bounds the bodies in flight per integration (429) and in all (503), with Retry-After, and frees a slot when a call ends or is dropped', async () => {
    const body = valid('f000000000000002');
    const probe = (token: string, fp: string) =>
      t.app.inject({ method: 'POST', url: '/hooks/alertmanager', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: valid(fp) });
    /** A raw call that has sent its headers and part of its body, holding its slot (shown by a probe refused 429). */
    const holdSlot = async (token: string) => {
      for (;;) {
        const call = rawCall(port, '127.0.0.5');
        let isAnswered = false;
        void call.answer.then(() => (isAnswered = true), () => (isAnswered = true));
        call.send(head('/hooks/alertmanager', { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }));
        call.send(body.slice(0, 10));
        for (;;) {
          // Polls a state, not a time: the server reads its sockets between the probes.
          await new Promise((r) => setTimeout(r, 10));
          if (isAnswered) break; // a probe held the slot when this call came in: try again
          const res = await probe(token, 'f000000000000003');
          if (res.statusCode === 429) return { call, refusal: res };
          expect(res.statusCode, res.body).toBe(202);
        }
        call.socket.destroy();
      }
    };
    const holding = await holdSlot(tokens.am1!);
    expect(holding.refusal.headers['retry-after']).toBe('1');
    expect(JSON.parse(holding.refusal.body)).toMatchObject({ status: 429, code: 'rate_limited' });
    const other = await holdSlot(tokens.am2!);
    // Two bodies in flight: a third integration is refused too, for the server as a whole.
    const full = await probe(tokens.am3!, 'f000000000000004');
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('1');
    expect(JSON.parse(full.body)).toMatchObject({ status: 503, code: 'server_busy' });
    // The held call completes normally; the dropped one gives its slot back too.
    holding.call.send(body.slice(10));
    expect((await holding.call.answer).status).toBe(202);
    other.call.socket.destroy();
    await other.call.closed;
    for (;;) {
      const res = await probe(tokens.am3!, 'f000000000000004');
      if (res.statusCode === 202) break;
      expect(res.statusCode).toBe(503); // the dropped connection's close may not have been seen yet
      await new Promise((r) => setTimeout(r, 10));
    }
    holding.call.socket.destroy();
  });

  it('refuses an address at once after repeated failures (429, Retry-After), while other addresses are still heard', async () => {
    const bad = async (address: string) => {
      const call = rawCall(port, address);
      call.send(head('/hooks/alertmanager', { authorization: 'Bearer hri_wrong', 'content-length': 2 }));
      call.send('{}');
      return call.answer;
    };
    for (let i = 0; i < 5; i++) expect((await bad('127.0.0.6')).status).toBe(401);
    const throttled = await bad('127.0.0.6');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect((await bad('127.0.0.7')).status).toBe(401);
    const good = rawCall(port, '127.0.0.7');
    const body = valid('f000000000000005');
    good.send(head('/hooks/alertmanager', { authorization: `Bearer ${tokens.am2}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }));
    good.send(body);
    expect((await good.answer).status).toBe(202);
    good.socket.destroy();
  });

  it('cuts off a client that never finishes its headers (slow-loris)', async () => {
    const call = rawCall(port, '127.0.0.8');
    call.send('POST /hooks/alertmanager HTTP/1.1\r\nHost: herald.test\r\nX-Slow: 1\r\n');
    await call.closed;
  });

  it('cuts off a client that never finishes its body', async () => {
    const call = rawCall(port, '127.0.0.9');
    call.send(head('/hooks/alertmanager', { authorization: `Bearer ${tokens.am3}`, 'content-type': 'application/json', 'content-length': 1000 }));
    call.send('{"version":');
    await call.closed;
  });

  it('refuses a Grafana signature without a timestamp unless the integration accepts it', async () => {
    const created = await t.admin.post('/api/v1/integrations', { kind: 'grafana', name: 'Grafana signed', slug: 'gf-signed', isSigned: true });
    expect(created.status).toBe(201);
    expect(created.body.acceptsUntimedSignatures).toBe(false);
    const secret: string = created.body.hmacSecret;
    const body = JSON.stringify(grafanaPayload({ alerts: [{ fingerprint: 'bc97ff14869b13e3', labels: { alertname: 'T1' } }] }));
    const untimed = () =>
      t.app.inject({
        method: 'POST',
        url: '/hooks/grafana/gf-signed',
        headers: { 'content-type': 'application/json', 'x-grafana-alerting-signature': createHmac('sha256', secret).update(body).digest('hex') },
        payload: body,
        remoteAddress: '127.0.0.11',
      });
    const refused = await untimed();
    expect(refused.statusCode, refused.body).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    const timed = await t.app.inject({
      method: 'POST',
      url: '/hooks/grafana/gf-signed',
      headers: { 'content-type': 'application/json', 'x-grafana-alerting-signature': createHmac('sha256', secret).update(`${now}:${body}`).digest('hex'), 'x-grafana-alerting-signature-timestamp': String(now) },
      payload: body,
      remoteAddress: '127.0.0.11',
    });
    expect(timed.statusCode, timed.body).toBe(202);
    const allowed = await t.admin.patch(`/api/v1/integrations/${created.body.id}`, { acceptsUntimedSignatures: true });
    expect(allowed.body.acceptsUntimedSignatures).toBe(true);
    expect((await untimed()).statusCode).toBe(202);
  });
});
