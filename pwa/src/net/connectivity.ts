/**
 * Is the server reachable? `navigator.onLine` only knows whether there is a
 * network interface; a phone on a dead 2G cell reports online. So the
 * browser's events set the state, and so does every request: a fetch that
 * got no answer marks the app offline until the next answer or `online`.
 */
import { createStore } from '../store';

export const online = createStore(typeof navigator === 'undefined' ? true : navigator.onLine);

export function reportUnreachable(): void {
  online.set(false);
}

export function reportReachable(): void {
  online.set(true);
}

export function watchConnectivity(): void {
  window.addEventListener('online', () => online.set(true));
  window.addEventListener('offline', () => online.set(false));
}
