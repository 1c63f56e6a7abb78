/** The field forms' rules: the same checks and messages the screens showed inline, now tested. */
import { describe, expect, it } from 'vitest';
import type { LocalActivityType, LocalSite } from '../db/schema';
import type { RecordDraft, RecordSetting, RegistrationDraft } from './drafts';
import {
  addMember,
  birthYearRange,
  checkGroup,
  checkRecord,
  checkRegistration,
  emptyRegistration,
  initialGroupDraft,
  initialRecordDraft,
  rosterIds,
  siteChoices,
  tallyKey,
  togglePresent,
  wgAllowed,
} from './drafts';
import type { Group, Participant, RecordData } from './model';

const NOW = new Date(2026, 2, 15, 10, 0); // 15 March 2026, phone time
const site = (id: number, kind = 'community_centre'): LocalSite => ({
  id,
  code: `S${id}`,
  name: `Site ${id}`,
  kind,
  active: true,
});
const type = (id: number, kind: LocalActivityType['kind']): LocalActivityType => ({
  id,
  kind,
  code: `T${id}`,
  label_en: `Type ${id}`,
  label_ar: '',
  label_ckb: '',
  cycle_sessions: null,
  active: true,
});
const group: Group = {
  id: 'g1',
  version: 2,
  data: {
    site_id: 7,
    activity_type_id: 3,
    name: 'Thursday group',
    facilitator_ids: [9],
    members: [
      { participant_id: 'zed', joined_on: '2026-01-01' },
      { participant_id: 'amal', joined_on: '2026-01-01' },
      { participant_id: 'elsewhere', joined_on: '2026-01-01' },
      { participant_id: 'later', joined_on: '2026-04-01' },
      { participant_id: 'left', joined_on: '2026-01-01', left_on: '2026-03-01' },
    ],
  },
};
const person = (id: string, code: string, given_name?: string): Participant => ({
  id,
  version: 1,
  data: {
    code,
    given_name,
    site_id: 7,
    sex: 'female',
    birth_year: 1990,
    disability: 'no',
    displacement: 'host',
    registered_on: '2026-01-01',
  },
});

const session: RecordSetting = { kind: 'group_session', group, sites: [site(7), site(8)], types: [] };
const event: RecordSetting = { kind: 'awareness_event', sites: [site(7)], types: [type(4, 'awareness_event')] };
const cfs: RecordSetting = { kind: 'cfs_day', sites: [site(7), site(8, 'child_friendly_space')], types: [] };

const draftFor = (setting: RecordSetting, changes: Partial<RecordDraft> = {}): RecordDraft => ({
  ...initialRecordDraft(setting, NOW),
  ...changes,
});
const errorsOf = (result: ReturnType<typeof checkRecord>) => (result.ok ? {} : result.errors);
const dataOf = <T>(result: { ok: true; value: T } | { ok: false }): T => {
  if (!result.ok) throw new Error('expected the draft to pass');
  return result.value;
};

