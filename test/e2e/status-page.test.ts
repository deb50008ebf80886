// The status pages in a real browser, as a reader uses them (issue 4's acceptance): a running
// incident and its update appear on reload within 1 s of publishing (the public page shows what is
// published to it, issue 15); client A's page shows A's incident
// and not B's; e-mail subscription with confirmation, the next update, and unsubscribing in one
// click; screenshots of both pages, light and dark. Every page a reader sees is checked for
// accessibility (WCAG 2.1 AA, axe-core) in both colour schemes.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAffectedIncident, buildClient, buildComponent } from '../support/factories.js';
import { startSmtpSink, type SinkMail, type SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { ARTIFACTS, CHROMIUM, expectAccessible, hasChromium, LAPTOP, openContext, PHONE } from './browser.js';

/** The acceptance: what was sent shows on the page within this long. */
const VISIBLE_WITHIN_MS = 1_000;

describe.skipIf(!hasChromium)('status pages in Chromium', { timeout: 120_000 }, () => {
  let t: TestApp;
  let sink: SmtpSink;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sink = await startSmtpSink();
    t = await createTestApp('pglite', { smtpUrl: sink.url, mailFrom: 'Brightline Status <status@brightline.example>', companyName: 'Brightline', delivery: { retryBaseMs: 50 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    t.herald.settings.baseUrl = url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  const newPage = async (opts: { viewport?: typeof LAPTOP } = {}) => {
    const context = await openContext(browser, url, { viewport: opts.viewport ?? LAPTOP, colorScheme: 'light' });
    return context.newPage();
  };
  const send = async (incidentId: string, kind: string, body: string) => {
    const res = await t.admin.post(`/api/v1/incidents/${incidentId}/communications`, { kind, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  /** The public page shows what is published to it: an entry with its own public text, after the client message. */
  const sendAndPublish = async (incidentId: string, kind: string, body: string, title: string | null = null) => {
    await send(incidentId, kind, body);
    const res = await t.admin.post(`/api/v1/incidents/${incidentId}/public-updates`, { ...(title && { title }), body, ...(kind === 'resolution' && { state: 'resolved' }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  /** Reloads until the text is on the page; fails if that takes longer than the acceptance allows. */
  const visibleAfterReload = async (page: Page, text: string, sentAt: number) => {
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByText(text).first().isVisible();
        },
        { timeout: VISIBLE_WITHIN_MS - (Date.now() - sentAt), interval: 50 },
      )
      .toBe(true);
  };
  const mailTo = async (to: string, match: (m: SinkMail) => boolean) => {
    let found: SinkMail | undefined;
    await expect.poll(() => (found = sink.messages.find((m) => m.envelopeTo.includes(to) && match(m))) !== undefined, { timeout: 10_000, interval: 50 }).toBe(true);
    return found!;
  };

  it("shows the running incident and its updates within 1 s, client A's page shows only A's, and both pages are screenshotted light and dark", async () => {
    const api = await buildComponent(t.admin, 'Public API');
    const portal = await buildComponent(t.admin, 'Billing portal');
    await buildComponent(t.admin, 'Webhooks');
    const acme = await buildClient(t.admin, { name: 'Acme', componentIds: [api.id] });
    const bolt = await buildClient(t.admin, { name: 'Bolt', componentIds: [portal.id] });

    const page = await newPage();
    await page.goto('/status');
    await page.getByRole('heading', { level: 1, name: 'Brightline status' }).waitFor();
    await expect.poll(() => page.getByText('All systems operational').isVisible()).toBe(true);

    const incA = await buildAffectedIncident(t.admin, api.id);
    let sentAt = Date.now();
    await sendAndPublish(incA.id, 'initial', 'About half of the API calls fail with 502. We are investigating.', 'API errors');
    await visibleAfterReload(page, 'About half of the API calls fail with 502.', sentAt);
    await page.getByRole('heading', { name: 'Active incidents' }).waitFor();
    sentAt = Date.now();
    await sendAndPublish(incA.id, 'update', 'A gateway configuration change was rolled back; error rates are falling.');
    await visibleAfterReload(page, 'A gateway configuration change was rolled back', sentAt);
    await expect.poll(() => page.getByText('Major outage').first().isVisible()).toBe(true);
    await expectAccessible(page);

    const incB = await buildAffectedIncident(t.admin, portal.id);
    await sendAndPublish(incB.id, 'initial', 'Invoices are generated late for some accounts.', 'Late invoices');

    const link = await t.admin.post(`/api/v1/clients/${acme.id}/status-link`, {});
    expect(link.status).toBe(201);
    const privateUrl = new URL(link.body.url as string);
    const clientPage = await newPage();
    await clientPage.goto(`${privateUrl.pathname}${privateUrl.search}`);
    await clientPage.getByRole('heading', { level: 1, name: 'Brightline status for Acme' }).waitFor();
    await expect.poll(() => clientPage.getByText('About half of the API calls fail with 502.').isVisible()).toBe(true);
    expect(await clientPage.getByText('Invoices are generated late').count()).toBe(0);
    expect(await clientPage.getByText('Billing portal').count()).toBe(0);
    await expectAccessible(clientPage);
    // Bolt's page (through its own link) shows Bolt's and not Acme's.
    const boltLink = new URL(((await t.admin.post(`/api/v1/clients/${bolt.id}/status-link`, {})).body as { url: string }).url);
    await clientPage.goto(`${boltLink.pathname}${boltLink.search}`);
    await clientPage.getByText('Invoices are generated late for some accounts.').waitFor();
    expect(await clientPage.getByText('About half of the API calls fail').count()).toBe(0);
    await expectAccessible(clientPage);

    await page.reload();
    // Each width once, checked there (both schemes), then pictured in each scheme.
    for (const [name, viewport] of [['laptop', LAPTOP], ['phone', PHONE]] as const) {
      const p = await newPage({ viewport });
      for (const [file, path] of [['status-public', '/status'], ['status-client', `${privateUrl.pathname}${privateUrl.search}`]] as const) {
        await p.goto(path);
        await expectAccessible(p);
        for (const scheme of ['light', 'dark'] as const) {
          await p.emulateMedia({ colorScheme: scheme });
          await p.screenshot({ path: `${ARTIFACTS}${file}-${scheme}-${name}.png`, fullPage: true });
        }
      }
      await p.context().close();
    }
  });

  it('subscribes by e-mail, confirms by the link in the mail, gets the next update, and unsubscribes in one click', async () => {
    const comp = await buildComponent(t.admin, 'Search');
    await buildClient(t.admin, { name: 'Cobalt', componentIds: [comp.id] });
    const inc = await buildAffectedIncident(t.admin, comp.id);
    await sendAndPublish(inc.id, 'initial', 'Search results are incomplete.', 'Search incomplete');

    const reader = 'reader@subscriber.example';
    const page = await newPage();
    await page.goto('/status');
    await page.getByLabel('E-mail address').fill(reader);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Subscribe by e-mail' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await expectAccessible(page);

    const confirmation = await mailTo(reader, (m) => m.subject.startsWith('Confirm'));
    const confirmLink = /https?:\/\/\S+\/status-subscriptions\/confirm\?token=[\w-]+/.exec(confirmation.text)![0];
    await page.goto(confirmLink);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
    await expectAccessible(page);

    await sendAndPublish(inc.id, 'update', 'The search index is being rebuilt; results are complete again for most queries.');
    const notice = await mailTo(reader, (m) => m.text.includes('The search index is being rebuilt'));
    expect(notice.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const unsubscribeLink = /^<(.+)>$/.exec(notice.headers['list-unsubscribe']!)![1]!;
    expect(notice.text).toContain(unsubscribeLink);

    await page.goto(unsubscribeLink);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'Unsubscribed' }).waitFor();
    await expectAccessible(page);

    const before = sink.messages.length;
    expect((await t.admin.post(`/api/v1/incidents/${inc.id}/state`, { state: 'resolved', note: 'Index rebuilt.' })).status).toBe(200);
    await sendAndPublish(inc.id, 'resolution', 'Search is fully back.');
    // The resolution goes to the client's contact; the reader who left gets nothing.
    await expect.poll(() => sink.messages.length > before, { timeout: 10_000 }).toBe(true);
    expect(sink.messages.some((m) => m.envelopeTo.includes(reader) && m.text.includes('Search is fully back'))).toBe(false);
  });
});
