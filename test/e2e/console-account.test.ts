// "Your account" in Chromium: a person changes their own password from the console (the API's
// PATCH /api/v1/users/{id} with the current password). A wrong current password is shown on that
// field; a right one changes it and signs out the person's other sessions, which then log in with
// the new password; too many attempts show the Retry-After in words. Client users reach the screen
// too. Each screen is checked for accessibility (WCAG 2.1 AA).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../support/factories.js';
import { expectAccessible, hasChromium, logIn, PASSWORD, shootOnFailure, staffUser, startConsole, type Console } from './browser.js';

const NEW_PASSWORD = 'a longer and newer passphrase';

async function openAccount(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  return page.getByRole('form', { name: 'Change password' });
}

const fields = (page: Page) => {
  const form = page.getByRole('form', { name: 'Change password' });
  return {
    form,
    current: form.getByRole('textbox', { name: /^Current password/ }),
    next: form.getByRole('textbox', { name: /^New password \(/ }),
    again: form.getByRole('textbox', { name: /^New password again/ }),
    submit: form.getByRole('button', { name: 'Change password' }),
  };
};

/** The error text a field announces (its aria-describedby), so a message is proven to sit on that field. */
async function errorOf(page: Page, input: ReturnType<typeof fields>['current']): Promise<string> {
  await input.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = (await input.getAttribute('aria-describedby'))?.split(/\s+/) ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

/** Asks the API, from the page, who is logged in: the status shows whether this browser's session still stands. */
const sessionStatus = (page: Page) => page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);

describe.skipIf(!hasChromium)('your account in the console', { timeout: 120_000 }, () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(() => c?.close());

  it('changes the password with the current one and signs out the other sessions', async () => {
    const me = await staffUser(c.t, 'Pat Password', 'member');
    // A browser logged in before the change: its session must end with it.
    const other = await c.context();
    const otherPage = await other.newPage();
    shootOnFailure(otherPage, 'account-other-session');
    await logIn(otherPage, me.email);

    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'account');
    await logIn(page, me.email);
    await openAccount(page);
    const you = page.getByRole('region', { name: 'You' });
    await you.getByText('Pat Password').waitFor();
    await you.getByText(me.email).waitFor();
    await you.getByText('member').waitFor();
    await expectAccessible(page);
    const f = fields(page);
    expect(await f.current.getAttribute('autocomplete')).toBe('current-password');
    expect(await f.next.getAttribute('autocomplete')).toBe('new-password');
    expect(await f.again.getAttribute('autocomplete')).toBe('new-password');

    // The API's length rule, checked before asking; and a confirmation that differs.
    await f.current.fill(PASSWORD);
    await f.next.fill('too short');
    await f.again.fill('too shorT');
    await f.submit.click();
    expect(await errorOf(page, f.next)).toContain('At least 12 characters');
    expect(await errorOf(page, f.again)).toContain('Does not match the new password');

    // A wrong current password: refused by the server, shown on that field.
    await f.current.fill('not my password at all');
    await f.next.fill(NEW_PASSWORD);
    await f.again.fill(NEW_PASSWORD);
    await f.submit.click();
    await f.form.getByText('That is not your current password.').waitFor();
    expect(await errorOf(page, f.current)).toContain('That is not your current password.');
    await expectAccessible(page);

    // The right one changes it.
    await f.current.fill(PASSWORD);
    await f.submit.click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).getByText('Your other sessions were signed out').waitFor();
    expect(await f.current.inputValue()).toBe('');
    await expectAccessible(page);
    expect(await sessionStatus(page)).toBe(200);

    // The browser logged in before is signed out: its next call answers 401, and the console shows the login.
    expect(await sessionStatus(otherPage)).toBe(401);
    await otherPage.reload();
    await otherPage.getByRole('button', { name: 'Log in' }).waitFor();
    await logIn(otherPage, me.email, NEW_PASSWORD);
    await otherPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).waitFor();
    const old = await fetch(`${c.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: me.email, password: PASSWORD }) });
    expect(old.status).toBe(401);
    await context.close();
    await other.close();
  });

  it('after too many attempts, says in words when to try again (429 with Retry-After)', async () => {
    const me = await staffUser(c.t, 'Rita Retry', 'member');
    // Five attempts with a wrong current password use up the 5 per 15 minutes (counted per user).
    for (let i = 0; i < 5; i++) {
      const res = await me.caller.patch(`/api/v1/users/${me.caller.userId}`, { currentPassword: `wrong guess ${i}`, password: NEW_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
    }
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'account-rate-limited');
    await logIn(page, me.email);
    await openAccount(page);
    await expectAccessible(page);
    const f = fields(page);
    await f.current.fill(PASSWORD);
    await f.next.fill(NEW_PASSWORD);
    await f.again.fill(NEW_PASSWORD);
    await f.submit.click();
    const alert = page.getByRole('alert').filter({ hasText: 'Password not changed' });
    await alert.getByText(/Too many password changes from your account: try again in about \d+ minutes?\./).waitFor();
    await expectAccessible(page);
    await context.close();
    const stillOld = await fetch(`${c.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: me.email, password: PASSWORD }) });
    expect(stillOld.status).toBe(200);
  });

  it('is reachable for a client user too', async () => {
    const client = await buildClient(c.t.admin, { name: 'Account Co' });
    const email = `cleo.${Date.now().toString(36)}@account.example`;
    await c.t.user('client', { clientId: client.id, email, name: 'Cleo Client', password: PASSWORD });
    const context = await c.context();
    const page = await context.newPage();
    shootOnFailure(page, 'account-client');
    await logIn(page, email);
    await openAccount(page);
    const you = page.getByRole('region', { name: 'You' });
    await you.getByText('Cleo Client').waitFor();
    await you.getByText('client', { exact: true }).waitFor();
    await fields(page).current.waitFor();
    await expectAccessible(page);
    await context.close();
  });
});
