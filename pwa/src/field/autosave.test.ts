/** Drafts in the user's own database: kept, read back, discarded, and never in the outbox. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openUserDb } from '../db/schema';
import { changed, discardDraft, readDraft, writeDraft } from './autosave';

describe('drafts', () => {
  it('are kept per form, read back as written, and discarded', async () => {
    const db = await openUserDb(9001);
    await writeDraft('cfs_day', { attendance: ['a', 'b'], notes: 'x' }, db);
    await writeDraft('session:g1', { attendance: ['c'] }, db);
    expect((await readDraft('cfs_day', db))?.value).toEqual({ attendance: ['a', 'b'], notes: 'x' });
    expect((await readDraft('session:g1', db))?.value).toEqual({ attendance: ['c'] });
    expect(await db.count('outbox')).toBe(0);
    await discardDraft('cfs_day', db);
    expect(await readDraft('cfs_day', db)).toBeUndefined();
    expect(await readDraft('session:g1', db)).toBeDefined();
    db.close();
  });

  it('never read another value of the meta store as a draft', async () => {
    const db = await openUserDb(9002);
    await db.put('meta', 'not a draft', 'draft:odd');
    expect(await readDraft('odd', db)).toBeUndefined();
    db.close();
  });

  it('count as changed only when the content differs from how the form opened', () => {
    expect(changed({ a: [1], b: '' }, { a: [1], b: '' })).toBe(false);
    expect(changed({ a: [1, 2], b: '' }, { a: [1], b: '' })).toBe(true);
  });
});
