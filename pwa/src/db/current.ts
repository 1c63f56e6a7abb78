/**
 * The signed-in user's database, opened at sign-in and closed at sign-out,
 * and the outbox counts every screen shows. Counts are re-read from
 * IndexedDB after every outbox write and when the app comes back to the
 * foreground, so they are always what is really stored.
 */
import type { IDBPDatabase } from 'idb';
import { createStore } from '../store';
import type { OutboxCounts } from './outbox';
import { countByState, onOutboxChange } from './outbox';
import type { SijilDb } from './schema';
import { openUserDb } from './schema';

export const outboxCounts = createStore<OutboxCounts | null>(null);

let current: { userId: number; db: Promise<IDBPDatabase<SijilDb>> } | null = null;

export function openCurrentUserDb(userId: number): void {
  if (current?.userId === userId) return;
  closeCurrentUserDb();
  current = { userId, db: openUserDb(userId) };
  void refreshOutboxCounts();
}

export function closeCurrentUserDb(): void {
  const closing = current;
  current = null;
  outboxCounts.set(null);
  void closing?.db.then(
    (db) => db.close(),
    () => undefined,
  );
}

/** The signed-in user's database; fails when nobody is signed in. */
export function currentUserDb(): Promise<IDBPDatabase<SijilDb>> {
  if (!current) return Promise.reject(new Error('nobody is signed in'));
  return current.db;
}

export async function refreshOutboxCounts(): Promise<OutboxCounts | null> {
  const opened = current;
  if (!opened) return null;
  try {
    const counts = await countByState(await opened.db);
    // The user may have logged out while counting.
    if (current === opened) outboxCounts.set(counts);
    return counts;
  } catch {
    return null;
  }
}

/** Small named values of this user (pull cursor, cached reference data). */
export async function readMeta<T>(key: string): Promise<T | undefined> {
  return (await (await currentUserDb()).get('meta', key)) as T | undefined;
}

export async function writeMeta(key: string, value: unknown): Promise<void> {
  await (await currentUserDb()).put('meta', value, key);
}

export function watchOutbox(): void {
  onOutboxChange(() => void refreshOutboxCounts());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refreshOutboxCounts();
  });
}
