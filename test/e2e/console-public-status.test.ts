// Publishing to the public status page from the incident screen, in Chromium, as a person does: the
// Communication Lead writes a public title and text, publishes, sees the public page show that text
// (and never the message sent to one client), then withdraws it with a reason. A member without a
// role on the incident is told who may publish. A screenshot of the panel goes to test-artifacts/.
// The incident screen with the panel, and the public page, are checked for accessibility (WCAG 2.1 AA).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullDisclosures } from '../support/factories.js';
import { ARTIFACTS, buildCatalog, expectAccessible, hasChromium, logIn, shootOnFailure, staffUser, startConsole, type Console } from './browser.js';

describe.skipIf(!hasChromium)('the public status page from the console', { timeout: 120_000 }, () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(() => c?.close());

  it('publishes a text written for everyone from the incident screen, and withdraws it', async () => {
    const { admin } = c.t;
    const cat = await buildCatalog(admin, 'publish');
    const lead = await staffUser(c.t, 'Lena Lead', 'member');
    const bystander = await staffUser(c.t, 'Bo Bystander', 'member');
    const created = await admin.post('/api/v1/incidents', { title: 'Exports fail' });
    const incident = created.body as { id: string; key: string };
    expect((await admin.post(`/api/v1/incidents/${incident.id}/roles`, { communicationLeadId: lead.caller.userId })).status).toBe(200);
    expect((await admin.post(`/api/v1/incidents/${incident.id}/classification`, { severity: 'SEV2', impacts: [{ componentId: cat.api.id, status: 'major_outage' }], isClientAffected: true, reason: 'Exports fail.' })).status).toBe(200);
    expect((await admin.post(`/api/v1/incidents/${incident.id}/disclosures`, fullDisclosures())).status).toBe(200);
    const forAcme = 'Acme customer records from 2024 were exposed';
    const sent = await lead.caller.post(`/api/v1/incidents/${incident.id}/communications`, { kind: 'initial', clientIds: [cat.acme.id], body: forAcme });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'public-status-publish');

    // A member without a role on the incident may not publish.
    await logIn(page, bystander.email);
    await page.goto(`/incidents/${incident.key}`);
    const section = page.locator('#public-status');
    await section.getByText('Not on the public status page.').waitFor();
    await section.getByText('Publishing is for the Incident Manager, the Communication Lead or an admin.').waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Log out' }).click();

    await logIn(page, lead.email);
    await page.goto(`/incidents/${incident.key}`);
    await section.getByRole('heading', { name: 'Public status page' }).waitFor();
    await section.getByLabel('Public title').fill('Data exports are failing');
    await section.getByLabel('Public text').fill('Some exports fail. **No action is needed** on your side.');
    await expectAccessible(page);
    await section.getByRole('button', { name: 'Publish', exact: true }).click();
    await section.getByText(/On the public status page since .* as “Data exports are failing”/).waitFor();
    await section.getByRole('button', { name: 'Publish update' }).waitFor();
    // The timeline records it.
    await page.getByText('Published (Investigating): Data exports are failing').first().waitFor();
    await expectAccessible(page);
    await section.screenshot({ path: `${ARTIFACTS}public-status-panel-light-laptop.png` });

    // The public page shows the published text, never the message written for Acme.
    const publicPage = await context.newPage();
    await expect.poll(async () => (await (await publicPage.goto('/status'))!.text()).includes('Data exports are failing'), { timeout: 5_000, interval: 100 }).toBe(true);
    const shown = await publicPage.locator('main').innerText();
    expect(shown).toContain('No action is needed');
    expect(shown).not.toContain(forAcme);
    await expectAccessible(publicPage);

    // Withdrawn with a reason: the page no longer shows it.
    await section.getByLabel('Reason for withdrawing').fill('Published too early.');
    await section.getByRole('button', { name: 'Withdraw from the public page' }).click();
    await section.getByText('Not on the public status page.').waitFor();
    await expect.poll(async () => (await (await publicPage.goto('/status'))!.text()).includes('Data exports are failing'), { timeout: 5_000, interval: 100 }).toBe(false);
    await context.close();
  });
});
