/**
 * Locked months as phones know them: a coordinator locks a site's month
 * after review, and the pull brings it (entity `lock`, id
 * `<site_id>:<YYYY-MM>`; an admin's unlock arrives as its deletion). The
 * phone then shows that month's records as locked and does not let them
 * be edited, instead of learning of the lock only when a push is refused.
 *
 * Kept as one small set in the `meta` store, so no database upgrade is
 * needed; the pull writes it in the same transaction as the cursor.
 */
import type { IDBPDatabase, IDBPObjectStore, StoreNames } from 'idb';
import type { SijilDb } from '../db/schema';

export const LOCKS_KEY = 'month_locks';

export const lockKey = (siteId: number, month: string) => `${siteId}:${month}`;

/** Whether a record at `siteId` dated `date` (`YYYY-MM-DD`) is in a locked month. */
export function isLocked(locks: ReadonlySet<string>, siteId: number, date: string): boolean {
  return locks.has(lockKey(siteId, date.slice(0, 7)));
}

export async function readLocks(db: IDBPDatabase<SijilDb>): Promise<Set<string>> {
  return new Set(((await db.get('meta', LOCKS_KEY)) as string[] | undefined) ?? []);
}

type MetaStore = IDBPObjectStore<SijilDb, StoreNames<SijilDb>[], 'meta', 'readwrite'>;

/** Applies one pulled lock (or unlock: `deleted`) to the set, inside the pull's transaction. */
export async function applyLock(meta: MetaStore, id: string, deleted: boolean): Promise<void> {
  const locks = new Set(((await meta.get(LOCKS_KEY)) as string[] | undefined) ?? []);
  if (deleted) locks.delete(id);
  else locks.add(id);
  await meta.put([...locks].sort(), LOCKS_KEY);
}
