/**
 * The field forms' contents as typed, and their conversion to what is
 * saved: a record (group session, CFS day, awareness event), a
 * registration and a group. The checks mirror the server's
 * (backend/src/records/model.rs, participants/model.rs, groups/model.rs)
 * so mistakes are caught on the phone, offline, in the person's language;
 * the server still has the last word, and a refusal comes back through the
 * outbox. Pure: no database, no language, no clock but the `now` given.
 */
import type { LocalActivityType, LocalSite } from '../db/schema';
import type { StringKey } from '../i18n/messages';
import { ageIn, WG_MIN_AGE } from './identity';
import type {
  AgeBand,
  Disability,
  Displacement,
  Group,
  GroupData,
  Member,
  Participant,
  ParticipantData,
  RecordData,
  RecordKind,
  Sex,
  Tally,
  WgDomain,
} from './model';
import { AGE_BANDS, asksGivenName, participantLabel, SEXES, today, WG_DOMAINS } from './model';

/** What is wrong with a field: a message key, and the numbers the message names, if any. */
export type Problem = StringKey | { key: StringKey; params: Record<string, number> };

/** Field name → its problem. */
export type Problems = Record<string, Problem>;

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Problems };

const checked = <T>(errors: Problems, value: () => T): Checked<T> =>
  Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: value() };

// ---- head counts

/** Head counts by `sex|band`, as the steppers show them. */
export type TallyMap = Record<string, number>;
export const tallyKey = (sex: Sex, band: AgeBand) => `${sex}|${band}`;

export function tallyList(map: TallyMap): Tally[] {
  return SEXES.flatMap((sex) =>
    AGE_BANDS.map((age_band) => ({ sex, age_band, count: map[tallyKey(sex, age_band)] ?? 0 })),
  ).filter((x) => x.count > 0);
}

export function tallyMap(tallies: Tally[]): TallyMap {
  return Object.fromEntries(tallies.map((x) => [tallyKey(x.sex, x.age_band), x.count]));
}

export const tallyTotal = (map: TallyMap) => Object.values(map).reduce((a, b) => a + b, 0);

// ---- records

export interface RecordDraft {
  site_id: string;
  activity_type_id: string;
  date: string;
  start_time: string;
  duration_minutes: string;
  topic: string;
  place_note: string;
  notes: string;
  materials: string;
  /** Who was ticked or added, in the order they were. */
  attendance: string[];
  /** Codes added of people this phone does not hold (canonical, no hyphen). */
  attendance_codes: string[];
  tallies: TallyMap;
  tally_disabled: number;
}

/** What a record is for: its kind, the record being edited, its group, and the choices on this phone. */
export interface RecordSetting {
  kind: RecordKind;
  existing?: { data: RecordData };
  group?: Group;
  sites: LocalSite[];
  types: LocalActivityType[];
}

/** The usual length of each kind of activity, so most people never touch the field. */
export const DEFAULT_MINUTES: Record<RecordKind, number> = {
  group_session: 90,
  cfs_day: 180,
  awareness_event: 60,
  individual_session: 45,
};

/** The sites a record of `kind` can be at: a CFS day only at a child-friendly space. */
export function siteChoices(kind: RecordKind, sites: LocalSite[]): LocalSite[] {
  return kind === 'cfs_day' ? sites.filter((s) => s.kind === 'child_friendly_space') : sites;
}

/** The form as it opens: the record being edited, or defaults (its group's site and type, or the only choice). */
export function initialRecordDraft(setting: RecordSetting, now = new Date()): RecordDraft {
  const { kind, group, types } = setting;
  const initial = setting.existing?.data;
  const sites = siteChoices(kind, setting.sites);
  return {
    site_id: String(initial?.site_id ?? group?.data.site_id ?? (sites.length === 1 ? sites[0].id : '')),
    activity_type_id: String(
      initial?.activity_type_id ?? group?.data.activity_type_id ?? (types.length === 1 ? types[0].id : ''),
    ),
    date: initial?.date ?? today(now),
    start_time: initial?.start_time ?? '',
    duration_minutes: String(initial?.duration_minutes ?? DEFAULT_MINUTES[kind]),
    topic: initial?.topic ?? '',
    place_note: initial?.place_note ?? '',
    notes: initial?.notes ?? '',
    materials: initial?.materials ?? '',
    attendance: [...new Set(initial?.attendance ?? [])],
    attendance_codes: [...new Set(initial?.attendance_codes ?? [])],
    tallies: tallyMap(initial?.tallies ?? []),
    tally_disabled: initial?.tally_disabled ?? 0,
  };
}

/** `attendance` with `id` ticked (`on`) or not; ticking twice lists nobody twice. */
export function togglePresent(attendance: string[], id: string, on: boolean): string[] {
  if (on) return attendance.includes(id) ? attendance : [...attendance, id];
  return attendance.filter((x) => x !== id);
}

/**
 * Who the roster lists: the group's members on `date` (joined by then, not
 * yet left), sorted by how they are shown (name and code; a member not on
 * this phone by its id); or, on a CFS day, every child registered at the
 * site (`people`, the site's participants).
 */
