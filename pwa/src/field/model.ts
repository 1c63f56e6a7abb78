/**
 * What the field screens record, as the server's sync API takes it
 * (backend/src/sync/): participants, groups and activity records, with the
 * small pure rules about them that several screens share.
 */
import type { Local, LocalSite } from '../db/schema';
import { displayCode, normaliseCode } from '../sync/codes';

export type Sex = 'female' | 'male';
export const SEXES: readonly Sex[] = ['female', 'male'];
export const AGE_BANDS = ['0-5', '6-11', '12-17', '18-24', '25-59', '60+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const WG_DOMAINS = ['seeing', 'hearing', 'walking', 'remembering', 'selfcare', 'communicating'] as const;
export type WgDomain = (typeof WG_DOMAINS)[number];
export type Disability = 'wg' | 'yes' | 'no' | 'not_asked';
export const DISABILITIES: readonly Disability[] = ['wg', 'yes', 'no', 'not_asked'];
export type Displacement = 'host' | 'idp' | 'refugee' | 'returnee';
export const DISPLACEMENTS: readonly Displacement[] = ['host', 'idp', 'refugee', 'returnee'];
export type RecordKind = 'group_session' | 'awareness_event' | 'cfs_day' | 'individual_session';

export interface ParticipantData {
  code: string;
  site_id: number;
  sex: Sex;
  birth_year: number;
  birth_year_estimated?: boolean;
  disability: Disability;
  wg?: Record<WgDomain, number>;
  displacement: Displacement;
  registered_on: string;
  given_name?: string;
  /** A caregiver answered the Washington Group questions for a child. */
  wg_by_caregiver?: boolean;
  /**
   * Set only on a visitor shown beside the site's own participants (see
   * `visitorAsParticipant`): registered elsewhere, known here by code, sex
   * and age band. Never pushed.
   */
  visitor?: boolean;
  age_band?: AgeBand;
}

/**
 * Someone registered at another site who attends at one of this user's
 * (pull entity `visitor`, id `<participant_id>@<site_id>`). Other sites see
 * only what the work needs: no given name, no birth year (issue 10).
 */
export interface VisitorData {
  participant_id: string;
  code: string;
  sex: Sex;
  age_band: AgeBand;
  has_disability: boolean;
  displacement: Displacement;
  site_id: number;
}
export type Visitor = Local<VisitorData>;

/**
 * A visitor as the roster, CFS list and search show people: by the
 * participant's id (what attendance lists), at the site she attends.
 * `birth_year` is 0: nobody reads it for a visitor (`participantMeta`
 * shows the age band, the duplicate check skips visitors).
 */
export function visitorAsParticipant(v: Visitor): Participant {
  const d = v.data;
  return {
    id: d.participant_id,
    version: v.version,
    data: {
      code: d.code,
      site_id: d.site_id,
      sex: d.sex,
      birth_year: 0,
      age_band: d.age_band,
      disability: d.has_disability ? 'yes' : 'no',
      displacement: d.displacement,
      registered_on: '',
      visitor: true,
    },
  };
}

export interface Member {
  participant_id: string;
  joined_on: string;
  left_on?: string;
}

export interface GroupData {
  site_id: number;
  activity_type_id: number;
  name: string;
  facilitator_ids?: number[];
  members: Member[];
  /** ISO weekdays the group meets (1 = Monday … 7 = Sunday). */
  weekdays?: number[];
}

export interface Tally {
  sex: Sex;
  age_band: AgeBand;
  count: number;
}

export interface RecordData {
  kind: RecordKind;
  activity_type_id: number;
  site_id: number;
  group_id?: string;
  date: string;
  start_time?: string;
  duration_minutes: number;
  topic?: string;
  place_note?: string;
  notes?: string;
  materials?: string;
  facilitator_ids?: number[];
  attendance: string[];
  /**
   * Codes of people this phone does not hold (typed or scanned from a
   * card, offline or online): the server resolves each to its participant
   * and the record comes back on pull with them in `attendance`.
   */
  attendance_codes?: string[];
  tallies: Tally[];
  tally_disabled: number;
}

export type Participant = Local<ParticipantData>;
export type Group = Local<GroupData>;
export type ActivityRecord = Local<RecordData>;

/** Given names are not asked at women's centres: survivors' confidentiality (docs/design.md §2, §5). */
export function asksGivenName(site: Pick<LocalSite, 'kind'> | undefined): boolean {
  return site?.kind !== 'womens_centre';
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Today on the phone's calendar, `YYYY-MM-DD`. */
export function today(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Participants whose code starts with, or given name contains, `q` (case-insensitive). */
export function matches(p: Participant, q: string): boolean {
  const text = q.trim().toLowerCase();
  if (!text) return true;
  const code = normaliseCode(text);
  return (code.length > 0 && p.data.code.startsWith(code)) || (p.data.given_name ?? '').toLowerCase().includes(text);
}

/** "Given name · K7M-42QX", or the code alone. */
export function participantLabel(p: { data: { code: string; given_name?: string } }): string {
  const code = displayCode(p.data.code);
  return p.data.given_name ? `${p.data.given_name} · ${code}` : code;
}
