// The console's operations screens in Chromium: maintenance windows scheduled, moved and cancelled by
// clicking, and the triage queue, where a routed alert group is promoted to an incident and another
// item dismissed with a reason. Each screen and form is checked for accessibility (WCAG 2.1 AA).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerPayload } from '../support/alert-payloads.js';
import { buildClient, buildComponent } from '../support/factories.js';
import { ARTIFACTS, expectAccessible, hasChromium, logIn, shootOnFailure, staffUser, startConsole, type Console } from './browser.js';

/** A datetime-local value `hours` after a whole minute of this run, in the browser's (and this process's) time zone. */
const BASE_MS = Math.floor(Date.now() / 60_000) * 60_000;
function localInput(hours: number): string {
  const d = new Date(BASE_MS + hours * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

describe.skipIf(!hasChromium)('operations in the console', { timeout: 120_000 }, () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(() => c?.close());

  it('schedules a maintenance window, moves it and cancels it', async () => {
    const { admin } = c.t;
    const db = await buildComponent(admin, 'Primary database');
    await buildClient(admin, { name: 'Umbrella', componentIds: [db.id] });
    const me = await staffUser(c.t, 'Mira Maintenance', 'member');
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'maintenance');
    await logIn(page, me.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Maintenance' }).click();
    await page.getByRole('heading', { level: 1, name: 'Maintenance' }).waitFor();
    await page.getByText('No maintenance window yet.').waitFor();
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Schedule maintenance' }).click();
    const form = page.getByRole('form', { name: 'New maintenance window' });
    await form.getByLabel('Title').waitFor();
    await expectAccessible(page);
    await form.getByLabel('Title').fill('PostgreSQL 17 upgrade');
    await form.getByLabel('What clients should know').fill('Writes pause for up to 10 minutes.');
    await form.getByLabel(/^Components/).click();
    await page.getByRole('option', { name: 'Primary database' }).click();
    await page.keyboard.press('Escape');
    await form.getByLabel(/^Start/).fill(localInput(48));
    await form.getByLabel(/^End/).fill(localInput(50));
    await form.getByRole('button', { name: 'Schedule' }).click();
    const card = page.locator('[data-maintenance]').filter({ hasText: 'PostgreSQL 17 upgrade' });
    await card.and(page.locator('[data-state="scheduled"]')).waitFor();
    await card.getByText('Clients: Umbrella').waitFor();
    const key = (await card.getAttribute('data-maintenance'))!;
    const before = (await admin.get(`/api/v1/maintenance/${key}`)).body as { startsAt: string; endsAt: string };
    expect(Date.parse(before.endsAt) - Date.parse(before.startsAt)).toBe(2 * 3600_000);

    await card.getByRole('button', { name: 'Reschedule' }).click();
    const move = page.getByRole('form', { name: `Reschedule ${key}` });
    await move.getByLabel('New start').fill(localInput(72));
    await move.getByLabel('New end').fill(localInput(73));
    await move.getByLabel('Why it moves (optional)').fill('The vendor asked for another day.');
    await expectAccessible(page);
    await move.getByRole('button', { name: 'Move the window' }).click();
    await page.getByText(`${key} moved.`).waitFor();
    const moved = (await admin.get(`/api/v1/maintenance/${key}`)).body as { startsAt: string; endsAt: string; state: string };
    expect(Date.parse(moved.startsAt) - Date.parse(before.startsAt)).toBe(24 * 3600_000);
    expect(Date.parse(moved.endsAt) - Date.parse(moved.startsAt)).toBe(3600_000);

    await card.getByRole('button', { name: 'Cancel window' }).click();
    await page.getByRole('form', { name: `Cancel ${key}` }).getByLabel(/Why it is cancelled/).fill('The upgrade is no longer needed.');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Cancel the window' }).click();
    await page.locator(`[data-maintenance="${key}"][data-state="cancelled"]`).getByText('Cancelled: The upgrade is no longer needed.').waitFor();
    expect((await admin.get(`/api/v1/maintenance/${key}`)).body.state).toBe('cancelled');
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}maintenance-light-laptop.png`, fullPage: true });
    await context.close();
  });

  it('adds a signed webhook to a client and shows its secret once', async () => {
    const { admin } = c.t;
    const client = await buildClient(admin, { name: 'Wayne Hooks' });
    const me = await staffUser(c.t, 'Will Webhook', 'admin');
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'endpoints');
    await logIn(page, me.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    const card = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Wayne Hooks' }) });
    await card.getByRole('button', { name: 'Add an endpoint to Wayne Hooks' }).waitFor();
    await expectAccessible(page);
    await card.getByRole('button', { name: 'Add an endpoint to Wayne Hooks' }).click();
    const form = card.getByRole('form', { name: 'New endpoint for Wayne Hooks' });
    await form.getByLabel(/^Name/).waitFor();
    await expectAccessible(page);
    await form.getByLabel(/^Name/).fill('Ops bridge');
    await form.getByLabel(/^URL/).fill('https://hooks.wayne.example/herald');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await card.getByTestId('endpoint-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await expectAccessible(page);
    await card.getByRole('button', { name: 'Hide the secret' }).click();
    await card.getByText('https://hooks.wayne.example/herald').waitFor();
    expect(await card.getByText(secret).count()).toBe(0);
    const stored = (await admin.get(`/api/v1/clients/${client.id}/endpoints`)).body.items as { kind: string; url: string; secret: string }[];
    expect(stored).toMatchObject([{ kind: 'webhook', url: 'https://hooks.wayne.example/herald' }]);
    expect(stored[0]!.secret).not.toBe(secret);
    await context.close();
  });

  it('promotes a routed alert group to an incident and dismisses another item with the reason', async () => {
    const { admin } = c.t;
    const batch = await buildComponent(admin, 'Nightly reports');
    const integration = await admin.post('/api/v1/integrations', { kind: 'alertmanager', name: 'Prometheus', slug: 'prom-triage', rules: [{ matchRegex: { service: 'batch|reports' }, action: 'triage' }] });
    expect(integration.status, JSON.stringify(integration.body)).toBe(201);
    const post = async (alertname: string, summary: string) => {
      const res = await c.t.app.inject({
        method: 'POST',
        url: '/hooks/alertmanager',
        headers: { authorization: `Bearer ${integration.body.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(
          alertmanagerPayload({ groupLabels: { alertname, service: 'reports' }, commonAnnotations: { summary }, alerts: [{ fingerprint: `f${alertname.length}0a1b2c3d4e5f6a7`, status: 'firing', labels: { instance: 'reports-1' }, annotations: { summary } }] }),
        ),
      });
      expect(res.statusCode, res.body).toBe(202);
    };
    await post('ReportJobSlow', 'Report job runs over 2 h');
    await post('ReportDiskFull', 'Report disk at 95%');
    // The job worker files them in the queue: wait for that state (not a time).
    for (let i = 0; (await admin.get('/api/v1/triage?status=open')).body.items.length < 2; i++) {
      if (i > 400) throw new Error('the alerts never reached the triage queue');
      await new Promise((r) => setTimeout(r, 50));
    }

    const me = await staffUser(c.t, 'Tariq Triage', 'member');
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'triage');
    await logIn(page, me.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Triage' }).click();
    await page.getByRole('heading', { level: 1, name: 'Triage' }).waitFor();
    const slow = page.locator('[data-triage]').filter({ hasText: 'Report job runs over 2 h' });
    const disk = page.locator('[data-triage]').filter({ hasText: 'Report disk at 95%' });
    await slow.waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}triage-light-laptop.png`, fullPage: true });

    await slow.getByRole('button', { name: 'Dismiss' }).click();
    await slow.getByLabel('Why it is not an incident').fill('Slow but finished; the report was on time.');
    await expectAccessible(page);
    await slow.getByRole('button', { name: 'Dismiss it' }).click();
    await slow.waitFor({ state: 'detached' });

    await disk.getByRole('button', { name: 'Promote to incident' }).click();
    await disk.getByLabel('Incident title').fill('Reports disk almost full');
    await disk.getByLabel('Severity (optional)').selectOption('SEV3');
    await disk.getByLabel('Components (optional)').click();
    await page.getByRole('option', { name: 'Nightly reports' }).click();
    await page.keyboard.press('Escape');
    await expectAccessible(page);
    await disk.getByRole('button', { name: 'Open the incident' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports disk almost full' }).waitFor();
    await expectAccessible(page);
    const key = page.url().split('/incidents/')[1]!;

    const incident = (await admin.get(`/api/v1/incidents/${key}`)).body;
    expect(incident).toMatchObject({ title: 'Reports disk almost full', severity: 'SEV3', impacts: [{ componentId: batch.id }] });
    const items = (await admin.get('/api/v1/triage?status=dismissed')).body.items as { title: string; decisionNote: string }[];
    expect(items.find((i) => i.title.includes('Report job runs over 2 h'))?.decisionNote).toBe('Slow but finished; the report was on time.');
    expect((await admin.get('/api/v1/triage?status=open')).body.items).toHaveLength(0);
    await context.close();
  });
});
