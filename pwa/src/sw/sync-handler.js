/*
 * Background Sync, imported into the generated service worker
 * (vite.config.ts: workbox.importScripts). The page registers the tag
 * `sijil-outbox` when something waits to be sent; when the browser sees a
 * network again it fires `sync` here, even if the app is in the background.
 *
 * The worker does not send by itself: the outbox lives in the signed-in
 * person's own database, which only the page knows (the session is in its
 * localStorage), and conflicts and refusals must be shown to that person.
 * So it asks an open page to run its sync and waits for the answer; no page
 * open, or the sending failed, means the promise rejects and the browser
 * tries again later with its own backoff. The next start of the app sends
 * in any case.
 */
/* eslint-env serviceworker */
self.addEventListener('sync', (event) => {
  if (event.tag !== 'sijil-outbox') return;
  event.waitUntil(askAPageToSend());
});

async function askAPageToSend() {
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (pages.length === 0) throw new Error('no open page to send from');
  const page = pages.find((p) => p.focused) || pages[0];
  await new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new Error('the page did not answer')), 120000);
    channel.port1.onmessage = (message) => {
      clearTimeout(timer);
      if (message.data?.ok) resolve();
      else reject(new Error('not everything was sent'));
    };
    page.postMessage({ type: 'sijil-sync' }, [channel.port2]);
  });
}
