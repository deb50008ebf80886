// The console's communication screens in Chromium, by clicking and typing as a person would: the
// composer's per-recipient preview in each contact's language and its checklist of what is missing,
// four-eyes approval of a SEV1 message by a second person, and a template edited into a new version
// (refused first, with the line named), previewed against a real incident. Screenshots of the
// composer and the templates screen, light and dark, laptop and phone, go to test-artifacts/. Each
// screen, with the message previews in it, is checked for accessibility (WCAG 2.1 AA).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient, buildComponent, fullDisclosures } from '../support/factories.js';
import type { Caller } from '../support/test-app.js';
import { ARTIFACTS, expectAccessible, hasChromium, LAPTOP, logIn, outboxOf, PHONE, settleLayout, shootOnFailure, staffUser, startConsole, type Console } from './browser.js';

/** Two clients on one component: Acme with an English and a German contact, Globex with one English contact. */
async function bilingualCatalog(admin: Caller, tag: string) {
  const api = await buildComponent(admin, `Payments API ${tag}`);
  const acme = await buildClient(admin, {
    name: `Acme ${tag}`,
    tier: 'gold',
    componentIds: [api.id],
    contacts: [
      { name: 'Alice Park', email: `alice.${tag}@acme.example`, language: 'en' },
      { name: 'Dieter Braun', email: `dieter.${tag}@acme.example`, language: 'de' },
    ],
  });
  const globex = await buildClient(admin, { name: `Globex ${tag}`, componentIds: [api.id], contacts: [{ name: 'Gina Lopez', email: `gina.${tag}@globex.example`, language: 'en' }] });
  return { api, acme, globex };
}

async function classified(admin: Caller, componentId: string, title: string, severity: string, roles: Record<string, string> = {}) {
  const created = await admin.post('/api/v1/incidents', { title });
  expect(created.status).toBe(201);
  if (Object.keys(roles).length) expect((await admin.post(`/api/v1/incidents/${created.body.id}/roles`, roles)).status).toBe(200);
  const c = await admin.post(`/api/v1/incidents/${created.body.id}/classification`, { severity, impacts: [{ componentId, status: 'major_outage' }], isClientAffected: true, reason: 'Payments fail.' });
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  return created.body as { id: string; key: string };
}

/** The copy shown in a preview panel, chosen by the recipient's address. */
async function showCopyFor(page: Page, panel: ReturnType<Page['locator']>, email: string) {
  const select = panel.getByLabel('Preview the copy for');
  const value = await select.locator('option', { hasText: email }).getAttribute('value');
  await select.selectOption(value!);
  const copy = panel.locator(`[data-testid="message-copy"][data-to="${email}"]`);
  await copy.waitFor();
  return copy;
}

