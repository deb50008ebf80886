// The public report form behind a client's secret link: a person fills it in (in Chromium, without
// JavaScript) and gets the incident key at once; scripts posting JSON get the same; the spam guard
// (honeypot, minimum fill time via a signed timestamp) sends doubtful reports to triage, never to an
// incident; the link can be rotated; reports are rate-limited per address.
import { chromium } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReportLink, formToken } from '../src/services/intake/public-report.js';
import { rows } from '../src/services/sql-rows.js';
import { CHROMIUM, hasChromium } from './e2e/browser.js';
import { buildClient } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

const MIN_FILL_MS = 800;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
let lastAddress = 0;
/** A new sender address per request unless a test names one: the rate limit is per address. */
const nextAddress = () => `203.0.113.${(++lastAddress % 250) + 1}`;

describe.each(testBackends())('public report form on %s', (kind) => {
  let t: TestApp;
  let client: { id: string; name: string };
  let path: string;

  const tokenOf = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)![1]!;
  const showForm = async (p = path) => {
    const res = await t.app.inject({ method: 'GET', url: p });
    return { status: res.statusCode, html: res.body, type: String(res.headers['content-type']) };
  };
  const submit = async (body: Record<string, string>, opts: { form?: boolean; ip?: string; p?: string } = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: opts.p ?? path,
      remoteAddress: opts.ip ?? nextAddress(),
      headers: { 'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json' },
      payload: opts.form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });
    const type = String(res.headers['content-type'] ?? '');
    return { status: res.statusCode, type, body: type.includes('json') ? JSON.parse(res.body) : res.body };
  };
  const clientIncidents = async () => rows<{ id: string; number: number; title: string; source: string }>(t.database.db, sql`SELECT id, number, title, source FROM incidents WHERE reporter_client_id = ${client.id} ORDER BY number`);
  const report = { title: 'Login page shows an error', description: 'Since this morning the login page says "500".', name: 'Bob Stone', email: 'bob@guest.example', website: '' };

  beforeAll(async () => {
    t = await createTestApp(kind, { intake: { http: { reportGuard: { minFillMs: MIN_FILL_MS } } } });
    client = await buildClient(t.admin, { name: 'Guest Corp' });
    const link = await t.admin.post(`/api/v1/clients/${client.id}/report-link`, {});
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect(link.body.url).toMatch(/^http:\/\/herald\.test\/report\/[A-Za-z0-9_-]{20,}$/);
    path = new URL(link.body.url).pathname;
  });
  afterAll(() => t?.close());

  it('shows an accessible form that works without JavaScript, and never the secret again', async () => {
    const page = await showForm();
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('Guest Corp');
    for (const id of ['title', 'description', 'name', 'email']) expect(page.html).toMatch(new RegExp(`<label for="${id}">`));
    expect(page.html).not.toContain('<script');
    expect(page.html).toMatch(/class="trap" aria-hidden="true"/);
    const status = await t.admin.get(`/api/v1/clients/${client.id}/report-link`);
    expect(status.body).toMatchObject({ isEnabled: true, url: null });
    expect(JSON.stringify(status.body)).not.toContain(path.split('/').pop());
    expect((await showForm('/report/not-the-secret-but-long-enough')).status).toBe(404);
  });

  it('opens a client-reported incident and answers with its key and what happens next', async () => {
    const token = tokenOf((await showForm()).html);
    await pause(MIN_FILL_MS + 100);
    const res = await submit({ ...report, formToken: token });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.incidentKey).toMatch(/^INC-\d+$/);
    expect(res.body.message).toContain(res.body.incidentKey);
    expect(res.body.message).toContain('What happens next');
    const incident = (await t.admin.get(`/api/v1/incidents/${res.body.incidentKey}`)).body;
    expect(incident).toMatchObject({ title: report.title, description: report.description, source: 'client', reporterClientId: client.id });
    const events = (await t.admin.get(`/api/v1/incidents/${incident.id}/timeline?order=asc`)).body.items;
    expect(events[0].actor).toBe('Bob Stone <bob@guest.example> (report form of Guest Corp)');
  });

  it('holds reports the spam guard doubts in triage, telling the sender it was received', async () => {
    const before = await clientIncidents();
    const token = tokenOf((await showForm()).html);
    // Tokens as the form would carry them, with the clock driven: sent before the minimum fill time
    // had passed (however slow this machine is), and a form shown two days ago.
    const link = (await findReportLink(t.database, path.split('/').pop()!))!;
    const tooFast = await submit({ ...report, title: 'Too fast', formToken: formToken(link, new Date(Date.now() + 60_000)) });
    const stale = await submit({ ...report, title: 'Stale', formToken: formToken(link, new Date(Date.now() - 2 * 86_400_000)) });
    await pause(MIN_FILL_MS + 100);
    const honeypot = await submit({ ...report, title: 'Honeypot', website: 'http://spam.example', formToken: token });
    const noToken = await submit({ ...report, title: 'No token' });
    const forged = await submit({ ...report, title: 'Forged', formToken: `${Date.now() - 60_000}.${'A'.repeat(32)}` });
    for (const res of [tooFast, stale, honeypot, noToken, forged]) {
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body).toMatchObject({ status: 'received' });
      expect(res.body.incidentKey).toBeUndefined();
    }
    expect(await clientIncidents()).toEqual(before);
    const held = (await t.admin.get('/api/v1/triage?kind=public_report&status=open')).body.items as { title: string; clientId: string; reason: string; data: { signals: string[] } }[];
    expect(Object.fromEntries(held.map((h) => [h.title, h.data.signals]))).toEqual({
      'Too fast': ['sent_too_fast'],
      Stale: ['form_expired'],
      Honeypot: ['honeypot_filled'],
      'No token': ['form_token_missing'],
      Forged: ['form_token_invalid'],
    });
    expect(held.every((h) => h.clientId === client.id && h.reason === 'spam_guard')).toBe(true);
  });

  it('refuses bad input with the field named, as problem+json for JSON and as the form again for a browser', async () => {
    const json = await submit({ title: '', description: 'x' });
    expect(json.status).toBe(400);
    expect(json.type).toMatch(/^application\/problem\+json/);
    expect(json.body.field).toBe('body.title');
    const bad = await submit({ title: 'Something', email: 'not-an-address' });
    expect(bad.body.field).toBe('body.email');
    const form = await submit({ title: '', description: 'kept text', formToken: 'x' }, { form: true });
    expect(form.status).toBe(400);
    expect(form.type).toContain('text/html');
    expect(form.body).toContain('role="alert"');
    expect(form.body).toContain('kept text');
    expect(form.body).toMatch(/id="title"[^>]*aria-invalid="true"/);
  });

  it('lets the client rotate the link: the old one stops working at once', async () => {
    const portal = await t.user('client', { clientId: client.id });
    const other = await buildClient(t.admin);
    expect((await portal.post(`/api/v1/clients/${other.id}/report-link`, {})).status).toBe(404);
    const rotated = await portal.post(`/api/v1/clients/${client.id}/report-link`, {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    const fresh = new URL(rotated.body.url).pathname;
    expect(fresh).not.toBe(path);
    expect((await showForm()).status).toBe(404);
    expect((await submit({ ...report })).status).toBe(404);
    expect((await showForm(fresh)).status).toBe(200);
    path = fresh;
    expect((await t.admin.del(`/api/v1/clients/${client.id}/report-link`)).body).toMatchObject({ isEnabled: false });
    expect((await showForm()).status).toBe(404);
    path = new URL((await t.admin.post(`/api/v1/clients/${client.id}/report-link`, {})).body.url).pathname;
  });

  it('limits reports per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await submit({ ...report, title: `Flood ${i}` }, { ip: '198.51.100.7' })).status);
    expect(statuses.slice(0, 5).every((s) => s < 300)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another address is not held up.
    expect((await submit({ ...report, title: 'Other address' }, { ip: '198.51.100.8' })).status).toBeLessThan(300);
  });

  it.runIf(hasChromium && kind === 'pglite')('works for a person in a browser without JavaScript', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${base}${path}`);
      await page.getByLabel('What is wrong?').fill('Reports page is blank');
      await page.getByLabel('Details').fill('The monthly report page shows nothing.');
      await page.getByLabel('Your e-mail').fill('carol@guest.example');
      await pause(MIN_FILL_MS + 100);
      await page.getByRole('button', { name: 'Send report' }).click();
      const key = await page.getByRole('status').locator('strong').textContent();
      expect(key).toMatch(/^INC-\d+$/);
      await expect(page.getByText('What happens next').isVisible()).resolves.toBe(true);
      expect((await t.admin.get(`/api/v1/incidents/${key}`)).body).toMatchObject({ title: 'Reports page is blank', reporterClientId: client.id });
    } finally {
      await browser.close();
    }
  });
});
