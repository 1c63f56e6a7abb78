/**
 * The admin forms' contents as typed, and their conversion to API bodies.
 * The checks mirror the server's (backend/src/users/model.rs,
 * sites/model.rs, validate.rs) so most mistakes are caught on the phone,
 * in the person's language; the server still has the last word.
 */
import type {
  Area,
  Language,
  NewDistrict,
  NewUser,
  Role,
  Site,
  SiteInput,
  SiteKind,
  UserChanges,
  UserView,
} from '../api/types';
import { parseDecimal } from '../i18n/format';
import type { StaffScreenKey } from '../i18n/staff';

/** Field name → message key. */
export type DraftErrors = Record<string, StaffScreenKey>;

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: DraftErrors };

const CODE = /^[A-Za-z0-9_-]+$/;
const LOGIN = /^[a-z0-9._-]{3,64}$/;
export const MIN_PASSWORD_CHARS = 10;

export function rolesWithAllSites(role: Role): boolean {
  return role === 'admin' || role === 'coordinator';
}

// ---- sites

export interface SiteDraft {
  code: string;
  name: string;
  kind: SiteKind | '';
  partner_id: string;
  governorate_id: string;
  /** Empty: the site is placed in the governorate as a whole. */
  district_id: string;
  latitude: string;
  longitude: string;
  active: boolean;
}

export const EMPTY_SITE: SiteDraft = {
  code: '',
  name: '',
  kind: '',
  partner_id: '',
  governorate_id: '',
  district_id: '',
  latitude: '',
  longitude: '',
  active: true,
};

export function siteDraftFrom(site: Site, areas: Area[]): SiteDraft {
  const area = areas.find((a) => a.id === site.area_id);
  const inDistrict = area?.level === 2 && area.parent_id !== null;
  return {
    code: site.code,
    name: site.name,
    kind: site.kind,
    partner_id: String(site.partner_id),
    governorate_id: String(inDistrict ? area.parent_id : site.area_id),
    district_id: inDistrict ? String(area.id) : '',
    latitude: site.latitude === null ? '' : String(site.latitude),
    longitude: site.longitude === null ? '' : String(site.longitude),
    active: site.active,
  };
}

export function checkSite(draft: SiteDraft): Checked<SiteInput> {
  const errors: DraftErrors = {};
  const code = draft.code.trim().toUpperCase();
  if (!code) errors.code = 'field_required';
  else if (!CODE.test(code) || code.length > 32) errors.code = 'field_code';
  const name = draft.name.trim();
  if (!name) errors.name = 'field_required';
  if (!draft.kind) errors.kind = 'field_required';
  if (!draft.partner_id) errors.partner_id = 'field_required';
  if (!draft.governorate_id) errors.governorate_id = 'field_required';
  const latitude = parseDecimal(draft.latitude);
  const longitude = parseDecimal(draft.longitude);
  if (Number.isNaN(latitude)) errors.latitude = 'field_number';
  if (Number.isNaN(longitude)) errors.longitude = 'field_number';
  if (!errors.latitude && !errors.longitude && (latitude === null) !== (longitude === null))
    errors.latitude = 'field_coordinates_both';
  if (Object.keys(errors).length) return { ok: false, errors };
  const input: SiteInput = {
    code,
    name,
    kind: draft.kind as SiteKind,
    partner_id: Number(draft.partner_id),
    area_id: Number(draft.district_id || draft.governorate_id),
    active: draft.active,
  };
  if (latitude !== null && longitude !== null) {
    input.latitude = latitude;
    input.longitude = longitude;
  }
  return { ok: true, value: input };
}

export interface DistrictDraft {
  pcode: string;
  name_en: string;
  name_ar: string;
  name_ckb: string;
}

export const EMPTY_DISTRICT: DistrictDraft = { pcode: '', name_en: '', name_ar: '', name_ckb: '' };

export function checkDistrict(draft: DistrictDraft, governorateId: string): Checked<NewDistrict> {
  const errors: DraftErrors = {};
  const pcode = draft.pcode.trim().toUpperCase();
  if (!pcode) errors.pcode = 'field_required';
  else if (!CODE.test(pcode) || pcode.length > 20) errors.pcode = 'field_code';
  for (const field of ['name_en', 'name_ar', 'name_ckb'] as const) {
    if (!draft[field].trim()) errors[field] = 'field_required';
  }
  if (!governorateId) errors.governorate_id = 'field_required';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      level: 2,
      parent_id: Number(governorateId),
      pcode,
      name_en: draft.name_en.trim(),
      name_ar: draft.name_ar.trim(),
      name_ckb: draft.name_ckb.trim(),
    },
  };
}

// ---- users

export interface UserDraft {
  login: string;
  display_name: string;
  role: Role;
  language: Language;
  password: string;
  all_sites: boolean;
  site_ids: number[];
  active: boolean;
}

export const EMPTY_USER: UserDraft = {
  login: '',
  display_name: '',
  role: 'trainer',
  language: 'en',
  password: '',
  all_sites: false,
  site_ids: [],
  active: true,
};

export function userDraftFrom(user: UserView): UserDraft {
  return {
    login: user.login,
    display_name: user.display_name,
    role: user.role,
    language: user.language,
    password: '',
    all_sites: user.all_sites,
    site_ids: [...user.site_ids],
    active: user.active,
  };
}

/** Admins always see every site; coordinators when ticked; field roles never. */
export function seesEverySite(draft: Pick<UserDraft, 'role' | 'all_sites'>): boolean {
  return draft.role === 'admin' || (rolesWithAllSites(draft.role) && draft.all_sites);
}

function checkPassword(password: string): StaffScreenKey | null {
  return [...password].length < MIN_PASSWORD_CHARS ? 'field_password' : null;
}

export function checkNewUser(draft: UserDraft): Checked<NewUser> {
  const errors: DraftErrors = {};
  const login = draft.login.trim().toLowerCase();
  if (!login) errors.login = 'field_required';
  else if (!LOGIN.test(login)) errors.login = 'field_login';
  const displayName = draft.display_name.trim();
  if (!displayName) errors.display_name = 'field_required';
  const password = checkPassword(draft.password);
  if (password) errors.password = password;
  if (Object.keys(errors).length) return { ok: false, errors };
  const allSites = seesEverySite(draft);
  return {
    ok: true,
    value: {
      login,
      display_name: displayName,
      role: draft.role,
      language: draft.language,
      password: draft.password,
      all_sites: allSites,
      site_ids: allSites ? [] : [...draft.site_ids].sort((a, b) => a - b),
    },
  };
}

export function checkUserChanges(draft: UserDraft): Checked<UserChanges> {
  const displayName = draft.display_name.trim();
  if (!displayName) return { ok: false, errors: { display_name: 'field_required' } };
  const allSites = seesEverySite(draft);
  return {
    ok: true,
    value: {
      display_name: displayName,
      role: draft.role,
      language: draft.language,
      active: draft.active,
      all_sites: allSites,
      site_ids: allSites ? [] : [...draft.site_ids].sort((a, b) => a - b),
    },
  };
}

export function checkPasswordReset(password: string): Checked<string> {
  const error = checkPassword(password);
  return error ? { ok: false, errors: { password: error } } : { ok: true, value: password };
}
