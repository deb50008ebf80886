// The team standard "every page meets WCAG 2.1 AA", checked where the browser tests look: axe-core
// runs on each screen a test visits, in the light and the dark colour scheme (the console and every
// server-rendered page follow the system's scheme), and a test fails on any violation. A test also
// fails when it visited a screen it never checked, so a new screen cannot slip past unchecked.
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

/** WCAG 2.0 and 2.1, levels A and AA: what the standard asks, and nothing of axe's best practices. */
export const WCAG_21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Scheme = 'light' | 'dark';

/** A violation as a person reads it: rule, impact, where, and what to change. */
export function describeViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => {
        const fix = (n.failureSummary ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !/^Fix (any|all) of the following:$/.test(l));
        const where = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' → ');
        const html = n.html.length > 160 ? `${n.html.slice(0, 160)}…` : n.html;
        return [`    at ${where}`, `      ${html}`, ...fix.map((l) => `      ${l}`)].join('\n');
      });
      return `  ${v.id} (${v.impact ?? 'no impact given'}): ${v.help}\n${nodes.join('\n')}`;
    })
    .join('\n');
}

async function schemeOf(page: Page): Promise<Scheme> {
  return (await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")) ? 'dark' : 'light';
}

/** Switches the emulated scheme and waits until the page has repainted in it (the console re-themes from a media listener). */
async function showScheme(page: Page, scheme: Scheme): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  // Colours that are still fading from one scheme to the other would be measured half-way.
  await page.waitForFunction(`(() => {
    const mantine = document.documentElement.getAttribute('data-mantine-color-scheme');
    const isFading = document.getAnimations().some((a) => a instanceof CSSTransition && a.playState === 'running');
    return (mantine === null || mantine === '${scheme}') && !isFading;
  })()`);
}

/** The screens a context visited and the ones checked, by path (a console route or a server page). */
interface ScreenLog {
  visited: Set<string>;
  checked: Set<string>;
}
const screenLogs = new WeakMap<BrowserContext, ScreenLog>();

function screenOf(url: string): string | null {
  if (!/^https?:/.test(url)) return null;
  return new URL(url).pathname;
}

/**
 * Keeps a log of the screens the context's pages visit (page loads and the console's own route
 * changes alike); when the running test ends, it fails if one of them was never checked with
 * `expectAccessible`. Call it inside the test that uses the context (the shared helpers do).
 */
export function requireAccessibilityChecks(context: BrowserContext): void {
  const log: ScreenLog = { visited: new Set(), checked: new Set() };
  screenLogs.set(context, log);
  const watch = (page: Page) =>
    page.on('framenavigated', (frame) => {
      const screen = frame === page.mainFrame() ? screenOf(frame.url()) : null;
      if (screen) log.visited.add(screen);
    });
  context.pages().forEach(watch);
  context.on('page', watch);
  onTestFinished(({ task }) => {
    if (task.result?.state === 'fail') return;
    const unchecked = [...log.visited].filter((s) => !log.checked.has(s));
    if (unchecked.length) {
      throw new Error(`These screens were visited but never checked: call \`await expectAccessible(page)\` on each of them.\n  ${unchecked.join('\n  ')}`);
    }
  });
}

const analyze = async (page: Page) => (await new AxeBuilder({ page }).withTags(WCAG_21_AA_TAGS).analyze()).violations;

/**
 * The documents of the page's sandboxed frames (the e-mail previews): they run no scripts, so axe
 * cannot enter them, and each is checked as a page of its own, in a page opened beside this one.
 */
async function checkFramedDocuments(page: Page, scheme: Scheme): Promise<string[]> {
  const frames = await page.locator('iframe[sandbox][srcdoc]').evaluateAll((list) => list.map((f) => ({ title: f.getAttribute('title') ?? '', html: f.getAttribute('srcdoc') ?? '' })));
  const failures: string[] = [];
  for (const frame of frames) {
    const doc = await page.context().newPage();
    try {
      await doc.emulateMedia({ colorScheme: scheme });
      await doc.setContent(frame.html);
      const violations = await analyze(doc);
      if (violations.length) failures.push(`In the frame “${frame.title}”, in the ${scheme} colour scheme:\n${describeViolations(violations)}`);
    } finally {
      await doc.close();
    }
  }
  return failures;
}

/**
 * Runs axe-core (WCAG 2.1 A and AA) on what the page shows now, in the light and the dark scheme,
 * and fails with the list of violations. The page is left in the scheme it was in.
 */
export async function expectAccessible(page: Page): Promise<void> {
  // What the page shows once loaded, not its placeholders.
  await page.waitForFunction("!document.querySelector('.mantine-Skeleton-root[data-visible]')");
  const original = await schemeOf(page);
  const failures: string[] = [];
  for (const scheme of [original, original === 'light' ? 'dark' : 'light'] as const) {
    await showScheme(page, scheme);
    const violations = await analyze(page);
    if (violations.length) failures.push(`In the ${scheme} colour scheme:\n${describeViolations(violations)}`);
    failures.push(...(await checkFramedDocuments(page, scheme)));
  }
  await showScheme(page, original);
  const screen = screenOf(page.url());
  if (screen) screenLogs.get(page.context())?.checked.add(screen);
  if (failures.length) throw new Error(`${page.url()} is not accessible (WCAG 2.1 AA, axe-core):\n${failures.join('\n')}`);
}
