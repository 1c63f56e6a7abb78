// Field-ready (issue 12), as field staff meet it on a 360×640 phone:
// on a fresh `sijil demo`, a trainer registers a child and records a CFS
// day and a mobiliser records an event; the first Save tap with something
// missing moves focus to the problem, shows it in view and announces it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, waitForServiceWorker } from './browser.mjs';
import { apiLogIn, visit, worldForThisFile } from './helpers.mjs';
import { startOutageProxy } from './outage.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 240_000 };

/** The demo's accounts, loaded once for the file by the first test that needs them. */
let demoPasswords;
function demo() {
  demoPasswords ??= world.server.runDemo();
  return demoPasswords;
}

/** Today as the phone's forms write it. */
const today = () => new Date().toISOString().slice(0, 10);

/** Logs in as a demo account and switches it to English (the demo gives Duhok's staff Sorani), so the test reads as the steps do. */
async function demoPhone(login, password, url = world.server.url) {
  const { context, page, errors } = await world.phone();
  await logIn(page, url, login, password);
  const changed = await page.request.patch(`${url}/api/me`, { data: { language: 'en' } });
  assert.equal(changed.status(), 200, await changed.text());
  await page.reload();
  await page.locator('nav.bottom-nav').waitFor();
  await waitForServiceWorker(page);
  return { context, page, errors };
}

/**
 * After a refused Save: the first problem's text is on screen (not under the
 * bottom menu), focus is on it or on its field, and it is announced.
 */
export async function assertProblemShown(page, text) {
  await page.getByTestId('problem-alert').filter({ hasText: text }).waitFor({ timeout: 5_000 });
  const seen = await page.evaluate(() => {
    const error = document.querySelector('.field-error');
    const box = error.getBoundingClientRect();
    const nav = document.querySelector('nav.bottom-nav')?.getBoundingClientRect();
    const active = document.activeElement;
    return {
      text: error.textContent,
      inView: box.top >= 0 && box.bottom <= (nav ? nav.top : window.innerHeight),
      focused: active === error || (active?.id !== '' && error.id === `${active?.id}-error`),
      role: document.querySelector('[data-testid=problem-alert]').getAttribute('role'),
    };
  });
  assert.equal(seen.text, text);
  assert.ok(seen.inView, 'the first problem is on screen after the first tap');
  assert.ok(seen.focused, 'focus moved to the first problem');
  assert.equal(seen.role, 'alert');
}

