/**
 * The app lock: whether the signed-in user's data are open, and every way
 * they open and close (docs/design.md, "Shared and lost phones").
 *
 * - Signed in with a PIN wrap on this phone: locked until the PIN (or the
 *   password, online) opens it.
 * - No PIN wrap (first login here, logged out before, or 10 wrong PINs):
 *   the server's recovery key opens it, which the server gives only just
 *   after a password login; then a new PIN is set.
 * - Locks after an idle time, when the app goes to the background, on
 *   demand and at quick exit.
 * - At sign-out everything of the user but the unsent goes, and the PIN
 *   wrap with it; a remote wipe sends the outbox first, then removes all.
 */
import { ApiError, NetworkError } from '../api/client';
import * as api from '../api/endpoints';
import type { Me } from '../api/types';
import { logOut, session } from '../auth/session';
import { dataCipher, sealedDb } from '../db/crypto';
import { isCurrentUserDbUnlocked, lockCurrentUserDb, openedUserDb, unlockCurrentUserDb } from '../db/current';
import { openUserDb, userDbName } from '../db/schema';
import { createStore } from '../store';
import { serverApi } from '../sync/api';
import { pushOutbox } from '../sync/core';
import { syncStatus } from '../sync/engine';
import type { Keyring } from './keyring';
import {
  isValidPin,
  keyringKey,
  loadKeyring,
  newDataKey,
  pinWrap,
  recoveryKey,
  saveKeyring,
  tryPin,
  unwrapKey,
  wrapKey,
} from './keyring';
import { purgeAfterSync, purgeAtLogout } from './purge';

export type LockState =
  | { status: 'off' }
  | { status: 'opening' }
  | { status: 'set-pin' }
  | { status: 'locked'; failures: number; waitUntil: number }
  | { status: 'password'; why: 'no-key' | 'too-many' | 'lost-key' }
  | { status: 'unlocked' }
  | { status: 'wiping' };

export const lockState = createStore<LockState>({ status: 'off' });

/** Whether the browser agreed to keep this site's storage under pressure (null: not asked yet). */
export const storagePersisted = createStore<boolean | null>(null);

export const IDLE_MINUTES_KEY = 'sijil.lock-idle-minutes';
export const DEFAULT_IDLE_MINUTES = 5;
/** Records older than this leave the phone after a clean sync (unless unsent); the server's setting, heard at each contact. */
export const KEEP_RECORD_DAYS_KEY = 'sijil.keep-record-days';
export const DEFAULT_KEEP_RECORD_DAYS = 90;

function keepRecordDays(): number {
  const stored = Number(storage().getItem(KEEP_RECORD_DAYS_KEY));
  return Number.isInteger(stored) && stored >= 1 ? stored : DEFAULT_KEEP_RECORD_DAYS;
}
const WIPE_CHECK_MS = 2 * 60_000;

let me: Me | null = null;
/** The data key between a recovery and the new PIN that wraps it; zeroed right after. */
let pendingKey: Uint8Array | null = null;
let lastActivity = Date.now();
/** A user whose data were just wiped: signing out must not open (and so recreate) their database. */
let wipedUserId: number | null = null;

const storage = () => localStorage;

export function idleMinutes(): number {
  const stored = Number(storage().getItem(IDLE_MINUTES_KEY));
  return Number.isFinite(stored) && stored >= 1 && stored <= 60 ? stored : DEFAULT_IDLE_MINUTES;
}

export function setIdleMinutes(minutes: number): void {
  storage().setItem(IDLE_MINUTES_KEY, String(minutes));
}

/** Whether `user` is still the one signed in (`me` is replaced by each refresh of `/api/me`). */
function isStill(user: Me): boolean {
  return me?.id === user.id;
}

function keyring(): Keyring | null {
  return me ? loadKeyring(storage(), me.id) : null;
}

function save(next: Keyring): void {
  if (me) saveKeyring(storage(), me.id, next);
}

function opened(dataKey: Uint8Array): void {
  if (!me) return;
  unlockCurrentUserDb(me.id, dataCipher(dataKey));
  lastActivity = Date.now();
}

