/** Purge: at logout only the unsent stays; after a sync, what the work no longer needs goes. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { dataCipher, sealedDb } from '../db/crypto';
import { openUserDb } from '../db/schema';
import { saveLocal } from '../sync/outbox';
import { purgeAfterSync, purgeAtLogout } from './purge';

let userId = 9000;
const opened: { close(): void }[] = [];
async function fresh() {
  const raw = await openUserDb(++userId);
  opened.push(raw);
  return { raw, db: sealedDb(raw, dataCipher(crypto.getRandomValues(new Uint8Array(32)))) };
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const local = (id: string, data: object) => ({ id, version: 1, data });

describe('purge', () => {
  it('at logout keeps the outbox, its local copies and the code counter, encrypted', async () => {
    const { raw, db } = await fresh();
    await db.put('participants', local('old', { site_id: 1, given_name: 'Rana' }));
    await db.put('records', local('r-old', { site_id: 1, topic: 'x' }));
    await db.put('sites', { id: 1, code: 'S1', name: 'Camp', kind: 'camp', active: true });
    await db.put('meta', 'cursor-1', 'cursor');
    await db.put('meta', { prefix: 'AAA', next: 3 }, 'codes');
    await saveLocal(db, { kind: 'participant', id: 'new', data: { site_id: 1, given_name: 'Dilan' } });
    await purgeAtLogout(raw);
    expect(await raw.getAllKeys('participants')).toEqual(['new']);
    expect(await raw.getAllKeys('outbox')).toEqual(['new']);
    for (const name of ['records', 'sites', 'groups', 'activity_types', 'sent'] as const)
      expect(await raw.count(name)).toBe(0);
    expect(await raw.getAllKeys('meta')).toEqual(['codes']);
    expect(JSON.stringify(await raw.getAll('outbox'))).not.toContain('Dilan');
    expect((await db.get('outbox', 'new'))?.data).toEqual({ site_id: 1, given_name: 'Dilan' });
  });

  it('after a sync drops old records and other sites’ groups and people, never what is unsent or in a kept roster', async () => {
    const { db } = await fresh();
    await db.put('records', local('recent', { site_id: 1, date: '2026-03-01' }));
    await db.put('records', local('old', { site_id: 1, date: '2025-10-01' }));
    await db.put('records', local('elsewhere', { site_id: 9, date: '2026-03-01' }));
    await saveLocal(db, { kind: 'record', id: 'old-unsent', data: { site_id: 1, date: '2025-01-01' } });
    await db.put('groups', local('g-mine', { site_id: 1, members: [{ participant_id: 'p-visiting' }] }));
    await db.put('groups', local('g-gone', { site_id: 9, members: [{ participant_id: 'p-gone' }] }));
    await db.put('participants', local('p-mine', { site_id: 1 }));
    await db.put('participants', local('p-visiting', { site_id: 9 }));
    await db.put('participants', local('p-gone', { site_id: 9 }));
    const removed = await purgeAfterSync(db, [1], 90, new Date('2026-03-10T00:00:00Z'));
    expect(removed).toBe(4);
    expect((await db.getAllKeys('records')).sort()).toEqual(['old-unsent', 'recent']);
    expect(await db.getAllKeys('groups')).toEqual(['g-mine']);
    expect((await db.getAllKeys('participants')).sort()).toEqual(['p-mine', 'p-visiting']);
  });
});
