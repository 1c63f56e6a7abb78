// Logging in, the service worker, and working with no network: Sijil's
// app in Debian's Chromium against the real server binary, at the size of
// a cheap phone (360×640). Screens visited are saved to screenshots/ and
// checked for horizontal scroll and small touch targets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, waitForServiceWorker } from './browser.mjs';
import { PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 120_000 };

describe('the first login and offline use', () => {
  test('the first admin logs in and the first page is already controlled by the service worker', TIMEOUT, async () => {
    const { page, errors } = await world.phone();
    await page.goto(world.server.url);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await visit(page, 'login');

    await logIn(page, world.server.url, 'admin', world.server.adminPassword);
    await page.getByRole('heading', { name: 'Sites' }).waitFor();
    await page.getByText('No sites yet. Add the first one.').waitFor();
    await visit(page, 'admin-sites-empty');

    // clientsClaim: no second load is needed for the page to work offline.
    await waitForServiceWorker(page);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    assert.deepEqual(errors, []);
  });

  test('a wrong password is refused with a clear message', TIMEOUT, async () => {
    world.server.createUser({ login: 'typo.trainer', name: 'Shilan Aziz', role: 'trainer', password: PASSWORD });
    const { page, errors } = await world.phone();
    await page.goto(world.server.url);
    await page.getByLabel('Login name').fill('typo.trainer');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Login name or password is wrong.').waitFor();
    await visit(page, 'login-wrong-password');
    assert.deepEqual(errors, []);
  });

  test(
    'after the first login the app opens signed in with no network, and never serves /api from a cache',
    TIMEOUT,
    async () => {
      world.server.createUser({ login: 'offline.trainer', name: 'Rasha Ali', role: 'trainer', password: PASSWORD });
      const { context, page, errors } = await world.phone();
      await logIn(page, world.server.url, 'offline.trainer', PASSWORD);
      await page.getByRole('heading', { name: 'My groups' }).waitFor();
      await waitForServiceWorker(page);
      assert.equal(await page.locator('.connection').getAttribute('data-online'), 'true');
      await visit(page, 'trainer-home');

      await context.setOffline(true);
      await page.reload();
      await page.getByRole('heading', { name: 'My groups' }).waitFor();
      await page.locator('.connection[data-online="false"]').waitFor();
      assert.equal(await page.locator('.connection').textContent(), 'Offline');
      await page.getByText('Nothing waiting to send').waitFor();
      await visit(page, 'trainer-home-offline');

      // A deep link opens offline too (navigation fallback), still signed in.
      await page.goto(`${world.server.url}/account`);
      await page.getByRole('heading', { name: 'Account' }).waitFor();
      await page.getByText('Signed in as Rasha Ali (offline.trainer)').waitFor();
      await visit(page, 'account-offline');

      // The service worker holds no copy of any API answer.
      const apiOffline = await page.evaluate(() =>
        fetch('/api/me').then(
          (r) => `answered ${r.status}`,
          () => 'no answer',
        ),
      );
      assert.equal(apiOffline, 'no answer');

      await page.getByRole('link', { name: 'Record' }).click();
      await page.getByRole('heading', { name: 'Record a session' }).waitFor();
      await page.getByText('Nothing recorded yet.').waitFor();
      await visit(page, 'record-offline');

      await context.setOffline(false);
      await page.locator('.connection[data-online="true"]').waitFor();
      assert.deepEqual(errors, []);
    },
  );

  test(
    'a session ended on the server sends the phone back to the login screen once it is online',
    TIMEOUT,
    async () => {
      world.server.createUser({ login: 'ended.trainer', name: 'Bayan Noor', role: 'trainer', password: PASSWORD });
      const { context, page, errors } = await world.phone();
      await logIn(page, world.server.url, 'ended.trainer', PASSWORD);
      await page.getByRole('heading', { name: 'My groups' }).waitFor();
      // The server forgets the session (as when it expires or the account is disabled)…
      await context.request.post(`${world.server.url}/api/auth/logout`);
      // …and the next start, online, hears 401 and asks to log in again.
      await page.reload();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('sijil.session')), null);
      assert.deepEqual(errors, []);
    },
  );
});