function lockedState(ring: Keyring | null): LockState {
  if (ring?.pin) return { status: 'locked', failures: ring.failures, waitUntil: ring.wait_until };
  return { status: 'password', why: 'no-key' };
}

/**
 * Opens with the server's recovery key (just after a password login);
 * without a keyring, makes the user's data key and its recovery wrap.
 * Then a new PIN is set.
 */
async function recover(): Promise<void> {
  const user = me;
  if (!user) return;
  const ring = keyring();
  lockState.set({ status: 'opening' });
  let released: api.DeviceKey;
  try {
    released = await api.deviceKey(ring?.device_id ?? crypto.randomUUID());
  } catch (error) {
    if (isStill(user)) lockState.set(ring?.pin ? lockedState(ring) : { status: 'password', why: 'no-key' });
    if (!(error instanceof NetworkError) && !(error instanceof ApiError)) console.warn('recovery failed', error);
    return;
  }
  if (!isStill(user)) return;
  const key = await recoveryKey(released.key);
  let dataKey: Uint8Array | null;
  if (ring) {
    dataKey = await unwrapKey(key, ring.recovery, 'recovery', user.id);
    if (!dataKey) {
      // The server no longer has this device's key (a restore older than the device): the
      // phone's data stay as they are, unreadable here, never deleted.
      lockState.set({ status: 'password', why: 'lost-key' });
      return;
    }
  } else {
    dataKey = newDataKey();
    save({
      v: 1,
      device_id: released.device_id,
      recovery: await wrapKey(key, dataKey, 'recovery', user.id),
      pin: null,
      failures: 0,
      wait_until: 0,
    });
  }
  if (released.wipe) {
    await wipe(user, dataKey, released.device_id);
    return;
  }
  pendingKey = dataKey.slice();
  opened(dataKey);
  dataKey.fill(0);
  lockState.set({ status: 'set-pin' });
}

/** Sets the PIN that opens this phone's data from now on. */
export async function setPin(pin: string): Promise<boolean> {
  const ring = keyring();
  if (!me || !ring || !pendingKey || !isValidPin(pin)) return false;
  save({ ...ring, pin: await pinWrap(pin, pendingKey, me.id), failures: 0, wait_until: 0 });
  pendingKey.fill(0);
  pendingKey = null;
  lockState.set({ status: 'unlocked' });
  return true;
}

export type PinAnswer = { ok: true } | { ok: false; left?: number; waitMs?: number; destroyed?: boolean };

export async function unlockWithPin(pin: string): Promise<PinAnswer> {
  const ring = keyring();
  if (!me || !ring) return { ok: false, destroyed: true };
  const result = await tryPin(ring, pin, me.id);
  save(result.keyring);
  if (result.ok) {
    opened(result.dataKey);
    result.dataKey.fill(0);
    lockState.set({ status: 'unlocked' });
    return { ok: true };
  }
  if (result.reason === 'destroyed') {
    lockState.set({ status: 'password', why: 'too-many' });
    return { ok: false, destroyed: true };
  }
  lockState.set(lockedState(result.keyring));
  return result.reason === 'wait'
    ? { ok: false, waitMs: result.waitMs }
    : { ok: false, left: result.left, waitMs: result.waitMs };
}

/** Opens with the password: a fresh login (online), then the recovery key, then a new PIN. */
export async function unlockWithPassword(password: string): Promise<void> {
  if (!me) return;
  await api.login(me.login, password);
  await recover();
}

/** Locks now (on demand, idle, background, quick exit). */
export function lockNow(): void {
  const state = lockState.get().status;
  if (state !== 'unlocked' && state !== 'set-pin') return;
  pendingKey?.fill(0);
  pendingKey = null;
  lockCurrentUserDb();
  lockState.set(lockedState(keyring()));
}

// ---- sign-in and sign-out

async function signedOut(user: Me): Promise<void> {
  pendingKey?.fill(0);
  pendingKey = null;
  if (wipedUserId === user.id) return;
  const ring = loadKeyring(storage(), user.id);
  // Only a password login of the same user opens what stays.
  if (ring) saveKeyring(storage(), user.id, { ...ring, pin: null, failures: 0, wait_until: 0 });
  const raw = await openUserDb(user.id);
  try {
    await purgeAtLogout(raw);
  } finally {
    raw.close();
  }
}

