/**
 * Where the data key lives at rest: nowhere in clear. The keyring of a user
 * on this phone (localStorage `sijil.keys.u<id>`) holds the data key
 * wrapped twice (docs/design.md, "Shared and lost phones"):
 *
 * - `pin`: under a key derived from the PIN (PBKDF2-SHA256, salt per phone
 *   and user), for daily unlock, offline; destroyed after `MAX_PIN_FAILURES`
 *   wrong PINs and at logout;
 * - `recovery`: under the device's recovery key, which only the server
 *   holds and releases just after a password login.
 *
 * WebCrypto does all of this (keys non-extractable); the wrong-PIN count and
 * its waiting time live beside the wraps.
 */

export const MIN_PIN_DIGITS = 6;
export const MAX_PIN_FAILURES = 10;
/**
 * PBKDF2 rounds for a new PIN wrap: unlock stays under a second on a
 * low-end phone (measured with 4× CPU slowdown in tests/browser/safety.test.mjs).
 * Kept in each keyring, so a later change reaches phones at their next PIN.
 */
export const PIN_ITERATIONS = 300_000;

export interface Wrapped {
  /** base64 of the 12-byte nonce and the AES-GCM ciphertext of the data key. */
  iv: string;
  ct: string;
}

export interface Keyring {
  v: 1;
  device_id: string;
  recovery: Wrapped;
  pin: { salt: string; iterations: number; wrapped: Wrapped } | null;
  /** Wrong PINs in a row, and until when the next try must wait (phone clock, ms). */
  failures: number;
  wait_until: number;
}

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const keyringKey = (userId: number) => `sijil.keys.u${userId}`;

export function loadKeyring(storage: KeyValue, userId: number): Keyring | null {
  try {
    const value = JSON.parse(storage.getItem(keyringKey(userId)) ?? 'null') as Keyring | null;
    return value?.v === 1 && typeof value.device_id === 'string' && value.recovery ? value : null;
  } catch {
    return null;
  }
}

export function saveKeyring(storage: KeyValue, userId: number, keyring: Keyring): void {
  storage.setItem(keyringKey(userId), JSON.stringify(keyring));
}

export function isValidPin(pin: string): boolean {
  return new RegExp(`^[0-9]{${MIN_PIN_DIGITS},12}$`).test(pin);
}

/** How long to wait before the next try after `failures` wrong PINs: 0, then 1 s doubling to a minute. */
export function pinDelayMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(60_000, 1000 * 2 ** (failures - 1));
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const encoder = new TextEncoder();

export function newDataKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** The AES key the PIN stands for (non-extractable). */
export async function pinKey(pin: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The server's recovery key (hex) as a non-extractable AES key. */
export async function recoveryKey(hex: string): Promise<CryptoKey> {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('not a recovery key');
  const raw = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** `purpose` and the user are authenticated with the wrap, so a wrap cannot be moved to another user or slot. */
const aad = (purpose: string, userId: number) => encoder.encode(`sijil/${purpose}/u${userId}`);

export async function wrapKey(key: CryptoKey, dataKey: Uint8Array, purpose: string, userId: number): Promise<Wrapped> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad(purpose, userId) },
    key,
    dataKey as BufferSource,
  );
  return { iv: b64(iv), ct: b64(new Uint8Array(ct)) };
}

/** The data key, or null when `key` is not the one it was wrapped under (a wrong PIN). */
export async function unwrapKey(
  key: CryptoKey,
  wrapped: Wrapped,
  purpose: string,
  userId: number,
): Promise<Uint8Array | null> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: unb64(wrapped.iv) as BufferSource, additionalData: aad(purpose, userId) },
      key,
      unb64(wrapped.ct) as BufferSource,
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}

/** A new PIN wrap of `dataKey` (fresh salt). */
export async function pinWrap(pin: string, dataKey: Uint8Array, userId: number): Promise<Keyring['pin']> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await pinKey(pin, salt, PIN_ITERATIONS);
  return { salt: b64(salt), iterations: PIN_ITERATIONS, wrapped: await wrapKey(key, dataKey, 'pin', userId) };
}

export async function openPinWrap(pin: string, wrap: NonNullable<Keyring['pin']>, userId: number) {
  const key = await pinKey(pin, unb64(wrap.salt), wrap.iterations);
  return unwrapKey(key, wrap.wrapped, 'pin', userId);
}

export type PinOutcome =
  | { ok: true; dataKey: Uint8Array; keyring: Keyring }
  | { ok: false; reason: 'wait'; waitMs: number; keyring: Keyring }
  | { ok: false; reason: 'wrong'; left: number; waitMs: number; keyring: Keyring }
  | { ok: false; reason: 'destroyed'; keyring: Keyring };

/**
 * One PIN try against `keyring`: the data key, or the keyring as it must
 * be saved (one more failure and its wait; at the limit, no PIN wrap).
 */
export async function tryPin(keyring: Keyring, pin: string, userId: number, now = Date.now()): Promise<PinOutcome> {
  if (!keyring.pin) return { ok: false, reason: 'destroyed', keyring };
  if (now < keyring.wait_until) return { ok: false, reason: 'wait', waitMs: keyring.wait_until - now, keyring };
  const dataKey = isValidPin(pin) ? await openPinWrap(pin, keyring.pin, userId) : null;
  if (dataKey) return { ok: true, dataKey, keyring: { ...keyring, failures: 0, wait_until: 0 } };
  const failures = keyring.failures + 1;
  if (failures >= MAX_PIN_FAILURES) {
    return { ok: false, reason: 'destroyed', keyring: { ...keyring, pin: null, failures: 0, wait_until: 0 } };
  }
  const waitMs = pinDelayMs(failures);
  return {
    ok: false,
    reason: 'wrong',
    left: MAX_PIN_FAILURES - failures,
    waitMs,
    keyring: { ...keyring, failures, wait_until: now + waitMs },
  };
}
