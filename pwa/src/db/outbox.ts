/**
 * The outbox: everything made on this phone that the server has not yet
 * confirmed. This module owns the store; screens read counts from here and
 * the sync code (later) reads and updates items through these functions.
 * Nothing here deletes an unsent item.
 */
import type { IDBPDatabase } from 'idb';
import type { OutboxItem, OutboxKind, OutboxState, SijilDb } from './schema';
import { OUTBOX_STATES } from './schema';

export type OutboxCounts = Record<OutboxState, number>;

type Db = IDBPDatabase<SijilDb>;

const changeListeners = new Set<() => void>();

/** Called after every write to the outbox, so counts on screen stay true. */
export function onOutboxChange(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

/** For writers outside this module (the sync engine's per-item answers). */
export function notifyOutboxChange(): void {
  changed();
}

function changed(): void {
  for (const listener of [...changeListeners]) listener();
}

export async function countByState(db: Db): Promise<OutboxCounts> {
  const tx = db.transaction('outbox');
  const index = tx.store.index('by_state');
  const counts = await Promise.all(OUTBOX_STATES.map((state) => index.count(state)));
  await tx.done;
  return Object.fromEntries(OUTBOX_STATES.map((state, i) => [state, counts[i]])) as OutboxCounts;
}

/** Items the server has not confirmed: waiting, in conflict or refused. */
export function unsentTotal(counts: OutboxCounts): number {
  return counts.waiting + counts.conflict + counts.rejected;
}

export interface NewOutboxItem<Data> {
  id: string;
  kind: OutboxKind;
  base_version: number;
  data: Data;
  deleted?: boolean;
}

/**
 * Puts something made on the phone into the outbox as `waiting`. Saving
 * the same id again (an edit before it was sent) replaces the payload.
 */
export async function enqueue<Data>(
  db: Db,
  item: NewOutboxItem<Data>,
  now: Date = new Date(),
): Promise<OutboxItem<Data>> {
  const tx = db.transaction('outbox', 'readwrite');
  const existing = await tx.store.get(item.id);
  const stamp = now.toISOString();
  const stored: OutboxItem<Data> = {
    ...item,
    state: 'waiting',
    created_at: existing?.created_at ?? stamp,
    updated_at: stamp,
    attempts: 0,
  };
  await tx.store.put(stored);
  await tx.done;
  changed();
  return stored;
}

/** Waiting items, oldest first: the order they should be sent in. */
export async function waitingItems(db: Db): Promise<OutboxItem[]> {
  const items = await db.getAllFromIndex('outbox', 'by_state', 'waiting');
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Records the server's answer for one item. */
export async function markState(
  db: Db,
  id: string,
  state: OutboxState,
  error?: unknown,
  now: Date = new Date(),
): Promise<void> {
  const tx = db.transaction('outbox', 'readwrite');
  const item = await tx.store.get(id);
  if (item) {
    await tx.store.put({ ...item, state, error, updated_at: now.toISOString() });
  }
  await tx.done;
  changed();
}

/** Removes items the server has confirmed, and only those. */
export async function removeSent(db: Db): Promise<number> {
  const tx = db.transaction('outbox', 'readwrite');
  const keys = await tx.store.index('by_state').getAllKeys('sent');
  await Promise.all(keys.map((key) => tx.store.delete(key)));
  await tx.done;
  if (keys.length) changed();
  return keys.length;
}

/** Every item, whatever its state. */
export async function allItems(db: Db): Promise<OutboxItem[]> {
  return db.getAll('outbox');
}

export async function getItem(db: Db, id: string): Promise<OutboxItem | undefined> {
  return db.get('outbox', id);
}

/** Takes an item out whatever its state: the server confirmed it, or the person chose the server's copy. */
export async function removeItem(db: Db, id: string): Promise<void> {
  await db.delete('outbox', id);
  changed();
}

/** Counts a sending attempt that got no answer (for backing off). */
export async function countAttempt(db: Db, ids: string[]): Promise<void> {
  const tx = db.transaction('outbox', 'readwrite');
  for (const id of ids) {
    const item = await tx.store.get(id);
    if (item) await tx.store.put({ ...item, attempts: item.attempts + 1 });
  }
  await tx.done;
}
