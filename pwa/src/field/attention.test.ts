/** The "needs your attention" block: what is listed, in which order, and where each tap goes. */
import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../db/schema';
import { isLocked, lockKey } from '../sync/locks';
import { attentionItems } from './attention';
import type { RecordRow } from './data';
import type { ActivityRecord } from './model';

const record = (id: string, date: string, review?: ActivityRecord['review']): ActivityRecord => ({
  id,
  version: 1,
  data: {
    kind: 'awareness_event',
    activity_type_id: 1,
    site_id: 7,
    date,
    duration_minutes: 60,
    attendance: [],
    tallies: [],
    tally_disabled: 0,
  } as unknown as ActivityRecord['data'],
  review,
});
const row = (r: ActivityRecord, state: RecordRow['state'] = 'sent'): RecordRow => ({
  record: r,
  state,
  deleting: false,
});
const item = (id: string, kind: OutboxItem['kind'], state: OutboxItem['state']): OutboxItem => ({
  id,
  kind,
  state,
  base_version: 0,
  data: {},
  created_at: '',
  updated_at: '',
  attempts: 0,
});

describe('attention', () => {
  const flagged = record('f1', '2026-11-20', { status: 'flagged', comment: 'Is 30 right?' });
  const approved = record('a1', '2026-11-21', { status: 'approved' });

  it('lists what the server did not take first, then flags, each one tap from its fix', () => {
    const items = attentionItems(
      [row(flagged), row(approved), row(record('c1', '2026-11-22'), 'conflict')],
      [item('p1', 'participant', 'rejected'), item('c1', 'record', 'conflict')],
      new Set(),
    );
    expect(items.map((i) => [i.id, i.reason, i.href])).toEqual([
      ['c1', 'conflict', '/outbox/c1'],
      ['p1', 'rejected', '/outbox/p1'],
      ['f1', 'flagged', '/records/f1'],
    ]);
    expect(items[2].comment).toBe('Is 30 right?');
  });

  it('drops a flag once the correction is on its way, and in a locked month', () => {
    expect(attentionItems([row(flagged, 'waiting')], [], new Set())).toEqual([]);
    expect(attentionItems([row(flagged)], [], new Set([lockKey(7, '2026-11')]))).toEqual([]);
    expect(attentionItems([row(flagged)], [], new Set([lockKey(7, '2026-10')]))).toHaveLength(1);
  });

  it('knows a locked month by site and month', () => {
    const locks = new Set([lockKey(7, '2026-11')]);
    expect(isLocked(locks, 7, '2026-11-30')).toBe(true);
    expect(isLocked(locks, 8, '2026-11-30')).toBe(false);
    expect(isLocked(locks, 7, '2026-12-01')).toBe(false);
  });
});
