/** The outbox's writers, against a real (fake-indexeddb) database: nothing unsent is ever lost. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openUserDb } from '../db/schema';
import type { PushResult } from './api';
import {
  countAttempt,
  countByState,
  discard,
  getItem,
  keepMine,
  needingAttention,
  onOutboxChange,
  saveLocal,
  settleAnswers,
  takeTheirs,
  unsentTotal,
  waitingItems,
} from './outbox';

let userId = 3000;
const opened: { close(): void }[] = [];
async function freshDb() {
  const db = await openUserDb(++userId);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const rec = (id: string, data: object = { note: id }) => ({ kind: 'record' as const, id, data });
const at = (time: string) => new Date(`2026-01-01T${time}:00Z`);
type Db = Awaited<ReturnType<typeof freshDb>>;

/** Sends what is waiting to a server that answers `answer(id)` (or nothing, for undefined). */
async function answer(db: Db, reply: (id: string) => Omit<PushResult, 'id'> | undefined) {
  const sent = await waitingItems(db);
  const results = sent.flatMap((item) => {
    const r = reply(item.id);
    return r ? [{ id: item.id, ...r }] : [];
  });
  await settleAnswers(db, sent, results);
}

describe('saving', () => {
  it('starts empty', async () => {
    const db = await freshDb();
    const counts = await countByState(db);
    expect(counts).toEqual({
      waiting: 0,
      conflict: 0,
      rejected: 0,
      waitingByKind: { record: 0, participant: 0, group: 0, referral: 0 },
    });
    expect(unsentTotal(counts)).toBe(0);
  });

  it('writes the local copy and a waiting outbox item together', async () => {
    const db = await freshDb();
    const copy = await saveLocal(db, rec('a'), at('10:00'));
    expect(copy).toMatchObject({ id: 'a', version: 0, data: { note: 'a' } });
    expect(await db.get('records', 'a')).toMatchObject({ id: 'a', version: 0, data: { note: 'a' } });
    expect(await getItem(db, 'a')).toMatchObject({
      kind: 'record',
      base_version: 0,
      data: { note: 'a' },
      state: 'waiting',
      created_at: at('10:00').toISOString(),
      updated_at: at('10:00').toISOString(),
      attempts: 0,
    });
  });

  it('keeps one item per client id: an edit of a waiting item replaces its payload and keeps created_at', async () => {
    const db = await freshDb();
    await db.put('records', { id: 'same', version: 3, data: { note: 'from the server' } });
    await saveLocal(db, rec('same', { note: 'first' }), at('10:00'));
    await saveLocal(db, rec('same', { note: 'edited' }), at('11:00'));
    const items = await waitingItems(db);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      data: { note: 'edited' },
      base_version: 3,
      created_at: at('10:00').toISOString(),
      updated_at: at('11:00').toISOString(),
    });
    expect(await db.get('records', 'same')).toMatchObject({ version: 3, data: { note: 'edited' } });
  });

  it('gives waiting items oldest first', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('late'), at('12:00'));
    await saveLocal(db, rec('early'), at('09:00'));
    expect((await waitingItems(db)).map((i) => i.id)).toEqual(['early', 'late']);
  });

  it('deleting something the server never stored forgets it; deleting a stored copy waits to be sent', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('new'));
    await saveLocal(db, { ...rec('new'), deleted: true });
    expect(await db.get('records', 'new')).toBeUndefined();
    expect(await getItem(db, 'new')).toBeUndefined();

    await db.put('records', { id: 'old', version: 2, data: { note: 'old' } });
    await saveLocal(db, { ...rec('old'), deleted: true });
    expect(await getItem(db, 'old')).toMatchObject({ state: 'waiting', deleted: true, base_version: 2 });
    expect(await db.get('records', 'old')).toBeDefined();
    await answer(db, () => ({ status: 'stored', version: 3 }));
    expect(await db.get('records', 'old')).toBeUndefined();
    expect(await getItem(db, 'old')).toBeUndefined();
  });
});

