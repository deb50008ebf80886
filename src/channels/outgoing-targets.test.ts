// SSRF: every outgoing POST (subscriber webhooks, client webhooks, Slack, Teams) connects only to an
// address that passed the private-address rule, the very address the check resolved. The DNS
// server is the one thing outside this machine, so a test stands in for it with a resolver; the
// receivers are real HTTP servers on 127.0.0.1 that must get nothing when the rule refuses.
import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../test/support/http-receiver.js';
import { buildIncidentMessage } from '../../test/support/incident-message.js';
import { publicTargetRefusal, type HostResolver, type TargetRule } from './public-target.js';
import { buildSlackMessage, sendSlack } from './slack.js';
import { buildTeamsMessage, sendTeams } from './teams.js';
import { generateWebhookSecret, sendWebhook } from './webhook.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function receiver(): Promise<HttpReceiver> {
  const r = await startHttpReceiver();
  cleanups.push(() => r.close());
  return r;
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

/** A DNS server that gives each answer in turn (the last one from then on), and counts the questions. */
function scriptedResolver(...answers: LookupAddress[][]): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    return answers[Math.min(asked.length, answers.length) - 1]!;
  };
  return Object.assign(resolve, { asked });
}

const STRICT: TargetRule = { allowsPrivate: false };
const webhook = (url: string, targets: TargetRule) => sendWebhook({ url, secret: generateWebhookSecret(), deliveryId: 'dlv_ssrf', payload: { type: 'test' }, timeoutMs: 2000, targets });

describe('outgoing requests connect only to the address that was checked', () => {
  it('DNS rebinding: a name that answers a public address to the check and 127.0.0.1 to the connection gets no connection', async () => {
    const r = await receiver();
    const resolve = scriptedResolver([v4('93.184.216.34')], [v4('127.0.0.1')]);
    const url = `http://rebind.herald.test:${r.port}/hook`;
    // The check at sign-up (and, before this fix, before every delivery) sees the public answer...
    expect(await publicTargetRefusal(url, false, resolve)).toBeNull();
    // ...and the connection, which resolves again, is refused by its own lookup.
    const attempt = await webhook(url, { allowsPrivate: false, resolve });
    expect(attempt).toMatchObject({ ok: false, isPermanent: true });
    expect(!attempt.ok && attempt.error).toMatch(/non-public address/);
    expect(!attempt.ok && attempt.error).not.toContain('rebind.herald.test');
    expect(resolve.asked).toEqual(['rebind.herald.test', 'rebind.herald.test']);
    expect(r.requests).toHaveLength(0);
  });

  it('connects to the address its own lookup checked (the name is never resolved a second time elsewhere)', async () => {
    const r = await receiver();
    const resolve = scriptedResolver([v4('127.0.0.1')]);
    const attempt = await webhook(`http://receiver.herald.test:${r.port}/hook`, { allowsPrivate: true, resolve });
    expect(attempt).toEqual({ ok: true, providerRef: 'HTTP 200' });
    expect(resolve.asked).toEqual(['receiver.herald.test']);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.headers.host).toBe(`receiver.herald.test:${r.port}`);
  });

  it('refuses a name with any non-public address among its answers (IPv4, IPv6, metadata, shared space)', async () => {
    const r = await receiver();
    for (const answer of [
      [v4('93.184.216.34'), v4('127.0.0.1')],
      [v6('::1')],
      [v6('::ffff:127.0.0.1')],
      [v6('fd12:3456::1')],
      [v6('fe80::1')],
      [v4('169.254.169.254')],
      [v4('100.64.0.7')],
      [v4('0.0.0.0')],
      [v4('10.0.0.5')],
    ]) {
      const attempt = await webhook(`http://hostile.herald.test:${r.port}/hook`, { allowsPrivate: false, resolve: scriptedResolver(answer) });
      expect(attempt, JSON.stringify(answer)).toMatchObject({ ok: false, isPermanent: true });
      expect(!attempt.ok && attempt.error, JSON.stringify(answer)).toMatch(/non-public address/);
    }
    expect(r.requests).toHaveLength(0);
  });

  it('refuses loopback written as decimal, octal, hex, short, IPv4-mapped IPv6 and 0.0.0.0 in the URL itself', async () => {
    const r = await receiver();
    const resolve = scriptedResolver([v4('93.184.216.34')]);
    for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '[::7f00:1]', '0.0.0.0']) {
      const attempt = await webhook(`http://${host}:${r.port}/hook`, { allowsPrivate: false, resolve });
      expect(attempt, host).toMatchObject({ ok: false, isPermanent: true });
      expect(!attempt.ok && attempt.error, host).toMatch(/non-public address/);
    }
    for (const host of ['169.254.169.254', '100.64.0.1', '[fc00::1]', '[fe80::1]', '[fd00::1]']) {
      const attempt = await webhook(`http://${host}/latest/meta-data`, STRICT);
      expect(attempt, host).toMatchObject({ ok: false, isPermanent: true });
      expect(!attempt.ok && attempt.error, host).toMatch(/non-public address/);
    }
    expect(resolve.asked).toEqual([]);
    expect(r.requests).toHaveLength(0);
  });

  it('holds client endpoints set by staff (webhook, Slack, Teams) to the same rule, lifted by the same setting', async () => {
    const r = await receiver();
    const message = buildIncidentMessage();
    const slackUrl = `${r.url}/services/T000/B000/secret`;
    const teamsUrl = `${r.url}/workflows/abc?sig=secret`;
    const refusedSlack = await sendSlack({ url: slackUrl, message: buildSlackMessage(message), timeoutMs: 2000, targets: STRICT });
    const refusedTeams = await sendTeams({ url: teamsUrl, message: buildTeamsMessage(message), timeoutMs: 2000, targets: STRICT });
    const refusedHook = await webhook(`${r.url}/hook`, STRICT);
    for (const attempt of [refusedSlack, refusedTeams, refusedHook]) {
      expect(attempt).toMatchObject({ ok: false, isPermanent: true });
      expect(!attempt.ok && attempt.error).not.toContain('secret');
    }
    expect(r.requests).toHaveLength(0);
    const allowed: TargetRule = { allowsPrivate: true };
    expect(await sendSlack({ url: slackUrl, message: buildSlackMessage(message), timeoutMs: 2000, targets: allowed })).toMatchObject({ ok: true });
    expect(await sendTeams({ url: teamsUrl, message: buildTeamsMessage(message), timeoutMs: 2000, targets: allowed })).toMatchObject({ ok: true });
    expect(r.requests).toHaveLength(2);
  });

  it('refuses IPv4-compatible and IPv4-mapped loopback at sign-up too', async () => {
    for (const url of ['http://[::ffff:127.0.0.1]/hook', 'http://[::7f00:1]/hook', 'http://[::ffff:a9fe:a9fe]/hook', 'http://2130706433/hook', 'http://0x7f000001/hook']) {
      expect(await publicTargetRefusal(url, false), url).toMatch(/public/);
    }
  });
});
