// Issue 17, the staff side of referrals in Chromium: the receiving
// partner's coordinator pages through the referrals addressed to them and
// answers one; the referring coordinator records an outside organisation's
// answer; coordinators and admins keep the service directory (problems at
// their fields on the first tap); the referral figures match the API and
// their exports download.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 240_000 };
/** What the app shows per page (pwa/src/referrals/ReferralsScreen.tsx, PAGE_SIZE). */
const PAGE = 20;
const TO_PARTNER = PAGE + 2;

const pad = (n) => String(n).padStart(2, '0');
const day = (daysAgo) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

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

let made = null;

/**
 * Two partners: the referring one runs MOS-A, the receiving one MOS-B and
 * offers legal aid; an outside clinic offers health. The referring trainer
 * makes 22 referrals to the partner (one a day) and one, today, to the clinic.
 */
async function setUp() {
  if (made) return made;
  const { context } = await world.phone();
  const url = world.server.url;
  await apiLogIn(context, url, 'admin', world.server.adminPassword);
  const areas = await (await context.request.get(`${url}/api/areas`)).json();
  const ninawa = areas.find((a) => a.pcode === 'IQG15');
  const referring = await apiPost(context, url, '/partners', { name: 'Referring Partner' });
  const receiving = await apiPost(context, url, '/partners', { name: 'Receiving Partner' });
  const siteA = await apiPost(context, url, '/sites', {
    code: 'MOS-A',
    name: 'Mosul women centre',
    kind: 'womens_centre',
    partner_id: referring.id,
    area_id: ninawa.id,
  });
  await apiPost(context, url, '/sites', {
    code: 'MOS-B',
    name: 'Mosul legal office',
    kind: 'community_centre',
    partner_id: receiving.id,
    area_id: ninawa.id,
  });
  const partnerOrg = await apiPost(context, url, '/directory/organisations', {
    name: 'Receiving Partner services',
    partner_id: receiving.id,
    contact: '0750 000 0000',
  });
  const legalAid = await apiPost(context, url, '/directory/services', {
    organisation_id: partnerOrg.id,
    category: 'legal_aid',
    name: 'Legal aid desk',
    area_id: ninawa.id,
    languages: ['ar'],
  });
  const clinic = await apiPost(context, url, '/directory/organisations', { name: 'Outside clinic' });
  const health = await apiPost(context, url, '/directory/services', {
    organisation_id: clinic.id,
    category: 'health',
    name: 'Clinic',
    area_id: ninawa.id,
    languages: ['ar', 'ckb'],
  });
  await context.request.post(`${url}/api/auth/logout`);
  for (const [login, name, role, site] of [
    ['ref.trainer', 'Amal', 'trainer', 'MOS-A'],
    ['ref.coord', 'Rojin', 'coordinator', 'MOS-A'],
    ['recv.coord', 'Bayan', 'coordinator', 'MOS-B'],
  ]) {
    world.server.createUser({ login, name, role, password: PASSWORD, sites: [site] });
  }
  await apiLogIn(context, url, 'ref.trainer', PASSWORD);
  const prefix = (await apiPost(context, url, '/participants/prefixes', {})).prefix;
  const person = {
    type: 'participant',
    id: crypto.randomUUID(),
    base_version: 0,
    data: {
      code: code(prefix, 1),
      site_id: siteA.id,
      sex: 'female',
      birth_year: 1995,
      disability: 'no',
      displacement: 'idp',
      registered_on: day(30),
    },
  };
  assert.equal((await apiPost(context, url, '/sync/push', { items: [person] })).results[0].status, 'stored');
  const refer = (serviceId, daysAgo) =>
    apiPost(context, url, '/referrals', {
      id: crypto.randomUUID(),
      participant_code: person.data.code,
      site_id: siteA.id,
      service_id: serviceId,
      referred_on: day(daysAgo),
      urgency: 'routine',
      consent: true,
    });
  const toPartner = [];
  for (let n = 1; n <= TO_PARTNER; n++) toPartner.push(await refer(legalAid.id, n));
  const toClinic = await refer(health.id, 0);
  await context.request.post(`${url}/api/auth/logout`);
  await context.close();
  made = { toPartner, toClinic, receiving, partnerOrg, clinic };
  return made;
}

