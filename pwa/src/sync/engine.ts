/**
 * When the phone syncs: on start and after each login, when the browser
 * says it is online again, when something is saved, on "Send now", and
 * when the service worker's Background Sync fires (it asks an open page to
 * send: see src/sw/sync-handler.js). A run pushes the outbox, then pulls.
 * No answer → retry with exponential backoff (5 s doubling to 5 min, with
 * jitter); 401 → the outbox waits, and the next login resumes.
 */
import type { Role } from '../api/types';
import { currentUserDb } from '../db/current';
import { createStore } from '../store';
import type { Outcome } from './api';
import { serverApi } from './api';
import { ensurePrefix } from './codes';
import { pullAll, pushOutbox } from './core';
import { onOutboxChange } from './outbox';

export interface SyncStatus {
  running: boolean;
  /** Items answered in this run, of `total` that were waiting when it started. */
  sent: number;
  total: number;
  last?: Outcome;
}

export const syncStatus = createStore<SyncStatus>({ running: false, sent: 0, total: 0 });

/** Bumped whenever local data changed (a pull, a save), so screens re-read. */
export const dataVersion = createStore(0);
export function dataChanged(): void {
  dataVersion.set(dataVersion.get() + 1);
}

export const SYNC_TAG = 'sijil-outbox';
const BACKOFF_FIRST_MS = 5_000;
const BACKOFF_MAX_MS = 5 * 60_000;

/** Who the engine sends for; told by auth/session.ts at sign-in and sign-out. */
export interface SyncUser {
  id: number;
  role: Role;
}

let user: SyncUser | null = null;
let running: Promise<Outcome> | null = null;
let queued: Promise<Outcome> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

export function backoffDelay(failuresSoFar: number, random = Math.random()): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failuresSoFar - 1));
  return Math.round(base * (0.75 + random * 0.5));
}

/** Runs a sync now, or right after the one under way. */
export function syncNow(): Promise<Outcome> {
  if (running) {
    queued ??= running.then(() => {
      queued = null;
      return syncNow();
    });
    return queued;
  }
  running = runOnce().finally(() => {
    running = null;
  });
  return running;
}

async function runOnce(): Promise<Outcome> {
  const current = user;
  if (!current) return 'unauthenticated';
  clearTimeout(retryTimer);
  let outcome: Outcome;
  try {
    const db = await currentUserDb();
    syncStatus.set({ running: true, sent: 0, total: 0, last: syncStatus.get().last });
    outcome = await pushOutbox(db, serverApi, (sent, total) => syncStatus.set({ running: true, sent, total }));
    // Mobilisers only count heads; they never register anyone, so they need no codes.
    if (outcome === 'done' && current.role !== 'mobiliser') outcome = await ensurePrefix(db, serverApi);
    if (outcome === 'done') outcome = await pullAll(db, serverApi);
  } catch (error) {
    console.warn('sync failed', error);
    outcome = 'failed';
  }
  const { sent, total } = syncStatus.get();
  syncStatus.set({ running: false, sent, total, last: outcome });
  dataChanged();
  if (outcome === 'done') failures = 0;
  else if (outcome === 'resend') {
    // The server was restored: send again what it lost, at once.
    failures = 0;
    setTimeout(() => void syncNow(), 0);
  } else if (outcome === 'offline' || outcome === 'failed') {
    failures++;
    retryTimer = setTimeout(() => void syncNow(), backoffDelay(failures));
    void registerBackgroundSync();
  }
  return outcome;
}

/** Asks the browser to wake the service worker when the network is back (Chromium has Background Sync). */
export async function registerBackgroundSync(): Promise<void> {
  try {
    const registration = (await navigator.serviceWorker?.getRegistration()) as
      | (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
      | undefined;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync here: the `online` event and the retry timer do the work.
  }
}

/** After a save: send at once if we can, and have Background Sync standing by if not. */
export function afterLocalSave(): void {
  dataChanged();
  void registerBackgroundSync();
  void syncNow();
}

/** Someone signed in (a sync starts at once for a new person) or, with null, out (retries stop). */
export function setSyncUser(next: SyncUser | null): void {
  const before = user;
  user = next ? { id: next.id, role: next.role } : null;
  if (next && next.id !== before?.id) {
    failures = 0;
    setTimeout(() => void syncNow(), 0);
  }
  if (!next) clearTimeout(retryTimer);
}

export function startSync(): void {
  window.addEventListener('online', () => {
    failures = 0;
    void syncNow();
  });
  onOutboxChange(() => dataChanged());
  // The service worker's `sync` event asks the page to send and waits for the answer.
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
    if ((event.data as { type?: string } | null)?.type !== 'sijil-sync') return;
    const port = event.ports[0];
    void syncNow().then((outcome) => port?.postMessage({ ok: outcome === 'done' }));
  });
}