describe('a record draft', () => {
  it('opens with the group’s site and type, today and the usual duration', () => {
    expect(initialRecordDraft(session, NOW)).toEqual({
      site_id: '7',
      activity_type_id: '3',
      date: '2026-03-15',
      start_time: '',
      duration_minutes: '90',
      topic: '',
      place_note: '',
      notes: '',
      materials: '',
      attendance: [],
      attendance_codes: [],
      tallies: {},
      tally_disabled: 0,
    });
    // The only site and the only type are chosen; a CFS day is only at a child-friendly space.
    expect(draftFor(event)).toMatchObject({ site_id: '7', activity_type_id: '4', duration_minutes: '60' });
    expect(siteChoices('cfs_day', cfs.sites).map((s) => s.id)).toEqual([8]);
    expect(draftFor(cfs)).toMatchObject({ site_id: '8', activity_type_id: '', duration_minutes: '180' });
  });

  it('opens an existing record as it was saved', () => {
    const data: RecordData = {
      kind: 'awareness_event',
      activity_type_id: 4,
      site_id: 7,
      date: '2026-03-01',
      start_time: '09:30',
      duration_minutes: 45,
      topic: 'Hygiene',
      place_note: 'Market',
      notes: 'Windy',
      materials: 'Leaflets',
      attendance: [],
      tallies: [{ sex: 'male', age_band: '12-17', count: 3 }],
      tally_disabled: 1,
    };
    expect(initialRecordDraft({ ...event, existing: { data } }, NOW)).toEqual({
      site_id: '7',
      activity_type_id: '4',
      date: '2026-03-01',
      start_time: '09:30',
      duration_minutes: '45',
      topic: 'Hygiene',
      place_note: 'Market',
      notes: 'Windy',
      materials: 'Leaflets',
      attendance: [],
      attendance_codes: [],
      tallies: { [tallyKey('male', '12-17')]: 3 },
      tally_disabled: 1,
    });
  });

  it('needs a site and a type', () => {
    expect(errorsOf(checkRecord(draftFor(cfs, { site_id: '', tallies: { x: 1 } }), cfs, NOW))).toEqual({
      site: 'field_required',
      type: 'field_required',
    });
  });

  it('needs a well-formed date no later than tomorrow', () => {
    const ticked = { attendance: ['amal'] };
    const dateError = (date: string) =>
      errorsOf(checkRecord(draftFor(session, { ...ticked, date }), session, NOW)).date;
    expect(dateError('2026-03-15')).toBeUndefined();
    expect(dateError('2026-03-16')).toBeUndefined();
    expect(dateError('2026-03-17')).toBe('field_date');
    expect(dateError('15/03/2026')).toBe('field_date');
    expect(dateError('')).toBe('field_date');
  });

  it('needs a duration of 1 to 720 whole minutes', () => {
    const durationError = (duration_minutes: string) =>
      errorsOf(checkRecord(draftFor(session, { attendance: ['amal'], duration_minutes }), session, NOW)).duration;
    for (const ok of ['1', '720', '90']) expect(durationError(ok), ok).toBeUndefined();
    for (const bad of ['0', '721', '1.5', '', 'an hour']) expect(durationError(bad), bad).toBe('field_duration');
  });

  it('an awareness event needs someone counted', () => {
    expect(errorsOf(checkRecord(draftFor(event), event, NOW))).toEqual({ tallies: 'field_count_someone' });
  });

  it('a group session or CFS day needs someone ticked or counted', () => {
    expect(errorsOf(checkRecord(draftFor(session), session, NOW))).toEqual({ attendance: 'field_tick_someone' });
    expect(errorsOf(checkRecord(draftFor(cfs), cfs, NOW))).toEqual({
      type: 'field_required',
      attendance: 'field_tick_someone',
    });
    expect(checkRecord(draftFor(session, { tallies: { [tallyKey('female', '6-11')]: 2 } }), session, NOW).ok).toBe(
      true,
    );
  });

  it('counts a code added from a card as someone ticked, and sends codes sorted, or not at all', () => {
    const byCode = draftFor(session, { attendance_codes: ['K7M0019', 'A1B0021'] });
    expect(dataOf(checkRecord(byCode, session, NOW)).attendance_codes).toEqual(['A1B0021', 'K7M0019']);
    const byId = dataOf(checkRecord(draftFor(session, { attendance: ['amal'] }), session, NOW));
    expect('attendance_codes' in byId).toBe(false);
  });

  it('counts no more people with a disability than were counted', () => {
    const counted = { tallies: { [tallyKey('female', '18-24')]: 2 } };
    expect(errorsOf(checkRecord(draftFor(event, { ...counted, tally_disabled: 3 }), event, NOW))).toEqual({
      disabled: 'field_disabled_max',
    });
    expect(checkRecord(draftFor(event, { ...counted, tally_disabled: 2 }), event, NOW).ok).toBe(true);
  });

  it('saves a group session with its group, the ticked people sorted, and what the form does not show kept', () => {
    const existing = { data: { ...initialRecordDraftData(), facilitator_ids: [9] } };
    const data = dataOf(
      checkRecord(
        draftFor(session, { attendance: ['zed', 'amal'], topic: '  Stress  ', notes: ' ', start_time: '' }),
        { ...session, existing },
        NOW,
      ),
    );
    expect(data).toEqual({
      kind: 'group_session',
      activity_type_id: 3,
      site_id: 7,
      group_id: 'g1',
      date: '2026-03-15',
      start_time: undefined,
      duration_minutes: 90,
      topic: 'Stress',
      place_note: undefined,
      notes: undefined,
      materials: undefined,
      facilitator_ids: [9],
      attendance: ['amal', 'zed'],
      tallies: [],
      tally_disabled: 0,
    });
    expect('facilitator_ids' in dataOf(checkRecord(draftFor(session, { attendance: ['a'] }), session, NOW))).toBe(
      false,
    );
  });

  it('keeps to each kind what belongs to it', () => {
    const counted = { [tallyKey('male', '60+')]: 1, [tallyKey('female', '0-5')]: 2 };
    const awareness = dataOf(
      checkRecord(
        draftFor(event, { tallies: counted, attendance: ['stray'], place_note: ' Square ', materials: 'Soap' }),
        event,
        NOW,
      ),
    );
    expect(awareness).toMatchObject({
      attendance: [],
      place_note: 'Square',
      materials: 'Soap',
      group_id: undefined,
      tallies: [
        { sex: 'female', age_band: '0-5', count: 2 },
        { sex: 'male', age_band: '60+', count: 1 },
      ],
    });
    const day = dataOf(
      checkRecord(
        draftFor(cfs, {
          activity_type_id: '5',
          attendance: ['c1'],
          tallies: counted,
          tally_disabled: 1,
          place_note: 'x',
        }),
        cfs,
        NOW,
      ),
    );
    expect(day).toMatchObject({
      site_id: 8,
      attendance: ['c1'],
      tallies: [],
      tally_disabled: 0,
      place_note: undefined,
    });
  });

  it('lists the group’s members on the day, sorted by how they are shown', () => {
    const people = [person('zed', 'AAA0011', 'Zed'), person('amal', 'AAA0022', 'Amal')];
    const onDay = (date: string) => rosterIds('group_session', group, date, people);
    const onPhone = (ids: string[]) => ids.filter((id) => id === 'amal' || id === 'zed');
    expect([...onDay('2026-03-15')].sort()).toEqual(['amal', 'elsewhere', 'zed']);
    expect(onPhone(onDay('2026-03-15'))).toEqual(['amal', 'zed']);
    expect([...onDay('2026-04-02')].sort()).toEqual(['amal', 'elsewhere', 'later', 'zed']);
    expect([...onDay('2026-02-01')].sort()).toEqual(['amal', 'elsewhere', 'left', 'zed']);
    expect(rosterIds('cfs_day', undefined, '2026-03-15', people)).toEqual(['zed', 'amal']);
    expect(rosterIds('awareness_event', undefined, '2026-03-15', people)).toEqual([]);
  });

  it('ticks each person once', () => {
    expect(togglePresent(togglePresent(['a'], 'b', true), 'b', true)).toEqual(['a', 'b']);
    expect(togglePresent(['a', 'b'], 'a', false)).toEqual(['b']);
  });
});

