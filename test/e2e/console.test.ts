// The admin console in a real browser, by clicking and typing as a person would (issue 5's acceptance):
// both incident paths from report to close, the client user's view, live updates between two pages,
// and screenshots of the main screens in light and dark, laptop and phone widths. Every screen on
// the way is checked for accessibility (WCAG 2.1 AA, axe-core), in both colour schemes.
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullDisclosures } from '../support/factories.js';
import { ARTIFACTS, buildCatalog, expectAccessible, hasChromium, LAPTOP, logIn, outboxOf, PASSWORD, PHONE, settleLayout, staffUser, startConsole, type Console } from './browser.js';

const SEND_TIMEOUT_MS = 10_000;

/** Picks an option of a Mantine MultiSelect by its label. */
async function pickOption(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).first().click();
  await page.getByRole('option', { name: option }).click();
  await page.keyboard.press('Escape');
}

async function sendMessage(page: Page, button: string) {
  await page
    .getByRole('button', { name: button })
    .and(page.locator(':not([disabled])'))
    .waitFor({ timeout: 5_000 })
    .catch(async (err: unknown) => {
      await page.screenshot({ path: `${ARTIFACTS}failure-${button.replace(/\W+/g, '-')}.png`, fullPage: true });
      throw err;
    });
  const sent = page.waitForResponse((r) => r.url().endsWith('/communications') && r.request().method() === 'POST', { timeout: SEND_TIMEOUT_MS });
  await page.getByRole('button', { name: button }).click();
  const res = await sent;
  expect(res.status(), await res.text()).toBe(201);
}

