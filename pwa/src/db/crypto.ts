/**
 * Encryption at rest: a layer under the phone's database, so that nothing
 * the app keeps about participants, groups and records (the outbox, drafts
 * and kept-sent items included) is readable in the browser profile's files
 * (docs/design.md, "Shared and lost phones").
 *
 * `sealedDb` wraps the user's `IDBPDatabase` and answers the same calls
 * the rest of the app makes (`get`, `getAll`, `getAllFromIndex`, `put`,
 * `transaction(…).objectStore(…)`, indexes), sealing every value on the
 * way in and opening it on the way out. The sealing is synchronous
 * (AES-256-GCM in JavaScript, @noble/ciphers) on purpose: IndexedDB commits
 * a transaction as soon as it has no request pending, so the asynchronous
 * WebCrypto cannot sit between a read and a write of one transaction
 * without breaking the atomicity the outbox relies on. WebCrypto still does
 * the slow, rare work: deriving the PIN key and wrapping the data key
 * (lock/keyring.ts).
 *
 * A stored value is `{ [keyPath]: key, …clear fields, sealed: nonce‖ciphertext }`.
 * Only ids and the fields of a few harmless indexes stay in clear (an
 * outbox item's state and kind, when a kept item was sent); an index on
 * anything else (a participant's code, a record's date, the site) finds
 * nothing in IndexedDB and is answered here, in memory, from the opened
 * values. A store added later is sealed whole without any change here.
 */
import { gcm } from '@noble/ciphers/aes.js';
import type { IDBPDatabase } from 'idb';
import type { SijilDb } from './schema';

type Db = IDBPDatabase<SijilDb>;

/** Fields kept in clear, per store, because an index reads them and they say nothing about a person. */
const CLEAR_FIELDS: Record<string, readonly string[]> = {
  outbox: ['state', 'kind'],
  sent: ['sent_at'],
};

const NONCE_BYTES = 12;
/**
 * JSON drops `undefined` while IndexedDB's structured clone keeps the key
 * (`{ error: undefined }` still has `error`), so it travels as this marker:
 * a NUL, which no text the app keeps may contain (the server refuses it).
 */
const UNDEFINED = '\u0000undefined';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LockedError extends Error {
  constructor() {
    super('the app is locked');
    this.name = 'LockedError';
  }
}

/** The data key in memory, and the two operations on it. */
export interface Cipher {
  seal(store: string, value: unknown): Uint8Array;
  open(store: string, sealed: Uint8Array): unknown;
  /** Zeroes the key; every later use throws `LockedError`. */
  forget(): void;
  readonly forgotten: boolean;
}

export function dataCipher(rawKey: Uint8Array): Cipher {
  if (rawKey.length !== 32) throw new Error('the data key must be 256 bits');
  const key = rawKey.slice();
  let forgotten = false;
  const live = () => {
    if (forgotten) throw new LockedError();
    return key;
  };
  return {
    seal(store, value) {
      const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
      const body = gcm(live(), nonce, encoder.encode(store)).encrypt(
        encoder.encode(JSON.stringify(value, (_key, v) => (v === undefined ? UNDEFINED : v))),
      );
      const out = new Uint8Array(NONCE_BYTES + body.length);
      out.set(nonce);
      out.set(body, NONCE_BYTES);
      return out;
    },
    open(store, sealed) {
      const nonce = sealed.subarray(0, NONCE_BYTES);
      const plain = gcm(live(), nonce, encoder.encode(store)).decrypt(sealed.subarray(NONCE_BYTES));
      return restoreUndefined(JSON.parse(decoder.decode(plain)));
    },
    forget() {
      key.fill(0);
      forgotten = true;
    },
    get forgotten() {
      return forgotten;
    },
  };
}

function restoreUndefined(value: unknown): unknown {
  if (value === UNDEFINED) return undefined;
  if (typeof value !== 'object' || value === null) return value;
  const container = value as Record<string, unknown>;
  for (const key of Object.keys(container)) container[key] = restoreUndefined(container[key]);
  return value;
}

interface SealedValue {
  sealed: Uint8Array;
  [field: string]: unknown;
}

function isSealed(value: unknown): value is SealedValue {
  return typeof value === 'object' && value !== null && (value as SealedValue).sealed instanceof Uint8Array;
}

/** The stored form of `value` in `store` (whose in-line key path is `keyPath`). */
export function sealValue(cipher: Cipher, store: string, keyPath: string | string[] | null, value: unknown): unknown {
  const stored: SealedValue = { sealed: cipher.seal(store, value) };
  const source = value as Record<string, unknown>;
  if (typeof keyPath === 'string') {
    if (keyPath.includes('.')) throw new Error(`sealed stores need a plain key path (${store})`);
    stored[keyPath] = source[keyPath];
  } else if (keyPath) {
    throw new Error(`sealed stores need a single key path (${store})`);
  }
  for (const field of CLEAR_FIELDS[store] ?? []) if (field in source) stored[field] = source[field];
  return stored;
}

