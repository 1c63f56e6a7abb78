// The README's walk through the demo ("A walk through the demo, on a
// phone"), step by step as printed, at 360×640 on a fresh `sijil demo`.
// The test first reads the README and checks that the words it taps and
// reads are the ones printed there, in that order, so the two cannot drift
// apart: change a step in one, and this fails until the other follows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PIN, waitForServiceWorker } from './browser.mjs';
import { visit, worldForThisFile } from './helpers.mjs';
import { REPO_ROOT } from './server.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 300_000 };

/** The walk-through's text in the README, from its heading to the next one. */
function printedSteps() {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### A walk through the demo, on a phone');
  assert.ok(start > 0, 'the README has the walk-through');
  const end = readme.indexOf('\n#', start + 5);
  return readme.slice(start, end).replace(/\s+/g, ' ');
}

/** What the test uses of the printed steps, in the order printed. */
const PRINTED = [
  '`trainer-duh-01`',
  'Choose a PIN of six digits',
  '**الحساب**',
  '**English**',
  '**Home**',
  '**Register a participant**',
  '**Female**',
  '`2017`',
  '**Year of birth**',
  '**No**',
  '**Disability**',
  '**Internally displaced (IDP)**',
  '**Displacement status**',
  '**Register**',
  '**Done**',
  '**CFS day**',
  '**Find a child by code or name**',
  '**Save**',
  '**Nothing waiting to send**',
  'Go offline',
  '**CFS day**',
  'Tick one more child',
  '**Save**',
  '**1 record waiting to send**',
  'Go online again',
  '**Nothing waiting to send**',
  '**Account**',
  '**Log out**',
  '`coord-duhok`',
  '**داشبۆرد**',
];

const words = (printed) => printed.replace(/^\*\*|\*\*$|^`|`$/g, '');

describe('the README’s walk through the demo', () => {
  test('the printed steps name what this test taps, in order', () => {
    const text = printedSteps();
    let from = 0;
    for (const printed of PRINTED) {
      const at = text.indexOf(printed, from);
      assert.ok(at >= 0, `"${printed}" printed after position ${from} of the walk-through`);
      from = at + printed.length;
    }
    // Two commands to set up, as the README's quick start says: the demo, then serve.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    assert.match(readme, /```sh\ncargo run --release -- demo && cargo run --release -- serve\n```/);
  });

  test('a trainer’s day, then the coordinator’s dashboard, as printed', TIMEOUT, async () => {
    const url = world.server.url;
    const passwords = world.server.runDemo();
    const { context, page, errors } = await world.phone();
    const printed = (i) => words(PRINTED[i]);

    // 1. Log in as trainer-duh-01, choose a PIN, then Account → English.
    await page.goto(url);
    await waitForServiceWorker(page);
    await page.getByLabel('Login name').fill(printed(0));
    await page.getByLabel('Password', { exact: true }).fill(passwords[printed(0)]);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#new-pin').fill(PIN);
    await page.locator('#new-pin-again').fill(PIN);
    await page.locator('.lock-screen button[type=submit]').click();
    await page.getByRole('link', { name: printed(2) }).click();
    await page.getByRole('button', { name: printed(3) }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');

    // 2. Home → Register a participant: Female, 2017, No, IDP → Register; note the code → Done.
    await page.getByRole('link', { name: printed(4) }).click();
    await page.getByRole('link', { name: printed(5) }).click();
    await page.getByLabel(printed(6), { exact: true }).check();
    await page.getByLabel(printed(8), { exact: true }).fill(printed(7));
    await page.getByLabel(printed(10), { exact: true }).selectOption({ label: printed(9) });
    await page.getByLabel(printed(12)).selectOption({ label: printed(11) });
    await visit(page, 'walkthrough-register');
    await page.getByRole('button', { name: printed(13), exact: true }).click();
    const code = (await page.getByTestId('new-code').textContent()).trim();
    await page.getByRole('button', { name: printed(14) }).click();

    // 3. CFS day → find the child by its code, tap it → Save; Home says nothing is waiting.
    await page.getByRole('link', { name: printed(15), exact: true }).click();
    await page.getByLabel(printed(16)).fill(code);
    await page.locator('.roster-item').filter({ hasText: code }).click();
    await visit(page, 'walkthrough-cfs-day');
    await page.getByRole('button', { name: printed(17), exact: true }).click();
    await page.getByText(printed(18)).waitFor({ timeout: 60_000 });
    await visit(page, 'walkthrough-home-sent');

    // 4. Offline: CFS day again, the child still ticked; one more child → Save; 1 waiting; online: sent.
    await context.setOffline(true);
    await page.getByRole('link', { name: printed(20), exact: true }).click();
    const child = page.locator('.roster-item').filter({ hasText: code });
    await child.waitFor();
    assert.equal(await child.locator('input').isChecked(), true, 'the same day, the child still ticked');
    await page.locator('.roster-item:not(:has(input:checked))').first().click();
    await page.getByRole('button', { name: printed(22), exact: true }).click();
    await page.getByText(printed(23)).waitFor();
    await visit(page, 'walkthrough-home-waiting');
    await context.setOffline(false);
    await page.getByText(printed(25)).waitFor({ timeout: 60_000 });

    // 5. Account → Log out; log in as coord-duhok: the dashboard, in Sorani, site by site.
    await page.getByRole('link', { name: printed(26) }).click();
    await page.getByRole('button', { name: printed(27) }).click();
    await page.getByLabel('Login name').waitFor();
    // The login screen speaks the phone's last language (English, chosen in step 1).
    await page.getByLabel('Login name').fill(printed(28));
    await page.getByLabel('Password', { exact: true }).fill(passwords[printed(28)]);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#new-pin').fill(PIN);
    await page.locator('#new-pin-again').fill(PIN);
    await page.locator('.lock-screen button[type=submit]').click();
    await page.getByRole('heading', { level: 1, name: printed(29) }).waitFor();
    await page.locator('tr[data-site-code="DUH-01"]').waitFor();
    await visit(page, 'walkthrough-dashboard-ckb');
    assert.deepEqual(errors, []);
  });
});