describe.skipIf(!hasChromium)('the console in Chromium', { timeout: 120_000 }, () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(() => c?.close());

  it('runs an internal-only incident and a client-affecting one from report to close, and every client gets every message', async () => {
    const { admin } = c.t;
    const cat = await buildCatalog(admin, 'flow');
    const me = await staffUser(c.t, 'Olivia Oncall');
    const context = await c.context();
    const page = await context.newPage();
    await logIn(page, me.email);

    // Internal only: report, classify as not affecting clients, document, close.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Report an incident' }).click();
    await page.getByLabel('Title').waitFor();
    await expectAccessible(page);
    await page.getByLabel('Title').fill('Nightly backup job is slow');
    await page.getByLabel('Description').fill('The job took 3 h instead of 40 min.');
    await page.getByRole('button', { name: 'Report incident' }).click();
    await page.getByRole('heading', { name: 'Nightly backup job is slow' }).waitFor();
    await expectAccessible(page);
    await page.getByRole('radio', { name: 'SEV4 · low' }).check();
    await page.getByRole('radio', { name: /^No: internal only/ }).check();
    await page.getByLabel('Reason for the decision').fill('Backups run at night; no client service depends on them.');
    await page.getByRole('button', { name: 'Classify', exact: true }).click();
    await page.getByLabel('Internal summary').fill('A full table scan slowed the dump; index added.');
    await page.getByRole('button', { name: 'Save summary' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Close incident' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Close incident' }).click();
    await page.getByText('The incident is closed.').waitFor();
    await expectAccessible(page);
    const internalKey = (await page.locator('text=/^INC-\\d+$/').first().textContent())!;

    // Clients affected: report, classify as affecting two clients, notices through to the RCA, close.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Report an incident' }).click();
    await page.getByLabel('Title').fill('API answers 502 for a third of calls');
    await page.getByRole('button', { name: 'Report incident' }).click();
    await page.getByRole('heading', { name: 'API answers 502 for a third of calls' }).waitFor();
    const key = (await page.locator('text=/^INC-\\d+$/').first().textContent())!;
    expect(key).not.toBe(internalKey);
    await page.getByRole('button', { name: 'Assign me as Incident Manager' }).click();
    await page.getByText('(you)').first().waitFor();
    await page.getByRole('radio', { name: 'SEV2 · major' }).check();
    await pickOption(page, 'Impacted components', cat.api.name);
    await page.getByLabel(`Impact on ${cat.api.name}`).selectOption('major_outage');
    await page.getByRole('radio', { name: /^Yes: clients are affected/ }).check();
    await page.getByText(`Affected clients (2)`).waitFor();
    await page.getByLabel('Reason for the decision').fill('Both clients call the public API.');
    await page.getByRole('button', { name: 'Classify', exact: true }).click();

    // The composer names what the message lacks before anything is sent.
    const checklist = page.getByTestId('disclosure-checklist');
    await checklist.getByText('3 missing').or(checklist.getByText('4 missing')).waitFor();
    for (const item of ['Impact: what clients experience — missing', 'Whether data was lost — missing', 'Whether third parties could access data — missing', 'Next update time, in the future — missing']) {
      await expect.poll(() => checklist.getByText(item).isVisible()).toBe(true);
    }
    const sendInitial = page.getByRole('button', { name: 'Send initial notice to 2 clients' });
    expect(await sendInitial.isDisabled()).toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}flow-checklist-missing.png`, fullPage: true });

    await page.getByLabel('Impact', { exact: true }).fill('About a third of API calls fail with 502.');
    await page.getByLabel('Was data lost?').selectOption('none');
    await page.getByLabel('Could third parties access data?').selectOption('none');
    await page.getByRole('button', { name: 'Next update in 30 min' }).click();
    await page.getByRole('button', { name: 'Save disclosures' }).click();
    await checklist.getByText('complete').waitFor();
    await page.getByLabel('Message', { exact: true }).fill('We are investigating errors on the public API.');
    await sendMessage(page, 'Send initial notice to 2 clients');
    await page.locator('[data-communication="initial"]').waitFor();

    await page.getByLabel('Message', { exact: true }).fill('We found a faulty gateway rule and are rolling it back.');
    await sendMessage(page, 'Send status update to 2 clients');
    await page.locator('[data-communication="update"]').waitFor();

    await page.getByLabel('Note for the timeline (optional)').fill('Gateway rule rolled back.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    await expectAccessible(page);
    await checklist.getByText('Remediation: what prevents a repeat — missing').waitFor();
    await page.getByLabel('Remediation').fill('Gateway rules now roll out to 5% of traffic first.');
    await page.getByRole('button', { name: 'Save disclosures' }).click();
    await checklist.getByText('complete').waitFor();
    await sendMessage(page, 'Send resolution notice to 2 clients');
    await page.locator('[data-communication="resolution"]').waitFor();

    await checklist.getByText('The message text (the analysis itself) — missing').waitFor();
    await page.getByLabel('Root-cause analysis', { exact: true }).fill('A gateway rule sent traffic to a drained pool. It was rolled back at once.');
    await checklist.getByText('complete').waitFor();
    await sendMessage(page, 'Send root-cause analysis to 2 clients');
    await page.locator('[data-communication="rca"]').waitFor();

    await page.getByText('Every obligation to clients is met.').waitFor();
    await page.getByRole('button', { name: 'Close incident' }).click();
    await page.getByText('The incident is closed.').waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}flow-closed.png`, fullPage: true });

    // Proof through the API: every contact of both clients got each of the four messages, and nobody else did.
    const incident = (await admin.get(`/api/v1/incidents/${key}`)).body as { id: string; stage: string };
    expect(incident.stage).toBe('closed');
    const copies = await outboxOf(admin, incident.id);
    const contacts = [...cat.acme.contacts, ...cat.globex.contacts];
    for (const contact of contacts) {
      const kinds = copies.filter((m) => m.to === contact.email).map((m) => /Incident notice|Incident update|Resolved|Root-cause analysis/.exec(m.subject)?.[0]);
      expect(kinds.sort(), contact.email).toEqual(['Incident notice', 'Incident update', 'Resolved', 'Root-cause analysis']);
    }
    expect(copies).toHaveLength(contacts.length * 4);
    expect(copies.some((m) => m.to === cat.initech.contacts[0]!.email)).toBe(false);
    const internal = (await admin.get(`/api/v1/incidents/${internalKey}`)).body as { id: string; stage: string };
    expect(internal.stage).toBe('closed');
    expect(await outboxOf(admin, internal.id)).toHaveLength(0);
    await context.close();
  });

  it('shows a client user only their organisation’s incidents, and takes their report', async () => {
    const { admin } = c.t;
    const cat = await buildCatalog(admin, 'scope');
    const ours = await admin.post('/api/v1/incidents', { title: 'Acme-facing API errors', impacts: [{ componentId: cat.api.id, status: 'partial_outage' }] });
    await admin.post(`/api/v1/incidents/${ours.body.id}/classification`, { severity: 'SEV2', impacts: [{ componentId: cat.api.id, status: 'partial_outage' }], isClientAffected: true, reason: 'API users.' });
    const theirs = await admin.post('/api/v1/incidents', { title: 'Initech portal outage' });
    await admin.post(`/api/v1/incidents/${theirs.body.id}/classification`, { severity: 'SEV1', impacts: [{ componentId: cat.portal.id, status: 'major_outage' }], isClientAffected: true, reason: 'Portal down.' });
    const email = `carla.${Date.now().toString(36)}@acme.example`;
    await c.t.user('client', { clientId: cat.acme.id, email, name: 'Carla Client', password: PASSWORD });

    const context = await c.context({ viewport: PHONE });
    const page = await context.newPage();
    await logIn(page, email);
    await page.getByRole('heading', { name: 'Your incidents' }).waitFor();
    await page.getByText('Acme-facing API errors').waitFor();
    expect(await page.getByText('Initech portal outage').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Clients' }).count()).toBe(0);

    await page.getByRole('main').getByRole('link', { name: 'Report an incident' }).click();
    await page.getByLabel('What is wrong?').waitFor();
    await expectAccessible(page);
    await page.getByLabel('What is wrong?').fill('Invoices export returns an empty file');
    await page.getByLabel('Details').fill('Since this morning, every export is 0 bytes.');
    await page.getByRole('button', { name: 'Report incident' }).click();
    await page.getByRole('heading', { name: 'Invoices export returns an empty file' }).waitFor();
    await page.getByText('We are looking into your report.').waitFor();
    await expectAccessible(page);
    await page.getByRole('link', { name: '← Your incidents' }).click();
    await page.getByText('Reported by you').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}client-home-phone.png`, fullPage: true });

    // The messages and the RCA their organisation received, in their own copy.
    await admin.post(`/api/v1/incidents/${ours.body.id}/disclosures`, fullDisclosures());
    await admin.post(`/api/v1/incidents/${ours.body.id}/communications`, { kind: 'initial', body: 'We are looking at API errors.' });
    await admin.post(`/api/v1/incidents/${ours.body.id}/state`, { state: 'resolved' });
    await admin.post(`/api/v1/incidents/${ours.body.id}/communications`, { kind: 'resolution' });
    expect((await admin.post(`/api/v1/incidents/${ours.body.id}/communications`, { kind: 'rca', body: 'A certificate expired on the API gateway.' })).status).toBe(201);
    await page.getByRole('link', { name: 'Acme-facing API errors' }).click();
    const rca = page.locator('[data-communication="rca"]');
    await rca.locator('label', { hasText: 'Plain text' }).click();
    await rca.getByText('A certificate expired on the API gateway.').waitFor();
    expect(await page.locator('[data-communication]').count()).toBe(3);
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}client-incident-phone.png`, fullPage: true });

    const staffView = await admin.get('/api/v1/incidents?stage=reported');
    const report = staffView.body.items.find((i: { title: string }) => i.title === 'Invoices export returns an empty file');
    expect(report).toMatchObject({ source: 'client', reporterClientId: cat.acme.id });
    await context.close();
  });

  it('shows an update posted in one page in another within 2 s, without reload', async () => {
    const { admin } = c.t;
    const cat = await buildCatalog(admin, 'live');
    const created = await admin.post('/api/v1/incidents', { title: 'Login latency over 5 s' });
    const id = created.body.id as string;
    await admin.post(`/api/v1/incidents/${id}/classification`, { severity: 'SEV2', impacts: [{ componentId: cat.api.id, status: 'degraded_performance' }], isClientAffected: true, reason: 'API users.' });
    await admin.post(`/api/v1/incidents/${id}/disclosures`, fullDisclosures());
    await admin.post(`/api/v1/incidents/${id}/communications`, { kind: 'initial', body: 'We are on it.' });
    const me = await staffUser(c.t, 'Lars Live');

    const context = await c.context();
    const writer = await context.newPage();
    await logIn(writer, me.email);
    const reader = await context.newPage();
    for (const page of [writer, reader]) {
      await page.goto(`/incidents/${created.body.key}`);
      await page.locator('[data-communication="initial"]').waitFor();
      await page.locator('[data-live="live"]').waitFor();
    }
    await expectAccessible(writer);
    const board = await context.newPage();
    await board.goto('/');
    await board.locator('[data-live="live"]').waitFor();
    const boardRow = board.locator(`[data-incident="${created.body.key}"]`);
    await boardRow.getByText('Status update').filter({ visible: true }).waitFor();

    await writer.getByLabel('Message', { exact: true }).fill('Caches are warming up; latency is falling.');
    await sendMessage(writer, 'Send status update to 2 clients');
    const sentAt = Date.now();
    await reader.locator('[data-communication="update"]').waitFor({ timeout: 2_000 });
    await reader.getByText('Status update sent').waitFor({ timeout: 2_000 - (Date.now() - sentAt) });
    expect(Date.now() - sentAt).toBeLessThan(2_000);

    // The board too: a new incident reported elsewhere appears without reload.
    const reportedAt = Date.now();
    await admin.post('/api/v1/incidents', { title: 'Webhook deliveries delayed' });
    await board.getByText('Webhook deliveries delayed').waitFor({ timeout: 2_000 });
    expect(Date.now() - reportedAt).toBeLessThan(2_000);
    await context.close();
  });

  it('keeps the board’s first load under 500 KB, and saves screenshots of the main screens in light and dark, laptop and phone', async () => {
    const { admin } = c.t;
    const cat = await buildCatalog(admin, 'shots');
    // An earlier incident of Initech on the portal, run to its RCA: a past occurrence for the composer.
    const past = await admin.post('/api/v1/incidents', { title: 'Portal logins failed' });
    await admin.post(`/api/v1/incidents/${past.body.id}/classification`, { severity: 'SEV2', impacts: [{ componentId: cat.portal.id, status: 'major_outage' }], isClientAffected: true, reason: 'Portal users.' });
    await admin.post(`/api/v1/incidents/${past.body.id}/disclosures`, fullDisclosures());
    await admin.post(`/api/v1/incidents/${past.body.id}/communications`, { kind: 'initial' });
    await admin.post(`/api/v1/incidents/${past.body.id}/state`, { state: 'resolved' });
    await admin.post(`/api/v1/incidents/${past.body.id}/communications`, { kind: 'resolution' });
    await admin.post(`/api/v1/incidents/${past.body.id}/communications`, { kind: 'rca', body: 'An expired certificate on the session store.' });
    expect((await admin.post(`/api/v1/incidents/${past.body.id}/close`, {})).body.stage).toBe('closed');
    // A board with something in each state: unclassified, overdue, running, resolved, closed.
    await admin.post('/api/v1/incidents', { title: 'Status page shows stale data', description: 'Reported by the support desk.' });
    const main = await admin.post('/api/v1/incidents', { title: 'Checkout API errors for EU clients', description: 'Error rate at 30% since 09:12 UTC.' });
    await admin.post(`/api/v1/incidents/${main.body.id}/roles`, { incidentManagerId: admin.userId });
    await admin.post(`/api/v1/incidents/${main.body.id}/classification`, {
      severity: 'SEV1',
      impacts: [
        { componentId: cat.api.id, status: 'major_outage' },
        { componentId: cat.portal.id, status: 'degraded_performance' },
      ],
      isClientAffected: true,
      reason: 'Every client using the API or the portal sees errors.',
    });
    await admin.post(`/api/v1/incidents/${main.body.id}/disclosures`, { ...fullDisclosures(), remediation: null });
    await admin.post(`/api/v1/incidents/${main.body.id}/communications`, { kind: 'initial', clientIds: [cat.acme.id], body: 'We are investigating checkout errors.' });
    await admin.post(`/api/v1/incidents/${main.body.id}/state`, { state: 'identified', note: 'A bad deploy of the payment adapter.' });
    const other = await admin.post('/api/v1/incidents', { title: 'Slow search on the portal' });
    await admin.post(`/api/v1/incidents/${other.body.id}/classification`, { severity: 'SEV3', impacts: [{ componentId: cat.portal.id, status: 'degraded_performance' }], isClientAffected: true, reason: 'Portal users.' });
    const me = await staffUser(c.t, 'Sam Screens');

    // First load of the board: what goes over the wire (compressed as served).
    const login = await c.context();
    const loginPage = await login.newPage();
    await logIn(loginPage, me.email);
    const state = await login.storageState();
    await login.close();
    const fresh = await c.context({ storageState: state });
    const page = await fresh.newPage();
    const requests: { url: string; bytes: number }[] = [];
    page.on('requestfinished', (req) => void req.sizes().then((s) => requests.push({ url: req.url(), bytes: s.responseBodySize + s.responseHeadersSize })));
    await page.goto('/', { waitUntil: 'networkidle' });
    await page.locator(`[data-incident="${main.body.key}"]`).waitFor();
    const total = requests.reduce((n, r) => n + r.bytes, 0);
    writeFileSync(`${ARTIFACTS}board-first-load.json`, JSON.stringify({ totalBytes: total, requests }, null, 2));
    expect(total, JSON.stringify(requests)).toBeLessThan(500 * 1024);
    // The board with an incident in each state, checked once its size is measured.
    await expectAccessible(page);
    await fresh.close();

    // One page, re-laid out per width and colour scheme (the console follows the system's scheme live).
    const context = await c.context({ storageState: state });
    const p = await context.newPage();
    const shoot = async (file: string, fn: (name: string) => Promise<void>) => {
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const [width, viewport] of [['laptop', LAPTOP], ['phone', PHONE]] as const) {
          await p.setViewportSize(viewport);
          await p.emulateMedia({ colorScheme });
          await p.locator(`html[data-mantine-color-scheme="${colorScheme}"]`).waitFor();
          await settleLayout(p);
          await fn(`${file}-${colorScheme}-${width}`);
        }
      }
    };
    await p.goto('/');
    await p.locator(`[data-incident="${main.body.key}"]`).waitFor();
    // Each width's layout is checked once (expectAccessible covers both schemes), then pictured.
    await shoot('board', async (name) => {
      if (name.includes('-light-')) await expectAccessible(p);
      await p.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
    });
    await p.getByRole('link', { name: 'Checkout API errors for EU clients' }).click();
    await p.locator('[data-communication="initial"]').waitFor();
    const composer = p.locator('#composer');
    await composer.getByText('Portal logins failed').waitFor();
    await shoot('incident', async (name) => {
      // The preview frame re-renders with each width and scheme, and paints only once on screen:
      // wait for its text, then picture the composer (which scrolls to it) before the whole page.
      await composer.frameLocator('iframe.message-frame').getByText('Dear ').first().waitFor();
      // The fixed header would cover the composer's top in an element screenshot.
      await composer.screenshot({ path: `${ARTIFACTS}${name.replace('incident', 'composer')}.png`, style: 'header { position: absolute !important; }' });
      await p.evaluate('window.scrollTo(0, 0)');
      if (name.includes('-light-')) await expectAccessible(p);
      await p.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
    });
    await p.setViewportSize(LAPTOP);
    await p.emulateMedia({ colorScheme: 'light' });
    for (const [path, label] of [['catalog', 'Components'], ['clients', 'Clients'], ['sla', 'SLA policies'], ['users', 'Users & API tokens'], ['outbox', 'Local outbox']] as const) {
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
      await p.getByRole('heading', { level: 1, name: label }).waitFor();
      await p.locator('table, [data-outbox-to]').first().waitFor();
      await expectAccessible(p);
      await p.screenshot({ path: `${ARTIFACTS}${path}-light-laptop.png`, fullPage: true });
    }
    await context.close();
  });
});