export function rosterIds(kind: RecordKind, group: Group | undefined, date: string, people: Participant[]): string[] {
  if (kind === 'group_session' && group) {
    const byId = new Map(people.map((p) => [p.id, p]));
    const key = (id: string) => {
      const p = byId.get(id);
      return p ? participantLabel(p) : `~${id}`;
    };
    return group.data.members
      .filter((m) => m.joined_on <= date && (!m.left_on || m.left_on >= date))
      .map((m) => m.participant_id)
      .sort((a, b) => key(a).localeCompare(key(b)));
  }
  if (kind === 'cfs_day') return people.map((p) => p.id);
  return [];
}

const DAY_MS = 86_400_000;
const MAX_MINUTES = 720;

/**
 * The record to save, or what is wrong: a site and a type; a well-formed
 * date no later than tomorrow (phones' clocks and time zones differ);
 * 1 to 720 whole minutes; an awareness event counts someone; a group
 * session or CFS day has someone ticked or counted; an individual session
 * has exactly one person; no more people with a disability than were
 * counted.
 */
export function checkRecord(
  draft: RecordDraft,
  setting: Pick<RecordSetting, 'kind' | 'existing' | 'group'>,
  now = new Date(),
): Checked<RecordData> {
  const { kind } = setting;
  const errors: Problems = {};
  const total = tallyTotal(draft.tallies);
  const duration = Number(draft.duration_minutes);
  if (!draft.site_id) errors.site = 'field_required';
  if (!draft.activity_type_id) errors.type = 'field_required';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date) || draft.date > today(new Date(now.getTime() + DAY_MS)))
    errors.date = 'field_date';
  if (!(Number.isInteger(duration) && duration >= 1 && duration <= MAX_MINUTES)) errors.duration = 'field_duration';
  if (kind === 'awareness_event' && total === 0) errors.tallies = 'field_count_someone';
  const ticked = draft.attendance.length + draft.attendance_codes.length;
  if (kind === 'individual_session') {
    if (ticked !== 1) errors.attendance = 'field_one_participant';
  } else if (kind !== 'awareness_event' && ticked === 0 && total === 0) errors.attendance = 'field_tick_someone';
  if (draft.tally_disabled > total) errors.disabled = 'field_disabled_max';
  return checked(errors, () => {
    const data: RecordData = {
      kind,
      activity_type_id: Number(draft.activity_type_id),
      site_id: Number(draft.site_id),
      group_id: kind === 'group_session' ? setting.group?.id : undefined,
      date: draft.date,
      start_time: draft.start_time || undefined,
      duration_minutes: duration,
      topic: kind === 'individual_session' ? undefined : draft.topic.trim() || undefined,
      place_note: kind === 'awareness_event' ? draft.place_note.trim() || undefined : undefined,
      notes: draft.notes.trim() || undefined,
      materials: kind === 'awareness_event' ? draft.materials.trim() || undefined : undefined,
      facilitator_ids: setting.existing?.data.facilitator_ids,
      attendance: kind === 'awareness_event' ? [] : [...draft.attendance].sort(),
      attendance_codes: kind === 'awareness_event' ? undefined : [...draft.attendance_codes].sort(),
      tallies: kind === 'cfs_day' || kind === 'individual_session' ? [] : tallyList(draft.tallies),
      tally_disabled: kind === 'cfs_day' || kind === 'individual_session' ? 0 : draft.tally_disabled,
    };
    if (!data.facilitator_ids) delete data.facilitator_ids;
    // Only records that hold codes carry the field, so others are sent as before.
    if (!data.attendance_codes?.length) delete data.attendance_codes;
    return data;
  });
}

// ---- registering a participant

export interface RegistrationDraft {
  site_id: string;
  sex: Sex | '';
  /** Whether the person gave a birth year or an age (which becomes an estimated year). */
  year_mode: 'year' | 'age';
  year: string;
  disability: Disability | '';
  /** Washington Group answers, 1 (no difficulty) to 4 (cannot do at all). */
  wg: Partial<Record<WgDomain, number>>;
  displacement: Displacement | '';
  given_name: string;
  /** A caregiver answered the Washington Group questions for a child. */
  wg_by_caregiver: boolean;
}

export function emptyRegistration(siteId?: number): RegistrationDraft {
  return {
    site_id: siteId ? String(siteId) : '',
    sex: '',
    year_mode: 'year',
    year: '',
    disability: '',
    wg: {},
    displacement: '',
    given_name: '',
    wg_by_caregiver: false,
  };
}

/** The site chosen, or the only one there is to choose. */
export function chosenSiteId(draft: RegistrationDraft, sites: LocalSite[]): string {
  return draft.site_id || (sites.length === 1 ? String(sites[0].id) : '');
}

const OLDEST_YEARS = 110;

/** The person's age this year as typed (an age, or this year less a birth year); undefined until it is a number. */
export function draftAge(draft: Pick<RegistrationDraft, 'year_mode' | 'year'>, now = new Date()): number | undefined {
  if (draft.year.trim() === '') return undefined;
  const n = Number(draft.year);
  if (!Number.isInteger(n)) return undefined;
  return draft.year_mode === 'age' ? n : ageIn(now.getFullYear(), n);
}

