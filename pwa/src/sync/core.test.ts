/** Pushing and pulling against a fake server, with the outbox's real writers. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../api/client';
import { openUserDb } from '../db/schema';
import type { PullPage, PushItem, PushResult, SyncApi } from './api';
import { applyPage, CURSOR_KEY, pullAll, pushOutbox } from './core';
import { readLocks } from './locks';
import { saveLocal } from './outbox';

let userId = 5000;
const opened: { close(): void }[] = [];
async function freshDb() {
  const db = await openUserDb(++userId);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** A fake server: answers each pushed item with `answer(item)`, records what it was sent. */
function fakeApi(
  answer: (item: PushItem) => PushResult | Error,
  pages: PullPage[] = [],
): SyncApi & { pushed: PushItem[][]; pulledWith: (string | undefined)[] } {
  const api = {
    pushed: [] as PushItem[][],
    pulledWith: [] as (string | undefined)[],
    async push(items: PushItem[]) {
      api.pushed.push(items);
      const results: PushResult[] = [];
      for (const item of items) {
        const r = answer(item);
        if (r instanceof Error) throw r;
        results.push(r);
      }
      return { results };
    },
    async pull(cursor: string | undefined) {
      api.pulledWith.push(cursor);
      return (
        pages.shift() ?? {
          changes: [],
          cursor: cursor ?? 'c0',
          more: false,
          reset: false,
          restored: false,
          keep_sent_days: 14,
        }
      );
    },
    async newPrefix() {
      return { prefix: 'K7M' };
    },
  };
  return api;
}

const rec = (id: string, data: object = { kind: 'awareness_event', date: '2026-01-01' }) => ({
  id,
  kind: 'record' as const,
  data,
});

describe('pushing the outbox', () => {
  it('removes stored and duplicate items, keeps the local copy with the new version', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a', { kind: 'awareness_event', date: '2026-01-01', x: 1 }));
    await saveLocal(db, rec('b'));
    const api = fakeApi((item) => ({ id: item.id, status: item.id === 'a' ? 'stored' : 'duplicate', version: 1 }));
    const progress: [number, number][] = [];
    expect(await pushOutbox(db, api, (d, t) => progress.push([d, t]))).toBe('done');
    expect(await db.count('outbox')).toBe(0);
    expect((await db.get('records', 'a'))?.version).toBe(1);
    expect(progress.at(-1)).toEqual([2, 2]);
    expect(api.pushed[0][0]).toMatchObject({
      type: 'record',
      id: 'a',
      base_version: 0,
      data: { kind: 'awareness_event' },
    });
    expect(typeof api.pushed[0][0].device_time).toBe('string');
  });

  it('keeps a conflict with the server copy, and an invalid item with its reasons', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('c'));
    await saveLocal(db, rec('i'));
    const server = { version: 4, deleted: false, data: { note: 'theirs' } };
    const api = fakeApi((item) =>
      item.id === 'c'
        ? { id: 'c', status: 'conflict', server }
        : { id: 'i', status: 'invalid', errors: { date: 'in the future' } },
    );
    await pushOutbox(db, api);
    expect(await db.get('outbox', 'c')).toMatchObject({ state: 'conflict', error: { server } });
    expect(await db.get('outbox', 'i')).toMatchObject({
      state: 'rejected',
      error: { errors: { date: 'in the future' } },
    });
    // Neither is sent again until the person decides.
    await pushOutbox(db, api);
    expect(api.pushed).toHaveLength(1);
  });

  it('sends in slices of at most 200', async () => {
    const db = await freshDb();
    for (let i = 0; i < 450; i++)
      await saveLocal(db, rec(`r${String(i).padStart(3, '0')}`), new Date(1_700_000_000_000 + i));
    const api = fakeApi((item) => ({ id: item.id, status: 'stored', version: 1 }));
    await pushOutbox(db, api);
    expect(api.pushed.map((s) => s.length)).toEqual([200, 200, 50]);
    expect(await db.count('outbox')).toBe(0);
  });

  it('pauses on 401 and keeps everything', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a'));
    const api = fakeApi(() => new ApiError(401, 'unauthenticated', 'log in'));
    expect(await pushOutbox(db, api)).toBe('unauthenticated');
    expect(await db.get('outbox', 'a')).toMatchObject({ state: 'waiting', attempts: 0 });
  });

  it('on no answer keeps everything waiting and counts the attempt (when to retry: backoff.test.ts)', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a'));
    const api = fakeApi(() => new NetworkError());
    expect(await pushOutbox(db, api)).toBe('offline');
    expect(await db.get('outbox', 'a')).toMatchObject({ state: 'waiting', attempts: 1 });
  });

  it('does not drop an edit made while its earlier version was on the way', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('a', { v: 1 }), new Date('2026-01-01T10:00:00Z'));
    const api = fakeApi((item) => ({ id: item.id, status: 'stored', version: 3 }));
    const push = api.push;
    api.push = async (items) => {
      await saveLocal(db, rec('a', { v: 2 }), new Date('2026-01-01T10:05:00Z'));
      return push(items);
    };
    await pushOutbox(db, api);
    expect(await db.get('outbox', 'a')).toMatchObject({ state: 'waiting', base_version: 3, data: { v: 2 } });
  });

  it('sends a deletion without data, and forgets the local copy once stored', async () => {
    const db = await freshDb();
    await db.put('records', { id: 'd', version: 2, data: {} });
    await saveLocal(db, { ...rec('d'), deleted: true });
    const api = fakeApi((item) => ({ id: item.id, status: 'stored', version: 3 }));
    await pushOutbox(db, api);
    expect(api.pushed[0][0]).toEqual(expect.objectContaining({ id: 'd', base_version: 2, deleted: true }));
    expect(api.pushed[0][0].data).toBeUndefined();
    expect(await db.get('records', 'd')).toBeUndefined();
  });
});

