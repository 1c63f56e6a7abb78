import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { countByState, enqueue, markState, onOutboxChange, removeSent, unsentTotal, waitingItems } from './outbox';
import { DB_VERSION, openUserDb, userDbName } from './schema';

let userId = 1000;
const opened: { close(): void }[] = [];
async function freshDb(id = ++userId) {
  const db = await openUserDb(id);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const record = (id: string) => ({ id, kind: 'record' as const, base_version: 0, data: { note: id } });

describe('outbox', () => {
  it('starts empty', async () => {
    const db = await freshDb();
    const counts = await countByState(db);
    expect(counts).toEqual({ waiting: 0, sent: 0, conflict: 0, rejected: 0 });
    expect(unsentTotal(counts)).toBe(0);
  });

  it('counts what is really stored, by state', async () => {
    const db = await freshDb();
    await enqueue(db, record('a'));
    await enqueue(db, record('b'));
    await enqueue(db, record('c'));
    await markState(db, 'b', 'conflict', { server_version: 3 });
    await markState(db, 'c', 'sent');
    const counts = await countByState(db);
    expect(counts).toEqual({ waiting: 1, sent: 1, conflict: 1, rejected: 0 });
    expect(unsentTotal(counts)).toBe(2);
  });

  it('keeps one item per client id, replacing the payload of an unsent edit', async () => {
    const db = await freshDb();
    const first = await enqueue(db, record('same'), new Date('2026-01-01T10:00:00Z'));
    await enqueue(db, { ...record('same'), data: { note: 'edited' } }, new Date('2026-01-01T11:00:00Z'));
    const items = await waitingItems(db);
    expect(items).toHaveLength(1);
    expect(items[0].data).toEqual({ note: 'edited' });
    expect(items[0].created_at).toBe(first.created_at);
  });

  it('gives waiting items oldest first', async () => {
    const db = await freshDb();
    await enqueue(db, record('late'), new Date('2026-01-02T00:00:00Z'));
    await enqueue(db, record('early'), new Date('2026-01-01T00:00:00Z'));
    expect((await waitingItems(db)).map((i) => i.id)).toEqual(['early', 'late']);
  });

  it('removes only what the server confirmed', async () => {
    const db = await freshDb();
    await enqueue(db, record('confirmed'));
    await enqueue(db, record('refused'));
    await enqueue(db, record('unsent'));
    await markState(db, 'confirmed', 'sent');
    await markState(db, 'refused', 'rejected', { reasons: { date: 'in the future' } });
    expect(await removeSent(db)).toBe(1);
    expect((await db.getAllKeys('outbox')).sort()).toEqual(['refused', 'unsent']);
  });

  it('tells listeners about every change', async () => {
    const db = await freshDb();
    let changes = 0;
    const stop = onOutboxChange(() => changes++);
    await enqueue(db, record('x'));
    await markState(db, 'x', 'sent');
    await removeSent(db);
    stop();
    await enqueue(db, record('y'));
    expect(changes).toBe(3);
  });
});

describe('one database per user', () => {
  it('a second user on the same phone sees none of the first user’s items', async () => {
    const first = await freshDb(1);
    const second = await freshDb(2);
    await enqueue(first, record('mine'));
    expect(await second.count('outbox')).toBe(0);
    expect(await first.count('outbox')).toBe(1);
    expect(userDbName(1)).not.toBe(userDbName(2));
  });

  it('keeps the outbox when the database is opened again (no reset on open or upgrade)', async () => {
    const id = ++userId;
    const db = await openUserDb(id);
    await enqueue(db, record('kept'));
    db.close();
    const again = await freshDb(id);
    expect((await waitingItems(again)).map((i) => i.id)).toEqual(['kept']);
  });

  it('upgrades a version 1 database to version 2 keeping the outbox, and adds the synced stores', async () => {
    const id = ++userId;
    const v1 = await openDB(userDbName(id), 1, {
      upgrade(db) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by_state', 'state');
        outbox.createIndex('by_kind', 'kind');
        db.createObjectStore('meta');
      },
    });
    const now = new Date().toISOString();
    await v1.put('outbox', { ...record('from-v1'), state: 'waiting', created_at: now, updated_at: now, attempts: 0 });
    v1.close();
    const v2 = await freshDb(id);
    expect(v2.version).toBe(2);
    expect((await waitingItems(v2)).map((i) => i.id)).toEqual(['from-v1']);
    expect([...v2.transaction('participants').store.indexNames].sort()).toEqual(['by_code', 'by_site']);
  });

  it('closes when a newer version of the app wants to upgrade', async () => {
    const id = ++userId;
    await freshDb(id);
    const newer = await openDB(userDbName(id), DB_VERSION + 1);
    expect(newer.version).toBe(DB_VERSION + 1);
    expect([...newer.objectStoreNames].sort()).toEqual([
      'activity_types',
      'groups',
      'meta',
      'outbox',
      'participants',
      'records',
      'sites',
    ]);
    newer.close();
  });
});
