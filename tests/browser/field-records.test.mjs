// A mobiliser's own records after they are sent: a coordinator's flag and
// comment reach the phone, an edit and a deletion are synced, an edit that
// crossed one made elsewhere is shown as a conflict and resolved, and
// "Send now" at logout sends before logging out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, setPin, waitForServiceWorker } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 240_000 };

async function recordEvent(page, place, count) {
  await page.getByRole('link', { name: 'New awareness event' }).first().click();
  await page.getByRole('heading', { name: 'New awareness event' }).waitFor();
  await page.getByLabel('Topic of the event').selectOption({ label: 'COVID-19' });
  await page.getByLabel('Place (optional)').fill(place);
  await page.getByLabel('Female, 25–59 years', { exact: true }).fill(String(count));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('heading', { name: 'Awareness events' }).waitFor();
}

describe('my records', () => {
  test('flags, edits, deletions, conflicts and "Send now"', TIMEOUT, async () => {
    const { context: adminContext } = await world.phone();
    const url = world.server.url;
    await apiLogIn(adminContext, url, 'admin', world.server.adminPassword);
    const partner = await apiPost(adminContext, url, '/partners', { name: 'Review Partner' });
    const areas = await (await adminContext.request.get(`${url}/api/areas`)).json();
    const site = await apiPost(adminContext, url, '/sites', {
      code: 'DHK-CC-02',
      name: 'Duhok centre',
      kind: 'community_centre',
      partner_id: partner.id,
      area_id: areas.find((a) => a.pcode === 'IQG08').id,
    });
    world.server.createUser({
      login: 'review.mobiliser',
      name: 'Hana Ali',
      role: 'mobiliser',
      password: PASSWORD,
      sites: ['DHK-CC-02'],
    });

    const { context, page, errors } = await world.phone();
    await logIn(page, url, 'review.mobiliser', PASSWORD);
    await waitForServiceWorker(page);
    await recordEvent(page, 'Bazaar', 30);
    const row = page.locator('[data-record-id][data-state="sent"]');
    await row.waitFor();
    const id = await row.getAttribute('data-record-id');

    // A coordinator flags it; after a sync the phone shows the comment in that record's row.
    const flagged = await apiPost(adminContext, url, `/records/${id}/review`, {
      status: 'flagged',
      comment: 'Is 30 right? The hall holds 20.',
    });
    assert.equal(flagged.review_status, 'flagged');
    await page.reload();
    await page.locator(`[data-record-id="${id}"]`).getByText('Is 30 right? The hall holds 20.').waitFor();
    assert.equal(await page.locator(`[data-record-id="${id}"]`).getAttribute('data-review'), 'flagged');
    await visit(page, 'field-records-flagged');

    // The mobiliser corrects it: sent as an edit of the version the server holds.
    await page.locator(`[data-record-id="${id}"] a`).first().click();
    await page.getByRole('heading', { name: 'Edit record' }).waitFor();
    await page.getByLabel('Female, 25–59 years', { exact: true }).fill('20');
    await visit(page, 'field-record-edit');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator(`[data-record-id="${id}"][data-state="sent"]`).waitFor();
    await page.locator('.outbox-line[data-unsent="0"]').waitFor();
    let detail = await (await adminContext.request.get(`${url}/api/records/${id}`)).json();
    assert.equal(detail.head_count, 20);

    // Someone else changes it on the server while the phone, offline, edits the older version.
    const mine = await (await page.request.get(`${url}/api/sync/pull`)).json();
    const current = mine.changes.filter((c) => c.id === id).at(-1);
    await context.setOffline(true);
    await page.locator(`[data-record-id="${id}"] a`).first().click();
    await page.getByLabel('Place (optional)').fill('Bazaar, north gate');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('1 record waiting to send').waitFor();
    const elsewhere = await apiPost(page.context(), url, '/sync/push', {
      items: [
        {
          type: 'record',
          id,
          base_version: current.version,
          data: { ...current.data, notes: 'changed on the laptop' },
        },
      ],
    });
    assert.equal(elsewhere.results[0].status, 'stored');
    await context.setOffline(false);
    await page.locator(`[data-record-id="${id}"][data-state="conflict"]`).waitFor({ timeout: 60_000 });
    await page.getByText('1 record needs your attention').waitFor();
    await page.locator(`[data-record-id="${id}"]`).getByRole('link', { name: 'Resolve' }).click();
    await page.getByRole('heading', { name: 'Changed on the server too' }).waitFor();
    await page.getByTestId('compare').getByText('changed on the laptop').waitFor();
    await visit(page, 'field-conflict');
    await page.getByRole('button', { name: 'Keep mine (send it again)' }).click();
    await page.locator(`[data-record-id="${id}"][data-state="sent"]`).waitFor({ timeout: 60_000 });
    detail = await (await adminContext.request.get(`${url}/api/records/${id}`)).json();
    assert.equal(detail.place_note, 'Bazaar, north gate');

    // Deleting it: soft, synced.
    await page.locator(`[data-record-id="${id}"] a`).first().click();
    await page.getByRole('button', { name: 'Delete this record' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    for (let i = 0; i < 120 && (await adminContext.request.get(`${url}/api/records/${id}`)).status() !== 404; i++)
      await page.waitForTimeout(250);
    assert.equal((await adminContext.request.get(`${url}/api/records/${id}`)).status(), 404);
    await page.getByText('Nothing waiting to send').waitFor({ timeout: 60_000 });
    await page.locator(`[data-record-id="${id}"]`).waitFor({ state: 'detached' });

    // Logging out with an unsent record: "Send now" sends it, then logs out.
    await context.setOffline(true);
    await recordEvent(page, 'School gate', 12);
    await page.getByText('1 record waiting to send').waitFor();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: '1 record on this phone has not been sent yet.' }).waitFor();
    await context.setOffline(false);
    await page.locator('.connection[data-online="true"]').waitFor();
    const send = page.locator('.logout-question').getByRole('button', { name: 'Send now' });
    if (await send.isVisible()) await send.click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 60_000 });
    const listed = await (await adminContext.request.get(`${url}/api/records?site_id=${site.id}`)).json();
    assert.equal(listed.length, 1);
    assert.equal(listed[0].head_count, 12);
    assert.deepEqual(errors, []);
  });

  test(
    'a session that ended while the phone was offline: the outbox waits, and sends once after the next login',
    TIMEOUT,
    async () => {
      const { context: adminContext } = await world.phone();
      const url = world.server.url;
      await apiLogIn(adminContext, url, 'admin', world.server.adminPassword);
      const partner = await apiPost(adminContext, url, '/partners', { name: 'Expiry Partner' });
      const areas = await (await adminContext.request.get(`${url}/api/areas`)).json();
      const site = await apiPost(adminContext, url, '/sites', {
        code: 'NIN-CC-07',
        name: 'Hamdaniya centre',
        kind: 'community_centre',
        partner_id: partner.id,
        area_id: areas.find((a) => a.pcode === 'IQG15').id,
      });
      world.server.createUser({
        login: 'expiry.mobiliser',
        name: 'Nadia Salim',
        role: 'mobiliser',
        password: PASSWORD,
        sites: ['NIN-CC-07'],
      });

      const { context, page, errors } = await world.phone();
      await logIn(page, url, 'expiry.mobiliser', PASSWORD);
      await waitForServiceWorker(page);
      await context.setOffline(true);
      await recordEvent(page, 'Youth centre', 17);
      await page.getByText('1 record waiting to send').waitFor();

      // While the phone is away, the server ends its session (expiry, or an admin's reset).
      const cookie = (await context.cookies()).find((c) => c.name === 'sijil_session');
      const ended = await fetch(`${url}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: `${cookie.name}=${cookie.value}` },
      });
      assert.ok(ended.ok, `logout: ${ended.status}`);

      // Back online: the push hears 401; the app asks for a login and keeps the record.
      await context.setOffline(false);
      await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 60_000 });
      let listed = await (await adminContext.request.get(`${url}/api/records?site_id=${site.id}`)).json();
      assert.equal(listed.length, 0, 'nothing reached the server without a session');

      // Logging in again resumes sending: the record arrives, once.
      await page.getByLabel('Login name').fill('expiry.mobiliser');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await setPin(page);
      await page.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-record-id][data-state="sent"]').waitFor();
      listed = await (await adminContext.request.get(`${url}/api/records?site_id=${site.id}`)).json();
      assert.equal(listed.length, 1, JSON.stringify(listed));
      assert.equal(listed[0].head_count, 17);
      await visit(page, 'field-sent-after-login-again');
      assert.deepEqual(errors, []);
    },
  );
});