function initialRecordDraftData(): RecordData {
  return {
    kind: 'group_session',
    activity_type_id: 3,
    site_id: 7,
    group_id: 'g1',
    date: '2026-03-10',
    duration_minutes: 90,
    attendance: [],
    tallies: [],
    tally_disabled: 0,
  };
}

describe('a registration', () => {
  const complete: RegistrationDraft = {
    ...emptyRegistration(7),
    sex: 'female',
    year: '1994',
    disability: 'no',
    displacement: 'idp',
    given_name: '  Shireen ',
  };
  const sites = [site(7), site(8, 'womens_centre')];
  const errorsOf = (draft: RegistrationDraft, among = sites) => {
    const result = checkRegistration(draft, among, NOW);
    return result.ok ? {} : result.errors;
  };

  it('needs a site, sex, disability and displacement', () => {
    expect(errorsOf({ ...emptyRegistration(), year: '1990' })).toEqual({
      site: 'field_required',
      sex: 'field_required',
      disability: 'field_required',
      displacement: 'field_required',
    });
    // With one site to choose from, it is chosen.
    expect(errorsOf({ ...complete, site_id: '' }, [site(7)])).toEqual({});
  });

  it('takes a birth year within the last 110 years, naming the range', () => {
    const range = birthYearRange(NOW);
    expect(range).toEqual({ from: 1916, to: 2026 });
    for (const bad of ['1915', '2027', '', '19.5'])
      expect(errorsOf({ ...complete, year: bad }).year, bad).toEqual({ key: 'field_birth_year', params: range });
    expect(errorsOf({ ...complete, year: '1916' })).toEqual({});
  });

  it('or an age of 0 to 110, which becomes an estimated birth year', () => {
    const byAge = { ...complete, year_mode: 'age' as const };
    for (const bad of ['', '111', '-1', '3.5']) expect(errorsOf({ ...byAge, year: bad }).year, bad).toBe('field_age');
    expect(dataOf(checkRegistration({ ...byAge, year: '0' }, sites, NOW))).toMatchObject({
      birth_year: 2026,
      birth_year_estimated: true,
    });
    expect(dataOf(checkRegistration({ ...byAge, year: '30' }, sites, NOW)).birth_year).toBe(1996);
  });

  it('needs all six Washington Group answers when disability is asked that way', () => {
    const wg = { seeing: 1, hearing: 1, walking: 2, remembering: 1, selfcare: 1 };
    expect(errorsOf({ ...complete, disability: 'wg', wg })).toEqual({ wg: 'field_wg' });
    const all = { ...wg, communicating: 4 };
    expect(dataOf(checkRegistration({ ...complete, disability: 'wg', wg: all }, sites, NOW)).wg).toEqual(all);
    expect(dataOf(checkRegistration({ ...complete, wg: all }, sites, NOW)).wg).toBeUndefined();
  });

  it('refuses the Washington Group set below age 5, and keeps that a caregiver answered for a child', () => {
    const all = { seeing: 1, hearing: 1, walking: 2, remembering: 1, selfcare: 1, communicating: 1 };
    const wg = { ...complete, disability: 'wg' as const, wg: all };
    expect(wgAllowed({ year_mode: 'age', year: '4' }, NOW)).toBe(false);
    expect(wgAllowed({ year_mode: 'year', year: '2021' }, NOW)).toBe(true);
    expect(wgAllowed({ year_mode: 'year', year: '' }, NOW)).toBe(true);
    expect(errorsOf({ ...wg, year_mode: 'age', year: '4' })).toEqual({ disability: 'field_wg_under_5' });
    expect(errorsOf({ ...wg, year_mode: 'year', year: '2022' })).toEqual({ disability: 'field_wg_under_5' });
    const child = dataOf(checkRegistration({ ...wg, year: '2016', wg_by_caregiver: true }, sites, NOW));
    expect(child.wg_by_caregiver).toBe(true);
    // An adult answers for herself; without the WG set there is nothing to answer.
    expect(dataOf(checkRegistration({ ...wg, wg_by_caregiver: true }, sites, NOW)).wg_by_caregiver).toBeUndefined();
    const plain = { ...complete, year: '2016', wg_by_caregiver: true };
    expect(dataOf(checkRegistration(plain, sites, NOW)).wg_by_caregiver).toBeUndefined();
  });

  it('keeps the given name, trimmed, except at a women’s centre', () => {
    expect(dataOf(checkRegistration(complete, sites, NOW))).toEqual({
      site_id: 7,
      sex: 'female',
      birth_year: 1994,
      birth_year_estimated: false,
      disability: 'no',
      wg: undefined,
      displacement: 'idp',
      registered_on: '2026-03-15',
      given_name: 'Shireen',
      wg_by_caregiver: undefined,
    });
    expect(dataOf(checkRegistration({ ...complete, site_id: '8' }, sites, NOW)).given_name).toBeUndefined();
  });
});

