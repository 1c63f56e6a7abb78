/**
 * The staff screens' rules, pure: the directory forms as typed and their
 * checks (the server's, backend/src/directory/model.rs, so a mistake is
 * shown at its field on the first tap, in the person's language; the
 * server keeps the last word), and the referral figures' query and person
 * table.
 */
import type { Area } from '../../api/types';
import { AGE_BANDS } from '../../field/model';
import type { StaffScreenKey } from '../../i18n/staff';
import type { Category } from '../model';
import { CATEGORIES } from '../model';
import type { DirectoryService, Organisation, OrganisationInput, ReferralFigures, ServiceInput } from './api';

/** A field's problem: a message of either catalogue, with its numbers. */
export type Problem = StaffScreenKey | { key: StaffScreenKey; params: Record<string, number> };
export type Problems = Record<string, Problem>;

type Checked<T> = { ok: true; value: T } | { ok: false; errors: Problems };

/** The languages a service can be asked for in (the server's list, in its order). */
export const SERVICE_LANGUAGES = ['ar', 'ckb', 'kmr', 'en', 'tr', 'syr'] as const;

const NAME = { min: 2, max: 120 };
const LONG_TEXT_MAX = 300;

function checkText(errors: Problems, field: string, text: string, min: number, max: number): string {
  const trimmed = text.trim();
  const length = [...trimmed].length;
  if (min > 0 && length === 0) errors[field] = 'field_required';
  else if (length < min || length > max) errors[field] = { key: 'field_length', params: { min, max } };
  return trimmed;
}

// ---- organisations

export interface OrganisationDraft {
  name: string;
  /** A partner's id, or '' for an organisation outside the programme. */
  partner_id: string;
  contact: string;
  active: boolean;
}

export const EMPTY_ORGANISATION: OrganisationDraft = { name: '', partner_id: '', contact: '', active: true };

export const organisationDraftFrom = (o: Organisation): OrganisationDraft => ({
  name: o.name,
  partner_id: o.partner_id === null ? '' : String(o.partner_id),
  contact: o.contact ?? '',
  active: o.active,
});

/**
 * An organisation to send. `outsideAllowed`: only admins keep outside
 * organisations; a coordinator names their own partner.
 */
export function checkOrganisation(draft: OrganisationDraft, outsideAllowed: boolean): Checked<OrganisationInput> {
  const errors: Problems = {};
  const name = checkText(errors, 'name', draft.name, NAME.min, NAME.max);
  const contact = checkText(errors, 'contact', draft.contact, 0, LONG_TEXT_MAX);
  if (!draft.partner_id && !outsideAllowed) errors.partner_id = 'field_required';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: { name, partner_id: draft.partner_id ? Number(draft.partner_id) : null, contact, active: draft.active },
  };
}

// ---- services

export interface ServiceDraft {
  category: Category | '';
  name: string;
  governorate_id: string;
  /** Empty: the service covers the whole governorate. */
  district_id: string;
  languages: string[];
  accessibility: string;
  how_to_reach: string;
  active: boolean;
}

export const EMPTY_SERVICE: ServiceDraft = {
  category: '',
  name: '',
  governorate_id: '',
  district_id: '',
  languages: [],
  accessibility: '',
  how_to_reach: '',
  active: true,
};

export function serviceDraftFrom(s: DirectoryService, areas: Area[]): ServiceDraft {
  const area = areas.find((a) => a.id === s.area_id);
  const inDistrict = area?.level === 2 && area.parent_id !== null;
  return {
    category: s.category,
    name: s.name,
    governorate_id: String(inDistrict ? area.parent_id : s.area_id),
    district_id: inDistrict ? String(area.id) : '',
    languages: s.languages,
    accessibility: s.accessibility ?? '',
    how_to_reach: s.how_to_reach ?? '',
    active: s.active,
  };
}

/** A service to send (without its organisation, which the form adds when creating). */
export function checkService(draft: ServiceDraft): Checked<ServiceInput> {
  const errors: Problems = {};
  if (!draft.category || !(CATEGORIES as readonly string[]).includes(draft.category))
    errors.category = 'field_required';
  const name = checkText(errors, 'name', draft.name, NAME.min, NAME.max);
  if (!draft.governorate_id) errors.area_id = 'field_required';
  const languages = SERVICE_LANGUAGES.filter((l) => draft.languages.includes(l));
  if (languages.length === 0) errors.languages = 'field_tick_language';
  const accessibility = checkText(errors, 'accessibility', draft.accessibility, 0, LONG_TEXT_MAX);
  const how_to_reach = checkText(errors, 'how_to_reach', draft.how_to_reach, 0, LONG_TEXT_MAX);
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      category: draft.category as Category,
      name,
      area_id: Number(draft.district_id || draft.governorate_id),
      languages,
      accessibility,
      how_to_reach,
      active: draft.active,
    },
  };
}

/**
 * The organisations a person may keep: every one for admins; for a
 * coordinator, those of the partners that run their sites (outside
 * organisations are the admins').
 */
export function keptOrganisations(all: Organisation[], admin: boolean, partners: Set<number>): Organisation[] {
  return all.filter((o) => admin || (o.partner_id !== null && partners.has(o.partner_id)));
}

// ---- referral figures

export const GROUPINGS = ['category', 'organisation', 'site', 'district', 'governorate', 'partner', 'month'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface FiguresChoice {
  /** `programme`, or `site:ID`, `district:ID`, `governorate:ID`, `partner:ID` (the referring site's place). */
  scope: string;
  from: string;
  to: string;
  side: 'made' | 'received';
  groupBy: Grouping;
}

/** The API's query for a choice: the period, the side, the grouping and the place. */
export function figuresQuery(c: FiguresChoice): string {
  const query = new URLSearchParams({ from: c.from, to: c.to, side: c.side, group_by: c.groupBy });
  const [kind, id] = c.scope.split(':');
  if (id && ['site', 'district', 'governorate', 'partner'].includes(kind)) query.set(`${kind}_id`, id);
  return query.toString();
}

export interface PersonRow {
  sex: string;
  age_band: string;
  made: number;
  accepted: number;
  completed: number;
  overdue: number;
}

/**
 * The API's person split (sex × age band × disability × displacement)
 * added up to sex × age band, the bands in their order, females first:
 * the same referrals counted once each, so its rows add up to the totals.
 */
export function bySexAndAge(split: ReferralFigures['by_person']): PersonRow[] {
  const rows = new Map<string, PersonRow>();
  for (const p of split) {
    const key = `${p.sex}|${p.age_band}`;
    const row = rows.get(key) ?? { sex: p.sex, age_band: p.age_band, made: 0, accepted: 0, completed: 0, overdue: 0 };
    row.made += p.made;
    row.accepted += p.accepted;
    row.completed += p.completed;
    row.overdue += p.overdue;
    rows.set(key, row);
  }
  const band = (b: string) => (AGE_BANDS as readonly string[]).indexOf(b);
  return [...rows.values()].sort((a, b) => a.sex.localeCompare(b.sex) || band(a.age_band) - band(b.age_band));
}
