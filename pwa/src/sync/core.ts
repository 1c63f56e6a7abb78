/**
 * The sync rules, free of timers and browser events so they can be tested
 * against a fake server: push the outbox in slices with one decision per
 * item, pull changes into the local stores, and hand out participant codes.
 *
 * Push: stored / duplicate → the item leaves the outbox and the local copy
 * takes the server's version; conflict → it stays, with the server's copy,
 * for the person to choose; invalid → it stays as `rejected` with the
 * reasons. An item edited while its slice was on the way is not removed:
 * its newer content stays waiting, now based on the version just stored.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { isUnauthenticated, NetworkError } from '../api/client';
import { countAttempt, notifyOutboxChange, waitingItems } from '../db/outbox';
import type { Local, OutboxItem, OutboxKind, SijilDb, SyncedStore } from '../db/schema';
import { PULLED_STORES } from '../db/schema';
import { MAX_COUNTER, makeCode } from '../field/codes';
import type { Change, PullPage, PushItem, PushResult, SyncApi } from './api';

type Db = IDBPDatabase<SijilDb>;

export const PUSH_SLICE = 200;
export const CURSOR_KEY = 'pull_cursor';
export const CODES_KEY = 'codes';

export type Outcome = 'done' | 'offline' | 'unauthenticated' | 'failed';

export const STORE_OF: Record<OutboxKind, SyncedStore> = {
  participant: 'participants',
  group: 'groups',
  record: 'records',
};

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

function failure(error: unknown): Outcome {
  if (isUnauthenticated(error)) return 'unauthenticated';
  if (error instanceof NetworkError) return 'offline';
  return 'failed';
}

/** Records the server's answer for one item, in one transaction with its local copy. */
async function settle(db: Db, sent: OutboxItem, result: PushResult): Promise<void> {
  const storeName = STORE_OF[sent.kind];
  const tx = db.transaction(['outbox', storeName], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const store = tx.objectStore(storeName);
  const current = await outbox.get(sent.id);
  const editedMeanwhile = current !== undefined && current.updated_at !== sent.updated_at;
  const now = new Date().toISOString();
  if (result.status === 'stored' || result.status === 'duplicate') {
    const version = result.version ?? sent.base_version;
    if (editedMeanwhile) await outbox.put({ ...current, base_version: version });
    else if (current) await outbox.delete(sent.id);
    const local = await store.get(sent.id);
    if (sent.deleted && !editedMeanwhile) await store.delete(sent.id);
    else if (local) await store.put({ ...local, version });
  } else if (current && !editedMeanwhile) {
    const state = result.status === 'conflict' ? 'conflict' : 'rejected';
    const error = result.status === 'conflict' ? { server: result.server } : { errors: result.errors ?? {} };
    await outbox.put({ ...current, state, error, updated_at: now });
  }
  await tx.done;
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
      const outcome = failure(error);
      if (outcome === 'offline')
        await countAttempt(
          db,
          slice.map((i) => i.id),
        );
      return outcome;
    }
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const item of slice) {
      const result = byId.get(item.id);
      if (result) await settle(db, item, result);
    }
    notifyOutboxChange();
    progress(Math.min(start + slice.length, items.length), items.length);
  }
  return 'done';
}

/** Applies one page of pulled changes, and its cursor, in one transaction. */
export async function applyPage(db: Db, page: PullPage): Promise<void> {
  const tx = db.transaction([...PULLED_STORES, 'meta', 'outbox'], 'readwrite');
  const unsent = new Map<string, OutboxItem>();
  for (const item of await tx.objectStore('outbox').getAll()) unsent.set(item.id, item);
  if (page.reset) {
    for (const name of PULLED_STORES) await tx.objectStore(name).clear();
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
  if (change.entity === 'site' || change.entity === 'activity_type') {
    const store = tx.objectStore(change.entity === 'site' ? 'sites' : 'activity_types');
    if (change.deleted || !change.data) await store.delete(Number(change.id));
    else await store.put({ ...(change.data as object), id: Number(change.id) } as never);
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

/** Pulls until the server says there is no more. */
export async function pullAll(db: Db, api: SyncApi): Promise<Outcome> {
  for (let pages = 0; pages < 10_000; pages++) {
    const cursor = (await db.get('meta', CURSOR_KEY)) as string | undefined;
    let page: PullPage;
    try {
      page = await api.pull(cursor);
    } catch (error) {
      return failure(error);
    }
    await applyPage(db, page);
    if (!page.more) break;
  }
  return 'done';
}

/** This phone's participant-code counter: `prefix` in use, next counter, and a spare prefix. */
export interface Codes {
  prefix: string;
  next: number;
  spare?: string;
}

/** Asks for a spare prefix this long before the counter runs out. */
export const LOW_CODES = 500;

/** Gets a prefix (and a spare when running low) while online. */
export async function ensurePrefix(db: Db, api: SyncApi): Promise<Outcome> {
  const codes = (await db.get('meta', CODES_KEY)) as Codes | undefined;
  if (codes && (codes.spare || MAX_COUNTER - codes.next >= LOW_CODES)) return 'done';
  let prefix: string;
  try {
    prefix = (await api.newPrefix()).prefix;
  } catch (error) {
    return failure(error);
  }
  const tx = db.transaction('meta', 'readwrite');
  const now = (await tx.store.get(CODES_KEY)) as Codes | undefined;
  await tx.store.put(now ? { ...now, spare: now.spare ?? prefix } : { prefix, next: 1 }, CODES_KEY);
  await tx.done;
  return 'done';
}

export class NoCodesLeft extends Error {}

/** The next participant code of this phone, taken in one transaction so two screens never share one. */
export async function nextCode(db: Db): Promise<string> {
  const tx = db.transaction('meta', 'readwrite');
  let codes = (await tx.store.get(CODES_KEY)) as Codes | undefined;
  if (codes && codes.next > MAX_COUNTER) codes = codes.spare ? { prefix: codes.spare, next: 1 } : undefined;
  if (!codes) {
    await tx.done;
    throw new NoCodesLeft('no participant codes on this phone: connect to get some');
  }
  const code = makeCode(codes.prefix, codes.next);
  await tx.store.put({ prefix: codes.prefix, next: codes.next + 1, spare: codes.spare }, CODES_KEY);
  await tx.done;
  return code;
}
