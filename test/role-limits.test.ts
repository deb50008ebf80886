// What staff who may not change a thing may still see or do (issue 15, item 10): viewers and members
// read a client's endpoints with the URL and secret masked, and a member cannot make a template owned
// by a role their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from './support/factories.js';
import { expectBody, expectStatus } from './support/http-assertions.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('role limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t?.close());

  it('shows Slack/Teams URLs and webhook secrets masked to everyone who may not change them (viewers, members)', async () => {
    const client = await buildClient(t.admin);
    const slackUrl = 'https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstabcd';
    const teamsUrl = 'https://example.webhook.office.com/webhookb2/secret-part/IncomingWebhook/0123456789/wxyz';
    const made = await expectBody(t.admin.post(`/api/v1/clients/${client.id}/endpoints`, { kind: 'webhook', name: 'Hook', url: 'https://client.example/hooks/herald?token=s3cr3tvalue' }), 201);
    expect(made.secret).toMatch(/^whsec_.{20,}/);
    await expectStatus(t.admin.post(`/api/v1/clients/${client.id}/endpoints`, { kind: 'slack', name: 'Slack', url: slackUrl }), 201);
    await expectStatus(t.admin.post(`/api/v1/clients/${client.id}/endpoints`, { kind: 'teams', name: 'Teams', url: teamsUrl }), 201);

    for (const role of ['viewer', 'member'] as const) {
      const caller = await t.user(role);
      const { items } = await expectBody<{ items: { kind: string; url: string; secret: string | null }[] }>(caller.get(`/api/v1/clients/${client.id}/endpoints`));
      const body = JSON.stringify(items);
      expect(body).not.toContain('T0001/B0002');
      expect(body).not.toContain('secret-part');
      expect(body).not.toContain('s3cr3tvalue');
      expect(body).not.toContain(made.secret.slice('whsec_'.length, 'whsec_'.length + 4));
      expect(items.find((e) => e.kind === 'slack')!.url).toBe('https://hooks.slack.com/…/****abcd');
      expect(items.find((e) => e.kind === 'teams')!.url).toBe('https://example.webhook.office.com/…/****wxyz');
      expect(items.find((e) => e.kind === 'webhook')!.secret).toBe('whsec_****');
    }
    // Admins, who may change them, see the URLs in full (the secret stays shown only once).
    const { items } = await expectBody<{ items: { kind: string; url: string; secret: string | null }[] }>(t.admin.get(`/api/v1/clients/${client.id}/endpoints`));
    expect(items.find((e) => e.kind === 'slack')!.url).toBe(slackUrl);
    expect(items.find((e) => e.kind === 'webhook')!.secret).toBe('whsec_****');
  });

  it('refuses a member taking over a template owned by a role; the member may still edit it, an admin may hand it over', async () => {
    const member = await t.user('member');
    const other = await t.user('member');
    const list = await expectBody<{ items: { id: string; kind: string; language: string; channel: string; ownerRole: string | null; ownerUserId: string | null }[] }>(member.get('/api/v1/templates'));
    const template = list.items.find((x) => x.kind === 'update' && x.language === 'en' && x.channel === 'email')!;
    expect(template.ownerRole).toBe('communication_lead');
    const url = `/api/v1/templates/${template.id}`;

    const takeover = await member.patch(url, { ownerUserId: member.userId });
    expect(takeover.status, JSON.stringify(takeover.body)).toBe(403);
    expect((await expectBody(member.get(url))).ownerUserId).toBeNull();
    expect((await member.patch(url, { ownerRole: 'incident_manager' })).status).toBe(403);

    const { parts } = await expectBody<{ parts: Record<string, string> }>(member.get(url));
    await expectStatus(member.patch(url, { parts, note: 'Same words, saved by a member' }), 200);

    // An admin hands it to a member, who may then give it back to a role.
    await expectStatus(t.admin.patch(url, { ownerUserId: other.userId }), 200);
    expect((await member.patch(url, { ownerUserId: member.userId })).status).toBe(403);
    const back = await expectBody(other.patch(url, { ownerUserId: null, ownerRole: 'communication_lead' }));
    expect(back).toMatchObject({ ownerUserId: null, ownerRole: 'communication_lead' });
  });
});
