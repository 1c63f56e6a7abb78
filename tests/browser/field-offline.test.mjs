// Issue 4's acceptance test: a trainer records a morning's work with no
// network (registers a participant, records a group session of a
// 20-person group ticking 12, records an awareness event), closes the app,
// opens it again offline (everything still there, waiting), and once the
// network is back the outbox empties and the server holds each record
// exactly once with the right attendance and head counts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn, unlock, waitForServiceWorker } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 240_000 };

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

const pad = (n) => String(n).padStart(2, '0');
const now = new Date();
const TODAY = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

/** A site, a trainer at it, and (through the trainer's own API session) 20 participants and a group of them. */
async function setUp() {
  const { context } = await world.phone();
  await apiLogIn(context, world.server.url, 'admin', world.server.adminPassword);
  const partner = await apiPost(context, world.server.url, '/partners', { name: 'Field Partner' });
  const areas = await (await context.request.get(`${world.server.url}/api/areas`)).json();
  const erbil = areas.find((a) => a.pcode === 'IQG11');
  const site = await apiPost(context, world.server.url, '/sites', {
    code: 'EBL-CC-09',
    name: 'Erbil community centre',
    kind: 'community_centre',
    partner_id: partner.id,
    area_id: erbil.id,
  });
  await context.request.post(`${world.server.url}/api/auth/logout`);
  world.server.createUser({
    login: 'field.trainer',
    name: 'Ronak Aziz',
    role: 'trainer',
    password: PASSWORD,
    sites: ['EBL-CC-09'],
  });

  await apiLogIn(context, world.server.url, 'field.trainer', PASSWORD);
  const { prefix } = await apiPost(context, world.server.url, '/participants/prefixes', {});
  const types = await (await context.request.get(`${world.server.url}/api/activity-types`)).json();
  const pss = types.find((x) => x.code === 'PSS');
  const participants = Array.from({ length: 20 }, (_, i) => ({
    type: 'participant',
    id: crypto.randomUUID(),
    base_version: 0,
    data: {
      code: code(prefix, i + 1),
      site_id: site.id,
      sex: i % 2 ? 'male' : 'female',
      birth_year: 1980 + i,
      disability: 'no',
      displacement: 'idp',
      registered_on: TODAY,
      given_name: `Person ${pad(i + 1)}`,
    },
  }));
  const group = {
    type: 'group',
    id: crypto.randomUUID(),
    base_version: 0,
    data: {
      site_id: site.id,
      activity_type_id: pss.id,
      name: 'Thursday PSS group',
      members: participants.map((p) => ({ participant_id: p.id, joined_on: TODAY })),
    },
  };
  const { results } = await apiPost(context, world.server.url, '/sync/push', { items: [...participants, group] });
  assert.deepEqual(
    results.map((r) => r.status),
    Array(21).fill('stored'),
  );
  await context.request.post(`${world.server.url}/api/auth/logout`);
  await context.close();
  return { site, participants, group };
}

