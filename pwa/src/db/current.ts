/**
 * The signed-in user's database, opened at sign-in and closed at sign-out.
 * Whoever shows something per user (the outbox counts, sync/outbox.ts)
 * listens for the switch.
 *
 * The database is encrypted (db/crypto.ts): it opens only once the app is
 * unlocked with the user's data key (`unlockCurrentUserDb`, from lock/), and
 * until then `currentUserDb()` waits. Locking forgets the key, closes the
 * database and makes callers wait again.
 */
import type { IDBPDatabase } from 'idb';
import type { Cipher } from './crypto';
import { sealedDb, sealLegacy } from './crypto';
import type { SijilDb } from './schema';
import { openUserDb } from './schema';

type Db = IDBPDatabase<SijilDb>;

interface Current {
  userId: number;
  db: Promise<Db>;
  /** Set while locked: hands the data key over and opens the database. */
  unlock: ((cipher: Cipher) => void) | null;
  /** Set while locked: ends the wait when the user signs out instead. */
  abandon: (() => void) | null;
  cipher: Cipher | null;
}

let current: Current | null = null;
const switchListeners = new Set<() => void>();

/** Called after the signed-in user's database was opened or closed (and at lock and unlock). */
export function onUserDbSwitch(listener: () => void): () => void {
  switchListeners.add(listener);
  return () => switchListeners.delete(listener);
}

function switched(): void {
  for (const listener of [...switchListeners]) listener();
}

/** A database that opens when the data key arrives. */
function waitingFor(userId: number): Current {
  const entry: Current = { userId, db: Promise.resolve() as never, unlock: null, abandon: null, cipher: null };
  entry.db = new Promise<Db>((resolve, reject) => {
    entry.abandon = () => reject(new Error('nobody is signed in'));
    entry.unlock = (cipher) => {
      entry.unlock = null;
      entry.abandon = null;
      entry.cipher = cipher;
      resolve(
        openUserDb(userId).then(async (raw) => {
          try {
            await sealLegacy(raw, cipher);
            return sealedDb(raw, cipher);
          } catch (error) {
            raw.close();
            throw error;
          }
        }),
      );
    };
  });
  // Nobody may be waiting when a sign-out abandons it.
  entry.db.catch(() => undefined);
  return entry;
}

export function openCurrentUserDb(userId: number): void {
  if (current?.userId === userId) return;
  closeCurrentUserDb();
  current = waitingFor(userId);
  switched();
}

/** Opens the signed-in user's database with their data key (lock/ calls it after an unlock). */
export function unlockCurrentUserDb(userId: number, cipher: Cipher): void {
  if (current?.userId !== userId) return;
  if (!current.unlock) {
    // Already open: a second unlock hands over nothing new.
    if (current.cipher !== cipher) cipher.forget();
    return;
  }
  current.unlock(cipher);
  switched();
}

/** Whether the signed-in user's database is open (the app is unlocked). */
export function isCurrentUserDbUnlocked(): boolean {
  return Boolean(current && !current.unlock);
}

/** Locks: the data key is zeroed, the database closed, and callers wait for the next unlock. */
export function lockCurrentUserDb(): void {
  const locking = current;
  if (!locking || locking.unlock) return;
  locking.cipher?.forget();
  current = waitingFor(locking.userId);
  switched();
  void locking.db.then(
    (db) => db.close(),
    () => undefined,
  );
}

export function closeCurrentUserDb(): void {
  const closing = current;
  if (!closing) return;
  current = null;
  closing.cipher?.forget();
  closing.abandon?.();
  switched();
  void closing.db.then(
    (db) => db.close(),
    () => undefined,
  );
}

/** The signed-in user's database; fails when nobody is signed in, waits while locked. */
export function currentUserDb(): Promise<Db> {
  return openedUserDb() ?? Promise.reject(new Error('nobody is signed in'));
}

/**
 * The signed-in user's database, or null when nobody is signed in. The
 * same promise for as long as the same user stays signed in and unlocked,
 * so a caller can tell whether the user changed while it waited.
 */
export function openedUserDb(): Promise<Db> | null {
  return current?.db ?? null;
}
