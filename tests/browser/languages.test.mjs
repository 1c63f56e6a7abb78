// English, Arabic and Sorani: the whole layout mirrors right to left, and
// the choice is kept for the user (on the server) and on the phone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, setPin } from './browser.mjs';
import { dir, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 120_000 };

describe('languages', () => {
  test(
    'Arabic and Sorani mirror the layout, and the choice is kept for the user and on the phone',
    TIMEOUT,
    async () => {
      world.server.createUser({ login: 'rtl.trainer', name: 'Hevi Omar', role: 'trainer', password: PASSWORD });
      const { page, errors } = await world.phone();
      await logIn(page, world.server.url, 'rtl.trainer', PASSWORD);
      await page.getByRole('link', { name: 'Account' }).click();
      await page.getByRole('heading', { name: 'Account' }).waitFor();
      const width = page.viewportSize().width;
      const boxes = () =>
        Promise.all(
          ['.app-title', '.connection', '.bottom-nav-item >> nth=0', '.bottom-nav-item >> nth=2', 'h1'].map(
            (selector) => page.locator(selector).boundingBox(),
          ),
        );
      const [titleLtr, connectionLtr, homeLtr, accountLtr, headingLtr] = await boxes();
      assert.deepEqual(await dir(page), { dir: 'ltr', lang: 'en' });
      assert.ok(
        titleLtr.x < width / 2 && connectionLtr.x > width / 2,
        'in English the name is on the left and the connection on the right',
      );

      await page.getByRole('button', { name: 'العربية' }).click();
      await page.getByRole('heading', { name: 'الحساب' }).waitFor();
      assert.deepEqual(await dir(page), { dir: 'rtl', lang: 'ar' });
      const [titleRtl, connectionRtl, homeRtl, accountRtl, headingRtl] = await boxes();
      // Everything moved to its mirrored place: the right edge in RTL is where the left edge was.
      assert.ok(titleRtl.x > width / 2, `the app name moved right (x ${titleLtr.x} → ${titleRtl.x})`);
      assert.ok(connectionRtl.x < width / 2, `the connection moved left (x ${connectionLtr.x} → ${connectionRtl.x})`);
      assert.ok(Math.abs(titleRtl.x + titleRtl.width - (width - titleLtr.x)) <= 2, 'the app name is mirrored');
      assert.ok(homeLtr.x < accountLtr.x && homeRtl.x > accountRtl.x, 'the menu reads right to left');
      assert.ok(
        Math.abs(headingRtl.x + headingRtl.width - (width - headingLtr.x)) <= 2,
        'the heading starts at the right',
      );
      await visit(page, 'account-ar');

      // Kept on the server for this user…
      const me = await (await page.request.get(`${world.server.url}/api/me`)).json();
      assert.equal(me.language, 'ar');
      // …and on the phone, across reloads.
      await page.reload();
      await page.getByRole('heading', { name: 'الحساب' }).waitFor();
      assert.equal((await dir(page)).dir, 'rtl');
      await page.getByRole('link', { name: 'الرئيسية' }).click();
      await page.getByRole('heading', { name: 'مجموعاتي' }).waitFor();
      await visit(page, 'trainer-home-ar');

      await page.getByRole('link', { name: 'الحساب' }).click();
      await page.getByRole('button', { name: 'کوردی' }).click();
      await page.getByRole('heading', { name: 'هەژمار' }).waitFor();
      assert.deepEqual(await dir(page), { dir: 'rtl', lang: 'ckb' });
      await visit(page, 'account-ckb');
      await page.getByRole('link', { name: 'سەرەکی' }).click();
      await page.getByRole('heading', { name: 'گرووپەکانم' }).waitFor();
      await visit(page, 'trainer-home-ckb');

      // Logged out, the phone keeps its last language for the login screen.
      await page.getByRole('link', { name: 'هەژمار' }).click();
      await page.getByRole('button', { name: 'چوونەدەرەوە' }).click();
      await page.getByRole('heading', { name: 'چوونەژوورەوە' }).waitFor();
      assert.deepEqual(await dir(page), { dir: 'rtl', lang: 'ckb' });
      await visit(page, 'login-ckb');
      assert.deepEqual(errors, []);
    },
  );

  test('a language picked on the login screen becomes the new user’s own', TIMEOUT, async () => {
    world.server.createUser({
      login: 'new.mobiliser',
      name: 'Ahmed Salim',
      role: 'mobiliser',
      password: PASSWORD,
      language: 'en',
    });
    const { page, errors } = await world.phone();
    await page.goto(world.server.url);
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.getByRole('heading', { name: 'تسجيل الدخول' }).waitFor();
    await visit(page, 'login-ar');
    await page.getByLabel('اسم المستخدم').fill('new.mobiliser');
    await page.getByLabel('كلمة المرور').fill(PASSWORD);
    await page.getByRole('button', { name: 'دخول' }).click();
    await setPin(page);
    await page.getByRole('heading', { name: 'الفعاليات التوعوية' }).waitFor();
    await visit(page, 'mobiliser-home-ar');
    const me = await (await page.request.get(`${world.server.url}/api/me`)).json();
    assert.equal(me.language, 'ar');
    assert.deepEqual(errors, []);
  });
});
