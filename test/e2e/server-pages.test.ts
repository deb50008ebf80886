// The small server-rendered pages outside the console and the status page, in Chromium as a person
// uses them: a client's public report form (with its error answer and its acknowledgement, and the
// page for a link that no longer works) and the one-time setup page. Each is checked for
// accessibility (WCAG 2.1 AA, axe-core) in both colour schemes.
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CHROMIUM, expectAccessible, hasChromium, openContext, shootOnFailure } from './browser.js';

describe.skipIf(!hasChromium)('server-rendered pages in Chromium', { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    // No minimum fill time: a report sent at once is opened, not held for review.
    t = await createTestApp('pglite', { intake: { http: { reportGuard: { minFillMs: 0 } } } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('takes a report through the public form: the form, its refusal naming the field, the acknowledgement', async () => {
    const client = await buildClient(t.admin, { name: 'Quill Paper Co' });
    const link = await t.admin.post(`/api/v1/clients/${client.id}/report-link`, {});
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const path = new URL(link.body.url as string).pathname;
    const context = await openContext(browser, url);
    const page = await context.newPage();
    shootOnFailure(page, 'report-form');

    await page.goto(path);
    await page.getByRole('heading', { level: 1, name: 'Report a problem' }).waitFor();
    await expectAccessible(page);

    // Blanks pass the browser's own check but not the server's: the answer names the field.
    await page.getByLabel(/^What is wrong\?/).fill('   ');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByRole('heading', { name: 'Please check the form' }).waitFor();
    expect(await page.getByLabel(/^What is wrong\?/).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);

    await page.getByLabel(/^What is wrong\?/).fill('Invoices cannot be downloaded');
    await page.getByLabel(/^Your e-mail/).fill('pat@quill.example');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByRole('heading', { name: 'Report received' }).waitFor();
    await page.getByText(/^Your reference: INC-\d+$/).waitFor();
    await expectAccessible(page);

    await page.goto('/report/not-the-secret-but-long-enough');
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await expectAccessible(page);
    await context.close();
  });

  it('shows the setup page and its answer', async () => {
    const context = await openContext(browser, url);
    const page = await context.newPage();
    shootOnFailure(page, 'setup');
    await page.goto('/setup?token=not-a-setup-token');
    await page.getByRole('heading', { level: 1, name: 'Set up Herald' }).waitFor();
    await expectAccessible(page);

    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('E-mail').fill('ada@herald.example');
    await page.getByLabel(/^Password/).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    // This instance has its administrator: the token is refused, and the page says so.
    await expect.poll(async () => (await page.getByRole('status').textContent()) ?? '').not.toBe('');
    await expectAccessible(page);
    await context.close();
  });
});
