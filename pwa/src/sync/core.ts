/**
 * The sync rules, free of timers and browser events so they can be tested
 * against a fake server: push the outbox in slices (the server answers
 * item by item; sync/outbox.ts records each answer), and pull changes into
 * the local stores without ever overwriting what the outbox still holds.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { Local, OutboxItem, SijilDb } from '../db/schema';
import { PULLED_STORES, STORE_OF } from '../db/schema';
import type { Change, Outcome, PullPage, PushItem, PushResult, SyncApi } from './api';
import { outcomeOf } from './api';
import { applyLock, LOCKS_KEY } from './locks';
import { mergeParticipantLocally } from './merge';
import { countAttempt, forgetSentBefore, offerAgain, settleAnswers, unsentIn, waitingItems } from './outbox';

type Db = IDBPDatabase<SijilDb>;

export const PUSH_SLICE = 200;
export const CURSOR_KEY = 'pull_cursor';

/** What goes over the wire for one outbox item. */
export function toPushItem(item: OutboxItem): PushItem {
  const pushed: PushItem = {
    type: item.kind,
    id: item.id,
    base_version: item.base_version,
    device_time: item.created_at,
  };
  if (item.deleted) pushed.deleted = true;
  else pushed.data = item.data;
  return pushed;
}

/**
 * Sends every waiting item, `PUSH_SLICE` at a time. `progress(done, total)`
 * is told after each slice. Stops at the first slice that got no answer
 * (offline), a 401 (the outbox waits for the next login) or a server error.
 */
export async function pushOutbox(
  db: Db,
  api: SyncApi,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<Outcome> {
  const items = await waitingItems(db);
  progress(0, items.length);
  for (let start = 0; start < items.length; start += PUSH_SLICE) {
    const slice = items.slice(start, start + PUSH_SLICE);
    let results: PushResult[];
    try {
      results = (await api.push(slice.map(toPushItem))).results;
    } catch (error) {
      const outcome = outcomeOf(error);
      if (outcome === 'offline')
        await countAttempt(
          db,
          slice.map((i) => i.id),
        );
      return outcome;
    }
    await settleAnswers(db, slice, results);
    progress(Math.min(start + slice.length, items.length), items.length);
  }
  return 'done';
}

/** Applies one page of pulled changes, and its cursor, in one transaction. */
export async function applyPage(db: Db, page: PullPage): Promise<void> {
  const tx = db.transaction([...PULLED_STORES, 'meta', 'outbox'], 'readwrite');
  const unsent = await unsentIn(tx);
  if (page.reset) {
    for (const name of PULLED_STORES) await tx.objectStore(name).clear();
    await tx.objectStore('meta').delete(LOCKS_KEY);
    // What this phone made and the server has not confirmed stays visible.
    for (const item of unsent.values()) {
      if (!item.deleted)
        await tx
          .objectStore(STORE_OF[item.kind])
          .put({ id: item.id, version: item.base_version, data: item.data } as Local<never>);
    }
  }
  for (const change of page.changes) await applyChange(tx, change, unsent);
  await tx.objectStore('meta').put(page.cursor, CURSOR_KEY);
  await tx.done;
}

type PullTx = IDBPTransaction<SijilDb, StoreNames<SijilDb>[], 'readwrite'>;

async function applyChange(tx: PullTx, change: Change, unsent: Map<string, OutboxItem>): Promise<void> {
  if (change.entity === 'lock') {
    await applyLock(tx.objectStore('meta'), change.id, change.deleted);
    return;
  }
  // A kind of change this version of the app does not know (a newer server): skipped, not fatal.
  const known = change.entity in STORE_OF || ['site', 'activity_type', 'visitor', 'service'].includes(change.entity);
  if (!known) return;
  if (change.entity === 'service') {
    // The directory (issue 17): a deactivated service, or one no longer in the user's areas, arrives deleted.
    const store = tx.objectStore('services');
    if (change.deleted || !change.data) await store.delete(Number(change.id));
    else await store.put({ ...(change.data as object), id: Number(change.id) });
    return;
  }
  if (change.entity === 'site' || change.entity === 'activity_type') {
    const store = tx.objectStore(change.entity === 'site' ? 'sites' : 'activity_types');
    if (change.deleted || !change.data) await store.delete(Number(change.id));
    else await store.put({ ...(change.data as object), id: Number(change.id) } as never);
    return;
  }
  const mergedInto = change.merged_into ?? (change.data as { merged_into?: string } | undefined)?.merged_into;
  if (change.entity === 'visitor') {
    // Someone registered elsewhere who attends at one of my sites: code, sex, age band, no name.
    const from = (change.data as { participant_id?: string } | undefined)?.participant_id;
    if (mergedInto && from) await mergeParticipantLocally(tx, from, mergedInto);
    if (mergedInto || change.deleted || !change.data) await tx.objectStore('visitors').delete(change.id);
    else await tx.objectStore('visitors').put({ id: change.id, version: change.version ?? 0, data: change.data });
    return;
  }
  if (change.entity === 'participant' && mergedInto) {
    await mergeParticipantLocally(tx, change.id, mergedInto);
    return;
  }
  const store = tx.objectStore(STORE_OF[change.entity]);
  const mine = unsent.get(change.id);
  if (mine) {
    // An edit on this phone is newer than what the server had: keep it, and its base version
    // (a conflict, if any, is the server's to say). Only the review is news.
    const local = await store.get(change.id);
    if (local && change.review) await store.put({ ...local, review: change.review });
    return;
  }
  if (change.deleted) await store.delete(change.id);
  else
    await store.put({ id: change.id, version: change.version ?? 0, data: change.data, review: change.review } as never);
}

/**
 * Pulls until the server says there is no more. When the server says it
 * was restored from a backup, what it confirmed lately goes back into the
 * outbox first (`offerAgain`), and the outcome is `resend`: the caller
 * pushes again. Confirmed items older than the server's `keep_sent_days`
 * are forgotten.
 */
export async function pullAll(db: Db, api: SyncApi): Promise<Outcome> {
  let outcome: Outcome = 'done';
  for (let pages = 0; pages < 10_000; pages++) {
    const cursor = (await db.get('meta', CURSOR_KEY)) as string | undefined;
    let page: PullPage;
    try {
      page = await api.pull(cursor);
    } catch (error) {
      return outcomeOf(error);
    }
    if (page.restored && (await offerAgain(db)) > 0) outcome = 'resend';
    await applyPage(db, page);
    await forgetSentBefore(db, page.keep_sent_days);
    if (!page.more) break;
  }
  return outcome;
}
