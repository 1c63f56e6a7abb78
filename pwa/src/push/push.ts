/**
 * Web push on this phone: asking for permission (only after the person taps
 * "Notify me about feedback", never on load), subscribing with the server's
 * VAPID key, unsubscribing at logout, and opening what a tapped notification
 * names. The service worker's side is src/sw/push-handler.js.
 */
import { request } from '../api/client';
import { navigate } from '../router';

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

interface PublicKey {
  public_key: string;
}

export function pushSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof window !== 'undefined' &&
    'PushManager' in window &&
    'Notification' in window
  );
}

/** base64url (the server's key) → the bytes `subscribe()` takes. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function sameBytes(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

async function subscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/** What the "Notify me" control should offer now. */
export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'off';
  try {
    return (await subscription()) ? 'on' : 'off';
  } catch {
    return 'off';
  }
}

/**
 * Asks for permission (the caller runs this from a tap), subscribes and
 * tells the server. 'failed': permission was given but the browser's push
 * service or our server could not be reached.
 */
export async function turnOnPush(): Promise<PushState | 'failed'> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return 'denied';
  if (permission !== 'granted') return 'off';
  try {
    const { public_key } = await request<PublicKey>('GET', '/push/key');
    const key = base64UrlToBytes(public_key);
    const registration = await navigator.serviceWorker.ready;
    let current = await registration.pushManager.getSubscription();
    // Made with another server key (a new database): start again.
    if (current && !sameBytes(current.options.applicationServerKey, key)) {
      await current.unsubscribe();
      current = null;
    }
    const sub =
      current ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
    await request('POST', '/push/subscriptions', sub.toJSON());
    return 'on';
  } catch {
    return 'failed';
  }
}

/** Stops notifications on this phone: the browser forgets the subscription, and the server is told. */
export async function turnOffPush(): Promise<void> {
  const sub = await subscription().catch(() => null);
  if (!sub) return;
  const endpoint = sub.endpoint;
  await sub.unsubscribe().catch(() => false);
  await request('DELETE', '/push/subscriptions', { endpoint }).catch(() => undefined);
}

/**
 * At logout: the next person on a shared phone must not get this one's
 * notices. The server drops the session's subscriptions by itself; the
 * browser's is dropped here, even offline.
 */
export async function forgetPushOnThisPhone(): Promise<void> {
  if (!pushSupported()) return;
  const sub = await subscription().catch(() => null);
  await sub?.unsubscribe().catch(() => false);
}

/** Only paths of this app. */
export function appPath(path: unknown): string | null {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : null;
}

/** A tapped notification asks the open page to show what it names. */
export function listenForNotificationClicks(): void {
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: string; path?: unknown } | null;
    if (data?.type !== 'sijil-open') return;
    const path = appPath(data.path);
    if (path) navigate(path);
  });
}