describe('the demo, on phones', () => {
  test('a trainer registers a child and records a CFS day; a mobiliser records an event', TIMEOUT, async () => {
    const url = world.server.url;
    const passwords = demo();
    const { context: adminContext } = await world.phone();
    await apiLogIn(adminContext, url, 'admin', world.server.adminPassword);
    const sites = await (await adminContext.request.get(`${url}/api/sites`)).json();
    const cfs = sites.find((s) => s.code === 'DUH-01');
    assert.equal(cfs.kind, 'child_friendly_space');

    // The trainer at the camp's CFS: the site reached the phone, so registering works.
    const { page, errors } = await demoPhone('trainer-duh-01', passwords['trainer-duh-01']);
    await page.getByRole('link', { name: 'Register a participant' }).click();
    await page.getByRole('heading', { name: 'Register a participant' }).waitFor();
    await page.getByRole('button', { name: 'Register' }).click();
    await assertProblemShown(page, 'Required.');
    await page.getByLabel('Female', { exact: true }).check();
    await page.getByLabel('Year of birth', { exact: true }).fill('2017');
    await page.getByLabel('Disability', { exact: true }).selectOption('no');
    await page.getByLabel('Displacement status').selectOption('idp');
    await page.getByRole('button', { name: 'Register' }).click();
    const code = (await page.getByTestId('new-code').textContent()).trim();
    await page.getByRole('button', { name: 'Done' }).click();

    // A CFS day: Save with nobody ticked shows why, in view, on the first tap.
    await page.getByRole('link', { name: 'CFS day', exact: true }).click();
    await page.getByRole('heading', { name: 'CFS day' }).waitFor();
    await page.locator('.roster-item').nth(5).waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await assertProblemShown(page, 'Tick at least one person.');
    await visit(page, 'field-ready-cfs-first-tap');
    await page.getByLabel('Find a child by code or name').fill(code.replace('-', ''));
    await page.locator('.roster-item').filter({ hasText: code }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    await page.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
    const days = await (await adminContext.request.get(`${url}/api/records?site_id=${cfs.id}&from=${today()}`)).json();
    assert.ok(
      days.some((r) => r.kind === 'cfs_day' && r.attendances === 1),
      JSON.stringify(days),
    );
    assert.deepEqual(errors, []);

    // The mobiliser of the camps: sites to choose from, and an event with no counts refused in view.
    const mobiliser = await demoPhone('mobiliser-duhok', passwords['mobiliser-duhok']);
    const m = mobiliser.page;
    await m.getByRole('link', { name: 'New awareness event' }).first().click();
    await m.getByRole('heading', { name: 'New awareness event' }).waitFor();
    // The first pull may still be under way: the choices fill in as it lands.
    await m
      .getByLabel('Site', { exact: true })
      .locator('option')
      .nth(3)
      .waitFor({ state: 'attached', timeout: 30_000 });
    const siteOptions = await m.getByLabel('Site', { exact: true }).locator('option').allTextContents();
    assert.equal(siteOptions.length, 4, `"Choose…" and the three camps: ${siteOptions}`);
    await m.getByLabel('Site', { exact: true }).selectOption({ index: 2 });
    await m.getByLabel('Topic of the event').selectOption({ index: 1 });
    await m.getByRole('button', { name: 'Save', exact: true }).click();
    await assertProblemShown(m, 'Count at least one person.');
    await visit(m, 'field-ready-event-first-tap');
    await m.getByLabel('Female, 6–11 years', { exact: true }).fill('12');
    await m.getByRole('button', { name: 'Save', exact: true }).click();
    await m.getByRole('heading', { name: 'Awareness events' }).waitFor();
    await m.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
    assert.deepEqual(mobiliser.errors, []);
  });
});

describe('drafts', () => {
  test(
    'a reload and a tap on the bottom menu keep 5 ticks and a note; nothing is sent until Save',
    TIMEOUT,
    async () => {
      const url = world.server.url;
      const passwords = demo();
      const { context: adminContext } = await world.phone();
      await apiLogIn(adminContext, url, 'admin', world.server.adminPassword);
      const sites = await (await adminContext.request.get(`${url}/api/sites`)).json();
      const cfs = sites.find((s) => s.code === 'DUH-03');
      assert.equal(cfs.kind, 'child_friendly_space');
      const sentToday = async () =>
        (await (await adminContext.request.get(`${url}/api/records?site_id=${cfs.id}&from=${today()}`)).json()).length;

      const { page, errors } = await demoPhone('trainer-duh-03', passwords['trainer-duh-03']);
      const dialogs = [];
      let answer = 'accept';
      page.on('dialog', (dialog) => {
        dialogs.push({ type: dialog.type(), message: dialog.message() });
        void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
      });
      const ticked = () => page.locator('.roster-item input:checked').count();
      const note = page.getByLabel('Notes (optional)');

      await page.getByRole('link', { name: 'CFS day', exact: true }).click();
      await page.getByRole('heading', { name: 'CFS day' }).waitFor();
      // The site's children arrive with the first pull, which takes a while on a loaded machine.
      await page.locator('.roster-item').nth(9).waitFor({ timeout: 120_000 });
      for (let i = 0; i < 5; i++)
        await page
          .locator('.roster-item')
          .nth(i * 2)
          .click();
      await note.fill('Two new children from the school');
      assert.equal(await ticked(), 5);
      await page.waitForTimeout(800); // the draft is written a moment after the last change

      // A reload: the page warns (beforeunload), and the form comes back as it was.
      await page.reload();
      await page.getByRole('heading', { name: 'CFS day' }).waitFor();
      await page.getByText('Your unsaved entries were brought back.', { exact: false }).waitFor();
      await page.locator('.roster-item').nth(5).waitFor();
      assert.equal(await ticked(), 5);
      assert.equal(await note.inputValue(), 'Two new children from the school');

      // The bottom menu asks first; "stay" keeps the form open.
      answer = 'dismiss';
      await page.locator('nav.bottom-nav').getByRole('link', { name: 'Home' }).click();
      assert.equal(dialogs.at(-1).type, 'confirm');
      assert.match(dialogs.at(-1).message, /not saved/);
      await page.getByRole('heading', { name: 'CFS day' }).waitFor();
      // "Leave": home, and the draft is still there when the form opens again.
      answer = 'accept';
      await page.locator('nav.bottom-nav').getByRole('link', { name: 'Home' }).click();
      await page.getByRole('heading', { name: 'My groups' }).waitFor();
      assert.equal(await sentToday(), 0, 'a draft is never sent');
      await page.getByRole('link', { name: 'CFS day', exact: true }).click();
      await page.getByRole('heading', { name: 'CFS day' }).waitFor();
      await page.locator('.roster-item').nth(5).waitFor();
      assert.equal(await ticked(), 5);
      assert.equal(await note.inputValue(), 'Two new children from the school');
      await visit(page, 'field-ready-draft-restored');

      // Save: sent as one record, and the draft is gone.
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('heading', { name: 'My groups' }).waitFor();
      await page.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
      const days = await (
        await adminContext.request.get(`${url}/api/records?site_id=${cfs.id}&from=${today()}`)
      ).json();
      assert.equal(days.length, 1);
      assert.equal(days[0].attendances, 5);
      // Opening the CFS day again continues today's record (one per site and
      // date): the saved ticks, and no draft brought back.
      await page.getByRole('link', { name: 'CFS day', exact: true }).click();
      await page.getByText('This CFS day is already on this phone', { exact: false }).waitFor();
      await page.locator('.roster-item').nth(5).waitFor();
      assert.equal(await ticked(), 5);
      assert.equal(await page.getByText('Your unsaved entries were brought back.', { exact: false }).count(), 0);
      assert.ok(
        dialogs.some((d) => d.type === 'beforeunload'),
        `the reload warned: ${JSON.stringify(dialogs)}`,
      );
      assert.deepEqual(errors, []);
    },
  );
});

describe('sync on a dead cell', () => {
  /**
   * A mobiliser saves an event while the server cannot be reached (the
   * browser says online all along), for 60 s: the bar says when it tries
   * again within seconds, "Send now" is there, and once the server is back
   * the event goes within 15 s, stored once.
   */
  async function outage(refuse, name) {
    const url = world.server.url;
    const passwords = demo();
    const proxy = await startOutageProxy(url);
    try {
      const { context: adminContext } = await world.phone();
      await apiLogIn(adminContext, url, 'admin', world.server.adminPassword);
      const { page, errors } = await demoPhone('mobiliser-mosul', passwords['mobiliser-mosul'], proxy.url);
      // The first pull (six months of the camps' events) has landed before the outage starts.
      await page.locator('[data-record-id]').first().waitFor({ timeout: 60_000 });
      await page.locator('.outbox-line[data-unsent="0"][data-sync="idle"]').waitFor({ timeout: 60_000 });
      const sites = await (await adminContext.request.get(`${url}/api/sites`)).json();
      const site = sites.find((s) => s.code === 'MOS-02');
      const countToday = async () =>
        (await (await adminContext.request.get(`${url}/api/records?site_id=${site.id}&from=${today()}`)).json()).filter(
          (r) => r.kind === 'awareness_event',
        ).length;
      const before = await countToday();

      proxy.down({ refuse });
      const downAt = Date.now();
      await page.getByRole('link', { name: 'New awareness event' }).first().click();
      await page.getByRole('heading', { name: 'New awareness event' }).waitFor();
      await page.getByLabel('Site', { exact: true }).selectOption({ label: site.name });
      await page.getByLabel('Topic of the event').selectOption({ index: 1 });
      await page.getByLabel('Female, 25–59 years', { exact: true }).fill('9');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const savedAt = Date.now();
      await page.getByRole('heading', { name: 'Awareness events' }).waitFor();
      await page.locator('.outbox-line[data-unsent="1"]').waitFor();
      await page.locator('.outbox-line', { hasText: '1 record waiting to send' }).waitFor();

      // Within seconds, not after a request's 30 s timeout: a 4 s probe goes before the push.
      await page.locator('.outbox-retry', { hasText: /trying again in \d+ s/ }).waitFor({ timeout: 12_000 });
      const told = Date.now() - savedAt;
      console.log(`${name}: "trying again" shown ${(told / 1000).toFixed(1)} s after the save`);
      assert.ok(told < 12_000, `the bar said "trying again" ${told} ms after the save`);
      await page.locator('.outbox-line').getByRole('button', { name: 'Send now' }).waitFor();
      await visit(page, `field-ready-${name}`);
      // "Send now" during the outage: tried, and still waiting, still offered.
      await page.locator('.outbox-line').getByRole('button', { name: 'Send now' }).click();
      await page.locator('.outbox-retry', { hasText: /trying again in \d+ s/ }).waitFor({ timeout: 12_000 });
      assert.equal(await countToday(), before, 'nothing arrived during the outage');

      await page.waitForTimeout(Math.max(0, 60_000 - (Date.now() - downAt)));
      assert.equal(await page.locator('.outbox-line').getByRole('button', { name: 'Send now' }).count(), 1);
      proxy.up();
      const upAt = Date.now();
      await page.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
      const took = Date.now() - upAt;
      console.log(`${name}: sent ${(took / 1000).toFixed(1)} s after the server came back`);
      assert.ok(took < 15_000, `sent ${took} ms after the return`);
      assert.equal(await countToday(), before + 1, 'stored once');
      assert.deepEqual(errors, []);
    } finally {
      await proxy.close();
    }
  }

  test(
    'requests hang for 60 s while the browser says online: the bar says so within seconds, the record goes within 15 s of the return',
    {
      timeout: 300_000,
    },
    () => outage(false, 'dead-cell'),
  );

  test(
    'the server unreachable for 60 s (connections refused), then back: a waiting record goes within 15 s of its return',
    {
      timeout: 300_000,
    },
    () => outage(true, 'server-down'),
  );
});

describe('feedback where it is seen', () => {
  test('a flag set while the app is open shows at the top of home within a minute; a locked month cannot be edited', {
    timeout: 300_000,
  }, async () => {
    const url = world.server.url;
    const passwords = demo();
    const { context: adminContext } = await world.phone();
    await apiLogIn(adminContext, url, 'admin', world.server.adminPassword);
    const sites = await (await adminContext.request.get(`${url}/api/sites`)).json();
    const site = sites.find((s) => s.code === 'MOS-01');
    const { page, errors } = await demoPhone('trainer-mos-01', passwords['trainer-mos-01']);
    await page.locator('[data-record-id]').nth(10).waitFor({ timeout: 60_000 });
    await page.locator('.outbox-line[data-unsent="0"][data-sync="idle"]').waitFor({ timeout: 60_000 });

    // A coordinator flags one of this trainer's records of last month while the app stays open.
    const listed = await (
      await adminContext.request.get(`${url}/api/records?site_id=${site.id}&status=submitted&limit=200`)
    ).json();
    const lastMonth = new Date(Date.now() - 35 * 86_400_000).toISOString().slice(0, 7);
    const target = listed.find((r) => r.date.startsWith(lastMonth) && r.kind !== 'awareness_event');
    assert.ok(target, 'a record of last month to flag');
    const comment = 'Ten present? The register says eight.';
    const flagged = await adminContext.request.post(`${url}/api/records/${target.id}/review`, {
      data: { status: 'flagged', comment },
    });
    assert.equal(flagged.status(), 200, await flagged.text());
    const flaggedAt = Date.now();
    const item = page.getByTestId('attention').locator('.attention-item').filter({ hasText: comment });
    await item.waitFor({ timeout: 60_000 });
    console.log(`the flag showed ${((Date.now() - flaggedAt) / 1000).toFixed(1)} s after it was set`);
    // At the top: right under the title, on the first screen.
    const top = await page.getByTestId('attention').evaluate((e) => ({
      y: e.getBoundingClientRect().top,
      before: e.previousElementSibling?.tagName,
    }));
    assert.equal(top.before, 'H1');
    assert.ok(top.y < 640, `attention block at ${top.y}px`);
    await visit(page, 'field-ready-attention');
    // One tap from the fix: the record's form.
    await item.getByRole('link').click();
    await page.getByRole('heading', { name: 'Edit record' }).waitFor();
    await page.locator('nav.bottom-nav').getByRole('link', { name: 'Home' }).click();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();

    // The coordinator locks that month: the phone learns of it through its pull.
    const month = target.date.slice(0, 7);
    const locked = await adminContext.request.post(`${url}/api/sites/${site.id}/locks`, { data: { month } });
    assert.equal(locked.status(), 201, await locked.text());
    const row = page.locator(`[data-record-id="${target.id}"]`);
    await page.locator(`[data-record-id="${target.id}"][data-locked="true"]`).waitFor({ timeout: 60_000 });
    assert.equal(await item.count(), 0, 'a flag in a locked month is no longer asked of the trainer');
    await row.getByRole('link').first().click();
    await page.getByText('Only an administrator can unlock the month.', { exact: false }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Delete this record' }).count(), 0);
    await visit(page, 'field-ready-locked-record');
    assert.deepEqual(errors, []);
  });
});