describe('field work offline', () => {
  test(
    'register, group session and awareness event offline; sent once each when the network is back',
    TIMEOUT,
    async () => {
      const { site, participants } = await setUp();

      const { context, page, errors } = await world.phone();
      await logIn(page, world.server.url, 'field.trainer', PASSWORD);
      await waitForServiceWorker(page);
      // The first sync brings the group and its roster (and the phone's participant-code prefix).
      await page.getByRole('link', { name: /Thursday PSS group/ }).waitFor();
      await visit(page, 'field-trainer-home');

      await context.setOffline(true);
      await page.locator('.connection[data-online="false"]').waitFor();

      // 1. Register a participant.
      await page.getByRole('link', { name: 'Register a participant' }).click();
      await page.getByRole('heading', { name: 'Register a participant' }).waitFor();
      await page.getByLabel('Female', { exact: true }).check();
      await page.getByLabel('Year of birth', { exact: true }).fill('1994');
      await page.getByLabel('Disability', { exact: true }).selectOption('no');
      await page.getByLabel('Displacement status').selectOption('idp');
      await page.getByLabel('Given name (optional)').fill('Shireen');
      await visit(page, 'field-register');
      await page.getByRole('button', { name: 'Register' }).click();
      const newCode = (await page.getByTestId('new-code').textContent()).trim();
      assert.match(newCode, /^[0-9A-Z]{3}-[0-9A-Z]{4}$/);
      await visit(page, 'field-register-code');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('heading', { name: 'My groups' }).waitFor();

      // 2. A group session: the roster, tick 12 of 20, save.
      await page.getByRole('link', { name: /Thursday PSS group/ }).click();
      await page.getByRole('heading', { name: 'Record a session' }).waitFor();
      const boxes = page.locator('.roster-item input[type=checkbox]');
      assert.equal(await boxes.count(), 20);
      const tickedCodes = [];
      for (let i = 0; i < 12; i++) {
        await boxes.nth(i).check();
        tickedCodes.push(
          (await page.locator('.roster-item .list-title').nth(i).textContent()).split(' · ')[1].replace('-', ''),
        );
      }
      await page.getByText('12 present').waitFor();
      await visit(page, 'field-session');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('heading', { name: 'My groups' }).waitFor();

      // 3. An awareness event with head counts.
      await page.getByRole('link', { name: 'New awareness event' }).click();
      await page.getByRole('heading', { name: 'New awareness event' }).waitFor();
      await page.getByLabel('Topic of the event').selectOption({ label: 'GBV prevention' });
      await page.getByLabel('Place (optional)').fill('Market square');
      await page.getByLabel('Female, 18–24 years', { exact: true }).fill('14');
      await page.getByLabel('Female, 25–59 years', { exact: true }).fill('9');
      await page.getByRole('button', { name: 'One more: Male, 12–17 years' }).click();
      await page.getByRole('button', { name: 'One more: Male, 12–17 years' }).click();
      await page.getByRole('button', { name: 'One more: Male, 12–17 years' }).click();
      await page.getByLabel('Of them, with a disability', { exact: true }).fill('2');
      await page.getByText('Total: 26 people').waitFor();
      await visit(page, 'field-event');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('heading', { name: 'My groups' }).waitFor();

      await page.getByText('2 records, 1 person waiting to send').waitFor();
      const rows = page.locator('[data-record-id][data-state="waiting"]');
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      const recordIds = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-record-id')));
      await visit(page, 'field-home-waiting');

      // 4. Close the app; open it again, still offline: everything is there, waiting.
      await page.close();
      const again = await context.newPage();
      again.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      await again.goto(world.server.url);
      await unlock(again);
      await again.getByRole('heading', { name: 'My groups' }).waitFor();
      await again.getByText('2 records, 1 person waiting to send').waitFor();
      await again.locator('[data-record-id]').nth(1).waitFor();
      assert.deepEqual(
        (
          await again
            .locator('[data-record-id][data-state="waiting"]')
            .evaluateAll((els) => els.map((el) => el.getAttribute('data-record-id')))
        ).sort(),
        [...recordIds].sort(),
      );
      await visit(again, 'field-home-reopened-offline');

      // 5. The network is back: the outbox empties, sent gzip-compressed.
      const pushEncodings = [];
      again.on('request', (request) => {
        if (request.url().endsWith('/api/sync/push')) pushEncodings.push(request.headers()['content-encoding']);
      });
      await context.setOffline(false);
      await again.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
      await again.getByText('Nothing waiting to send').waitFor();
      await again.locator('[data-record-id][data-state="sent"]').nth(1).waitFor();
      await visit(again, 'field-home-sent');
      assert.ok(pushEncodings.length > 0 && pushEncodings.every((e) => e === 'gzip'), `${pushEncodings}`);

      // 6. On the server: each record once, with the right attendance and head counts, and the new participant.
      const { context: adminContext } = await world.phone();
      await apiLogIn(adminContext, world.server.url, 'admin', world.server.adminPassword);
      const listed = await (
        await adminContext.request.get(`${world.server.url}/api/records?site_id=${site.id}&from=${TODAY}`)
      ).json();
      assert.equal(listed.length, 2, JSON.stringify(listed));
      assert.deepEqual(listed.map((r) => r.id).sort(), [...recordIds].sort());
      const session = listed.find((r) => r.kind === 'group_session');
      const event = listed.find((r) => r.kind === 'awareness_event');
      assert.equal(session.attendances, 12);
      assert.equal(session.head_count, 0);
      assert.equal(event.attendances, 0);
      assert.equal(event.head_count, 26);

      const sessionDetail = await (
        await adminContext.request.get(`${world.server.url}/api/records/${session.id}`)
      ).json();
      // The roster is shown in name order: Person 01 … Person 12 were ticked.
      assert.deepEqual(
        tickedCodes,
        participants.slice(0, 12).map((p) => p.data.code),
      );
      assert.deepEqual(sessionDetail.attendance.map((a) => a.code.replace('-', '')).sort(), [...tickedCodes].sort());
      const eventDetail = await (await adminContext.request.get(`${world.server.url}/api/records/${event.id}`)).json();
      assert.equal(eventDetail.place_note, 'Market square');
      assert.equal(eventDetail.tally_disabled, 2);
      const tallies = Object.fromEntries(eventDetail.tallies.map((x) => [`${x.sex} ${x.age_band}`, x.count]));
      assert.deepEqual(tallies, { 'female 18-24': 14, 'female 25-59': 9, 'male 12-17': 3 });

      const found = await (await adminContext.request.get(`${world.server.url}/api/participants?q=${newCode}`)).json();
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0].given_name, 'Shireen');
      assert.deepEqual(errors, []);
    },
  );
});
