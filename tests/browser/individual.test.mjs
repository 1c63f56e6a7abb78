// Issue 17, individual sessions: offline, a trainer records two
// individual sessions (one person found by name, one added by the code on
// her card), each goes through the outbox like any record, and once the
// network is back the server holds each once with its one person, and the
// coordinator's review lists them as individual sessions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, waitForServiceWorker } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 240_000 };

const pad = (n) => String(n).padStart(2, '0');
const now = new Date();
const TODAY = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

/** A site, a trainer and a coordinator at it; two participants and a group (so the first sync shows) made by the trainer. */
async function setUp() {
  const { context } = await world.phone();
  const url = world.server.url;
  await apiLogIn(context, url, 'admin', world.server.adminPassword);
  const partner = await apiPost(context, url, '/partners', { name: 'Individual Partner' });
  const areas = await (await context.request.get(`${url}/api/areas`)).json();
  const site = await apiPost(context, url, '/sites', {
    code: 'DUH-CC-04',
    name: 'Duhok community centre',
    kind: 'community_centre',
    partner_id: partner.id,
    area_id: areas.find((a) => a.pcode === 'IQG09').id,
  });
  // Hana was registered at another site: this phone will know her only by the code on her card.
  const elsewhere = await apiPost(context, url, '/sites', {
    code: 'DUH-CC-05',
    name: 'Zakho community centre',
    kind: 'community_centre',
    partner_id: partner.id,
    area_id: areas.find((a) => a.pcode === 'IQG09').id,
  });
  const types = await (await context.request.get(`${url}/api/activity-types`)).json();
  await context.request.post(`${url}/api/auth/logout`);
  world.server.createUser({
    login: 'ind.trainer',
    name: 'Bahar Ali',
    role: 'trainer',
    password: PASSWORD,
    sites: ['DUH-CC-04'],
  });
  world.server.createUser({
    login: 'ind.coord',
    name: 'Zeri Omar',
    role: 'coordinator',
    password: PASSWORD,
    sites: ['DUH-CC-04'],
  });
  world.server.createUser({
    login: 'other.trainer',
    name: 'Other',
    role: 'trainer',
    password: PASSWORD,
    sites: ['DUH-CC-05'],
  });
  await apiLogIn(context, url, 'other.trainer', PASSWORD);
  const other = await apiPost(context, url, '/participants/prefixes', {});
  await context.request.post(`${url}/api/auth/logout`);

  await apiLogIn(context, url, 'ind.trainer', PASSWORD);
  const mine = await apiPost(context, url, '/participants/prefixes', {});
  const person = (prefix, n, given_name, siteId = site.id) => ({
    type: 'participant',
    id: crypto.randomUUID(),
    base_version: 0,
    data: {
      code: code(prefix.prefix, n),
      site_id: siteId,
      sex: 'female',
      birth_year: 1991 + n,
      disability: 'no',
      displacement: 'idp',
      registered_on: TODAY,
      given_name,
    },
  });
  const dilan = person(mine, 1, 'Dilan');
  const group = {
    type: 'group',
    id: crypto.randomUUID(),
    base_version: 0,
    data: {
      site_id: site.id,
      activity_type_id: types.find((x) => x.code === 'PSS').id,
      name: 'Sunday PSS group',
      members: [{ participant_id: dilan.id, joined_on: TODAY }],
    },
  };
  const { results } = await apiPost(context, url, '/sync/push', { items: [dilan, group] });
  assert.deepEqual(
    results.map((r) => r.status),
    ['stored', 'stored'],
  );
  await context.request.post(`${url}/api/auth/logout`);
  await apiLogIn(context, url, 'other.trainer', PASSWORD);
  const hana = person(other, 1, 'Hana', elsewhere.id);
  assert.equal((await apiPost(context, url, '/sync/push', { items: [hana] })).results[0].status, 'stored');
  await context.request.post(`${url}/api/auth/logout`);
  await context.close();
  return { site, dilan, hana };
}

// Participant codes as the phones make them (pwa/src/sync/codes.ts): prefix, 3 base-32 digits, Luhn mod 32.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function code(prefix, n) {
  const payload = prefix + [Math.floor(n / 1024), Math.floor(n / 32) % 32, n % 32].map((d) => ALPHABET[d]).join('');
  let factor = 2;
  let sum = 0;
  for (const c of [...payload].reverse()) {
    const addend = factor * ALPHABET.indexOf(c);
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(addend / 32) + (addend % 32);
  }
  return payload + ALPHABET[(32 - (sum % 32)) % 32];
}