function onSession(): void {
  const current = session.get();
  if (current.status !== 'signed-in') {
    const leaving = me;
    me = null;
    lockState.set({ status: 'off' });
    if (leaving) void signedOut(leaving).catch((error) => console.warn('could not purge at logout', error));
    return;
  }
  const same = me?.id === current.me.id;
  me = current.me;
  if (same) return;
  if (isCurrentUserDbUnlocked()) {
    lockState.set({ status: 'unlocked' });
    return;
  }
  const ring = keyring();
  if (ring?.pin) lockState.set(lockedState(ring));
  else void recover();
  void checkWipe();
}

// ---- remote wipe

/** Sends what is unsent, removes every local trace of the user, tells the server, and signs out. */
async function wipe(user: Me, dataKey: Uint8Array, deviceId: string): Promise<void> {
  lockState.set({ status: 'wiping' });
  lockCurrentUserDb();
  const raw = await openUserDb(user.id);
  const db = sealedDb(raw, dataCipher(dataKey));
  dataKey.fill(0);
  try {
    const outcome = await pushOutbox(db, serverApi, () => undefined);
    // Not all sent (no network, say): try again at the next contact; nothing is deleted.
    if (outcome !== 'done') throw new Error(`outbox not sent: ${outcome}`);
  } catch (error) {
    raw.close();
    lockState.set(lockedState(keyring()));
    console.warn('wipe postponed', error);
    return;
  }
  raw.close();
  await new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(userDbName(user.id));
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
  storage().removeItem(keyringKey(user.id));
  wipedUserId = user.id;
  await api.deviceWiped(deviceId).catch(() => undefined);
  await logOut();
}

/** Asks the server whether this device is to be wiped; if so, wipes (even while locked). */
export async function checkWipe(): Promise<void> {
  const user = me;
  const ring = keyring();
  if (!user || !ring || lockState.get().status === 'wiping') return;
  try {
    const status = await api.deviceStatus(ring.device_id);
    if (Number.isInteger(status.keep_records_days))
      storage().setItem(KEEP_RECORD_DAYS_KEY, String(status.keep_records_days));
    if (!status.wipe || !isStill(user)) return;
    const released = await api.deviceKey(ring.device_id);
    const dataKey = await unwrapKey(await recoveryKey(released.key), ring.recovery, 'recovery', user.id);
    if (dataKey && isStill(user)) await wipe(user, dataKey, ring.device_id);
  } catch {
    // Offline, or the server does not know this device: ask again at the next contact.
  }
}

// ---- purge after a clean sync

async function purgeAfterCleanSync(): Promise<void> {
  const user = me;
  const db = openedUserDb();
  if (!user || !db || !isCurrentUserDbUnlocked()) return;
  const sites = user.all_sites ? 'all' : user.sites.map((s) => s.id);
  await purgeAfterSync(await db, sites, keepRecordDays(), new Date());
}

// ---- start

/** Ask the browser to keep the outbox under storage pressure; remember its answer for the account screen. */
export async function askPersistence(): Promise<void> {
  try {
    const granted = (await navigator.storage?.persisted?.()) || (await navigator.storage?.persist?.());
    storagePersisted.set(Boolean(granted));
  } catch {
    storagePersisted.set(false);
  }
}

export function startLock(): void {
  session.subscribe(onSession);
  onSession();
  for (const event of ['pointerdown', 'keydown', 'touchstart', 'input'])
    document.addEventListener(event, () => (lastActivity = Date.now()), { passive: true, capture: true });
  setInterval(() => {
    if (Date.now() - lastActivity > idleMinutes() * 60_000) lockNow();
  }, 15_000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') lockNow();
  });
  window.addEventListener('online', () => void checkWipe());
  setInterval(() => void checkWipe(), WIPE_CHECK_MS);
  syncStatus.subscribe((status) => {
    if (!status.running && status.last === 'done')
      void purgeAfterCleanSync().catch((error) => console.warn('purge failed', error));
  });
  lockState.subscribe((state) => {
    if (state.status === 'unlocked' && storagePersisted.get() === null) void askPersistence();
  });
}
