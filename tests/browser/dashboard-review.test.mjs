// The review loop on a demo programme: a coordinator reads the dashboard
// (trend chart, site table of their sites only), drills down to a record and
// flags it; the trainer who recorded it sees the flag and comment after sync.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn } from './browser.mjs';
import { apiLogIn, visit, worldForThisFile } from './helpers.mjs';

/**
 * The demo gives its staff Arabic or Sorani; these checks read English, so
 * the account switches to English, then logs in through the login screen.
 */
async function logInInEnglish({ context, page }, url, login, password) {
  await apiLogIn(context, url, login, password);
  const response = await context.request.patch(`${url}/api/me`, { data: { language: 'en' } });
  assert.equal(response.status(), 200, await response.text());
  await context.request.post(`${url}/api/auth/logout`);
  await context.clearCookies();
  await logIn(page, url, login, password);
}

const world = worldForThisFile();
const TIMEOUT = { timeout: 180_000 };

describe('dashboard and review', () => {
  test('a coordinator flags a record from the dashboard and the trainer sees it after sync', TIMEOUT, async () => {
    const passwords = world.server.runDemo();
    assert.ok(passwords['coord-mosul'] && passwords['trainer-mos-01'], JSON.stringify(Object.keys(passwords)));
    const url = world.server.url;

    const coordinator = await world.phone();
    const page = coordinator.page;
    await logInInEnglish(coordinator, url, 'coord-mosul', passwords['coord-mosul']);
    // The headline, the trend chart (bars drawn) and the site table.
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('figure.chart svg rect.chart-bar').first().waitFor();
    const bars = await page.locator('figure.chart').first().locator('rect.chart-bar').count();
    assert.ok(bars >= 6, `trend bars: ${bars}`);
    const codes = await page
      .locator('tr[data-site-code]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-site-code')));
    assert.deepEqual([...codes].sort(), ['MOS-01', 'MOS-02', 'MOS-03', 'MOS-04'], "only this coordinator's sites");
    const unique = await page.locator('.headline-item').first().locator('dd').textContent();
    assert.ok(Number(unique.replace(/\D/g, '')) > 0, `unique people: ${unique}`);
    await visit(page, 'dashboard-coordinator');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({
      path: new URL('./screenshots/dashboard-laptop.png', import.meta.url).pathname,
      fullPage: true,
    });
    await page.setViewportSize({ width: 360, height: 640 });

    // Drill down: site → its records → one group session.
    await page.locator('tr[data-site-code="MOS-01"] a').click();
    await page.getByRole('heading', { name: /MOS-01/ }).waitFor();
    await visit(page, 'dashboard-site-records');
    const session = page.locator('li[data-review]').filter({ hasText: 'Group session' }).first();
    const href = await session.locator('a').getAttribute('href');
    const id = href.split('/').pop();
    await session.locator('a').click();
    await page.getByRole('heading', { name: /Record:/ }).waitFor();
    await visit(page, 'dashboard-record');
    const comment = 'Two names ticked twice? Please check the register.';
    await page.getByLabel('What should the recorder check?').fill(comment);
    await page.getByRole('button', { name: 'Flag', exact: true }).click();
    await page.getByText('Review saved.').waitFor();
    await page.locator('p[data-review="flagged"]').waitFor();
    await visit(page, 'dashboard-record-flagged');

    // The trainer's phone pulls the flag with their own records.
    const trainer = await world.phone();
    await logInInEnglish(trainer, url, 'trainer-mos-01', passwords['trainer-mos-01']);
    const row = trainer.page.locator(`[data-record-id="${id}"]`);
    await row.getByText(comment).waitFor({ timeout: 60_000 });
    assert.equal(await row.getAttribute('data-review'), 'flagged');
    await row.scrollIntoViewIfNeeded();
    await visit(trainer.page, 'dashboard-trainer-sees-flag');
    assert.deepEqual([...coordinator.errors, ...trainer.errors], []);
  });
});
