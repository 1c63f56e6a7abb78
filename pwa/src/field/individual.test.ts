/** Individual sessions on the phone: the form's rule (exactly one person) and what it saves. */
import { describe, expect, it } from 'vitest';
import type { LocalActivityType, LocalSite } from '../db/schema';
import type { RecordDraft, RecordSetting } from './drafts';
import { checkRecord, DEFAULT_MINUTES, initialRecordDraft, rosterIds, tallyKey } from './drafts';

const NOW = new Date(2026, 2, 15, 10, 0);
const site: LocalSite = { id: 7, code: 'S7', name: 'Site 7', kind: 'womens_centre', active: true };
const type: LocalActivityType = {
  id: 13,
  kind: 'individual_session',
  code: 'IND-PSS',
  label_en: 'Individual PSS session',
  label_ar: '',
  label_ckb: '',
  cycle_sessions: null,
  active: true,
};
const individual: RecordSetting = { kind: 'individual_session', sites: [site], types: [type] };
const draft = (changes: Partial<RecordDraft> = {}): RecordDraft => ({
  ...initialRecordDraft(individual, NOW),
  ...changes,
});
const errorsOf = (result: ReturnType<typeof checkRecord>) => (result.ok ? {} : result.errors);

describe('an individual session draft', () => {
  it('opens on the only site and type, today, with the usual 45 minutes and nobody chosen', () => {
    const d = draft();
    expect([d.site_id, d.activity_type_id, d.date]).toEqual(['7', '13', '2026-03-15']);
    expect(d.duration_minutes).toBe(String(DEFAULT_MINUTES.individual_session));
    expect(d.duration_minutes).toBe('45');
    expect(rosterIds('individual_session', undefined, d.date, [])).toEqual([]);
  });

  it('needs exactly one person, by id or by code', () => {
    expect(errorsOf(checkRecord(draft(), individual, NOW))).toEqual({ attendance: 'field_one_participant' });
    expect(errorsOf(checkRecord(draft({ attendance: ['a', 'b'] }), individual, NOW))).toEqual({
      attendance: 'field_one_participant',
    });
    expect(errorsOf(checkRecord(draft({ attendance: ['a'], attendance_codes: ['K7M0019'] }), individual, NOW))).toEqual(
      { attendance: 'field_one_participant' },
    );
    expect(checkRecord(draft({ attendance: ['a'] }), individual, NOW).ok).toBe(true);
    expect(checkRecord(draft({ attendance_codes: ['K7M0019'] }), individual, NOW).ok).toBe(true);
  });

  it('saves the kind, the person, no group, no head counts and no topic', () => {
    const checked = checkRecord(
      draft({
        attendance: ['amal'],
        topic: 'What she talked about',
        notes: ' Next visit Sunday ',
        tallies: { [tallyKey('female', '25-59')]: 3 },
        tally_disabled: 1,
      }),
      individual,
      NOW,
    );
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value).toEqual({
      kind: 'individual_session',
      activity_type_id: 13,
      site_id: 7,
      group_id: undefined,
      date: '2026-03-15',
      start_time: undefined,
      duration_minutes: 45,
      topic: undefined,
      place_note: undefined,
      notes: 'Next visit Sunday',
      materials: undefined,
      attendance: ['amal'],
      tallies: [],
      tally_disabled: 0,
    });
  });
});
