/**
 * When the phone syncs: on start and after each login, when the browser
 * says it is online again, when something is saved, on "Send now", every
 * 30–45 s while the app is open and visible (flags and locks arrive), and
 * when the service worker's Background Sync fires (it asks an open page to
 * send: see src/sw/sync-handler.js). A run probes the server when
 * something waits, pushes the outbox, then pulls.
 * No answer → retry on a short bounded backoff, and probe the server
 * meanwhile so its return is noticed within seconds (sync/backoff.ts);
 * 401 → the outbox waits, and the next login resumes.
 */
import { serverAnswers } from '../api/client';
import type { Role } from '../api/types';
import { currentUserDb } from '../db/current';
import { createStore } from '../store';
import type { Outcome } from './api';
import { serverApi } from './api';
import { PROBE_TIMEOUT_MS, pollDelay, probeDelay, retryDelay } from './backoff';
import { ensurePrefix } from './codes';
import { pullAll, pushOutbox } from './core';
import { onOutboxChange } from './outbox';

export interface SyncStatus {
  running: boolean;
  /** Items answered in this run, of `total` that were waiting when it started. */
  sent: number;
  total: number;
  last?: Outcome;
  /** When the next try is due (phone clock, ms) after a run that got no answer. */
  retryAt?: number;
}

export const syncStatus = createStore<SyncStatus>({ running: false, sent: 0, total: 0 });

/** Bumped whenever local data changed (a pull, a save), so screens re-read. */
export const dataVersion = createStore(0);
export function dataChanged(): void {
  dataVersion.set(dataVersion.get() + 1);
}

export const SYNC_TAG = 'sijil-outbox';

/** Who the engine sends for; told by auth/session.ts at sign-in and sign-out. */
export interface SyncUser {
  id: number;
  role: Role;
}

let user: SyncUser | null = null;
let running: Promise<Outcome> | null = null;
let queued: Promise<Outcome> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let probeTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

/** Stops waiting: the retry and the probes (a run is starting, or nobody is signed in). */
function stopWaiting(): void {
  clearTimeout(retryTimer);
  clearTimeout(probeTimer);
}

/**
 * After a run that failed: the next try on the backoff. When the server
 * did not answer at all (`offline`), the try is a probe first, so a large
 * push is not sent into a dead cell to hang until its timeout, and probes
 * run meanwhile so the server's return starts the push within seconds.
 * A server that answered with an error is not probed: only the backoff
 * paces the next push, so a failing server is not hammered.
 */
function waitToRetry(outcome: Outcome): void {
  stopWaiting();
  const delay = retryDelay(failures);
  const noAnswer = outcome === 'offline';
  const waiting = () => user !== null && syncStatus.get().retryAt !== undefined && !syncStatus.get().running;
  retryTimer = setTimeout(async () => {
    if (!noAnswer || (await serverAnswers(PROBE_TIMEOUT_MS))) void syncNow();
    else if (waiting()) {
      failures++;
      waitToRetry(outcome);
    }
  }, delay);
  const probe = () => {
    probeTimer = setTimeout(async () => {
      if (!waiting()) return;
      if (await serverAnswers(PROBE_TIMEOUT_MS)) void syncNow();
      else probe();
    }, probeDelay());
  };
  if (noAnswer) probe();
  syncStatus.set({ ...syncStatus.get(), retryAt: Date.now() + delay });
}

/**
 * Runs a sync now, or right after the one under way. When that one got no
 * answer, the queued run is left to the retry (a probe first): starting it
 * at once would only hang as long again on a dead cell.
 */
export function syncNow(): Promise<Outcome> {
  if (running) {
    queued ??= running.then((outcome) => {
      queued = null;
      return outcome === 'offline' ? outcome : syncNow();
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
  stopWaiting();
  let outcome: Outcome;
  try {
    const db = await currentUserDb();
    syncStatus.set({ running: true, sent: 0, total: 0, last: syncStatus.get().last });
    // A dead cell says "online" and lets a push hang until its 30 s timeout. A probe of a few
    // hundred bytes with a 4 s timeout goes first whenever something waits, so the bar says
    // "trying again in …" within seconds and the retry's probes take over.
    const waiting = await db.countFromIndex('outbox', 'by_state', 'waiting');
    if (waiting > 0 && !(await serverAnswers(PROBE_TIMEOUT_MS))) outcome = 'offline';
    else outcome = await pushOutbox(db, serverApi, (sent, total) => syncStatus.set({ running: true, sent, total }));
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
    waitToRetry(outcome);
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
  if (!next) {
    stopWaiting();
    syncStatus.set({ ...syncStatus.get(), retryAt: undefined });
  }
}

let pollTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * The light poll (sync/backoff.ts): a sync every 30–45 s while the app is
 * visible, someone is signed in and no retry is waiting (the backoff is in
 * charge then). A push of an empty outbox sends nothing, so it is a pull.
 */
function schedulePoll(): void {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(() => {
    const idle = !running && syncStatus.get().retryAt === undefined;
    if (user && idle && document.visibilityState === 'visible') void syncNow();
    schedulePoll();
  }, pollDelay());
}

export function startSync(): void {
  schedulePoll();
  window.addEventListener('online', () => {
    failures = 0;
    void syncNow();
  });
  // Someone opens the app again while a retry waits: try now rather than at the end of the wait.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && syncStatus.get().retryAt !== undefined) void syncNow();
  });
  onOutboxChange(() => dataChanged());
  // The service worker's `sync` event asks the page to send and waits for the answer.
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
    if ((event.data as { type?: string } | null)?.type !== 'sijil-sync') return;
    const port = event.ports[0];
    // A run under way sends everything that waits: answer with it rather than queue another.
    // And while a retry waits after no answer, the probes are on it: Chromium fires `sync` at
    // once for a phone it thinks online, which on a dead cell would only hang another push.
    if (!running && syncStatus.get().retryAt !== undefined) {
      port?.postMessage({ ok: false });
      return;
    }
    void (running ?? syncNow()).then((outcome) => port?.postMessage({ ok: outcome === 'done' }));
  });
}
