/** The encryption layer under the phone's database: sealed at rest, the same answers to the app. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { dataCipher, LockedError, openValue, sealedDb, sealLegacy } from './crypto';
import { openUserDb } from './schema';

let userId = 7000;
const opened: { close(): void }[] = [];
async function fresh() {
  const raw = await openUserDb(++userId);
  opened.push(raw);
  const cipher = dataCipher(crypto.getRandomValues(new Uint8Array(32)));
  return { raw, cipher, db: sealedDb(raw, cipher) };
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const amira = { id: 'p1', version: 3, data: { code: 'K7M-42QX', given_name: 'Amira', site_id: 4 } };
const layla = { id: 'p2', version: 1, data: { code: 'K7M-43QA', given_name: 'Layla', site_id: 5 } };

describe('the cipher', () => {
  it('opens what it sealed, only in the same store, and not at all once forgotten', () => {
    const cipher = dataCipher(crypto.getRandomValues(new Uint8Array(32)));
    const sealed = cipher.seal('participants', amira);
    expect(cipher.open('participants', sealed)).toEqual(amira);
    // A value moved to another store does not open (the store is authenticated).
    expect(() => cipher.open('records', sealed)).toThrow();
    // Two seals of one value differ (fresh nonce).
    expect(cipher.seal('participants', amira)).not.toEqual(sealed);
    cipher.forget();
    expect(() => cipher.open('participants', sealed)).toThrow(LockedError);
    expect(() => cipher.seal('participants', amira)).toThrow(LockedError);
  });

  it('keeps keys whose value is undefined, as IndexedDB does', () => {
    const cipher = dataCipher(crypto.getRandomValues(new Uint8Array(32)));
    const opened = cipher.open('outbox', cipher.seal('outbox', { error: undefined, list: [1, undefined] })) as object;
    expect('error' in opened).toBe(true);
    expect(opened).toEqual({ error: undefined, list: [1, undefined] });
  });

  it('refuses a tampered value', () => {
    const cipher = dataCipher(crypto.getRandomValues(new Uint8Array(32)));
    const sealed = cipher.seal('records', { topic: 'safety planning' });
    sealed[sealed.length - 1] ^= 1;
    expect(() => cipher.open('records', sealed)).toThrow();
  });

  it('takes only a 256-bit key', () => {
    expect(() => dataCipher(new Uint8Array(16))).toThrow();
  });
});

describe('the sealed database', () => {
  it('stores nothing readable, and reads back what the app wrote', async () => {
    const { raw, db } = await fresh();
    await db.put('participants', amira);
    await db.put('participants', layla);
    await db.put('meta', { prefix: 'K7M', next: 44 }, 'codes');
    const stored = JSON.stringify([await raw.getAll('participants'), await raw.get('meta', 'codes')]);
    for (const secret of ['Amira', 'K7M-42QX', 'K7M', 'given_name']) expect(stored).not.toContain(secret);
    expect(await db.get('participants', 'p1')).toEqual(amira);
    expect(await db.getAll('participants')).toEqual([amira, layla]);
    expect(await db.get('meta', 'codes')).toEqual({ prefix: 'K7M', next: 44 });
    // Ids stay usable as keys.
    expect(await raw.getAllKeys('participants')).toEqual(['p1', 'p2']);
  });

  it('answers indexes on sealed fields in memory, and leaves nothing in those indexes', async () => {
    const { raw, db } = await fresh();
    await db.put('participants', layla);
    await db.put('participants', amira);
    expect(await db.getAllFromIndex('participants', 'by_site', 4)).toEqual([amira]);
    expect(await db.getAllFromIndex('participants', 'by_code', 'K7M-43QA')).toEqual([layla]);
    expect(await db.countFromIndex('participants', 'by_site', IDBKeyRange.lowerBound(4))).toBe(2);
    // In index order: by code, not by id.
    expect((await db.getAllFromIndex('participants', 'by_code')).map((p) => p.id)).toEqual(['p1', 'p2']);
    const tx = db.transaction('participants');
    expect(await tx.store.index('by_code').getKey('K7M-42QX')).toBe('p1');
    await tx.done;
    // The real index holds no codes.
    expect(await raw.getAllKeysFromIndex('participants', 'by_code')).toEqual([]);
  });

  it('keeps the outbox indexes working in IndexedDB itself, on clear state and kind only', async () => {
    const { raw, db } = await fresh();
    const item = {
      id: 'r1',
      kind: 'record' as const,
      base_version: 0,
      data: { topic: 'Coping with grief' },
      state: 'waiting' as const,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      attempts: 0,
    };
    await db.put('outbox', item);
    expect(await raw.countFromIndex('outbox', 'by_state', 'waiting')).toBe(1);
    expect(await db.getAllFromIndex('outbox', 'by_kind', 'record')).toEqual([item]);
    const rawItem = await raw.get('outbox', 'r1');
    expect(Object.keys(rawItem ?? {}).sort()).toEqual(['id', 'kind', 'sealed', 'state']);
    expect(JSON.stringify(rawItem)).not.toContain('grief');
  });

  it('reads and writes inside one transaction without it closing under the caller', async () => {
    const { db } = await fresh();
    await db.put('participants', amira);
    const tx = db.transaction(['participants', 'outbox'], 'readwrite');
    const found = await tx.objectStore('participants').get('p1');
    if (!found) throw new Error('missing');
    await tx.objectStore('participants').put({ ...found, version: 4 });
    await tx.objectStore('outbox').delete('nothing');
    await tx.done;
    expect((await db.get('participants', 'p1'))?.version).toBe(4);
  });

  it('writes neither half of a two-store save when it locks in between', async () => {
    const { db, raw, cipher } = await fresh();
    const tx = db.transaction(['participants', 'outbox'], 'readwrite');
    await tx.objectStore('participants').put(amira);
    cipher.forget();
    expect(() => tx.objectStore('outbox').put({ id: 'p1' } as never)).toThrow(LockedError);
    await expect(tx.done).rejects.toThrow();
    expect(await raw.count('participants')).toBe(0);
  });

  it('refuses to work once locked', async () => {
    const { db, cipher } = await fresh();
    await db.put('participants', amira);
    cipher.forget();
    await expect(db.get('participants', 'p1')).rejects.toThrow(LockedError);
    await expect(db.put('participants', layla)).rejects.toThrow(LockedError);
  });

  it('seals what an older app stored in clear, once', async () => {
    const { raw, cipher, db } = await fresh();
    await raw.put('participants', amira as never);
    await raw.put('meta', 'cursor-123', 'cursor');
    expect(await sealLegacy(raw, cipher)).toBe(2);
    expect(JSON.stringify(await raw.getAll('participants'))).not.toContain('Amira');
    expect(await db.get('participants', 'p1')).toEqual(amira);
    expect(await db.get('meta', 'cursor')).toBe('cursor-123');
    expect(await sealLegacy(raw, cipher)).toBe(0);
    expect(openValue(cipher, 'x', 'plain')).toBe('plain');
  });
});
