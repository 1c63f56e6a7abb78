// Web push in the app: the real server sends a flag notice to a push
// service in this test (on loopback, allowed by SIJIL_PUSH_ALLOW_LOOPBACK),
// which decrypts it (node:crypto, RFC 8291); Chromium's DevTools protocol
// delivers it to the app's service worker (ServiceWorker.deliverPushMessage),
// which shows it in the recorder's language; a click opens the record.
// And "Notify me about feedback" copes with a browser that says no.
import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { logIn, waitForServiceWorker } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

// Read by the server this file starts (it inherits the environment).
process.env.SIJIL_PUSH_ALLOW_LOOPBACK = 'true';

const world = worldForThisFile();
const TIMEOUT = { timeout: 120_000 };

/** A push service with one subscription: it keeps what it receives, decrypted. */
async function startPushService() {
  const ecdh = createECDH('prime256v1');
  const uaPublic = ecdh.generateKeys();
  const auth = randomBytes(16);
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        assert.equal(req.headers['content-encoding'], 'aes128gcm');
        assert.match(req.headers.authorization ?? '', /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
        received.push(JSON.parse(decrypt(Buffer.concat(chunks))));
        res.writeHead(201).end();
      } catch (error) {
        received.push({ problem: String(error) });
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}/push/rana`;

  /** aes128gcm (RFC 8188) with the Web Push key derivation (RFC 8291). */
  function decrypt(body) {
    const salt = body.subarray(0, 16);
    const idlen = body[20];
    const asPublic = body.subarray(21, 21 + idlen);
    const sealed = body.subarray(21 + idlen);
    const shared = ecdh.computeSecret(asPublic);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    assert.equal(plain[end], 2, 'last-record delimiter');
    return plain.subarray(0, end).toString('utf8');
  }

  return {
    received,
    subscription: {
      endpoint,
      expirationTime: null,
      keys: { p256dh: uaPublic.toString('base64url'), auth: auth.toString('base64url') },
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function until(what, check, timeout = 20_000) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('web push', () => {
  test('a flag reaches the recorder as a notification in Arabic, and its tap opens the record', TIMEOUT, async () => {
    const { server } = world;
    const url = server.url;
    const push = await startPushService();
    try {
      const admin = await world.phone();
      await apiLogIn(admin.context, url, 'admin', server.adminPassword);
      const partner = await apiPost(admin.context, url, '/partners', { name: 'Push partner' });
      await apiPost(admin.context, url, '/sites', {
        code: 'PSH-A',
        name: 'Al-Noor Centre',
        kind: 'community_centre',
        partner_id: partner.id,
        area_id: 15,
      });
      server.createUser({
        login: 'rana',
        name: 'Rana',
        role: 'mobiliser',
        password: PASSWORD,
        sites: ['PSH-A'],
        language: 'ar',
      });
      server.createUser({
        login: 'coord',
        name: 'Coordinator',
        role: 'coordinator',
        password: PASSWORD,
        sites: ['PSH-A'],
      });

      // Rana's phone: signed in, the service worker in control, notifications allowed.
      const rana = await world.phone();
      await rana.context.grantPermissions(['notifications'], { origin: url });
      await logIn(rana.page, url, 'rana', PASSWORD);
      await waitForServiceWorker(rana.page);

      // An awareness event she recorded, and this phone's subscription (the
      // test's push service stands in for the browser's).
      const sites = await (await rana.context.request.get(`${url}/api/me`)).json();
      const types = await (await rana.context.request.get(`${url}/api/activity-types`)).json();
      const id = crypto.randomUUID();
      const today = new Date().toISOString().slice(0, 10);
      const pushed = await apiPost(rana.context, url, '/sync/push', {
        items: [
          {
            type: 'record',
            id,
            base_version: 0,
            device_time: new Date().toISOString(),
            data: {
              kind: 'awareness_event',
              activity_type_id: types.find((t) => t.code === 'AW-GBV').id,
              site_id: sites.sites[0].id,
              date: today,
              duration_minutes: 60,
              topic: 'Where to get help',
              tallies: [{ sex: 'female', age_band: '25-59', count: 12 }],
            },
          },
        ],
      });
      assert.equal(pushed.results[0].status, 'stored', JSON.stringify(pushed));
      await apiPost(rana.context, url, '/push/subscriptions', push.subscription);
      // The phone pulls its own record (a reload syncs at start).
      await rana.page.reload();
      await rana.page.locator('nav.bottom-nav').waitFor();

      // The coordinator flags it; the server sends; the push service decrypts.
      const coordinator = await world.phone();
      await apiLogIn(coordinator.context, url, 'coord', PASSWORD);
      await apiPost(coordinator.context, url, `/records/${id}/review`, {
        status: 'flagged',
        comment: 'Was P-0042 counted twice?',
      });
      const [notice] = await until(
        'the push service to receive the flag',
        () => push.received.length > 0 && push.received,
      );
      assert.equal(notice.problem, undefined, notice.problem);
      assert.equal(notice.lang, 'ar');
      assert.equal(notice.title, 'مطلوب تصحيح');
      assert.match(notice.body, /Al-Noor Centre/);
      assert.equal(notice.open, `/records/${id}`);
      assert.ok(!JSON.stringify(notice).includes('P-0042'), 'the comment stays out of the notice');

      // DevTools delivers that very payload to the app's service worker.
      const cdp = await rana.context.newCDPSession(rana.page);
      const registrationId = new Promise((resolve) =>
        cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
          const mine = registrations.find((r) => r.scopeURL.startsWith(url) && !r.isDeleted);
          if (mine) resolve(mine.registrationId);
        }),
      );
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: new URL(url).origin,
        registrationId: await registrationId,
        data: JSON.stringify(notice),
      });
      const shown = await until('the notification', () =>
        rana.page.evaluate(async () => {
          const registration = await navigator.serviceWorker.ready;
          const list = await registration.getNotifications();
          return (
            list.length > 0 &&
            list.map((n) => ({ title: n.title, body: n.body, lang: n.lang, dir: n.dir, data: n.data }))
          );
        }),
      );
      assert.equal(shown.length, 1);
      assert.equal(shown[0].title, 'مطلوب تصحيح');
      assert.equal(shown[0].body, notice.body);
      assert.equal(shown[0].lang, 'ar');
      assert.equal(shown[0].dir, 'rtl');
      assert.equal(shown[0].data.open, `/records/${id}`);

      // A tap on it (dispatched in the worker: headless Chromium has no
      // notification centre to click) opens the record in the open page.
      const worker = rana.context.serviceWorkers()[0] ?? (await rana.context.waitForEvent('serviceworker'));
      assert.ok(worker, 'the app has a service worker');
      await worker.evaluate(async () => {
        const [notification] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
      });
      await rana.page.waitForURL(`**/records/${id}`);
      await rana.page.waitForFunction(
        () => [...document.querySelectorAll('input, textarea')].some((e) => e.value === 'Where to get help'),
        null,
        { timeout: 20_000 },
      );
      await visit(rana.page, 'push-opened-record');
      assert.deepEqual([...rana.errors, ...coordinator.errors], []);
    } finally {
      await push.stop();
    }
  });

  test('"Notify me about feedback" asks only when tapped, explains why, and copes with "denied"', TIMEOUT, async () => {
    const { server } = world;
    const url = server.url;
    server.createUser({ login: 'omar', name: 'Omar', role: 'mobiliser', password: PASSWORD, sites: ['PSH-A'] });
    const omar = await world.phone();
    const cdp = await omar.context.newCDPSession(omar.page);
    await logIn(omar.page, url, 'omar', PASSWORD);
    // Nothing asked on load.
    assert.equal(await omar.page.evaluate(() => Notification.permission), 'default');
    await omar.page.getByRole('link', { name: 'Account' }).click();
    await omar.page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await omar.page.getByText('never name participants').waitFor();
    const button = omar.page.getByRole('button', { name: 'Notify me about feedback' });
    await button.waitFor();
    await visit(omar.page, 'push-notify-me');
    // The person (here, the browser on their behalf) says no to the tap's question.
    await cdp.send('Browser.setPermission', {
      permission: { name: 'notifications' },
      setting: 'denied',
      origin: new URL(url).origin,
    });
    await button.click();
    // The screen says so and how to change it; no button left to press in vain.
    await omar.page.getByText('Notifications are blocked').waitFor();
    assert.equal(await button.count(), 0);
    await visit(omar.page, 'push-notify-denied');
    assert.deepEqual(omar.errors, []);
  });

  test(
    'a coordinator sends an announcement from the dashboard, with the privacy warning in view',
    TIMEOUT,
    async () => {
      const { server } = world;
      const url = server.url;
      const coordinator = await world.phone();
      await logIn(coordinator.page, url, 'coord', PASSWORD);
      const page = coordinator.page;
      await page.getByRole('heading', { name: 'Announcements' }).waitFor();
      await page.getByText('Send an announcement').click();
      await page.getByText('never name or describe participants').waitFor();
      // Nothing chosen: the form says what is missing and sends nothing.
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByText('Choose at least one site.').waitFor();
      await page.getByLabel('PSH-A Al-Noor Centre').check();
      await page.getByLabel('Message').fill('Training on Sunday at 10:00 in the main hall');
      await page.getByText('44 of 280 characters').waitFor();
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      // Rana and Omar work there; the coordinator does not notify herself.
      await page.getByText('Sent to the staff (2); one of their phones has notifications on.').waitFor();
      await visit(page, 'push-announcement-sent');
      const admin = await world.phone();
      await apiLogIn(admin.context, url, 'admin', server.adminPassword);
      const audit = await (await admin.context.request.get(`${url}/api/audit?action=push.announcement`)).json();
      assert.equal(audit.entries.length, 1);
      assert.equal(audit.entries[0].detail.text, 'Training on Sunday at 10:00 in the main hall');
      assert.deepEqual(coordinator.errors, []);

      // The admin sees the queue: the flag went out; the announcement to Rana
      // waits (this test's push service is gone) and is tried again later.
      const adminPhone = await world.phone();
      await logIn(adminPhone.page, url, 'admin', server.adminPassword);
      await adminPhone.page.getByRole('link', { name: 'Users' }).click();
      await adminPhone.page.getByRole('heading', { name: 'Notifications to phones' }).waitFor();
      const counts = await adminPhone.page.getByTestId('push-counts').textContent();
      assert.match(counts, /Sent: 1\b/);
      assert.match(counts, /Failed: 0\b/);
      await adminPhone.page.getByText(/last delivered: \d/).waitFor();
      await visit(adminPhone.page, 'push-health');
      assert.deepEqual(adminPhone.errors, []);
    },
  );
});