/** The value as the app stored it; a value from before encryption (not yet sealed) as it is. */
export function openValue(cipher: Cipher, store: string, stored: unknown): unknown {
  return isSealed(stored) ? cipher.open(store, stored.sealed) : stored;
}

function valueAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** The index key of `value` for `keyPath`, or undefined when the value is not in the index. */
function indexKey(value: unknown, keyPath: string | string[]): IDBValidKey | undefined {
  const key = Array.isArray(keyPath) ? keyPath.map((p) => valueAt(value, p)) : valueAt(value, keyPath);
  try {
    indexedDB.cmp(key, key);
    return key as IDBValidKey;
  } catch {
    return undefined;
  }
}

function matches(key: IDBValidKey, query: unknown): boolean {
  if (query === undefined || query === null) return true;
  if (query instanceof IDBKeyRange) return query.includes(key);
  return indexedDB.cmp(key, query) === 0;
}

// The wrappers below are typed loosely on purpose: they stand in for idb's
// typed objects, whose types the callers keep (sealedDb's result is a Db).
// biome-ignore lint/suspicious/noExplicitAny: idb's store, index and transaction types are generic over every store name.
type Any = any;

function unsupported(name: string): never {
  throw new Error(`${name} is not available on the encrypted database; read with getAll`);
}

function sealedIndex(store: Any, storeName: string, index: Any, cipher: Cipher): Any {
  const keyPath: string | string[] = index.keyPath;
  const clear = CLEAR_FIELDS[storeName] ?? [];
  const inClear = (Array.isArray(keyPath) ? keyPath : [keyPath]).every((p) => clear.includes(p));
  const open = (v: unknown) => openValue(cipher, storeName, v);
  if (inClear) {
    return {
      keyPath,
      name: index.name,
      get: async (q: unknown) => {
        const v = await index.get(q);
        return v === undefined ? undefined : open(v);
      },
      getAll: async (q?: unknown, n?: number) => ((await index.getAll(q, n)) as unknown[]).map(open),
      getAllKeys: (q?: unknown, n?: number) => index.getAllKeys(q, n),
      getKey: (q: unknown) => index.getKey(q),
      count: (q?: unknown) => index.count(q),
      openCursor: () => unsupported('openCursor'),
      iterate: () => unsupported('iterate'),
    };
  }
  // Not in clear: read the whole store, open it, and be the index here, in its order.
  const select = async (q: unknown, n?: number) => {
    const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
    const found: { key: IDBValidKey; primary: IDBValidKey; value: unknown }[] = [];
    (values as unknown[]).forEach((stored, i) => {
      const value = open(stored);
      const key = indexKey(value, keyPath);
      if (key !== undefined && matches(key, q)) found.push({ key, primary: keys[i], value });
    });
    found.sort((a, b) => indexedDB.cmp(a.key, b.key) || indexedDB.cmp(a.primary, b.primary));
    return n ? found.slice(0, n) : found;
  };
  return {
    keyPath,
    name: index.name,
    get: async (q: unknown) => (await select(q, 1))[0]?.value,
    getAll: async (q?: unknown, n?: number) => (await select(q, n)).map((f) => f.value),
    getAllKeys: async (q?: unknown, n?: number) => (await select(q, n)).map((f) => f.primary),
    getKey: async (q: unknown) => (await select(q, 1))[0]?.primary,
    count: async (q?: unknown) => (await select(q)).length,
    openCursor: () => unsupported('openCursor'),
    iterate: () => unsupported('iterate'),
  };
}

