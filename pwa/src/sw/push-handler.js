/*
 * Web push, imported into the generated service worker (vite.config.ts:
 * workbox.importScripts) as `sw-push.js`.
 *
 * - `push`: the server's notice (backend/src/push/model.rs, `Notice`) is
 *   JSON: title, body, the app path to open, its kind and language. The
 *   text comes written in the person's language by the server, so the
 *   worker needs no catalogue. A notice always shows (userVisibleOnly).
 * - `notificationclick`: opens the notice's path in an open Sijil page
 *   (which navigates without a reload), or a new one.
 * - `pushsubscriptionchange`: the browser replaced the subscription;
 *   subscribe again with the same server key and tell the server.
 */
/* eslint-env serviceworker */

/** Only paths of this app: never another origin, never `//host`. */
function safePath(path) {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

function noticeOf(event) {
  try {
    const data = event.data ? event.data.json() : {};
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}

/** Synthetic events (tests, devtools) cannot extend their lifetime; the work runs all the same. */
function keepAlive(event, promise) {
  try {
    event.waitUntil(promise);
  } catch {
    // not dispatched by the browser
  }
}

self.addEventListener('push', (event) => {
  const notice = noticeOf(event);
  const lang = typeof notice.lang === 'string' ? notice.lang : 'en';
  const options = {
    body: typeof notice.body === 'string' ? notice.body : '',
    lang,
    // Arabic, Sorani and Kurmanji ('kmr-Arab', Badini in Arabic script) read right to left.
    dir: lang === 'ar' || lang === 'ckb' || lang.startsWith('kmr') ? 'rtl' : 'ltr',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { open: safePath(notice.open) },
  };
  // One notice per thing: a second flag of one record replaces the first.
  // Announcements all open the home screen, and each is news of its own.
  if (notice.kind !== 'announcement') options.tag = `${notice.kind}:${safePath(notice.open)}`;
  const title = typeof notice.title === 'string' && notice.title ? notice.title : 'Sijil';
  keepAlive(event, self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = safePath(event.notification.data?.open);
  keepAlive(event, openInApp(path));
});

async function openInApp(path) {
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const page = pages.find((p) => p.focused) || pages[0];
  if (page) {
    // The page navigates itself (src/push/push.ts), keeping its state.
    page.postMessage({ type: 'sijil-open', path });
    try {
      await page.focus();
    } catch {
      // focusing needs a real click on the notification
    }
    return;
  }
  await self.clients.openWindow(path);
}

self.addEventListener('pushsubscriptionchange', (event) => {
  keepAlive(event, subscribeAgain(event));
});

async function subscribeAgain(event) {
  const old = event.oldSubscription;
  let fresh = event.newSubscription;
  if (!fresh) {
    const key = old?.options?.applicationServerKey;
    if (!key) return;
    fresh = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const send = (method, body) =>
    fetch('/api/push/subscriptions', {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  await send('POST', fresh.toJSON());
  if (old && old.endpoint !== fresh.endpoint) await send('DELETE', { endpoint: old.endpoint });
}
