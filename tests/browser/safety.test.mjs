// Issue 11's acceptance test: safe on a shared or lost phone. After a login
// and a sync of a site with known participants, and the app locked, the
// raw files of the Chromium profile hold neither a participant's given name
// nor her code nor a record's topic; unlocking shows them again (and is
// timed at 4× CPU slowdown); 10 wrong PINs leave the outbox encrypted and
// intact, and a password login sends it; quick exit leaves a neutral page
// that Back does not undo; a remote wipe sends the outbox, then leaves no
// data of the user.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, logIn, PHONE, setPin, unlock, waitForServiceWorker } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 240_000 };

// Participant codes as phones make them (pwa/src/sync/codes.ts): prefix, 3 base-32 digits, Luhn mod 32.
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

const NAMES = ['Gulistan', 'Shilan', 'Nazdar'];
const TOPIC = 'Nightmares and sleep';
const TRAINER_NAME = 'Ronak Safety';

let setUpDone = null;

/** A site, trainers at it, and (through the first trainer's API session) 3 named participants, a group and a session. */
async function setUp() {
  setUpDone ??= (async () => {
    const { context } = await world.phone();
    await apiLogIn(context, world.server.url, 'admin', world.server.adminPassword);
    const partner = await apiPost(context, world.server.url, '/partners', { name: 'Safety Partner' });
    const areas = await (await context.request.get(`${world.server.url}/api/areas`)).json();
    const site = await apiPost(context, world.server.url, '/sites', {
      code: 'SAF-01',
      name: 'Safety centre',
      kind: 'community_centre',
      partner_id: partner.id,
      area_id: areas.find((a) => a.pcode === 'IQG11').id,
    });
    await context.request.post(`${world.server.url}/api/auth/logout`);
    for (const login of ['safe.trainer', 'pin.trainer', 'exit.trainer', 'wipe.trainer'])
      world.server.createUser({ login, name: TRAINER_NAME, role: 'trainer', password: PASSWORD, sites: ['SAF-01'] });

    await apiLogIn(context, world.server.url, 'safe.trainer', PASSWORD);
    const { prefix } = await apiPost(context, world.server.url, '/participants/prefixes', {});
    const types = await (await context.request.get(`${world.server.url}/api/activity-types`)).json();
    const pss = types.find((x) => x.code === 'PSS');
    const participants = NAMES.map((name, i) => ({
      type: 'participant',
      id: crypto.randomUUID(),
      base_version: 0,
      data: {
        code: code(prefix, i + 1),
        site_id: site.id,
        sex: 'female',
        birth_year: 1990 + i,
        disability: 'no',
        displacement: 'idp',
        registered_on: TODAY,
        given_name: name,
      },
    }));
    const group = {
      type: 'group',
      id: crypto.randomUUID(),
      base_version: 0,
      data: {
        site_id: site.id,
        activity_type_id: pss.id,
        name: 'Safety PSS group',
        members: participants.map((p) => ({ participant_id: p.id, joined_on: TODAY })),
      },
    };
    const record = {
      type: 'record',
      id: crypto.randomUUID(),
      base_version: 0,
      data: {
        kind: 'group_session',
        activity_type_id: pss.id,
        site_id: site.id,
        group_id: group.id,
        date: TODAY,
        start_time: '10:00',
        duration_minutes: 90,
        topic: TOPIC,
        attendance: participants.map((p) => p.id),
      },
    };
    const { results } = await apiPost(context, world.server.url, '/sync/push', {
      items: [...participants, group, record],
    });
    assert.deepEqual(
      results.map((r) => r.status),
      Array(5).fill('stored'),
    );
    await context.request.post(`${world.server.url}/api/auth/logout`);
    await context.close();
    return { site, codes: participants.map((p) => p.data.code), recordId: record.id };
  })();
  return setUpDone;
}

