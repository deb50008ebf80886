import { afterEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver, type HttpReceiverOptions } from '../../test/support/http-receiver.js';
import { buildIncidentMessage } from '../../test/support/incident-message.js';
import { buildSlackMessage, sendSlack } from './slack.js';
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

/** Slack webhook URLs are credentials; an error must not repeat them. */
const SECRET_PATH = '/services/T000/B000/XXXXsecretXXXX';

describe('Slack', () => {
  it('builds a header, the escaped message, the components and a context line', () => {
    const message = buildIncidentMessage({ text: 'Errors <5% & falling > expected' });
    expect(buildSlackMessage(message)).toEqual({
      text: '[Incident update] INC-42: Logins fail for some users (INC-42, SEV2)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[Incident update] INC-42: Logins fail for some users' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Errors &lt;5% &amp; falling &gt; expected' } },
        { type: 'section', text: { type: 'mrkdwn', text: '*Affected components*\n• Login: down\n• API: degraded (slower than usual)' } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text:
                '<https://status.example.com/acme/incidents/INC-42|INC-42> · SEV2 · Identified · ACME &amp; Sons · Incident update · ' +
                'Next update by <!date^1772375400^{date_short_pretty} at {time}|2026-03-01 14:30 UTC>',
            },
          ],
        },
      ],
    });
  });

  it('leaves out the components and the next update when there are none, and cuts long text to Slack limits', () => {
    const built = buildSlackMessage(buildIncidentMessage({ kind: 'resolution', components: [], nextUpdateAt: null, text: 'x'.repeat(5000), subject: 's'.repeat(200) }));
    expect(built.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    const [header, section, context] = built.blocks as any[];
    expect(header.text.text).toHaveLength(150);
    expect(section.text.text).toHaveLength(3000);
    expect(context.elements[0].text).not.toContain('Next update');
  });

  it('posts the message as JSON and reads 200 as delivered', async () => {
    const r = await receiver({ respond: { status: 200, body: 'ok' } });
    const message = buildSlackMessage(buildIncidentMessage());
    const attempt = await sendSlack({ url: `${r.url}${SECRET_PATH}`, message, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toEqual({ ok: true, providerRef: 'HTTP 200' });
    const [req] = r.requests;
    expect(req!.path).toBe(SECRET_PATH);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual(message);
  });

  it("keeps Slack's error word, never the URL: 404 no_service permanent, 410 channel_is_archived gone", async () => {
    const r = await receiver({ respond: (req) => (req.path.endsWith('archived') ? { status: 410, body: 'channel_is_archived' } : { status: 404, body: 'no_service' }) });
    const message = buildSlackMessage(buildIncidentMessage());
    const missing = await sendSlack({ url: `${r.url}${SECRET_PATH}`, message, timeoutMs: 2000, targets: LOOPBACK });
    expect(missing).toEqual({ ok: false, isPermanent: true, error: 'HTTP 404: no_service' });
    const archived = await sendSlack({ url: `${r.url}${SECRET_PATH}/archived`, message, timeoutMs: 2000, targets: LOOPBACK });
    expect(archived).toMatchObject({ ok: false, isPermanent: true, isGone: true });
    expect(JSON.stringify([missing, archived])).not.toContain('secret');
  });

  it('reads a rate limit as temporary with its Retry-After', async () => {
    const r = await receiver({ respond: { status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' } });
    const attempt = await sendSlack({ url: r.url, message: buildSlackMessage(buildIncidentMessage()), timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toEqual({ ok: false, isPermanent: false, retryAfterMs: 30_000, error: 'HTTP 429: rate_limited' });
  });
});
