// Page helpers for the console's browser suite: Debian's Chromium driven by playwright-core, axe-core
// injected from its npm package, screenshots into docs/console/, and the i18n missing-key record.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually, REPO_ROOT } from '@wharf/testing';

export const CHROMIUM = '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const SHOTS = join(REPO_ROOT, 'docs', 'console');

export function launch(): Promise<Browser> {
  // --no-sandbox: the suite runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export async function newPage(browser: Browser, lang: 'en' | 'zh-CN' = 'en'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: lang });
  return context.newPage();
}

/** axe-core's serious and critical violations on the page once it has settled, as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Page code as strings: this file is compiled without the DOM library. A button caught halfway through its
  // 0.2 s transition from disabled grey to primary blue has grey text on light blue: judge colours once every
  // finite animation and transition has ended (spinners run forever and are left out).
  await page.waitForFunction(
    `document.getAnimations().every((a) => a.playState !== 'running' ||
      a.effect === null || a.effect.getComputedTiming().endTime === Infinity)`,
    undefined,
    { timeout: 10_000 },
  );
  if (!(await page.evaluate("'axe' in window"))) await page.addScriptTag({ path: AXE });
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`) as Promise<string[]>;
}

/**
 * Goes to `path` as the console's own links do (history.pushState, which React Router follows): the
 * page's scripts and axe-core stay loaded, where a full load would parse them again. Two frames on,
 * React has replaced the old page, whose text could otherwise pass for `ready`.
 */
export async function navigate(p: Page, path: string, ready: string): Promise<void> {
  await p.evaluate(`(async () => {
    history.pushState(null, '', ${JSON.stringify(path)});
    dispatchEvent(new PopStateEvent('popstate'));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  })()`);
  await p.getByText(ready, { exact: false }).first().waitFor({ timeout: 20_000 });
}

/** Until no lazily loaded part of the page still shows its "Loading…" stand-in (`loading`, in the page's language). */
export async function loaded(p: Page, loading: string): Promise<void> {
  await p.waitForFunction(
    `!document.getElementById('main').textContent.includes(${JSON.stringify(loading)})`,
    undefined,
    {
      timeout: 20_000,
    },
  );
}

/** Keys the app asked i18next for that the current language lacks. */
export function missingKeys(page: Page): Promise<string[]> {
  return page.evaluate('window.__wharfMissingKeys ?? []') as Promise<string[]>;
}

export async function shot(page: Page, name: string, lang: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.${lang}.png`) });
}

/** Picks a namespace in the header's picker, and waits until its list has closed. */
export async function pickNamespace(p: Page, title: string): Promise<void> {
  await p.getByRole('combobox', { name: 'Namespace' }).focus();
  await p.keyboard.press('ArrowDown');
  await p.locator(`.ant-select-item-option[title="${title}"]`).click();
  // Closed, not closing: axe judges an option list still in the page (aria-allowed-attr).
  await eventually(
    async () =>
      (await p.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').count()) === 0 ? true : undefined,
    10_000,
    'the namespace list closed',
  );
}

/** A new page signed in at `base` with a pasted bearer token (the sign-in page's Token tab); the name it shows. */
export async function signInWithToken(browser: Browser, base: string, token: string): Promise<[Page, string]> {
  const p = await newPage(browser);
  await p.goto(`${base}/`);
  await p.getByRole('tab', { name: 'Token' }).click();
  await p.getByLabel('Bearer token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  return [p, (await p.getByTestId('user-name').textContent({ timeout: 30_000 })) ?? ''];
}

/** Through the test OpenID provider's own pages (oidc-provider's dev interactions): its login form, then consent. */
export async function providerSignIn(p: Page, login: string): Promise<void> {
  await p.locator('input[name="login"]').fill(login);
  await p.locator('input[name="password"]').fill('any');
  await p.getByRole('button', { name: 'Sign-in' }).click();
  await p.getByRole('button', { name: 'Continue' }).click();
}
