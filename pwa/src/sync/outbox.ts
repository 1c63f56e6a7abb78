/**
 * The outbox: everything made on this phone that the server has not yet
 * confirmed. This module is the only one that writes the `outbox` store:
 *
 * - a save writes the local copy and its outbox item in one transaction,
 *   so the screen, the outbox line and what will be sent never disagree;
 * - the server's answer for an item is recorded in one transaction with
 *   its local copy (`settleAnswers`);
 * - after a conflict or a refusal, the person's choice (keep mine, take
 *   the server's, discard) likewise.
 *
 * Nothing leaves the outbox unless the server confirmed it or the person
 * chose to give it up; what the server confirmed is kept a while longer
 * (the `sent` store), to be offered again if the server is restored from
 * an older backup (`offerAgain`). Every write tells `onOutboxChange`
 * listeners, which keep the counts on screen ("n records waiting to send")
 * what is stored.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { onUserDbSwitch, openedUserDb } from '../db/current';
import type { Local, OutboxItem, OutboxKind, OutboxState, SentItem, SijilDb } from '../db/schema';
import { OUTBOX_STATES, STORE_OF } from '../db/schema';
import { createStore } from '../store';
import type { PushResult, ServerCopy } from './api';
import type { Refusal } from './refusals';

type Db = IDBPDatabase<SijilDb>;

/**
 * The outbox by state, and what waits by kind, so the outbox line can say
 * "2 records, 1 person waiting" rather than call a registered person a record.
 */
export type OutboxCounts = Record<OutboxState, number> & { waitingByKind: Record<OutboxKind, number> };

const OUTBOX_KINDS: readonly OutboxKind[] = ['record', 'participant', 'group', 'referral'];

const changeListeners = new Set<() => void>();

