// Browser tests drive the real Herald server (in-process, PGlite, listening on a free port) with
// Debian's Chromium through playwright-core. Skipped, with a message, when Chromium is not installed.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';
import { defaultConsoleDir } from '../../src/http/console-page.js';
import { buildClient, buildComponent } from '../support/factories.js';
import { createTestApp, type Caller, type TestApp } from '../support/test-app.js';
import { expectAccessible, requireAccessibilityChecks } from './accessibility.js';

export { expectAccessible } from './accessibility.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium).`);

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };
export const PASSWORD = 'correct horse battery staple';

/** On failure, what the page showed (a person's first question): a screenshot in test-artifacts/. */
export function shootOnFailure(page: Page, name: string) {
  onTestFailed(async () => {
    await page.screenshot({ path: `${ARTIFACTS}failure-${name}.png`, fullPage: true }).catch(() => undefined);
  });
}

export interface Console {
  t: TestApp;
  url: string;
  browser: Browser;
  /** A new logged-out browser context at the server; the running test fails if it visits a screen it does not check with `expectAccessible`. */
  context(opts?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startConsole(): Promise<Console> {
  if (!existsSync(`${defaultConsoleDir()}/index.html`)) throw new Error('The console is not built: run `npm run build` (npm test does) before the browser tests.');
  mkdirSync(ARTIFACTS, { recursive: true });
  const t = await createTestApp('pglite');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return {
    t,
    url,
    browser,
    context: (opts = {}) => openContext(browser, url, opts),
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/** A browser context at `baseURL` whose screens must each be checked for accessibility before the running test ends. */
export async function openContext(browser: Browser, baseURL: string, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: LAPTOP, ...opts });
  context.setDefaultTimeout(10_000);
  requireAccessibilityChecks(context);
  return context;
}

/**
 * Logs in through the login form, as a person does, and waits for the console. Both screens are
 * checked for accessibility: the login form and the one the person lands on (board or client home).
 */
export async function logIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByLabel('E-mail').fill(email);
  await expectAccessible(page);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.locator('#main h1').first().waitFor();
  await expectAccessible(page);
}

/** A staff user with a password, for the login form. */
export async function staffUser(t: TestApp, name: string, role: 'admin' | 'member' = 'admin') {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now().toString(36)}@herald.example`;
  const caller = await t.user(role, { email, name, password: PASSWORD });
  return { caller, email, name };
}

/** A small catalog: one component used by two clients (each with two contacts), one used by a third. */
export async function buildCatalog(admin: Caller, tag: string) {
  const api = await buildComponent(admin, `Public API ${tag}`);
  const portal = await buildComponent(admin, `Billing portal ${tag}`);
  const acme = await buildClient(admin, {
    name: `Acme ${tag}`,
    tier: 'gold',
    componentIds: [api.id],
    contacts: [
      { name: 'Alice Park', email: `alice.${tag}@acme.example` },
      { name: 'Arun Mehta', email: `arun.${tag}@acme.example` },
    ],
  });
  const globex = await buildClient(admin, { name: `Globex ${tag}`, componentIds: [api.id], contacts: [{ name: 'Gina Lopez', email: `gina.${tag}@globex.example` }] });
  const initech = await buildClient(admin, { name: `Initech ${tag}`, componentIds: [portal.id], contacts: [{ name: 'Ivan Novak', email: `ivan.${tag}@initech.example` }] });
  return { api, portal, acme, globex, initech };
}

/** Outbox copies of an incident, read through the API as any integration would. */
export async function outboxOf(admin: Caller, incidentId: string) {
  const res = await admin.get(`/api/v1/outbox?incidentId=${incidentId}&limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { to: string; clientId: string; subject: string; text: string; status: string }[];
}

/** After a viewport change: waits until the navigation has finished sliding in or out (it animates). */
export async function settleLayout(page: Page): Promise<void> {
  await page.waitForFunction(`(() => {
    const nav = document.querySelector('nav[aria-label="Main"]');
    if (!nav) return true;
    const r = nav.getBoundingClientRect();
    return window.innerWidth < 768 ? r.right <= 0 : r.left >= 0;
  })()`);
}
