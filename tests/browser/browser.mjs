// Debian's Chromium through playwright-core (no downloaded browsers), a
// phone-sized context, and the small steps every test repeats.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
export const PHONE = { width: 360, height: 640 };

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** A fresh profile (own cookies, storage, service workers) the size of a cheap phone. */
export async function phoneContext(browser) {
  return browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'en-GB' });
}

/** Saves a 360×640 screenshot as screenshots/<name>.png (git-ignored) for people to look at. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The PIN the tests choose at each login (the app asks for one on every new login: lock/). */
export const PIN = '246810';

export async function logIn(page, url, login, password) {
  await page.goto(url);
  await page.getByLabel('Login name').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await setPin(page);
  await page.locator('nav.bottom-nav').waitFor();
}

/** Chooses the test PIN on the screen that follows a login (by ids: any language). */
export async function setPin(page, pin = PIN) {
  await page.locator('#new-pin').fill(pin);
  await page.locator('#new-pin-again').fill(pin);
  await page.locator('.lock-screen button[type=submit]').click();
}

/** Unlocks with the PIN (the app locks whenever it is opened again). */
export async function unlock(page, pin = PIN) {
  await page.locator('#pin').fill(pin);
  await page.locator('.lock-screen button[type=submit]').click();
}

/**
 * Tests written before the app lock reload and open pages freely: this
 * unlocks with the test PIN whenever the lock screen stands in the way of
 * an action or assertion (Playwright's locator handlers).
 */
export async function autoUnlock(page) {
  await page.addLocatorHandler(page.locator('#pin'), async () => {
    await unlock(page);
  });
}

const controlled = () =>
  navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined;

/**
 * Waits until the service worker controls the page (clientsClaim makes that
 * happen on the first load). When a loaded machine keeps the worker
 * installing past 20 s, the page is reloaded once it is active (a page loaded
 * after activation is always controlled) and the worker's state is printed,
 * so a slow install is told apart from a worker that never takes control.
 */
export async function waitForServiceWorker(page) {
  try {
    await page.waitForFunction(controlled, null, { timeout: 20_000 });
  } catch {
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker?.getRegistration();
      return JSON.stringify({
        installing: registration?.installing?.state ?? null,
        waiting: registration?.waiting?.state ?? null,
        active: registration?.active?.state ?? null,
      });
    });
    console.log(`# service worker not in control after 20 s: ${state}; reloading once it is active`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(controlled, null, { timeout: 20_000 });
  }
}

/** Layout checks for a phone: nothing wider than the screen, every visible control at least 48 px tall and wide. */
export async function phoneLayoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      problems.push(`horizontal scroll: content is ${root.scrollWidth}px wide in ${root.clientWidth}px`);
    // Checkboxes are inside labels that are the touch target.
    const targets = document.querySelectorAll(
      'button, a[href], select, input:not([type=checkbox]):not([type=radio]), label.check',
    );
    for (const el of targets) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown
      if (el.closest('.list-meta, p')) continue; // links inside running text are exempt (WCAG 2.5.8 inline)
      if (box.height < 47.5 || box.width < 47.5) {
        problems.push(
          `small target ${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || el.id).trim().slice(0, 40)}": ${Math.round(box.width)}×${Math.round(box.height)}`,
        );
      }
    }
    return problems;
  });
}