const profiles = [];
after(() => {
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

/** A phone whose profile folder we can read: Chromium's own files, as a copy of the profile would hold them. */
async function persistentPhone(dir) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: PHONE,
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'en-GB',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

/**
 * Where each text occurs in the profile's files, searched as bytes in UTF-8
 * (= Latin-1 for these, as V8 writes short strings), UTF-16 LE (V8's other
 * string form) and UTF-16 BE (how Chromium's IndexedDB encodes keys and
 * index keys).
 */
function findInProfile(dir, texts) {
  const found = {};
  const files = filesUnder(dir);
  for (const text of texts) {
    const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'), Buffer.from(text, 'utf16le').swap16()];
    found[text] = files.filter((file) => {
      const bytes = readFileSync(file);
      return needles.some((needle) => bytes.includes(needle));
    });
  }
  return { found, files: files.length };
}

async function unsentInRawDb(page, userId) {
  return page.evaluate(
    (name) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('outbox').objectStore('outbox').getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(
              request.result.map((v) => ({
                keys: Object.keys(v).sort(),
                sealed: v.sealed instanceof Uint8Array,
                text: JSON.stringify(v),
              })),
            );
          };
        };
      }),
    `sijil-u${userId}`,
  );
}

async function registerParticipant(page, givenName) {
  await page.getByRole('link', { name: 'Register a participant' }).click();
  await page.getByRole('heading', { name: 'Register a participant' }).waitFor();
  await page.getByLabel('Female', { exact: true }).check();
  await page.getByLabel('Year of birth', { exact: true }).fill('1994');
  await page.getByLabel('Disability', { exact: true }).selectOption('no');
  await page.getByLabel('Displacement status').selectOption('idp');
  await page.getByLabel('Given name (optional)').fill(givenName);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('heading', { name: 'My groups' }).waitFor();
}

/** The given names the server holds for `login`'s sites (through a fresh API session of theirs). */
async function namesOnServer(login) {
  const { context } = await world.phone();
  await apiLogIn(context, world.server.url, login, PASSWORD);
  const page = await (await context.request.get(`${world.server.url}/api/sync/pull?limit=500`)).json();
  await context.close();
  return page.changes.filter((c) => c.entity === 'participant').map((c) => c.data?.given_name);
}

