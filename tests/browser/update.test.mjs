// A new release of the app reaches a phone without losing what is on it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, waitForServiceWorker } from './browser.mjs';
import { PASSWORD, putInOutbox, visit, withNewerRelease, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 120_000 };

describe('updates', () => {
  test(
    'a new release waits for a tap on Update, then reloads into it with the records on the phone kept',
    TIMEOUT,
    async () => {
      world.server.createUser({ login: 'update.trainer', name: 'Aras Karim', role: 'trainer', password: PASSWORD });
      const { page, errors } = await world.phone();
      // The first visit: the page was not controlled when it loaded (the case the plugin alone does not reload).
      await logIn(page, world.server.url, 'update.trainer', PASSWORD);
      await waitForServiceWorker(page);
      const me = await (await page.request.get(`${world.server.url}/api/me`)).json();
      await putInOutbox(page, me.id);
      await page.evaluate(() => {
        window.beforeUpdate = true;
      });

      await withNewerRelease(async () => {
        await page.evaluate(() =>
          navigator.serviceWorker.getRegistration().then((registration) => registration.update()),
        );
        await page.getByText('A new version of Sijil is ready. Records on this phone are kept.').waitFor();
        // Nothing changes until the person chooses to.
        assert.equal(await page.evaluate(() => window.beforeUpdate), true);
        await visit(page, 'update-available');
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Update' }).click()]);
      });

      assert.equal(await page.evaluate(() => window.beforeUpdate), undefined, 'the page reloaded into the new version');
      await page.getByRole('heading', { name: 'My groups' }).waitFor();
      // Still on the phone after the update (online, the phone has tried to send this empty
      // stand-in record and the server refused it, so it waits for its owner's attention).
      await page.locator('.outbox-line[data-unsent="1"]').waitFor();
      assert.equal(await page.getByText('A new version of Sijil is ready').count(), 0);
      assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
      assert.deepEqual(errors, []);
    },
  );
});
