/**
 * The one module that talks to the service worker: registers it, says
 * when a new version is waiting, and applies it when the person taps
 * "Update". Until then the old worker keeps serving the old files, so the
 * page that is open (and its lazily loaded screens) keeps working; see
 * the `registerType` comment in vite.config.ts.
 */
import { registerSW } from 'virtual:pwa-register';
import { createStore } from '../store';

export const updateWaiting = createStore(false);

/** Look for a new version this often while the app stays open (phones keep it open for days). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

let update: ((reloadPage?: boolean) => Promise<void>) | null = null;

export function startServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  update = registerSW({
    immediate: true,
    onNeedRefresh: () => updateWaiting.set(true),
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      setInterval(() => {
        if (navigator.onLine) void registration.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    },
    onRegisterError: (error) => console.warn('service worker not registered', error),
  });
}

/**
 * Activates the waiting version; the page reloads once it controls the page.
 * Records are in IndexedDB, which a new version opens and upgrades in place.
 */
export function applyUpdate(): void {
  if (!update || !navigator.serviceWorker.controller) {
    location.reload();
    return;
  }
  // vite-plugin-pwa reloads on `controlling` only when the page was already
  // controlled at load. A page opened before any worker existed (the first
  // visit, which clientsClaim then took over) would never reload, so wait
  // for the new worker to take control here, whichever page this is.
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  });
  void update(true);
}