describe('a shared or lost phone', () => {
  test(
    'nothing readable at rest once locked; unlock shows it again, in under a second at 4× slowdown',
    TIMEOUT,
    async () => {
      const { codes, recordId } = await setUp();
      const dir = mkdtempSync(join(tmpdir(), 'sijil-profile-'));
      profiles.push(dir);
      let { context, page } = await persistentPhone(dir);
      await logIn(page, world.server.url, 'safe.trainer', PASSWORD);
      await waitForServiceWorker(page);
      await page.locator('a.group-link', { hasText: 'Safety PSS group' }).click();
      for (const name of NAMES) await page.getByText(name, { exact: false }).first().waitFor();
      await page.getByRole('button', { name: 'Lock', exact: true }).click();
      await page.getByRole('heading', { name: 'Sijil is locked' }).waitFor();
      await visit(page, 'safety-locked');
      await context.close();

      const dashed = codes.map((c) => `${c.slice(0, 3)}-${c.slice(3)}`);
      const { found, files } = findInProfile(dir, [...NAMES, ...codes, ...dashed, TOPIC, TRAINER_NAME, 'by_sent_at']);
      assert.ok(files > 20, `the profile has files (${files})`);
      // The scan finds what is stored in clear: the cached account (localStorage) names the trainer.
      assert.ok(found[TRAINER_NAME].length > 0, 'the scan must find the trainer’s name in the cached session');
      // …and reads IndexedDB's own files: an index name of the phone's database is there in clear.
      assert.ok(
        found.by_sent_at.some((file) => file.includes('IndexedDB')),
        `the scan must find IndexedDB's metadata: ${found.by_sent_at}`,
      );
      for (const secret of [...NAMES, ...codes, ...dashed, TOPIC])
        assert.deepEqual(found[secret], [], `"${secret}" is readable in the profile`);

      // The same profile, opened again: locked; the PIN opens it, timed with the CPU slowed 4×.
      ({ context, page } = await persistentPhone(dir));
      await page.goto(`${world.server.url}/records/${recordId}`);
      await page.getByRole('heading', { name: 'Sijil is locked' }).waitFor();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      const timings = [];
      for (let i = 0; i < 3; i++) {
        if (i > 0) {
          await page.getByRole('button', { name: 'Lock', exact: true }).click();
          await page.locator('#pin').waitFor();
        }
        const started = Date.now();
        await unlock(page);
        await page.locator('nav.bottom-nav').waitFor();
        timings.push(Date.now() - started);
      }
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
      console.log(`# unlock with the PIN at 4× CPU slowdown, PIN submitted to screen shown: ${timings.join(', ')} ms`);
      // The issue asks for under a second; the bound here leaves room for a loaded test machine.
      assert.ok(Math.min(...timings) < 1000 && Math.max(...timings) < 2000, `unlock took ${timings} ms`);
      assert.equal(await page.getByLabel('Topic (optional)').inputValue(), TOPIC);
      await page.goto(world.server.url);
      await unlock(page);
      await page.locator('a.group-link', { hasText: 'Safety PSS group' }).click();
      for (const name of NAMES) await page.getByText(name, { exact: false }).first().waitFor();
      await context.close();
    },
  );

  test(
    '10 wrong PINs leave the outbox encrypted and intact; a password login sends it; idle and background lock',
    TIMEOUT,
    async () => {
      await setUp();
      const { context, page, errors } = await world.phone({ locked: true });
      // The waits between wrong PINs (up to a minute) pass on a fake clock.
      await page.clock.install();
      await logIn(page, world.server.url, 'pin.trainer', PASSWORD);
      const me = await (await page.request.get(`${world.server.url}/api/me`)).json();
      await page.locator('a.group-link', { hasText: 'Safety PSS group' }).waitFor();
      await context.setOffline(true);
      await page.locator('.connection[data-online="false"]').waitFor();
      await registerParticipant(page, 'Hevi');
      await page.getByText('1 person waiting to send').waitFor();

      await page.getByRole('button', { name: 'Lock', exact: true }).click();
      for (let i = 1; i <= 10; i++) {
        await page.getByLabel('PIN', { exact: true }).fill('000000');
        await page.getByRole('button', { name: 'Unlock', exact: true }).click();
        if (i < 10) {
          await page.getByText(`Wrong PIN. Tries left: ${10 - i}.`).waitFor();
          await page.clock.fastForward(61_000);
        }
      }
      await page.getByText('Too many wrong PINs.', { exact: false }).waitFor();
      await visit(page, 'safety-too-many-pins');
      // The PIN wrap is gone; the outbox is there, sealed.
      const keyring = JSON.parse(await page.evaluate((id) => localStorage.getItem(`sijil.keys.u${id}`), me.id));
      assert.equal(keyring.pin, null);
      assert.ok(keyring.recovery.ct.length > 0);
      const unsent = await unsentInRawDb(page, me.id);
      assert.equal(unsent.length, 1);
      assert.deepEqual(unsent[0].keys, ['id', 'kind', 'sealed', 'state']);
      assert.ok(unsent[0].sealed);
      assert.ok(!unsent[0].text.includes('Hevi'));

      // Online again, the password opens it (and asks for a new PIN); the outbox goes.
      await context.setOffline(false);
      await page.locator('.connection[data-online="true"]').waitFor();
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Unlock with password' }).click();
      await setPin(page);
      await page.locator('.outbox-line[data-unsent="0"]').waitFor({ timeout: 60_000 });
      assert.ok((await namesOnServer('pin.trainer')).includes('Hevi'));
      // At that contact the phone also heard how long it keeps records (SIJIL_PHONE_KEEPS_RECORDS_DAYS).
      assert.equal(await page.evaluate(() => localStorage.getItem('sijil.keep-record-days')), '90');

      // Left alone longer than the idle time (5 minutes unless set otherwise): locked.
      await page.clock.fastForward(6 * 60_000);
      await page.locator('#pin').waitFor();
      await unlock(page);
      await page.locator('nav.bottom-nav').waitFor();
      // Sent to the background (another app in front): locked.
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await page.locator('#pin').waitFor();
      assert.deepEqual(errors, []);
    },
  );

  test('quick exit: a neutral page at once, and Back does not return to the content', TIMEOUT, async () => {
    await setUp();
    const { page, errors } = await world.phone({ locked: true });
    await logIn(page, world.server.url, 'exit.trainer', PASSWORD);
    await page.locator('a.group-link', { hasText: 'Safety PSS group' }).click();
    await page.getByText(NAMES[0], { exact: false }).first().waitFor();
    await page.getByRole('button', { name: 'Exit', exact: true }).click();
    await page.waitForURL(/\/neutral\.html$/);
    assert.equal(await page.title(), 'New Tab');
    await page.goBack().catch(() => undefined);
    await page.waitForTimeout(1500);
    assert.match(page.url(), /\/neutral\.html$|^about:blank$/);
    assert.equal(await page.getByText(NAMES[0], { exact: false }).count(), 0);
    assert.equal(await page.locator('nav.bottom-nav').count(), 0);

    // Opened again on purpose, it is locked; Escape twice leaves as well.
    await page.goto(world.server.url);
    await page.getByRole('heading', { name: 'Sijil is locked' }).waitFor();
    await unlock(page);
    await page.locator('nav.bottom-nav').waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(/\/neutral\.html$/);
    assert.deepEqual(errors, []);
  });

  test('a remote wipe sends the outbox first, then leaves no data of the user', TIMEOUT, async () => {
    await setUp();
    const { context, page, errors } = await world.phone({ locked: true });
    await logIn(page, world.server.url, 'wipe.trainer', PASSWORD);
    const me = await (await page.request.get(`${world.server.url}/api/me`)).json();
    await page.locator('a.group-link', { hasText: 'Safety PSS group' }).waitFor();
    await context.setOffline(true);
    await page.locator('.connection[data-online="false"]').waitFor();
    await registerParticipant(page, 'Berivan');
    await page.getByText('1 person waiting to send').waitFor();
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('heading', { name: 'Sijil is locked' }).waitFor();

    // The phone is lost; an admin marks its user's phones for wiping, in the app.
    const admin = await world.phone();
    await logIn(admin.page, world.server.url, 'admin', world.server.adminPassword);
    await admin.page.goto(`${world.server.url}/users/${me.id}`);
    await admin.page.getByRole('button', { name: 'Wipe this person’s phones…' }).click();
    await admin.page.getByRole('button', { name: 'Wipe the phones' }).click();
    await admin.page.getByText('Phones marked for wiping: 1.').waitFor();
    await admin.page.getByText('to be wiped at its next contact', { exact: false }).waitFor();
    await visit(admin.page, 'safety-admin-wipe');

    // Its next contact: locked as it is, it sends the outbox, deletes everything, signs out.
    await context.setOffline(false);
    await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 60_000 });
    assert.ok((await namesOnServer('wipe.trainer')).includes('Berivan'));
    const left = await page.evaluate(
      async (id) => ({
        databases: (await indexedDB.databases()).map((d) => d.name),
        keys: Object.keys(localStorage).filter((k) => k.includes(`u${id}`) || k === 'sijil.session'),
      }),
      me.id,
    );
    assert.ok(!left.databases.includes(`sijil-u${me.id}`), `databases left: ${left.databases}`);
    assert.deepEqual(left.keys, []);
    const audit = await (await admin.page.request.get(`${world.server.url}/api/audit?action=device.wiped`)).json();
    assert.equal(audit.entries.length, 1);
    await admin.page.reload();
    await admin.page.getByText(/· wiped /).waitFor();
    assert.equal(await admin.page.getByText('to be wiped at its next contact', { exact: false }).count(), 0);
    assert.deepEqual(admin.errors, []);
    assert.deepEqual(errors, []);
  });
});
