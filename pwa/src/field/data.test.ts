/** The field screens' reads of visitors (issue 10), on a real (fake-indexeddb) phone database. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openUserDb } from '../db/schema';
import { findOnPhone, peopleAt, searchLocal } from './data';

let userId = 9000;
const opened: { close(): void }[] = [];
async function freshDb() {
  const db = await openUserDb(++userId);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const own = (id: string, code: string, site_id: number, given_name?: string) => ({
  id,
  version: 1,
  data: { code, site_id, sex: 'female', birth_year: 2015, given_name },
});
const visitor = (participant_id: string, code: string, site_id: number) => ({
  id: `${participant_id}@${site_id}`,
  version: 1,
  data: { participant_id, code, sex: 'female', age_band: '6-11', has_disability: false, displacement: 'idp', site_id },
});

describe('people at a site', () => {
  it('lists the site’s own participants, then its visitors, each person once', async () => {
    const db = await freshDb();
    await db.put('participants', own('p1', 'AAA0011', 1, 'Amira'));
    await db.put('participants', own('p2', 'AAA0022', 2, 'Layla'));
    await db.put('visitors', visitor('v1', 'BBB0011', 1));
    // Registered at one of my sites and visiting another of mine: listed once, as my own.
    await db.put('visitors', visitor('p2', 'AAA0022', 1));
    const people = await peopleAt(db, 1);
    expect(people.map((p) => p.id)).toEqual(['p1', 'p2', 'v1']);
    expect(people.find((p) => p.id === 'v1')?.data).toMatchObject({ visitor: true, age_band: '6-11', site_id: 1 });
    expect((await peopleAt(db, 2)).map((p) => p.id)).toEqual(['p2']);
  });

  it('finds visitors by code but never by a name they do not carry', async () => {
    const db = await freshDb();
    await db.put('participants', own('p1', 'AAA0011', 1, 'Amira'));
    await db.put('visitors', visitor('v1', 'BBB0011', 1));
    expect((await searchLocal(db, 'bbb', 1)).map((p) => p.id)).toEqual(['v1']);
    expect((await searchLocal(db, 'ami', 1)).map((p) => p.id)).toEqual(['p1']);
  });

  it('finds who holds a code or an id on the phone, own participants first', async () => {
    const db = await freshDb();
    await db.put('participants', own('p1', 'AAA0011', 1));
    await db.put('visitors', visitor('v1', 'BBB0011', 3));
    expect((await findOnPhone(db, { code: 'AAA0011' }))?.id).toBe('p1');
    expect((await findOnPhone(db, { code: 'BBB0011' }))?.id).toBe('v1');
    expect((await findOnPhone(db, { id: 'v1' }))?.data.visitor).toBe(true);
    expect(await findOnPhone(db, { code: 'CCC0011' })).toBeUndefined();
  });
});