describe('pulling', () => {
  it('applies pages in order until no more, keeping the cursor', async () => {
    const db = await freshDb();
    const api = fakeApi(
      () => new Error('no push'),
      [
        {
          changes: [
            {
              entity: 'site',
              id: '7',
              deleted: false,
              data: { id: 7, name: 'Camp', kind: 'camp', code: 'C', active: true },
            },
          ],
          cursor: 'c1',
          more: true,
          reset: false,
          restored: false,
          keep_sent_days: 14,
        },
        {
          changes: [
            { entity: 'participant', id: 'p1', version: 1, deleted: false, data: { code: 'K7M0011', site_id: 7 } },
            {
              entity: 'record',
              id: 'r1',
              version: 2,
              deleted: false,
              data: { kind: 'cfs_day', date: '2026-01-02' },
              review: { status: 'flagged', comment: 'check the date' },
            },
          ],
          cursor: 'c2',
          more: false,
          reset: false,
          restored: false,
          keep_sent_days: 14,
        },
      ],
    );
    expect(await pullAll(db, api)).toBe('done');
    expect(api.pulledWith).toEqual([undefined, 'c1']);
    expect(await db.get('meta', CURSOR_KEY)).toBe('c2');
    expect((await db.get('sites', 7))?.name).toBe('Camp');
    expect(await db.getAllFromIndex('participants', 'by_site', 7)).toHaveLength(1);
    expect(await db.get('records', 'r1')).toMatchObject({
      version: 2,
      review: { status: 'flagged', comment: 'check the date' },
    });
  });

  it('applies deletions', async () => {
    const db = await freshDb();
    await db.put('groups', { id: 'g', version: 1, data: {} });
    await db.put('sites', { id: 3, code: 'X', name: 'X', kind: 'camp', active: true });
    await applyPage(db, {
      changes: [
        { entity: 'group', id: 'g', deleted: true },
        { entity: 'site', id: '3', deleted: true },
      ],
      cursor: 'c',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 14,
    });
    expect(await db.get('groups', 'g')).toBeUndefined();
    expect(await db.get('sites', 3)).toBeUndefined();
  });

  it('keeps visitors of other sites apart, by site and code, and forgets one the server takes back', async () => {
    const db = await freshDb();
    const page = (changes: PullPage['changes']) => ({
      changes,
      cursor: 'c',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 14,
    });
    const data = { participant_id: 'p1', code: 'K7M0019', sex: 'female', age_band: '6-11', site_id: 4 };
    await applyPage(db, page([{ entity: 'visitor', id: 'p1@4', version: 1, deleted: false, data }]));
    expect(await db.getAllKeysFromIndex('visitors', 'by_site', 4)).toEqual(['p1@4']);
    expect(await db.getKeyFromIndex('visitors', 'by_code', 'K7M0019')).toBe('p1@4');
    expect(await db.count('participants')).toBe(0);
    await applyPage(db, page([{ entity: 'visitor', id: 'p1@4', deleted: true }]));
    expect(await db.count('visitors')).toBe(0);
  });

  it('moves every reference to a merged-away participant onto the survivor, outbox included', async () => {
    const db = await freshDb();
    await db.put('participants', { id: 'gone', version: 1, data: { code: 'A', site_id: 1 } });
    await db.put('participants', { id: 'kept', version: 1, data: { code: 'B', site_id: 1 } });
    await db.put('visitors', { id: 'gone@2', version: 1, data: { participant_id: 'gone', site_id: 2, code: 'A' } });
    await db.put('records', { id: 'sent', version: 1, data: { attendance: ['gone', 'kept', 'x'] } });
    await saveLocal(db, rec('queued', { kind: 'cfs_day', date: '2026-03-01', attendance: ['gone', 'y'] }));
    await saveLocal(db, {
      kind: 'group',
      id: 'g',
      data: { members: [{ participant_id: 'gone', joined_on: '2026-01-01' }] },
    });
    await applyPage(db, {
      changes: [{ entity: 'participant', id: 'gone', version: 2, deleted: false, merged_into: 'kept' }],
      cursor: 'c',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 14,
    });
    expect(await db.get('participants', 'gone')).toBeUndefined();
    expect(await db.count('visitors')).toBe(0);
    expect((await db.get('records', 'sent'))?.data).toEqual({ attendance: ['kept', 'x'] });
    expect((await db.get('records', 'queued'))?.data).toMatchObject({ attendance: ['kept', 'y'] });
    const queued = await db.get('outbox', 'queued');
    expect(queued).toMatchObject({ state: 'waiting', data: { attendance: ['kept', 'y'] } });
    expect((await db.get('outbox', 'g'))?.data).toEqual({
      members: [{ participant_id: 'kept', joined_on: '2026-01-01' }],
    });
  });

  it('takes a merge told through a visitor too: the merged-away visitor goes, references move', async () => {
    const db = await freshDb();
    const visitor = { participant_id: 'gone', code: 'A', sex: 'female', age_band: '6-11', site_id: 2 };
    await db.put('visitors', { id: 'gone@2', version: 1, data: visitor });
    await db.put('records', { id: 'r', version: 1, data: { attendance: ['gone'] } });
    await applyPage(db, {
      changes: [{ entity: 'visitor', id: 'gone@2', version: 3, deleted: false, data: visitor, merged_into: 'kept' }],
      cursor: 'c',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 14,
    });
    expect(await db.count('visitors')).toBe(0);
    expect((await db.get('records', 'r'))?.data).toEqual({ attendance: ['kept'] });
  });

  it('keeps the service directory and my referrals (issue 17); a referral sent offline shows its status once pulled', async () => {
    const db = await freshDb();
    const page = (changes: PullPage['changes']): PullPage => ({
      changes,
      cursor: 'r',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 14,
    });
    const service = {
      organisation_id: 4,
      organisation_name: 'Legal Aid Network',
      category: 'legal_aid',
      name: 'Civil documentation',
    };
    await applyPage(db, page([{ entity: 'service', id: '12', deleted: false, data: service }]));
    expect(await db.get('services', 12)).toEqual({ ...service, id: 12 });

    const sent = {
      participant_code: 'K7M0019',
      site_id: 3,
      service_id: 12,
      referred_on: '2026-11-20',
      urgency: 'urgent',
      consent: true,
    };
    await saveLocal(db, { kind: 'referral', id: 'ref1', data: sent });
    expect((await db.getAll('outbox')).map((i) => [i.kind, i.state])).toEqual([['referral', 'waiting']]);
    const api = fakeApi(() => ({ id: 'ref1', status: 'stored', version: 1 }));
    expect(await pushOutbox(db, api)).toBe('done');
    expect(api.pushed[0][0]).toMatchObject({ type: 'referral', id: 'ref1', base_version: 0, data: sent });
    expect(await db.count('outbox')).toBe(0);

    const view = { ...sent, status: 'accepted', accepted_on: '2026-11-22', version: 2 };
    await applyPage(
      db,
      page([
        { entity: 'referral', id: 'ref1', version: 2, deleted: false, data: view },
        { entity: 'service', id: '12', deleted: true },
      ]),
    );
    expect(await db.get('referrals', 'ref1')).toMatchObject({ id: 'ref1', version: 2, data: { status: 'accepted' } });
    expect(await db.count('services')).toBe(0);
  });

  it('keeps the locked months pulled, forgets an unlocked one, starts over on reset, and skips unknown kinds', async () => {
    const db = await freshDb();
    const page = (changes: PullPage['changes'], reset = false): PullPage => ({
      changes,
      cursor: 'l',
      more: false,
      reset,
      restored: false,
      keep_sent_days: 14,
    });
    await applyPage(
      db,
      page([
        { entity: 'lock', id: '7:2026-10', deleted: false, data: { site_id: 7, month: '2026-10' } },
        { entity: 'lock', id: '7:2026-11', deleted: false, data: { site_id: 7, month: '2026-11' } },
        { entity: 'future_kind' as 'site', id: 'z', deleted: false, data: {} },
      ]),
    );
    expect([...(await readLocks(db))]).toEqual(['7:2026-10', '7:2026-11']);
    await applyPage(db, page([{ entity: 'lock', id: '7:2026-10', deleted: true }]));
    expect([...(await readLocks(db))]).toEqual(['7:2026-11']);
    await applyPage(db, page([], true));
    expect(await readLocks(db)).toEqual(new Set());
  });

  it('on reset clears pulled data but never the outbox, and keeps unsent local copies visible', async () => {
    const db = await freshDb();
    await db.put('participants', { id: 'old', version: 1, data: { code: 'A', site_id: 1 } });
    await saveLocal(db, rec('mine', { kind: 'cfs_day', date: '2026-01-01' }));
    await applyPage(db, {
      changes: [{ entity: 'participant', id: 'new', version: 1, deleted: false, data: { code: 'B', site_id: 2 } }],
      cursor: 'r',
      more: false,
      reset: true,
      restored: false,
      keep_sent_days: 14,
    });
    expect(await db.getAllKeys('participants')).toEqual(['new']);
    expect(await db.get('records', 'mine')).toBeDefined();
    expect(await db.count('outbox')).toBe(1);
  });

  it('does not overwrite an unsent edit with the server copy, but takes the review', async () => {
    const db = await freshDb();
    await db.put('records', { id: 'e', version: 1, data: { note: 'server' } });
    await saveLocal(db, rec('e', { note: 'mine' }));
    await applyPage(db, {
      changes: [
        {
          entity: 'record',
          id: 'e',
          version: 2,
          deleted: false,
          data: { note: 'theirs' },
          review: { status: 'approved', comment: null },
        },
      ],
      cursor: 'x',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 14,
    });
    expect(await db.get('records', 'e')).toMatchObject({
      version: 1,
      data: { note: 'mine' },
      review: { status: 'approved' },
    });
  });
});

