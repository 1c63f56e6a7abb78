import { describe, expect, it } from 'vitest';
import { replaceParticipant } from './merge';

describe('a merge, in one record or roster', () => {
  it('lists the survivor once in a record', () => {
    expect(replaceParticipant('record', { attendance: ['b', 'gone', 'kept'] }, 'gone', 'kept')).toEqual({
      attendance: ['b', 'kept'],
    });
    expect(replaceParticipant('record', { attendance: ['b'] }, 'gone', 'kept')).toBeNull();
  });

  it('keeps the survivor’s own roster place, or gives her the merged-away one', () => {
    const m = (participant_id: string, joined_on = '2026-01-01') => ({ participant_id, joined_on });
    expect(replaceParticipant('group', { members: [m('gone'), m('kept', '2026-02-01')] }, 'gone', 'kept')).toEqual({
      members: [m('kept', '2026-02-01')],
    });
    expect(replaceParticipant('group', { members: [m('gone')] }, 'gone', 'kept')).toEqual({ members: [m('kept')] });
    expect(replaceParticipant('participant', { code: 'x' }, 'gone', 'kept')).toBeNull();
  });
});
