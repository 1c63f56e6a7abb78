/**
 * The signed-in user's database, opened at sign-in and closed at sign-out.
 * Whoever shows something per user (the outbox counts, sync/outbox.ts)
 * listens for the switch.
 */
import type { IDBPDatabase } from 'idb';
import type { SijilDb } from './schema';
import { openUserDb } from './schema';

type Db = IDBPDatabase<SijilDb>;

let current: { userId: number; db: Promise<Db> } | null = null;
const switchListeners = new Set<() => void>();

/** Called after the signed-in user's database was opened or closed. */
export function onUserDbSwitch(listener: () => void): () => void {
  switchListeners.add(listener);
  return () => switchListeners.delete(listener);
}

function switched(): void {
  for (const listener of [...switchListeners]) listener();
}

export function openCurrentUserDb(userId: number): void {
  if (current?.userId === userId) return;
  closeCurrentUserDb();
  current = { userId, db: openUserDb(userId) };
  switched();
}

export function closeCurrentUserDb(): void {
  const closing = current;
  if (!closing) return;
  current = null;
  switched();
  void closing.db.then(
    (db) => db.close(),
    () => undefined,
  );
}

/** The signed-in user's database; fails when nobody is signed in. */
export function currentUserDb(): Promise<Db> {
  return openedUserDb() ?? Promise.reject(new Error('nobody is signed in'));
}

/**
 * The signed-in user's database, or null when nobody is signed in. The
 * same promise for as long as the same user stays signed in, so a caller
 * can tell whether the user changed while it waited.
 */
export function openedUserDb(): Promise<Db> | null {
  return current?.db ?? null;
}
