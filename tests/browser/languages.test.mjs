// English, Arabic, Sorani and Kurmanji (Badini): the whole layout mirrors
// right to left, and the choice is kept for the user (on the server) and on
// the phone.
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
      await page.getByRole('button', { name: 'کوردی سۆرانی' }).click();
      await page.getByRole('heading', { name: 'هەژمار' }).waitFor();
      assert.deepEqual(await dir(page), { dir: 'rtl', lang: 'ckb' });
      await visit(page, 'account-ckb');
      await page.getByRole('link', { name: 'سەرەکی' }).click();
      await page.getByRole('heading', { name: 'گرووپەکانم' }).waitFor();
      await visit(page, 'trainer-home-ckb');

      // Kurmanji (Badini, Arabic script): marked as awaiting review, in the language shown.
      await page.getByRole('link', { name: 'هەژمار' }).click();
      const badini = page.locator('[data-language=kmr]');
      assert.equal((await badini.textContent()).replace(/\s+/g, ' ').trim(), 'کوردی بادینی چاوەڕێی پێداچوونەوە');
      await badini.click();
      await page.locator('.language-review', { hasText: 'ل بەندا پێداچوونێ' }).waitFor();
      assert.deepEqual(await dir(page), { dir: 'rtl', lang: 'kmr-Arab' });
      assert.equal((await badini.textContent()).replace(/\s+/g, ' ').trim(), 'کوردی بادینی ل بەندا پێداچوونێ');
      assert.equal(await badini.getAttribute('aria-pressed'), 'true');
      await visit(page, 'account-kmr');
      assert.equal((await (await page.request.get(`${world.server.url}/api/me`)).json()).language, 'kmr');
      await page.getByRole('link', { name: 'سەرەکی' }).click();
      await page.getByRole('heading', { name: 'گرووپێن من' }).waitFor();
      await visit(page, 'trainer-home-kmr');
      await page.getByRole('link', { name: 'هەژمار' }).click();
      await page.getByRole('button', { name: 'کوردی سۆرانی' }).click();
      await page.locator('.language-review', { hasText: 'چاوەڕێی پێداچوونەوە' }).waitFor();
      assert.deepEqual(await dir(page), { dir: 'rtl', lang: 'ckb' });

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

/**
 * What a screen shows in Arabic, Sorani or Kurmanji that it should not:
 * Latin month names (English, or Kurmanji's Latin ones that an ICU falling
 * back from `kmr` to `ku` would print), Latin digits (outside codes, which are Latin by design, anything
 * marked dir="ltr", and names people typed, shown as typed in <bdi>), English names of places that have a name in
 * the language, and words or codes broken across lines. In English: no
 * Arabic-Indic digits.
 */
async function languageProblems(page, lang) {
  return page.evaluate((lang) => {
    const problems = [];
    const root = document.querySelector('.shell') ?? document.body;
    const texts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('[dir=ltr]:not(svg), bdi, script, style, title, option') || !node.textContent.trim())
        continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      texts.push(node);
    }
    // Participant codes (K7M-42QX, 001-01F0) and site codes (MOS-01) are Latin by design.
    const CODE = /\b[0-9A-Z]{3}-[0-9A-Z]{4}\b|\b[A-Z]{2,}(?:-[0-9A-Z]+)+\b/g;
    const rtl = lang !== 'en';
    for (const node of texts) {
      const text = node.textContent.replace(CODE, '');
      if (rtl && /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b/.test(text))
        problems.push(`Latin month: "${text.trim().slice(0, 60)}"`);
      if (
        rtl &&
        /(kanûn|sibat|şubat|adar|nîsan|gulan|hezîran|tîrmeh|tebax|îlon|cotmeh|mijdar|berfanbar|çile)/i.test(text)
      )
        problems.push(`Latin Kurmanji month: "${text.trim().slice(0, 60)}"`);
      if (rtl && /[0-9]/.test(text)) problems.push(`Latin digits: "${text.trim().slice(0, 60)}"`);
      if (!rtl && /[\u0660-\u0669]/.test(text)) problems.push(`Arabic-Indic digits in English: "${text.trim()}"`);
      if (rtl && /\b(Duhok|Dohuk|Sumel|Mosul|Ninawa|Nineveh|Whole programme)\b/.test(text))
        problems.push(`English place name: "${text.trim().slice(0, 60)}"`);
      // A word (or code) drawn on two lines was broken inside.
      const words = /\S+/g;
      for (let m = words.exec(node.textContent); m; m = words.exec(node.textContent)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) problems.push(`broken mid-word: "${m[0]}"`);
      }
    }
    return [...new Set(problems)];
  }, lang);
}

describe('field screens in four languages, as seen at 360×640', () => {
  test('dates, months, digits, place names and words on the demo', { timeout: 240_000 }, async () => {
    const passwords = world.server.runDemo();
    const url = world.server.url;
    const seen = {};
    for (const [login, lang] of [
      ['trainer-duh-01', 'ckb'],
      ['trainer-mos-01', 'ar'],
      ['mobiliser-duhok', 'en'],
      ['trainer-duh-01', 'kmr'],
    ]) {
      const { page, errors } = await world.phone();
      await logIn(page, url, login, passwords[login]);
      const set = await page.request.patch(`${url}/api/me`, { data: { language: lang } });
      assert.equal(set.status(), 200);
      await page.reload();
      await page.locator('[data-record-id]').nth(3).waitFor({ timeout: 60_000 });
      await visit(page, `ready-home-${lang}`);
      seen[`home-${lang}`] = await languageProblems(page, lang);
      await page.getByTestId('my-records').scrollIntoViewIfNeeded();
      await visit(page, `ready-records-${lang}`);
      // The head-count form: age bands beside counts, in one digit system.
      await page.goto(`${url}/event`);
      await page.locator('.tally-grid, fieldset').first().waitFor();
      await visit(page, `ready-event-${lang}`);
      await page.locator('.tally-grid, fieldset').last().scrollIntoViewIfNeeded();
      await visit(page, `ready-event-counts-${lang}`);
      seen[`event-${lang}`] = await languageProblems(page, lang);
      assert.deepEqual(errors, []);
    }
    // A coordinator's dashboard: chart axes, the site table's places, the scope names.
    for (const [login, lang] of [
      ['coord-duhok', 'ckb'],
      ['coordinator', 'ar'],
      ['coord-duhok', 'kmr'],
    ]) {
      const { page, errors } = await world.phone();
      await logIn(page, url, login, passwords[login]);
      const set = await page.request.patch(`${url}/api/me`, { data: { language: lang } });
      assert.equal(set.status(), 200);
      await page.reload();
      await page.locator('.site-table tbody tr').first().waitFor({ timeout: 60_000 });
      await page.locator('.chart').first().waitFor();
      await visit(page, `ready-dashboard-${lang}`);
      await page.locator('.chart').first().scrollIntoViewIfNeeded();
      await visit(page, `ready-dashboard-chart-${lang}`);
      await page.locator('.site-table').first().scrollIntoViewIfNeeded();
      await visit(page, `ready-dashboard-sites-${lang}`);
      seen[`dashboard-${lang}`] = await languageProblems(page, lang);
      assert.deepEqual(errors, []);
    }
    for (const [screen, problems] of Object.entries(seen)) assert.deepEqual(problems, [], screen);
  });
});