describe('the waiting count by kind', () => {
  it('tells records, people, groups and referrals apart, counting only what waits', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('r1'));
    await saveLocal(db, rec('r2'));
    await saveLocal(db, { kind: 'participant', id: 'p1', data: {} });
    await saveLocal(db, { kind: 'group', id: 'g1', data: {} });
    await saveLocal(db, rec('refused'));
    await answer(db, (id) => (id === 'refused' ? { status: 'invalid', errors: {} } : undefined));
    expect((await countByState(db)).waitingByKind).toEqual({ record: 2, participant: 1, group: 1, referral: 0 });
  });
});

describe('the server’s answers', () => {
  it('counts what is really stored, by state', async () => {
    const db = await freshDb();
    for (const id of ['stored', 'conflict', 'invalid', 'unanswered']) await saveLocal(db, rec(id));
    await answer(db, (id) =>
      id === 'stored'
        ? { status: 'stored', version: 1 }
        : id === 'conflict'
          ? { status: 'conflict', server: { version: 2, deleted: false, data: {} } }
          : id === 'invalid'
            ? { status: 'invalid', errors: { date: 'in the future' } }
            : undefined,
    );
    const counts = await countByState(db);
    expect(counts).toEqual({
      waiting: 1,
      conflict: 1,
      rejected: 1,
      waitingByKind: { record: 1, participant: 0, group: 0, referral: 0 },
    });
    expect(unsentTotal(counts)).toBe(3);
    expect((await needingAttention(db)).map((i) => i.id).sort()).toEqual(['conflict', 'invalid']);
  });

  it('sent items leave only after the server confirmed them; nothing unsent is ever deleted', async () => {
    const db = await freshDb();
    for (const id of ['confirmed', 'duplicate', 'refused', 'conflicting', 'unanswered']) await saveLocal(db, rec(id));
    await countAttempt(db, ['unanswered']);
    await answer(db, (id) =>
      id === 'confirmed'
        ? { status: 'stored', version: 1 }
        : id === 'duplicate'
          ? { status: 'duplicate', version: 4 }
          : id === 'refused'
            ? { status: 'invalid', errors: {} }
            : id === 'conflicting'
              ? { status: 'conflict', server: { version: 2, deleted: false, data: {} } }
              : undefined,
    );
    expect((await db.getAllKeys('outbox')).sort()).toEqual(['conflicting', 'refused', 'unanswered']);
    expect(await getItem(db, 'unanswered')).toMatchObject({ state: 'waiting', attempts: 1 });
    // The local copies stay, with the version the server gave.
    expect(await db.get('records', 'confirmed')).toMatchObject({ version: 1, data: { note: 'confirmed' } });
    expect(await db.get('records', 'duplicate')).toMatchObject({ version: 4 });
  });

  it('keeps the server’s answer with a conflict or a refusal, and leaves the local copy as made', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('c', { note: 'mine' }));
    await saveLocal(db, rec('i'));
    const server = { version: 4, deleted: false, data: { note: 'theirs' } };
    await answer(db, (id) =>
      id === 'c' ? { status: 'conflict', server } : { status: 'invalid', errors: { date: 'in the future' } },
    );
    expect(await getItem(db, 'c')).toMatchObject({ state: 'conflict', error: { server }, data: { note: 'mine' } });
    expect(await getItem(db, 'i')).toMatchObject({ state: 'rejected', error: { errors: { date: 'in the future' } } });
    expect(await db.get('records', 'c')).toMatchObject({ version: 0, data: { note: 'mine' } });
    // Neither is waiting: neither is sent again until the person decides.
    expect(await waitingItems(db)).toEqual([]);
  });

  it('an item edited while its slice was in flight stays waiting, with the new base version', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a', { v: 1 }), at('10:00'));
    const inFlight = await waitingItems(db);
    await saveLocal(db, rec('a', { v: 2 }), at('10:05'));
    await settleAnswers(db, inFlight, [{ id: 'a', status: 'stored', version: 3 }]);
    expect(await getItem(db, 'a')).toMatchObject({ state: 'waiting', base_version: 3, data: { v: 2 } });
    expect(await db.get('records', 'a')).toMatchObject({ version: 3, data: { v: 2 } });
  });

  it('an edit made while a refused or conflicting version was in flight stays waiting', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a', { v: 1 }), at('10:00'));
    const inFlight = await waitingItems(db);
    await saveLocal(db, rec('a', { v: 2 }), at('10:05'));
    await settleAnswers(db, inFlight, [{ id: 'a', status: 'invalid', errors: { v: 'too small' } }]);
    expect(await getItem(db, 'a')).toMatchObject({ state: 'waiting', data: { v: 2 } });
  });

  it('counting an attempt changes nothing but the count', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a'));
    const before = await getItem(db, 'a');
    await countAttempt(db, ['a', 'gone']);
    await countAttempt(db, ['a']);
    expect(await getItem(db, 'a')).toEqual({ ...before, attempts: 2 });
  });
});