describe('individual sessions', () => {
  test('recorded offline by name and by code, sent once each, listed for review', TIMEOUT, async () => {
    const { site, dilan, hana } = await setUp();
    const url = world.server.url;
    const { context, page, errors } = await world.phone();
    await logIn(page, url, 'ind.trainer', PASSWORD);
    await waitForServiceWorker(page);
    await page.getByRole('link', { name: /Sunday PSS group/ }).waitFor();

    await context.setOffline(true);
    await page.locator('.connection[data-online="false"]').waitFor();

    // 1. Dilan, found by name on this phone; saving with nobody chosen is refused first.
    await page.getByRole('link', { name: 'Individual session' }).click();
    await page.getByRole('heading', { name: 'Individual session' }).waitFor();
    await page.getByLabel('Activity type').selectOption({ label: 'Individual counselling' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('person-seen').getByText('Choose the one person seen.').waitFor();
    await page.getByLabel('Find a participant by code or name').fill('Dil');
    await page.getByRole('button', { name: /Dilan/ }).click();
    await page.getByTestId('person-seen').getByText(/Dilan/).waitFor();
    assert.equal(await page.getByLabel('Find a participant by code or name').count(), 0, 'one person: the finder goes');
    await page.getByLabel('Duration in minutes').fill('50');
    await page.getByLabel('Notes (optional)').fill('Next visit in two weeks');
    await visit(page, 'individual-session');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();

    // 2. Hana, added by the code on her card: this phone does not hold her, so the code waits to be matched.
    await page.getByRole('link', { name: 'Individual session' }).click();
    await page.getByRole('heading', { name: 'Individual session' }).waitFor();
    await page.getByLabel('Activity type').selectOption({ label: 'Psychological first aid' });
    await page.getByLabel('Code on the card').fill(hana.data.code);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByTestId('person-seen').getByText('waiting to be matched').waitFor();
    await visit(page, 'individual-session-by-code');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();

    const rows = page.locator('[data-record-id][data-state="waiting"]');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.filter({ hasText: 'Individual counselling' }).filter({ hasText: '1 present' }).count(), 1);
    assert.equal(await rows.filter({ hasText: 'Psychological first aid' }).filter({ hasText: '1 present' }).count(), 1);
    await visit(page, 'individual-home-waiting');

    // 3. Back online: the outbox empties, each record sent once.
    await context.setOffline(false);
    await page.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-record-id][data-state="sent"]').nth(1).waitFor();

    const admin = await world.phone();
    await apiLogIn(admin.context, url, 'admin', world.server.adminPassword);
    const listed = await (
      await admin.context.request.get(`${url}/api/records?site_id=${site.id}&from=${TODAY}`)
    ).json();
    assert.equal(listed.length, 2, JSON.stringify(listed));
    assert.deepEqual(
      listed.map((r) => [r.kind, r.attendances, r.head_count]),
      [
        ['individual_session', 1, 0],
        ['individual_session', 1, 0],
      ],
    );
    const people = [];
    for (const r of listed) {
      const detail = await (await admin.context.request.get(`${url}/api/records/${r.id}`)).json();
      people.push(...detail.attendance.map((a) => a.code.replace('-', '')));
    }
    assert.deepEqual(people.sort(), [dilan.data.code, hana.data.code].sort());
    assert.deepEqual(listed.map((r) => r.duration_minutes).sort(), [45, 50]);

    // 4. The coordinator's review lists them as individual sessions.
    const coordinator = await world.phone();
    await logIn(coordinator.page, url, 'ind.coord', PASSWORD);
    await coordinator.page.goto(`${url}/review/sites/${site.id}`);
    const reviewRows = coordinator.page.locator('li[data-review-record]').filter({ hasText: 'Individual session' });
    await reviewRows.nth(1).waitFor();
    assert.equal(await reviewRows.count(), 2);
    await visit(coordinator.page, 'individual-review-list');
    assert.deepEqual([...errors, ...coordinator.errors], []);
  });
});