function sealedStore(store: Any, cipher: Cipher): Any {
  const name: string = store.name;
  const open = (v: unknown) => openValue(cipher, name, v);
  // Locked halfway through a transaction that writes two stores (a local
  // copy and its outbox item): abort it, so neither is written without the other.
  const seal = (v: unknown) => {
    try {
      return sealValue(cipher, name, store.keyPath, v);
    } catch (error) {
      // The caller hears why (the error thrown here); the transaction's own
      // "done", which nobody may be awaiting, must not also reject unheard
      // (an unhandled AbortError, seen when a lock came mid-write).
      store.transaction.done?.catch(() => undefined);
      try {
        store.transaction.abort();
      } catch {
        // Already finished or aborted.
      }
      throw error;
    }
  };
  return {
    name,
    keyPath: store.keyPath,
    indexNames: store.indexNames,
    autoIncrement: store.autoIncrement,
    get transaction() {
      return store.transaction;
    },
    get: async (q: unknown) => {
      const v = await store.get(q);
      return v === undefined ? undefined : open(v);
    },
    getAll: async (q?: unknown, n?: number) => ((await store.getAll(q, n)) as unknown[]).map(open),
    getAllKeys: (q?: unknown, n?: number) => store.getAllKeys(q, n),
    getKey: (q: unknown) => store.getKey(q),
    count: (q?: unknown) => store.count(q),
    put: (value: unknown, key?: IDBValidKey) => store.put(seal(value), key),
    add: (value: unknown, key?: IDBValidKey) => store.add(seal(value), key),
    delete: (q: unknown) => store.delete(q),
    clear: () => store.clear(),
    index: (indexName: string) => sealedIndex(store, name, store.index(indexName), cipher),
    openCursor: () => unsupported('openCursor'),
    openKeyCursor: (...args: unknown[]) => store.openKeyCursor(...args),
    iterate: () => unsupported('iterate'),
  };
}

function sealedTransaction(tx: Any, cipher: Cipher): Any {
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === 'objectStore') return (name: string) => sealedStore(target.objectStore(name), cipher);
      if (prop === 'store') return sealedStore(target.store, cipher);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The user's database, sealing every value written and opening every value read with `cipher`. */
export function sealedDb(db: Db, cipher: Cipher): Db {
  const inTx = (storeName: string, mode: IDBTransactionMode = 'readonly') =>
    sealedTransaction(db.transaction(storeName as never, mode), cipher);
  const one = async <T>(storeName: string, mode: IDBTransactionMode, run: (store: Any) => Promise<T>) => {
    const tx = inTx(storeName, mode);
    try {
      const result = await run(tx.store);
      await tx.done;
      return result;
    } catch (error) {
      tx.done.catch(() => undefined);
      throw error;
    }
  };
  const overrides: Record<string, unknown> = {
    transaction: (names: unknown, mode?: IDBTransactionMode, options?: unknown) =>
      sealedTransaction((db.transaction as Any)(names, mode, options), cipher),
    get: (s: string, q: unknown) => one(s, 'readonly', (st) => st.get(q)),
    getAll: (s: string, q?: unknown, n?: number) => one(s, 'readonly', (st) => st.getAll(q, n)),
    getAllKeys: (s: string, q?: unknown, n?: number) => one(s, 'readonly', (st) => st.getAllKeys(q, n)),
    getKey: (s: string, q: unknown) => one(s, 'readonly', (st) => st.getKey(q)),
    count: (s: string, q?: unknown) => one(s, 'readonly', (st) => st.count(q)),
    put: (s: string, v: unknown, k?: IDBValidKey) => one(s, 'readwrite', (st) => st.put(v, k)),
    add: (s: string, v: unknown, k?: IDBValidKey) => one(s, 'readwrite', (st) => st.add(v, k)),
    delete: (s: string, q: unknown) => one(s, 'readwrite', (st) => st.delete(q)),
    clear: (s: string) => one(s, 'readwrite', (st) => st.clear()),
    getFromIndex: (s: string, i: string, q: unknown) => one(s, 'readonly', (st) => st.index(i).get(q)),
    getAllFromIndex: (s: string, i: string, q?: unknown, n?: number) =>
      one(s, 'readonly', (st) => st.index(i).getAll(q, n)),
    getAllKeysFromIndex: (s: string, i: string, q?: unknown, n?: number) =>
      one(s, 'readonly', (st) => st.index(i).getAllKeys(q, n)),
    getKeyFromIndex: (s: string, i: string, q: unknown) => one(s, 'readonly', (st) => st.index(i).getKey(q)),
    countFromIndex: (s: string, i: string, q?: unknown) => one(s, 'readonly', (st) => st.index(i).count(q)),
  };
  return new Proxy(db, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Db;
}

/**
 * Seals what a phone stored before encryption came (or while a store was
 * added by an older app): every value not yet sealed, in every store, in
 * one transaction. Run once after each unlock; a no-op when all is sealed.
 */
export async function sealLegacy(db: Db, cipher: Cipher): Promise<number> {
  const names = [...db.objectStoreNames];
  if (names.length === 0) return 0;
  const tx = db.transaction(names as never[], 'readwrite');
  let sealed = 0;
  for (const name of names) {
    const store = tx.objectStore(name as never) as Any;
    const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
    for (let i = 0; i < values.length; i++) {
      if (isSealed(values[i])) continue;
      const stored = sealValue(cipher, name, store.keyPath, values[i]);
      await (store.keyPath ? store.put(stored) : store.put(stored, keys[i]));
      sealed++;
    }
  }
  await tx.done;
  return sealed;
}