describe('the person’s choice', () => {
  const server = { version: 5, deleted: false, data: { note: 'theirs' } };

  async function conflicted(db: Db) {
    await db.put('records', { id: 'x', version: 2, data: { note: 'old' }, review: { status: 'approved' } });
    await saveLocal(db, rec('x', { note: 'mine' }));
    await answer(db, () => ({ status: 'conflict', server }));
    const item = await getItem(db, 'x');
    if (!item) throw new Error('the conflict should be in the outbox');
    return item;
  }

  it('keep mine: waiting again, based on the server’s version, the server’s answer cleared', async () => {
    const db = await freshDb();
    await keepMine(db, await conflicted(db), at('12:00'));
    expect(await getItem(db, 'x')).toMatchObject({
      state: 'waiting',
      base_version: 5,
      error: undefined,
      data: { note: 'mine' },
      attempts: 0,
      updated_at: at('12:00').toISOString(),
    });
  });

  it('take the server’s: its copy replaces mine (the review stays) and mine leaves the outbox', async () => {
    const db = await freshDb();
    await takeTheirs(db, await conflicted(db));
    expect(await getItem(db, 'x')).toBeUndefined();
    expect(await db.get('records', 'x')).toEqual({
      id: 'x',
      version: 5,
      data: { note: 'theirs' },
      review: { status: 'approved' },
    });
  });

  it('take the server’s deletion: my copy goes too', async () => {
    const db = await freshDb();
    const item = await conflicted(db);
    await takeTheirs(db, { ...item, error: { server: { version: 6, deleted: true } } });
    expect(await getItem(db, 'x')).toBeUndefined();
    expect(await db.get('records', 'x')).toBeUndefined();
  });

  it('discard: the refused item leaves; a copy never stored on the server goes, a stored one stays', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('never-stored'));
    await db.put('records', { id: 'stored', version: 1, data: { note: 'server' } });
    await saveLocal(db, rec('stored', { note: 'refused edit' }));
    await answer(db, () => ({ status: 'invalid', errors: { note: 'no' } }));
    for (const id of ['never-stored', 'stored']) {
      const item = await getItem(db, id);
      if (item) await discard(db, item);
    }
    expect(await db.count('outbox')).toBe(0);
    expect(await db.get('records', 'never-stored')).toBeUndefined();
    expect(await db.get('records', 'stored')).toMatchObject({ version: 1 });
  });
});

it('tells listeners about every change', async () => {
  const db = await freshDb();
  let changes = 0;
  const stop = onOutboxChange(() => changes++);
  await saveLocal(db, rec('x'));
  await answer(db, () => ({ status: 'conflict', server: { version: 1, deleted: false, data: {} } }));
  const item = await getItem(db, 'x');
  if (!item) throw new Error('the conflict should be in the outbox');
  await keepMine(db, item);
  await takeTheirs(db, item);
  await saveLocal(db, rec('y'));
  await discard(db, { ...item, id: 'y' });
  stop();
  await saveLocal(db, rec('z'));
  expect(changes).toBe(6);
});