describe('after the server is restored from a backup', () => {
  it('offers again what the server confirmed lately, and the resend loses nothing', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('before'));
    await saveLocal(db, rec('after'));
    const ok = fakeApi((item) => ({ id: item.id, status: 'stored', version: 1 }));
    expect(await pushOutbox(db, ok)).toBe('done');
    expect(await db.count('outbox')).toBe(0);
    expect(await db.count('sent')).toBe(2);

    // The next pull says the server went back in time.
    const restored: PullPage = {
      changes: [],
      cursor: 'c9',
      more: false,
      reset: true,
      restored: true,
      keep_sent_days: 14,
    };
    const api = fakeApi(
      (item) => ({ id: item.id, status: item.id === 'before' ? 'duplicate' : 'stored', version: 1 }),
      [restored],
    );
    expect(await pullAll(db, api)).toBe('resend');
    expect((await db.getAll('outbox')).map((i) => [i.id, i.state]).sort()).toEqual([
      ['after', 'waiting'],
      ['before', 'waiting'],
    ]);
    expect((await db.get('records', 'after'))?.data).toBeDefined();
    expect(await pushOutbox(db, api)).toBe('done');
    expect(api.pushed[0].map((i) => i.id).sort()).toEqual(['after', 'before']);
    expect(await db.count('outbox')).toBe(0);
  });

  it('an edit made since stays as it is; confirmed items older than the server says are forgotten', async () => {
    const db = await freshDb();
    await saveLocal(db, rec('r', { kind: 'awareness_event', date: '2026-01-01', v: 1 }));
    await pushOutbox(
      db,
      fakeApi((item) => ({ id: item.id, status: 'stored', version: 1 })),
    );
    await saveLocal(db, rec('r', { kind: 'awareness_event', date: '2026-01-01', v: 2 }));
    const restored: PullPage = {
      changes: [],
      cursor: 'c9',
      more: false,
      reset: true,
      restored: true,
      keep_sent_days: 14,
    };
    await pullAll(
      db,
      fakeApi(() => new Error('unused'), [restored]),
    );
    const waiting = await db.get('outbox', 'r');
    expect(waiting?.data).toMatchObject({ v: 2 });

    await saveLocal(db, rec('old'));
    await pushOutbox(
      db,
      fakeApi((item) => ({ id: item.id, status: 'stored', version: item.base_version + 1 })),
    );
    expect(await db.count('sent')).toBe(2);
    const plain: PullPage = {
      changes: [],
      cursor: 'c10',
      more: false,
      reset: false,
      restored: false,
      keep_sent_days: 0,
    };
    await pullAll(
      db,
      fakeApi(() => new Error('unused'), [plain]),
    );
    expect(await db.count('sent')).toBe(0);
  });
});