/** Whether the Washington Group short set may be asked: not below age 5 (unknown yet: yes). */
export function wgAllowed(draft: Pick<RegistrationDraft, 'year_mode' | 'year'>, now = new Date()): boolean {
  const age = draftAge(draft, now);
  return age === undefined || age >= WG_MIN_AGE;
}

/** A child: the one a caregiver may answer for. */
export const isChild = (draft: Pick<RegistrationDraft, 'year_mode' | 'year'>, now = new Date()) =>
  (draftAge(draft, now) ?? 99) < 18;

/** The birth years accepted this year: nobody older than 110. */
export function birthYearRange(now = new Date()): { from: number; to: number } {
  const year = now.getFullYear();
  return { from: year - OLDEST_YEARS, to: year };
}

/**
 * The participant to register (its code is added when saved), or what is
 * wrong: site, sex, disability and displacement are required; a birth year
 * within the last 110 years, or an age of 0 to 110; all six Washington
 * Group answers when that is how disability is asked. The given name is
 * dropped at women's centres.
 */
export function checkRegistration(
  draft: RegistrationDraft,
  sites: LocalSite[],
  now = new Date(),
): Checked<Omit<ParticipantData, 'code'>> {
  const errors: Problems = {};
  const siteId = chosenSiteId(draft, sites);
  const n = Number(draft.year);
  const years = birthYearRange(now);
  if (!siteId) errors.site = 'field_required';
  if (!draft.sex) errors.sex = 'field_required';
  if (draft.year_mode === 'year' && !(Number.isInteger(n) && n >= years.from && n <= years.to))
    errors.year = { key: 'field_birth_year', params: years };
  if (draft.year_mode === 'age' && !(draft.year !== '' && Number.isInteger(n) && n >= 0 && n <= OLDEST_YEARS))
    errors.year = 'field_age';
  if (!draft.disability) errors.disability = 'field_required';
  if (draft.disability === 'wg' && WG_DOMAINS.some((d) => !draft.wg[d])) errors.wg = 'field_wg';
  if (draft.disability === 'wg' && !wgAllowed(draft, now)) errors.disability = 'field_wg_under_5';
  if (!draft.displacement) errors.displacement = 'field_required';
  return checked(errors, () => {
    const site = sites.find((s) => String(s.id) === siteId);
    const given = asksGivenName(site) ? draft.given_name.trim() : '';
    return {
      site_id: Number(siteId),
      sex: draft.sex as Sex,
      birth_year: draft.year_mode === 'year' ? n : years.to - n,
      birth_year_estimated: draft.year_mode === 'age',
      disability: draft.disability as Disability,
      wg: draft.disability === 'wg' ? (draft.wg as Record<WgDomain, number>) : undefined,
      displacement: draft.displacement as Displacement,
      registered_on: today(now),
      given_name: given || undefined,
      wg_by_caregiver: draft.disability === 'wg' && draft.wg_by_caregiver && isChild(draft, now) ? true : undefined,
    };
  });
}

// ---- groups

export interface GroupDraft {
  site_id: string;
  activity_type_id: string;
  name: string;
  members: Member[];
  /** ISO weekdays the group meets (1 = Monday … 7 = Sunday): the server reminds on them. */
  weekdays: number[];
}

export function initialGroupDraft(group: Group | undefined, sites: LocalSite[]): GroupDraft {
  return {
    site_id: String(group?.data.site_id ?? (sites.length === 1 ? sites[0].id : '')),
    activity_type_id: String(group?.data.activity_type_id ?? ''),
    name: group?.data.name ?? '',
    members: group?.data.members ?? [],
    weekdays: group?.data.weekdays ?? [],
  };
}

/** `members` with `participantId` joining on `on`, unless already on the roster. */
export function addMember(members: Member[], participantId: string, on: string): Member[] {
  if (members.some((m) => m.participant_id === participantId)) return members;
  return [...members, { participant_id: participantId, joined_on: on }];
}

/** The group to save (what the form does not show, such as facilitators, is kept), or what is wrong. */
export function checkGroup(draft: GroupDraft, group?: Group): Checked<GroupData> {
  const errors: Problems = {};
  if (!draft.site_id) errors.site = 'field_required';
  if (!draft.activity_type_id) errors.type = 'field_required';
  if (!draft.name.trim()) errors.name = 'field_required';
  return checked(errors, () => ({
    ...(group?.data ?? {}),
    site_id: Number(draft.site_id),
    activity_type_id: Number(draft.activity_type_id),
    name: draft.name.trim(),
    members: draft.members.map((m) => (m.left_on ? m : { participant_id: m.participant_id, joined_on: m.joined_on })),
    // Left out when none, as the server stores it.
    weekdays: draft.weekdays.length > 0 ? [...new Set(draft.weekdays)].sort((a, b) => a - b) : undefined,
  }));
}
