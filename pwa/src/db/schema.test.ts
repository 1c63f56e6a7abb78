/** The phone's database: one per user, and upgrades that keep every outbox item. */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxItem } from './schema';
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

/** An outbox item as stored by the current version (written raw: this is about the schema, not the writer). */
function waiting(id: string): OutboxItem {
  const now = new Date().toISOString();
  return {
    id,
    kind: 'record',
    base_version: 0,
    data: { note: id },
    state: 'waiting',
    created_at: now,
    updated_at: now,
    attempts: 0,
  };
}

describe('one database per user', () => {
  it('a second user on the same phone sees none of the first user’s items', async () => {
    const first = await freshDb(1);
    const second = await freshDb(2);
    await first.put('outbox', waiting('mine'));
    expect(await second.count('outbox')).toBe(0);
    expect(await first.count('outbox')).toBe(1);
    expect(userDbName(1)).not.toBe(userDbName(2));
  });

  it('keeps the outbox when the database is opened again (no reset on open or upgrade)', async () => {
    const id = ++userId;
    const db = await openUserDb(id);
    await db.put('outbox', waiting('kept'));
    db.close();
    const again = await freshDb(id);
    expect(await again.getAllKeysFromIndex('outbox', 'by_state', 'waiting')).toEqual(['kept']);
  });

  it('upgrades a version 1 database to the current version keeping the outbox, and adds the later stores', async () => {
    const id = ++userId;
    const v1 = await openDB(userDbName(id), 1, {
      upgrade(db) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by_state', 'state');
        outbox.createIndex('by_kind', 'kind');
        db.createObjectStore('meta');
      },
    });
    await v1.put('outbox', waiting('from-v1'));
    v1.close();
    const current = await freshDb(id);
    expect(current.version).toBe(DB_VERSION);
    expect(await current.getAllKeysFromIndex('outbox', 'by_state', 'waiting')).toEqual(['from-v1']);
    expect([...current.transaction('participants').store.indexNames].sort()).toEqual(['by_code', 'by_site']);
    expect([...current.transaction('sent').store.indexNames]).toEqual(['by_sent_at']);
  });

  it('upgrades a version 2 database keeping its outbox and local copies, and adds the sent store', async () => {
    const id = ++userId;
    const v2 = await openDB(userDbName(id), 2, {
      upgrade(db) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by_state', 'state');
        outbox.createIndex('by_kind', 'kind');
        db.createObjectStore('meta');
        db.createObjectStore('sites', { keyPath: 'id' });
        db.createObjectStore('activity_types', { keyPath: 'id' });
        const participants = db.createObjectStore('participants', { keyPath: 'id' });
        participants.createIndex('by_site', 'data.site_id');
        participants.createIndex('by_code', 'data.code');
        db.createObjectStore('groups', { keyPath: 'id' }).createIndex('by_site', 'data.site_id');
        db.createObjectStore('records', { keyPath: 'id' }).createIndex('by_date', 'data.date');
      },
    });
    await v2.put('outbox', waiting('from-v2'));
    await v2.put('records', { id: 'from-v2', version: 0, data: { date: '2026-11-02' } });
    v2.close();
    const current = await freshDb(id);
    expect(await current.getAllKeysFromIndex('outbox', 'by_state', 'waiting')).toEqual(['from-v2']);
    expect(await current.get('records', 'from-v2')).toMatchObject({ data: { date: '2026-11-02' } });
    expect(await current.count('sent')).toBe(0);
    // Version 4 added the visitors of other sites (issue 10).
    expect([...current.transaction('visitors').store.indexNames].sort()).toEqual([
      'by_code',
      'by_participant',
      'by_site',
    ]);
  });

  it('opens a database of the current version unchanged', async () => {
    const id = ++userId;
    const db = await openUserDb(id);
    const item = { ...waiting('as-stored'), state: 'conflict' as const, error: { server: { version: 2 } } };
    await db.put('outbox', item);
    await db.put('meta', 'cursor-7', 'pull_cursor');
    db.close();
    const again = await freshDb(id);
    expect(again.version).toBe(DB_VERSION);
    expect(await again.get('outbox', 'as-stored')).toEqual(item);
    expect(await again.get('meta', 'pull_cursor')).toBe('cursor-7');
    expect([...again.transaction('outbox').store.indexNames].sort()).toEqual(['by_kind', 'by_state']);
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
      'referrals',
      'sent',
      'services',
      'sites',
      'visitors',
    ]);
    newer.close();
  });
});
