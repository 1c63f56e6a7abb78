/**
 * The staff endpoints of referrals (docs/design.md §9): keeping the service
 * directory, and the referral figures with their exports.
 */
import { request } from '../../api/client';
import type { Category } from '../model';

/** An organisation of the directory (`partner_id` null: outside the programme). */
export interface Organisation {
  id: number;
  name: string;
  partner_id: number | null;
  contact: string | null;
  active: boolean;
}

export interface OrganisationInput {
  name?: string;
  partner_id?: number | null;
  contact?: string;
  active?: boolean;
}

/** A service as the directory's API answers it. */
export interface DirectoryService {
  id: number;
  organisation_id: number;
  organisation_name: string;
  partner_id: number | null;
  category: Category;
  name: string;
  area_id: number;
  languages: string[];
  accessibility: string | null;
  how_to_reach: string | null;
  /** It and its organisation take referrals. */
  active: boolean;
}

export interface ServiceInput {
  organisation_id?: number;
  category?: Category;
  name?: string;
  area_id?: number;
  languages?: string[];
  accessibility?: string;
  how_to_reach?: string;
  active?: boolean;
}

export const listOrganisations = () => request<Organisation[]>('GET', '/directory/organisations');
export const createOrganisation = (o: OrganisationInput) =>
  request<Organisation>('POST', '/directory/organisations', o);
export const updateOrganisation = (id: number, o: OrganisationInput) =>
  request<Organisation>('PATCH', `/directory/organisations/${id}`, o);
export const listDirectoryServices = () => request<DirectoryService[]>('GET', '/directory/services');
export const createService = (s: ServiceInput) => request<DirectoryService>('POST', '/directory/services', s);
export const updateService = (id: number, s: ServiceInput) =>
  request<DirectoryService>('PATCH', `/directory/services/${id}`, s);

/** The counts each group of the referral figures carries (the API's definitions). */
export interface ReferralCounts {
  made: number;
  accepted: number;
  declined: number;
  completed: number;
  overdue: number;
  median_days_to_acceptance: number | null;
  median_days_to_service: number | null;
}

export interface ReferralFigures {
  period: { from: string; to: string };
  side: 'made' | 'received';
  group_by: string | null;
  overdue_days: number;
  totals: ReferralCounts;
  groups: (ReferralCounts & { key: string; label: string; pcode?: string })[];
  by_person: {
    sex: string;
    age_band: string;
    has_disability: boolean;
    displacement: string;
    made: number;
    accepted: number;
    completed: number;
    overdue: number;
  }[];
}

export const referralFigures = (query: string) => request<ReferralFigures>('GET', `/referrals/figures?${query}`);
/** Where the browser downloads an export of the same figures (audited by the server). */
export const referralExportUrl = (query: string, format: 'csv' | 'xlsx', table: 'groups' | 'person', hxl: boolean) =>
  `/api/referrals/figures/export?${query}&${new URLSearchParams({ format, table, ...(hxl ? { hxl: 'true' } : {}) })}`;