/** A signed-in coordinator's phone on its Referrals screen. */
async function coordinator(login) {
  const phone = await world.phone();
  await logIn(phone.page, world.server.url, login, PASSWORD);
  await phone.page.locator('nav.bottom-nav').getByRole('link', { name: 'Referrals' }).click();
  await phone.page.getByRole('heading', { name: 'Referrals', level: 1 }).waitFor();
  return phone;
}

async function apiGet(context, path) {
  const response = await context.request.get(`${world.server.url}/api${path}`);
  assert.equal(response.status(), 200, `${path}: ${await response.text()}`);
  return response.json();
}

describe('referrals, the staff side', () => {
  test('the receiving coordinator pages through the referrals to them and answers one', TIMEOUT, async () => {
    const { toPartner, toClinic } = await setUp();
    const { context, page, errors } = await coordinator('recv.coord');
    const received = page.getByTestId('received-referrals');
    const rows = received.locator('li[data-referral-id]');
    await rows.nth(PAGE - 1).waitFor();
    assert.equal(await rows.count(), PAGE, 'one page first');
    // Newest first; the outside clinic's referral is not theirs.
    assert.equal(await rows.first().getAttribute('data-referral-id'), toPartner[0].id);
    assert.equal(await received.locator(`[data-referral-id="${toClinic.id}"]`).count(), 0);
    await visit(page, 'referrals-received-page-1');

    await received.getByRole('button', { name: 'Show more' }).click();
    await rows.nth(TO_PARTNER - 1).waitFor();
    assert.equal(await rows.count(), TO_PARTNER);
    assert.equal(await received.getByRole('button', { name: 'Show more' }).count(), 0, 'the last page says so');
    const shown = await rows.evaluateAll((items) => items.map((li) => li.getAttribute('data-referral-id')));
    assert.deepEqual(
      shown,
      toPartner.map((r) => r.id),
      'each once, in order',
    );

    // The oldest, on the second page, is accepted and then its service received; the pages stay.
    const oldest = received.locator(`[data-referral-id="${toPartner[TO_PARTNER - 1].id}"]`);
    await oldest.getByRole('button', { name: 'Accept' }).click();
    await received.locator(`[data-referral-id="${toPartner[TO_PARTNER - 1].id}"][data-status="accepted"]`).waitFor();
    await oldest.getByRole('button', { name: 'Service received' }).click();
    await received
      .locator(`[data-referral-id="${toPartner[TO_PARTNER - 1].id}"][data-status="service_received"]`)
      .waitFor();
    assert.equal(await rows.count(), TO_PARTNER);
    await visit(page, 'referrals-received-answered');
    const stored = await apiGet(context, `/referrals/${toPartner[TO_PARTNER - 1].id}`);
    assert.deepEqual(
      stored.steps.map((s) => [s.status, s.by_name]),
      [
        ['referred', 'Amal'],
        ['accepted', 'Bayan'],
        ['service_received', 'Bayan'],
      ],
    );
    // The coordinator's own sites made none.
    await page.getByTestId('made-referrals').getByText('No referrals yet.').waitFor();
    assert.deepEqual(errors, []);
  });

  test('the referring coordinator records the outside clinic’s answers', TIMEOUT, async () => {
    const { toPartner, toClinic } = await setUp();
    const { context, page, errors } = await coordinator('ref.coord');
    const madeList = page.getByTestId('made-referrals');
    const clinic = madeList.locator(`[data-referral-id="${toClinic.id}"]`);
    await clinic.waitFor();
    await clinic.getByText('Outside organisation').waitFor();
    // A partner answers for itself: only closing is the referring side's.
    const partner = madeList.locator(`[data-referral-id="${toPartner[0].id}"]`);
    await partner.waitFor();
    assert.equal(await partner.locator('button[data-step]').count(), 0);
    await visit(page, 'referrals-made-outside');

    await clinic.getByRole('button', { name: 'Accept' }).click();
    await madeList.locator(`[data-referral-id="${toClinic.id}"][data-status="accepted"]`).waitFor();
    await clinic.getByRole('button', { name: 'Not reached' }).click();
    await madeList.locator(`[data-referral-id="${toClinic.id}"][data-status="not_reached"]`).waitFor();
    await page.getByText('Status saved.').waitFor();
    const stored = await apiGet(context, `/referrals/${toClinic.id}`);
    assert.equal(stored.status, 'not_reached');
    assert.deepEqual(
      stored.steps.map((s) => s.by_name),
      ['Amal', 'Rojin', 'Rojin'],
    );
    await clinic.getByRole('button', { name: 'Close' }).click();
    await madeList.locator(`[data-referral-id="${toClinic.id}"][data-status="closed"]`).waitFor();
    assert.deepEqual(errors, []);
  });

  test('coordinators keep their partner’s directory entries and admins every one', TIMEOUT, async () => {
    const { partnerOrg, clinic } = await setUp();
    const url = world.server.url;
    const { context, page, errors } = await coordinator('recv.coord');
    await page.getByRole('link', { name: 'Service directory' }).click();
    const kept = page.getByTestId('kept-organisations');
    await kept.locator(`[data-organisation-id="${partnerOrg.id}"]`).waitFor();
    assert.equal(await kept.locator(`[data-organisation-id="${clinic.id}"]`).count(), 0, 'outside: the admins’');
    await visit(page, 'directory-keep');

    // The organisation: an emptied name is refused at its field on the first tap.
    await kept
      .locator(`[data-organisation-id="${partnerOrg.id}"]`)
      .getByRole('link', { name: 'Edit the organisation' })
      .click();
    await page.getByLabel('Name of the organisation').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#name-error').getByText('Required.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name', 'the problem takes the focus');
    await visit(page, 'directory-organisation-problem');
    await page.getByLabel('Name of the organisation').fill('Receiving Partner legal services');
    await page.getByRole('button', { name: 'Save' }).click();
    await kept.getByText('Receiving Partner legal services').waitFor();

    // A new service: every problem at its field on the first tap, then saved.
    await kept
      .locator(`[data-organisation-id="${partnerOrg.id}"]`)
      .getByRole('link', { name: 'Add a service' })
      .click();
    await page.getByRole('heading', { name: 'Add a service' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#category-error').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'category');
    for (const field of ['#name-error', '#area_id-error']) await page.locator(field).waitFor();
    await page.getByText('Tick at least one language.').waitFor();
    await visit(page, 'directory-service-problems');
    await page.getByLabel('Kind of service').selectOption({ label: 'Case management' });
    await page.getByLabel('Name of the service').fill('Case management for women');
    await page.getByLabel('Governorate').selectOption({ label: 'Ninawa' });
    await page.getByLabel('Arabic').check();
    await page.getByLabel('Kurdish (Sorani)').check();
    await page.getByLabel('How to reach').fill('Walk in, Sunday to Thursday');
    await page.getByRole('button', { name: 'Save' }).click();
    await kept.getByText('Case management for women').waitFor();
    const services = await apiGet(context, '/directory/services');
    const added = services.find((s) => s.name === 'Case management for women');
    assert.equal(added.organisation_id, partnerOrg.id);
    assert.deepEqual(added.languages, ['ar', 'ckb']);
    assert.equal(added.how_to_reach, 'Walk in, Sunday to Thursday');

    // An admin adds an outside organisation.
    const admin = await world.phone();
    await logIn(admin.page, url, 'admin', world.server.adminPassword);
    await admin.page.locator('nav.bottom-nav').getByRole('link', { name: 'Service directory' }).click();
    await admin.page.getByTestId('kept-organisations').locator(`[data-organisation-id="${clinic.id}"]`).waitFor();
    await admin.page.getByRole('link', { name: 'Add an organisation' }).click();
    await admin.page.getByLabel('Name of the organisation').fill('Dohuk legal clinic');
    await admin.page.getByLabel('Contact').fill('0751 111 2222');
    await admin.page.getByRole('button', { name: 'Save' }).click();
    await admin.page.getByTestId('kept-organisations').getByText('Dohuk legal clinic').waitFor();
    const organisations = await apiGet(admin.context, '/directory/organisations');
    const outside = organisations.find((o) => o.name === 'Dohuk legal clinic');
    assert.equal(outside.partner_id, null);
    assert.deepEqual([...errors, ...admin.errors], []);
  });

  test('the referral figures show what the API computes, and export it', TIMEOUT, async () => {
    await setUp();
    const { context, page, errors } = await coordinator('ref.coord');
    await page.getByRole('link', { name: 'Referral figures' }).click();
    await page.getByRole('heading', { name: 'Referral figures' }).waitFor();
    const totals = page.getByTestId('referral-totals');
    await totals.waitFor();
    const range = await page.locator('[data-figures-range]').getAttribute('data-figures-range');
    const [from, to] = range.split('/');
    const api = await apiGet(context, `/referrals/figures?from=${from}&to=${to}&side=made&group_by=category`);
    assert.equal(api.totals.made, TO_PARTNER + 1);
    const shown = async (key) => (await totals.locator(`[data-figure="${key}"] dd`).textContent()).trim();
    for (const key of ['made', 'accepted', 'declined', 'completed', 'overdue']) {
      assert.equal(await shown(key), String(api.totals[key]), key);
    }
    // By kind of service: one row a category, and All.
    const groups = page.locator('table[data-table="referral-groups"]');
    await groups.locator('tr[data-group="legal_aid"]').getByText('Legal aid').waitFor();
    assert.equal(
      (await groups.locator('tr[data-group="legal_aid"] td[data-figure="made"]').textContent()).trim(),
      String(api.groups.find((g) => g.key === 'legal_aid').made),
    );
    // By receiving organisation, as the API groups it.
    await page.getByLabel('By', { exact: true }).selectOption({ label: 'Receiving organisation' });
    await groups.getByText('Outside clinic').waitFor();
    // Sex × age band: one woman born 1995, every referral hers.
    const person = page.locator('table[data-table="referral-person"] tr[data-person="female|25-59"]');
    await person.waitFor();
    assert.equal((await person.locator('td').first().textContent()).trim(), String(TO_PARTNER + 1));
    await visit(page, 'referral-figures');

    // The received side: the coordinator's partner received none.
    await page.getByRole('button', { name: 'Received by our partners' }).click();
    await page.locator('[data-figure="made"] dd').getByText('0', { exact: true }).waitFor();

    // The exports answer the same figures.
    await page.getByRole('button', { name: 'Made from our sites' }).click();
    await totals
      .locator('[data-figure="made"] dd')
      .getByText(String(TO_PARTNER + 1))
      .waitFor();
    const href = await page.locator('[data-export="referrals-groups-csv"]').getAttribute('href');
    // Compressed as a browser asks for it (a streamed export was once cut off by the compressor).
    const csv = await context.request.get(`${world.server.url}${href}`);
    assert.equal(csv.status(), 200);
    const lines = (await csv.text()).trim().split('\n');
    assert.match(lines.at(-1), new RegExp(`,All,[^,]*,${TO_PARTNER + 1},`), lines.at(-1));
    const xlsx = await context.request.get(
      `${world.server.url}${await page.locator('[data-export="referrals-person-xlsx"]').getAttribute('href')}`,
    );
    assert.equal(xlsx.status(), 200);
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK', 'a workbook');
    assert.deepEqual(errors, []);
  });
});
