import { afterEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver, type HttpReceiverOptions } from '../../test/support/http-receiver.js';
import { buildIncidentMessage } from '../../test/support/incident-message.js';
import { buildTeamsMessage, sendTeams } from './teams.js';
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

describe('Teams', () => {
  it('builds an Adaptive Card in a message envelope', () => {
    const built = buildTeamsMessage(buildIncidentMessage());
    expect(built.type).toBe('message');
    expect(built.attachments).toHaveLength(1);
    const [attachment] = built.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.contentUrl).toBeNull();
    expect(attachment.content).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      actions: [{ type: 'Action.OpenUrl', title: 'Follow INC-42', url: 'https://status.example.com/acme/incidents/INC-42' }],
    });
    expect(attachment.content.body).toEqual([
      { type: 'TextBlock', text: '[Incident update] INC-42: Logins fail for some users', size: 'Large', weight: 'Bolder', style: 'heading', wrap: true },
      { type: 'TextBlock', text: 'INC-42 · SEV2 · Identified · ACME & Sons · Incident update', isSubtle: true, spacing: 'None', wrap: true },
      { type: 'TextBlock', text: buildIncidentMessage().text, spacing: 'Medium', wrap: true },
      { type: 'TextBlock', text: 'Affected components', weight: 'Bolder', spacing: 'Medium', wrap: true },
      {
        type: 'FactSet',
        facts: [
          { title: 'Login', value: 'down' },
          { title: 'API', value: 'degraded (slower than usual)' },
        ],
      },
      {
        type: 'TextBlock',
        text: 'Next update by {{DATE(2026-03-01T14:30:00Z, SHORT)}} {{TIME(2026-03-01T14:30:00Z)}} (2026-03-01 14:30 UTC)',
        spacing: 'Medium',
        wrap: true,
      },
    ]);
  });

  it('posts the card and reads the Workflows 202 Accepted as delivered', async () => {
    const r = await receiver({ respond: 202 });
    const message = buildTeamsMessage(buildIncidentMessage({ components: [], nextUpdateAt: null, kind: 'rca' }));
    const attempt = await sendTeams({ url: `${r.url}/workflows/abc?sig=secret`, message, timeoutMs: 2000, targets: LOOPBACK });
    expect(attempt).toEqual({ ok: true, providerRef: 'HTTP 202' });
    const [req] = r.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual(message);
    expect(message.attachments[0].content.body).toHaveLength(3);
  });

  it('classifies Teams answers like every webhook: 503 temporary, 403 permanent, 410 gone', async () => {
    const r = await receiver({ respond: (req) => Number(req.path.slice(1)) });
    const message = buildTeamsMessage(buildIncidentMessage());
    const at = (status: number) => sendTeams({ url: `${r.url}/${status}`, message, timeoutMs: 2000, targets: LOOPBACK });
    expect(await at(503)).toMatchObject({ ok: false, isPermanent: false });
    expect(await at(403)).toMatchObject({ ok: false, isPermanent: true });
    expect(await at(410)).toMatchObject({ ok: false, isPermanent: true, isGone: true });
  });
});