describe.skipIf(!hasChromium)('client communication in the console', { timeout: 120_000 }, () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(() => c?.close());

  it('previews each recipient’s copy in their language and lists what the message lacks until it is complete', async () => {
    const { admin } = c.t;
    const cat = await bilingualCatalog(admin, 'preview');
    const incident = await classified(admin, cat.api.id, 'Card payments declined', 'SEV2');
    const me = await staffUser(c.t, 'Priya Preview');
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'composer-preview');
    await logIn(page, me.email);
    await page.goto(`/incidents/${incident.key}`);
    const composer = page.locator('#composer');
    const checklist = composer.getByTestId('disclosure-checklist');
    await checklist.getByText('Whether data was lost — missing').waitFor();
    for (const item of ['Impact: what clients experience — missing', 'Whether third parties could access data — missing', 'Next update time, in the future — missing']) {
      expect(await checklist.getByText(item).isVisible(), item).toBe(true);
    }
    expect(await composer.getByRole('button', { name: 'Send initial notice to 2 clients' }).isDisabled()).toBe(true);
    await composer.getByTestId('composer-templates').getByText(/e-mail: English v\d+, German v\d+/).waitFor();

    // Every contact's copy, rendered by the server from the template in the contact's language.
    const preview = composer.getByTestId('message-preview');
    await preview.getByText('3 e-mails (English 2, German 1)').waitFor();
    const german = await showCopyFor(page, preview, `dieter.preview@acme.example`);
    await german.getByText('German').waitFor();
    expect(await german.getByTestId('copy-subject').textContent()).toBe(`Störungsmeldung: Card payments declined [${incident.key}]`);
    // The HTML is shown in a frame that may not run scripts or reach the console.
    const frame = german.locator('iframe.message-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await german.frameLocator('iframe.message-frame').getByText(`Acme preview`).first().waitFor();
    await german.locator('label', { hasText: 'Plain text' }).click();
    await german.locator('.message-text').getByText('Störung').first().waitFor();
    await expectAccessible(page);

    const english = await showCopyFor(page, preview, `gina.preview@globex.example`);
    expect(await english.getByTestId('copy-subject').textContent()).toBe(`Incident notice: Card payments declined [${incident.key}]`);
    await composer.getByLabel('Message', { exact: true }).fill('Our card processor declines every payment; we are switching to the backup.');
    await english.frameLocator('iframe.message-frame').getByText('we are switching to the backup').waitFor();

    // Disclosures saved elsewhere (here: the API) complete the checklist without reload.
    expect((await admin.post(`/api/v1/incidents/${incident.id}/disclosures`, fullDisclosures())).status).toBe(200);
    await checklist.getByText('Required in this message — complete').waitFor();
    await english.frameLocator('iframe.message-frame').getByText('Logins fail for about half of the users.').first().waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}composer-preview-light-laptop.png`, fullPage: true });

    const sent = page.waitForResponse((r) => r.url().endsWith('/communications') && r.request().method() === 'POST');
    await composer.getByRole('button', { name: 'Send initial notice to 2 clients' }).click();
    expect((await sent).status()).toBe(201);
    const card = page.locator('[data-communication="initial"][data-status="sent"]');
    await card.waitFor();
    await card.getByRole('button', { name: 'Show the copy sent to Dieter Braun' }).click();
    await card.getByTestId('copy-subject').getByText('Störungsmeldung').waitFor();
    await expectAccessible(page);

    const copies = await outboxOf(admin, incident.id);
    expect(copies.map((m) => m.to).sort()).toEqual(['alice.preview@acme.example', 'dieter.preview@acme.example', 'gina.preview@globex.example']);
    expect(copies.find((m) => m.to.startsWith('dieter'))!.subject).toMatch(/^Störungsmeldung/);
    await context.close();
  });

  it('holds a SEV1 message until a second person approves it, then sends it to every client', async () => {
    const { admin } = c.t;
    const cat = await bilingualCatalog(admin, 'foureyes');
    const author = await staffUser(c.t, 'Anna Author', 'member');
    const approver = await staffUser(c.t, 'Bruno Approver', 'member');
    const incident = await classified(admin, cat.api.id, 'Checkout down for everyone', 'SEV1', { incidentManagerId: approver.caller.userId, communicationLeadId: author.caller.userId });
    expect((await admin.post(`/api/v1/incidents/${incident.id}/disclosures`, fullDisclosures())).status).toBe(200);

    // An admin turns on four eyes for SEV1 on the SLA screen.
    const adminUser = await staffUser(c.t, 'Ada Admin');
    const adminContext = await c.context();
    const adminPage = await adminContext.newPage();
    shootOnFailure(adminPage, 'four-eyes-sla');
    await logIn(adminPage, adminUser.email);
    await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SLA policies' }).click();
    await adminPage.getByRole('button', { name: 'Edit SEV1 for tier *' }).click();
    await adminPage.getByRole('form', { name: 'Edit SEV1 policy' }).getByRole('checkbox', { name: /Four eyes/ }).check();
    await expectAccessible(adminPage);
    await adminPage.getByRole('button', { name: 'Save' }).click();
    await adminPage.getByText('four eyes', { exact: true }).waitFor();
    await expectAccessible(adminPage);
    await adminContext.close();

    // The author submits the initial notice: it waits, nothing goes out, and they cannot approve it.
    const authorContext = await c.context();
    const page = await authorContext.newPage();
    shootOnFailure(page, 'four-eyes-author');
    await logIn(page, author.email);
    await page.goto(`/incidents/${incident.key}`);
    const composer = page.locator('#composer');
    await composer.getByTestId('approval-needed').getByText('Bruno Approver').waitFor();
    await composer.getByLabel('Message', { exact: true }).fill('Checkout fails for every shop; we are rolling back the release.');
    await expectAccessible(page);
    const submitted = page.waitForResponse((r) => r.url().endsWith('/communications') && r.request().method() === 'POST');
    await composer.getByRole('button', { name: 'Submit initial notice for approval (2 clients)' }).click();
    const res = await submitted;
    expect(res.status()).toBe(201);
    expect(((await res.json()) as { status: string }).status).toBe('pending_approval');
    const pending = page.locator('[data-communication="initial"][data-status="pending_approval"]');
    await pending.getByTestId('approval-waiting').getByText('You wrote this message, so a second person must approve it.').waitFor();
    expect(await pending.getByRole('button', { name: 'Approve and send' }).count()).toBe(0);
    await pending.getByTestId('message-preview').getByText('3 e-mails (English 2, German 1)').waitFor();
    expect(await outboxOf(admin, incident.id)).toHaveLength(0);
    await expectAccessible(page);
    // A client user of an addressed organisation does not see a message before it is approved.
    const clientUser = await c.t.user('client', { clientId: cat.acme.id });
    expect((await clientUser.get(`/api/v1/incidents/${incident.id}/communications`)).body.items).toHaveLength(0);
    await page.screenshot({ path: `${ARTIFACTS}approval-pending-light-laptop.png`, fullPage: true });

    // The Incident Manager, a second person, approves it in their own browser: it is sent.
    const approverContext = await c.context();
    const second = await approverContext.newPage();
    shootOnFailure(second, 'four-eyes-approver');
    await logIn(second, approver.email);
    // They learn of it from the header's notifications, which lead to the incident.
    await second.getByRole('button', { name: 'Notifications: 1 unread' }).click();
    await second.getByRole('dialog', { name: 'Notifications' }).waitFor();
    await expectAccessible(second);
    await second.getByRole('button', { name: new RegExp(`${incident.key}: .* waits for your approval`) }).click();
    await second.getByRole('heading', { level: 1, name: 'Checkout down for everyone' }).waitFor();
    const waiting = second.locator('[data-communication="initial"][data-status="pending_approval"]');
    await waiting.getByTestId('message-preview').getByText('3 e-mails (English 2, German 1)').waitFor();
    // What the approver sees on a phone, in dark mode; the approval below is made there too.
    await second.setViewportSize(PHONE);
    await second.emulateMedia({ colorScheme: 'dark' });
    await second.locator('html[data-mantine-color-scheme="dark"]').waitFor();
    await settleLayout(second);
    await waiting.frameLocator('iframe.message-frame').getByText('Dear ').first().waitFor();
    await waiting.screenshot({ path: `${ARTIFACTS}approval-dark-phone.png`, style: 'header { position: absolute !important; }' });
    await expectAccessible(second);
    await waiting.getByLabel('Note to the author (optional)').fill('Good to go.');
    await waiting.getByRole('button', { name: 'Approve and send' }).click();
    const sentCard = second.locator('[data-communication="initial"][data-status="sent"]');
    await sentCard.getByText('Approved by Bruno Approver').waitFor();
    await expectAccessible(second);
    // The author's page shows it sent without reload.
    await page.locator('[data-communication="initial"][data-status="sent"]').getByText('Approved by Bruno Approver').waitFor();

    const copies = await outboxOf(admin, incident.id);
    expect(copies.map((m) => m.to).sort()).toEqual(['alice.foureyes@acme.example', 'dieter.foureyes@acme.example', 'gina.foureyes@globex.example']);
    expect(copies.every((m) => m.text.includes('rolling back the release'))).toBe(true);
    expect((await clientUser.get(`/api/v1/incidents/${incident.id}/communications`)).body.items).toHaveLength(1);
    await approverContext.close();
    await authorContext.close();
    await admin.patch(`/api/v1/sla-policies/${(await admin.get('/api/v1/sla-policies')).body.items.find((p: { tier: string; severity: string }) => p.tier === '*' && p.severity === 'SEV1').id}`, {
      requiresApproval: false,
    });
  });

  it('refuses a template that would not render, naming the line, saves the fix as a new version, and previews it against a real incident', async () => {
    const { admin } = c.t;
    const cat = await bilingualCatalog(admin, 'tpl');
    const incident = await classified(admin, cat.api.id, 'Refunds delayed', 'SEV3');
    expect((await admin.post(`/api/v1/incidents/${incident.id}/disclosures`, fullDisclosures())).status).toBe(200);
    const me = await staffUser(c.t, 'Theo Templates');
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'templates');
    await logIn(page, me.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('heading', { level: 1, name: 'Templates' }).waitFor();
    await page.getByRole('button', { name: /^Status update · English · e-mail v\d+ / }).click();
    const editor = page.locator('#template-editor');
    await editor.getByText(/^Status update · English · e-mail$/).waitFor();
    await expectAccessible(page);
    const before = (await admin.get('/api/v1/templates')).body.items.find((t: { kind: string; language: string; channel: string }) => t.kind === 'update' && t.language === 'en' && t.channel === 'email');
    const text = editor.getByLabel('Plain-text body');
    const original = await text.inputValue();
    expect(original.length).toBeGreaterThan(50);

    // A typo in a variable: refused on save, the line named beside the part, nothing saved.
    await text.fill(`{{ incident.titel }}\n${original}`);
    await editor.getByRole('button', { name: `Save as version ${before.currentVersion + 1}` }).click();
    await editor.getByTestId('issues-text').getByText(/^Line 1: /).waitFor();
    await expectAccessible(page);
    expect((await admin.get(`/api/v1/templates/${before.id}`)).body.currentVersion).toBe(before.currentVersion);

    // The fix: a new closing line. Saved as a new version; the history keeps the old one.
    await text.fill(`${original}\nQuestions? Reply to this e-mail, {{ contact.name }}.`);
    await editor.getByLabel('What changed (kept in the history)').fill('Invite replies');
    await editor.getByRole('button', { name: `Save as version ${before.currentVersion + 1}` }).click();
    await page.getByText(`Saved as version ${before.currentVersion + 1}.`).waitFor();
    const history = page.getByTestId('template-versions');
    await history.locator(`[data-version="${before.currentVersion + 1}"]`).getByText('Invite replies').waitFor();
    await history.locator(`[data-version="${before.currentVersion + 1}"]`).getByText('current').waitFor();
    await history.locator(`[data-version="${before.currentVersion}"]`).waitFor();
    const after = (await admin.get(`/api/v1/templates/${before.id}`)).body;
    expect(after.currentVersion).toBe(before.currentVersion + 1);
    expect(after.parts.text).toContain('Questions? Reply to this e-mail');

    // Preview against the real incident, for a chosen client and contact.
    const previewSection = page.locator('#template-preview');
    await previewSection.getByLabel('Incident', { exact: true }).click();
    await page.getByRole('option', { name: `${incident.key}: Refunds delayed` }).click();
    await previewSection.getByLabel('Client').selectOption({ label: cat.globex.name });
    const copy = previewSection.getByTestId('message-copy');
    await copy.locator('label', { hasText: 'Plain text' }).click();
    await copy.locator('.message-text').getByText('Questions? Reply to this e-mail, Gina Lopez.').waitFor();
    await copy.getByTestId('copy-subject').getByText(`[${incident.key}]`).waitFor();
    await expectAccessible(page);

    // Screenshots of the templates screen, light and dark, laptop and phone.
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [width, viewport] of [['laptop', LAPTOP], ['phone', PHONE]] as const) {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        await page.locator(`html[data-mantine-color-scheme="${colorScheme}"]`).waitFor();
        await settleLayout(page);
        await page.evaluate('window.scrollTo(0, 0)');
        // Each width's layout is checked once (in both schemes).
        if (colorScheme === 'light') await expectAccessible(page);
        await page.screenshot({ path: `${ARTIFACTS}templates-${colorScheme}-${width}.png`, fullPage: true });
      }
    }
    await context.close();
  });
});