/** Called after every write to the outbox, so counts on screen stay true. */
export function onOutboxChange(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

function changed(): void {
  for (const listener of [...changeListeners]) listener();
}

// ---- reading

export async function countByState(db: Db): Promise<OutboxCounts> {
  const tx = db.transaction('outbox');
  const index = tx.store.index('by_state');
  const counts = await Promise.all(OUTBOX_STATES.map((state) => index.count(state)));
  // Only the kinds are needed, but IndexedDB has no count by two keys: the waiting items are few.
  const waiting = await index.getAll('waiting');
  await tx.done;
  const waitingByKind = Object.fromEntries(OUTBOX_KINDS.map((kind) => [kind, 0])) as Record<OutboxKind, number>;
  for (const item of waiting) waitingByKind[item.kind]++;
  const byState = Object.fromEntries(OUTBOX_STATES.map((state, i) => [state, counts[i]]));
  return { ...byState, waitingByKind } as OutboxCounts;
}

/** Items the server has not confirmed: waiting, in conflict or refused (everything in the outbox). */
export function unsentTotal(counts: OutboxCounts): number {
  return counts.waiting + counts.conflict + counts.rejected;
}

/** Waiting items, oldest first: the order they should be sent in. */
export async function waitingItems(db: Db): Promise<OutboxItem[]> {
  const items = await db.getAllFromIndex('outbox', 'by_state', 'waiting');
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export function getItem(db: Db, id: string): Promise<OutboxItem | undefined> {
  return db.get('outbox', id);
}

export function itemsOfKind(db: Db, kind: OutboxKind): Promise<OutboxItem[]> {
  return db.getAllFromIndex('outbox', 'by_kind', kind);
}

/** Items that need the person: conflicts and refusals, of any kind. */
export async function needingAttention(db: Db): Promise<OutboxItem[]> {
  const [conflicts, rejected] = await Promise.all([
    db.getAllFromIndex('outbox', 'by_state', 'conflict'),
    db.getAllFromIndex('outbox', 'by_state', 'rejected'),
  ]);
  return [...conflicts, ...rejected];
}

/**
 * The outbox by id, read inside a transaction that writes the local stores
 * (a pull), so an item saved meanwhile cannot slip between the read and
 * the writes that must respect it.
 */
export async function unsentIn(
  tx: IDBPTransaction<SijilDb, StoreNames<SijilDb>[], 'readwrite'>,
): Promise<Map<string, OutboxItem>> {
  const items = await tx.objectStore('outbox').getAll();
  return new Map(items.map((item) => [item.id, item]));
}

/** The server's copy, kept with an item in conflict. */
export function serverCopyOf(item: OutboxItem): ServerCopy | undefined {
  return (item.error as { server?: ServerCopy } | undefined)?.server;
}

/** Why the server refused an item, field by field. */
export function reasonsOf(item: OutboxItem): Record<string, Refusal | string> {
  return (item.error as { errors?: Record<string, Refusal | string> } | undefined)?.errors ?? {};
}

// ---- writing

/** Something made or changed on this phone: a participant, group or record, or its deletion. */
export interface LocalEdit<Data> {
  kind: OutboxKind;
  id: string;
  data: Data;
  deleted?: boolean;
}

/**
 * Saves the local copy and puts it in the outbox as `waiting`, in one
 * transaction. Saving an item that is still unsent replaces its payload
 * and keeps its `created_at` (its place in the sending order) and the
 * version it is based on. Deleting something the server never stored
 * forgets it here, which is the whole deletion.
 */
export async function saveLocal<Data>(db: Db, edit: LocalEdit<Data>, now: Date = new Date()): Promise<Local<Data>> {
  const { kind, id, data } = edit;
  const deleted = edit.deleted === true;
  const storeName = STORE_OF[kind];
  const tx = db.transaction([storeName, 'outbox'], 'readwrite');
  const store = tx.objectStore(storeName);
  const outbox = tx.objectStore('outbox');
  const local = (await store.get(id)) as Local<Data> | undefined;
  const pending = await outbox.get(id);
  const stamp = now.toISOString();
  const copy: Local<Data> = { id, version: local?.version ?? 0, data, review: local?.review };
  if (deleted && copy.version === 0 && pending) {
    await store.delete(id);
    await outbox.delete(id);
  } else {
    await store.put(copy as never);
    await outbox.put({
      id,
      kind,
      base_version: pending?.base_version ?? copy.version,
      data,
      deleted: deleted || undefined,
      state: 'waiting',
      created_at: pending?.created_at ?? stamp,
      updated_at: stamp,
      attempts: 0,
    });
  }
  await tx.done;
  changed();
  return copy;
}

/**
 * Records the server's answers to one sent slice: stored / duplicate → the
 * item leaves the outbox and the local copy takes the server's version;
 * conflict → it stays, with the server's copy; invalid → it stays as
 * `rejected` with the reasons. An item without an answer stays waiting.
 */
export async function settleAnswers(db: Db, sent: OutboxItem[], results: PushResult[]): Promise<void> {
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const item of sent) {
    const result = byId.get(item.id);
    if (result) await settle(db, item, result);
  }
  changed();
}

/**
 * One answer, in one transaction with the local copy. An item edited while
 * it was on the way (its `updated_at` moved) is not removed nor marked: its
 * newer content stays waiting, now based on the version just stored.
 */
async function settle(db: Db, sent: OutboxItem, result: PushResult): Promise<void> {
  const storeName = STORE_OF[sent.kind];
  const tx = db.transaction(['outbox', storeName, 'sent'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const store = tx.objectStore(storeName);
  const current = await outbox.get(sent.id);
  const editedMeanwhile = current !== undefined && current.updated_at !== sent.updated_at;
  const now = new Date().toISOString();
  if (result.status === 'stored' || result.status === 'duplicate') {
    const version = result.version ?? sent.base_version;
    await tx.objectStore('sent').put(sentCopy(sent, now));
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

/** What is kept of a confirmed item. */
function sentCopy(item: OutboxItem, now: string): SentItem {
  const copy: SentItem = {
    id: item.id,
    kind: item.kind,
    base_version: item.base_version,
    data: item.data,
    created_at: item.created_at,
    sent_at: now,
  };
  if (item.deleted) copy.deleted = true;
  return copy;
}

/**
 * The server was restored from a backup: everything it confirmed lately
 * goes back into the outbox as waiting (unless the outbox holds a newer
 * edit of it), to be sent again. Returns how many were offered again.
 */
export async function offerAgain(db: Db, now: Date = new Date()): Promise<number> {
  const tx = db.transaction(['outbox', 'sent'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const kept = await tx.objectStore('sent').getAll();
  let offered = 0;
  for (const item of kept) {
    if (await outbox.get(item.id)) continue;
    await outbox.put({
      id: item.id,
      kind: item.kind,
      base_version: item.base_version,
      data: item.data,
      deleted: item.deleted,
      state: 'waiting',
      created_at: item.created_at,
      updated_at: now.toISOString(),
      attempts: 0,
    });
    offered++;
  }
  await tx.objectStore('sent').clear();
  await tx.done;
  if (offered) changed();
  return offered;
}

/** Forgets confirmed items kept `days` or longer. */
export async function forgetSentBefore(db: Db, days: number, now: Date = new Date()): Promise<void> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const tx = db.transaction('sent', 'readwrite');
  const old = await tx.store.index('by_sent_at').getAllKeys(IDBKeyRange.upperBound(cutoff));
  for (const key of old) await tx.store.delete(key);
  await tx.done;
}

/** Counts a sending attempt that got no answer (for backing off); the items stay as they are. */
export async function countAttempt(db: Db, ids: string[]): Promise<void> {
  const tx = db.transaction('outbox', 'readwrite');
  for (const id of ids) {
    const item = await tx.store.get(id);
    if (item) await tx.store.put({ ...item, attempts: item.attempts + 1 });
  }
  await tx.done;
}

/** "Keep mine": send my version again, now based on the server's. */
export async function keepMine(db: Db, item: OutboxItem, now: Date = new Date()): Promise<void> {
  const server = serverCopyOf(item);
  await db.put('outbox', {
    ...item,
    base_version: server?.version ?? item.base_version,
    state: 'waiting',
    error: undefined,
    updated_at: now.toISOString(),
    attempts: 0,
  });
  changed();
}

/** "Take the server's": its copy replaces mine (keeping the review), and mine leaves the outbox. */
export async function takeTheirs(db: Db, item: OutboxItem): Promise<void> {
  const server = serverCopyOf(item);
  const storeName = STORE_OF[item.kind];
  const tx = db.transaction([storeName, 'outbox'], 'readwrite');
  const local = await tx.objectStore(storeName).get(item.id);
  if (!server || server.deleted || server.data === undefined) await tx.objectStore(storeName).delete(item.id);
  else
    await tx
      .objectStore(storeName)
      .put({ id: item.id, version: server.version, data: server.data, review: local?.review } as never);
  await tx.objectStore('outbox').delete(item.id);
  await tx.done;
  changed();
}

/** Gives up a refused item: out of the outbox; a copy never stored on the server goes too. */
export async function discard(db: Db, item: OutboxItem): Promise<void> {
  const storeName = STORE_OF[item.kind];
  const tx = db.transaction([storeName, 'outbox'], 'readwrite');
  const local = await tx.objectStore(storeName).get(item.id);
  if (!local || local.version === 0) await tx.objectStore(storeName).delete(item.id);
  await tx.objectStore('outbox').delete(item.id);
  await tx.done;
  changed();
}

// ---- the counts every screen shows

/** The signed-in user's outbox by state; null while nobody is signed in or before the first count. */
export const outboxCounts = createStore<OutboxCounts | null>(null);

/** Re-reads the counts from IndexedDB, so they are always what is really stored. */
export async function refreshOutboxCounts(): Promise<OutboxCounts | null> {
  const opened = openedUserDb();
  if (!opened) {
    outboxCounts.set(null);
    return null;
  }
  try {
    const counts = await countByState(await opened);
    // The user may have logged out while counting.
    if (openedUserDb() === opened) outboxCounts.set(counts);
    return counts;
  } catch {
    return null;
  }
}

/** Keeps `outboxCounts` true: after every write, at sign-in and out, and back in the foreground. */
export function watchOutbox(): void {
  onOutboxChange(() => void refreshOutboxCounts());
  onUserDbSwitch(() => void refreshOutboxCounts());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refreshOutboxCounts();
  });
}
