// Trainers' phones precache only what trainers use: the staff screens
// (admin, coordinator) and their strings are `staff-*` chunks the service
// worker leaves out of its precache, and keeps at run time once a staff
// member opened them, so a coordinator who opened the dashboard once opens
// it again offline, in their language.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { logIn, waitForServiceWorker } from './browser.mjs';
import { PASSWORD, visit, worldForThisFile } from './helpers.mjs';
import { APP_DIR } from './server.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 180_000 };

/** Every URL path the page's service worker holds, by cache name. */
function cachedPaths(page) {
  return page.evaluate(async () => {
    const held = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      held[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
    }
    return held;
  });
}

/** Opens the app, lets the service worker take the page, then logs in (so what loads next goes through it). */
async function logInControlled(page, login, password) {
  await page.goto(world.server.url);
  await waitForServiceWorker(page);
  await logIn(page, world.server.url, login, password);
}

describe('staff screens stay off trainers’ phones', () => {
  test('a trainer’s precache holds the field screens and no staff chunk', TIMEOUT, async () => {
    const staffFiles = readdirSync(join(APP_DIR, 'assets')).filter((file) => file.startsWith('staff-'));
    // The build names them (vite.config.ts): the admin and coordinator screens, their CSS, the staff catalogues.
    for (const name of ['AdminScreens', 'CoordinatorHome', 'ar', 'ckb'])
      assert.ok(
        staffFiles.some((file) => file.startsWith(`staff-${name}-`)),
        `staff-${name}-* in ${staffFiles.join(' ')}`,
      );

    world.server.createUser({ login: 'lean.trainer', name: 'Shirin Hama', role: 'trainer', password: PASSWORD });
    const { page, errors } = await world.phone();
    const requested = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await logInControlled(page, 'lean.trainer', PASSWORD);
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);

    const held = await cachedPaths(page);
    const precache = Object.entries(held).find(([name]) => name.includes('precache'));
    assert.ok(precache, `a precache among ${Object.keys(held).join(', ')}`);
    const paths = precache[1];
    // The field screens are there, forms and the other languages' catalogues included…
    for (const prefix of ['/assets/index-', '/assets/RecordForm-', '/assets/ar-', '/assets/ckb-'])
      assert.ok(
        paths.some((path) => path.startsWith(prefix)),
        `${prefix}* precached: ${paths.join(' ')}`,
      );
    // …and nothing of the staff screens, in any cache, nor asked for by the page.
    const staffHeld = Object.values(held)
      .flat()
      .filter((path) => path.includes('/staff-'));
    assert.deepEqual(staffHeld, []);
    assert.deepEqual(
      requested.filter((path) => path.includes('/staff-')),
      [],
    );
    assert.deepEqual(errors, []);
  });

  test('a coordinator who opened the dashboard once opens it offline, in Arabic', TIMEOUT, async () => {
    const passwords = world.server.runDemo();
    const { context, page, errors } = await world.phone();
    // The demo's Mosul coordinator reads Arabic: the staff strings come from staff-ar-*.
    await logInControlled(page, 'coord-mosul', passwords['coord-mosul']);
    await page.getByRole('heading', { level: 1, name: 'لوحة المتابعة' }).waitFor();
    await page.getByText('الفترة', { exact: true }).first().waitFor();
    await visit(page, 'staff-dashboard-ar-online');

    const kept = (await cachedPaths(page))['sijil-staff-screens'] ?? [];
    for (const prefix of ['/assets/staff-CoordinatorHome-', '/assets/staff-ar-'])
      assert.ok(
        kept.some((path) => path.startsWith(prefix)),
        `${prefix}* kept at run time: ${kept.join(' ')}`,
      );

    await context.setOffline(true);
    await page.reload();
    await page.locator('.connection[data-online="false"]').waitFor();
    await page.getByRole('heading', { level: 1, name: 'لوحة المتابعة' }).waitFor();
    await page.getByText('الفترة', { exact: true }).first().waitFor();
    // The screen itself opened: not the "could not load this screen" notice.
    assert.equal(await page.getByText('تعذّر تحميل هذا الجزء من التطبيق').count(), 0);
    await visit(page, 'staff-dashboard-ar-offline');
    await context.setOffline(false);
    assert.deepEqual(errors, []);
  });
});