describe('a group', () => {
  it('opens with the group as saved, or the only site', () => {
    expect(initialGroupDraft(group, [site(7)])).toEqual({
      site_id: '7',
      activity_type_id: '3',
      name: 'Thursday group',
      members: group.data.members,
      weekdays: [],
    });
    expect(initialGroupDraft(undefined, [site(5)])).toEqual({
      site_id: '5',
      activity_type_id: '',
      name: '',
      members: [],
      weekdays: [],
    });
    expect(initialGroupDraft(undefined, [site(5), site(6)]).site_id).toBe('');
  });

  it('needs a site, a type and a name', () => {
    const result = checkGroup({ site_id: '', activity_type_id: '', name: '  ', members: [], weekdays: [] });
    expect(result.ok ? {} : result.errors).toEqual({
      site: 'field_required',
      type: 'field_required',
      name: 'field_required',
    });
  });

  it('saves the name trimmed, the roster without empty leaving dates, and keeps what the form does not show', () => {
    const members = [
      { participant_id: 'a', joined_on: '2026-01-01', left_on: undefined },
      { participant_id: 'b', joined_on: '2026-01-01', left_on: '2026-02-01' },
    ];
    const saved = dataOf(
      checkGroup({ site_id: '7', activity_type_id: '3', name: ' New name ', members, weekdays: [] }, group),
    );
    expect(saved).toEqual({
      site_id: 7,
      activity_type_id: 3,
      name: 'New name',
      facilitator_ids: [9],
      members: [
        { participant_id: 'a', joined_on: '2026-01-01' },
        { participant_id: 'b', joined_on: '2026-01-01', left_on: '2026-02-01' },
      ],
    });
    expect('left_on' in saved.members[0]).toBe(false);
    expect('weekdays' in JSON.parse(JSON.stringify(saved))).toBe(false);
  });

  it('keeps the weekdays a group meets, sorted and once each, for the server’s reminders', () => {
    const draft = { site_id: '7', activity_type_id: '3', name: 'G', members: [], weekdays: [4, 1, 4] };
    expect(dataOf(checkGroup(draft, group)).weekdays).toEqual([1, 4]);
  });

  it('adds someone to the roster once', () => {
    const once = addMember([], 'p', '2026-03-15');
    expect(once).toEqual([{ participant_id: 'p', joined_on: '2026-03-15' }]);
    expect(addMember(once, 'p', '2026-03-16')).toBe(once);
  });
});
