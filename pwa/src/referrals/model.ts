/**
 * Referrals on the phone (issue 17; the contract is docs/design.md §9): the
 * service directory as pulled, a referral as the phone makes it and as the
 * server answers it, the status machine, and the referral form's rule.
 * Pure: no database, no language, no clock but the `now` given.
 */
import type { Problems } from '../field/drafts';
import { today } from '../field/model';
import { isValidCode, normaliseCode } from '../sync/codes';

export const CATEGORIES = [
  'specialised_mhpss',
  'case_management',
  'gbv_response',
  'child_protection',
  'legal_aid',
  'health',
  'livelihoods',
  'education',
  'shelter',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const URGENCIES = ['routine', 'urgent', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

export type ReferralStatus = 'referred' | 'accepted' | 'declined' | 'service_received' | 'not_reached' | 'closed';

/** A directory entry as pulled (entity `service`). */
export interface ServiceData {
  id: number;
  organisation_id: number;
  organisation_name: string;
  partner_id?: number | null;
  category: Category;
  name: string;
  area_id: number;
  languages: string[];
  accessibility?: string | null;
  how_to_reach?: string | null;
  /** The organisation's contact, when the pull carries it. */
  contact?: string | null;
  organisation_contact?: string | null;
  active?: boolean;
}

/** A referral as the phone sends it (`type: "referral"` in a push). */
export interface ReferralData {
  participant_code: string;
  site_id: number;
  service_id: number;
  referred_on: string;
  urgency: Urgency;
  consent: true;
}

/** A referral as the server answers it (pull entity `referral`, and the received list). */
export interface ReferralView {
  id: string;
  participant: { code: string; sex: string; age_band: string; has_disability: boolean; displacement: string };
  from_site: { id: number; name: string };
  service: { id: number; name: string; category: Category };
  organisation: { id: number; name: string; partner_id?: number | null };
  referred_on: string;
  urgency: Urgency;
  note?: string | null;
  status: ReferralStatus;
  accepted_on?: string | null;
  declined_on?: string | null;
  service_on?: string | null;
  not_reached_on?: string | null;
  closed_on?: string | null;
  overdue: boolean;
  version: number;
}

/** What a referral on this phone holds: what it sent (until the server's view is pulled), or the server's view. */
export type StoredReferral = ReferralData | ReferralView;

export const isServerView = (data: StoredReferral): data is ReferralView => 'status' in data;

/** The steps that may follow `status` (the server refuses any other with 409 `referral_wrong_step`). */
export function nextSteps(status: ReferralStatus): ReferralStatus[] {
  switch (status) {
    case 'referred':
      return ['accepted', 'declined'];
    case 'accepted':
      return ['service_received', 'not_reached'];
    case 'declined':
    case 'service_received':
    case 'not_reached':
      return ['closed'];
    case 'closed':
      return [];
  }
}

/** The referral form as typed. */
export interface ReferralDraft {
  /** Asked first: no consent, no referral. */
  consent: boolean;
  /** The person: her code (canonical), from the phone's copy or typed from her card. */
  code: string;
  site_id: string;
  service_id: string;
  urgency: Urgency | '';
  referred_on: string;
}

export function emptyReferral(code: string, siteId: number | undefined, now = new Date()): ReferralDraft {
  return {
    consent: false,
    code,
    site_id: siteId ? String(siteId) : '',
    service_id: '',
    urgency: 'routine',
    referred_on: today(now),
  };
}

const YEAR_MS = 366 * 86_400_000;

/**
 * The referral to send, or what is wrong: consent first (nothing else is
 * checked without it), a valid code, a site, a service, an urgency, and a
 * date no later than today and no more than a year ago (the server's rule).
 */
export function checkReferral(
  draft: ReferralDraft,
  now = new Date(),
): { ok: true; value: ReferralData } | { ok: false; errors: Problems } {
  if (!draft.consent) return { ok: false, errors: { consent: 'referral_no_consent' } };
  const errors: Problems = {};
  const code = normaliseCode(draft.code);
  if (!isValidCode(code)) errors.person = 'field_one_participant';
  if (!draft.site_id) errors.site = 'field_required';
  if (!draft.service_id) errors.service = 'field_required';
  if (!draft.urgency) errors.urgency = 'field_required';
  const earliest = today(new Date(now.getTime() - YEAR_MS));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.referred_on) || draft.referred_on > today(now) || draft.referred_on < earliest)
    errors.referred_on = 'field_date';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      participant_code: code,
      site_id: Number(draft.site_id),
      service_id: Number(draft.service_id),
      referred_on: draft.referred_on,
      urgency: draft.urgency as Urgency,
      consent: true,
    },
  };
}

/** Services that match a category (all when empty) and a text in their name or organisation. */
export function findServices(services: ServiceData[], category: string, text: string): ServiceData[] {
  const q = text.trim().toLowerCase();
  return services
    .filter((s) => s.active !== false)
    .filter((s) => !category || s.category === category)
    .filter((s) => !q || s.name.toLowerCase().includes(q) || s.organisation_name.toLowerCase().includes(q))
    .sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
}

/** Which list a referral is shown in: made from my sites, or addressed to my organisation. */
export type Side = 'made' | 'received';

/**
 * The steps the person may take on a referral from the list of `side`
 * (the server's rule, docs/design.md §9): the receiving organisation
 * answers; for an outside organisation, which has nobody in Sijil, the
 * referring side records the answers it hears; either side closes.
 */
export function stepsFrom(side: Side, r: Pick<ReferralView, 'status' | 'organisation'>): ReferralStatus[] {
  const next = nextSteps(r.status);
  if (side === 'received' || isOutside(r)) return next;
  return next.filter((s) => s === 'closed');
}

/** An organisation that is not a partner of the programme. */
export const isOutside = (r: Pick<ReferralView, 'organisation'>) => r.organisation.partner_id == null;

/** The list after one more page: the older page's referrals after those shown, each once. */
export function appendPage(shown: ReferralView[], page: ReferralView[]): ReferralView[] {
  const ids = new Set(shown.map((r) => r.id));
  return [...shown, ...page.filter((r) => !ids.has(r.id))];
}

/** The list with one referral as it now stands, in its place. */
export function replaceReferral(shown: ReferralView[], changed: ReferralView): ReferralView[] {
  return shown.map((r) => (r.id === changed.id ? changed : r));
}
