/**
 * The server's JSON shapes, as backend/src/*\/model.rs define them.
 * Only what the app reads or sends is typed here.
 */

export type Role = 'admin' | 'coordinator' | 'trainer' | 'mobiliser';
export const ROLES: readonly Role[] = ['trainer', 'mobiliser', 'coordinator', 'admin'];

/**
 * The app's languages: English, Arabic, Kurdish Sorani, and Kurdish
 * Kurmanji (Badini as written in Duhok, in the Arabic-based Kurdish
 * alphabet; see i18n/format.ts and docs/design.md for the choice of `kmr`).
 */
export type Language = 'en' | 'ar' | 'ckb' | 'kmr';

/** A site as a user's own list shows it (`Me.sites`). */
export interface SiteSummary {
  id: number;
  code: string;
  name: string;
  kind: string;
}

/** The signed-in user (`GET /api/me`). */
export interface Me {
  id: number;
  login: string;
  display_name: string;
  role: Role;
  language: Language;
  all_sites: boolean;
  sites: SiteSummary[];
}

export interface Partner {
  id: number;
  name: string;
  active: boolean;
}

/** A governorate (level 1) or a district (level 2, with its governorate as parent). */
export interface Area {
  id: number;
  level: number;
  parent_id: number | null;
  pcode: string;
  iso_code: string | null;
  name_en: string;
  name_ar: string;
  name_ckb: string;
}

export type SiteKind =
  | 'child_friendly_space'
  | 'community_centre'
  | 'womens_centre'
  | 'camp'
  | 'school'
  | 'sports_ground'
  | 'other';

export const SITE_KINDS: readonly SiteKind[] = [
  'child_friendly_space',
  'community_centre',
  'womens_centre',
  'camp',
  'school',
  'sports_ground',
  'other',
];

export interface Site {
  id: number;
  code: string;
  name: string;
  kind: SiteKind;
  partner_id: number;
  partner_name: string;
  area_id: number;
  area_name_en: string;
  /** The area in Arabic and Sorani (absent from an older server). */
  area_name_ar?: string;
  area_name_ckb?: string;
  district_pcode: string | null;
  governorate_pcode: string;
  latitude: number | null;
  longitude: number | null;
  active: boolean;
}

/** Body of `POST /api/sites` (all but coordinates required) and `PATCH`. */
export interface SiteInput {
  code?: string;
  name?: string;
  kind?: SiteKind;
  partner_id?: number;
  area_id?: number;
  latitude?: number;
  longitude?: number;
  active?: boolean;
}

export interface NewDistrict {
  level: 2;
  parent_id: number;
  pcode: string;
  name_en: string;
  name_ar: string;
  name_ckb: string;
}

/** A user as the management screens show it. */
export interface UserView {
  id: number;
  login: string;
  display_name: string;
  role: Role;
  language: Language;
  active: boolean;
  all_sites: boolean;
  site_ids: number[];
}

export interface NewUser {
  login: string;
  display_name: string;
  role: Role;
  language: Language;
  password: string;
  site_ids: number[];
  all_sites: boolean;
}

export interface UserChanges {
  display_name?: string;
  role?: Role;
  language?: Language;
  active?: boolean;
  site_ids?: number[];
  all_sites?: boolean;
}

export interface ActivityType {
  id: number;
  kind: 'group_session' | 'awareness_event' | 'cfs_day' | 'individual_session';
  code: string;
  label_en: string;
  label_ar: string;
  label_ckb: string;
  cycle_sessions: number | null;
  active: boolean;
}

/** A participant found by the server's search (`GET /api/participants?q=`), beyond this phone's own. */
export interface FoundParticipant {
  id: string;
  code: string;
  site_id: number;
  given_name: string | null;
  sex: string;
  /** Absent for a visitor (registered at a site not the caller's): other sites get the age band only. */
  birth_year?: number;
  age_band: string;
  has_disability: boolean;
  displacement: string;
  visitor: boolean;
}

/** A participant code looked up (`GET /api/participants/code/{code}`): what any site may know, never a name. */
export interface CodeLookup {
  id: string;
  code: string;
  sex: string;
  age_band: string;
  has_disability: boolean;
  displacement: string;
}

/** Every error answer: `{ error, message, fields? }` with a stable code. */
export interface ErrorBody {
  error: string;
  message: string;
  fields?: Record<string, string>;
}
