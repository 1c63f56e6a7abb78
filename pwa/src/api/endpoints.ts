/** The server's API, one function per call, so screens never build URLs. */
import type { ReferralStatus, ReferralView } from '../referrals/model';
import { request } from './client';
import type {
  Area,
  CodeLookup,
  FoundParticipant,
  Language,
  Me,
  NewDistrict,
  NewUser,
  Partner,
  Site,
  SiteInput,
  UserChanges,
  UserView,
} from './types';

export const login = (login: string, password: string) => request<Me>('POST', '/auth/login', { login, password });
export const logout = () => request<void>('POST', '/auth/logout');
export const fetchMe = () => request<Me>('GET', '/me');
export const saveLanguage = (language: Language) => request<Me>('PATCH', '/me', { language });

export const listSites = () => request<Site[]>('GET', '/sites');
export const getSite = (id: number) => request<Site>('GET', `/sites/${id}`);
export const createSite = (site: SiteInput) => request<Site>('POST', '/sites', site);
export const updateSite = (id: number, changes: SiteInput) => request<Site>('PATCH', `/sites/${id}`, changes);

export const listPartners = () => request<Partner[]>('GET', '/partners');
export const createPartner = (name: string) => request<Partner>('POST', '/partners', { name });

export const listAreas = () => request<Area[]>('GET', '/areas');
export const createDistrict = (district: NewDistrict) => request<Area>('POST', '/areas', district);

export const listUsers = () => request<UserView[]>('GET', '/users');
export const getUser = (id: number) => request<UserView>('GET', `/users/${id}`);
export const createUser = (user: NewUser) => request<UserView>('POST', '/users', user);
export const updateUser = (id: number, changes: UserChanges) => request<UserView>('PATCH', `/users/${id}`, changes);
export const setUserPassword = (id: number, password: string) =>
  request<void>('POST', `/users/${id}/password`, { password });

export const searchParticipants = (q: string) =>
  request<FoundParticipant[]>('GET', `/participants?q=${encodeURIComponent(q)}`);

/** Who holds a participant code, anywhere in the programme (issue 10): no name, no birth year. */
export const lookupParticipantCode = (code: string) =>
  request<CodeLookup>('GET', `/participants/code/${encodeURIComponent(code)}`);
// Shared and lost phones (issue 11): this device's recovery key, and remote wipe.
export interface DeviceKey {
  device_id: string;
  /** 64 hex characters; held in memory only, never stored on the phone. */
  key: string;
  wipe: boolean;
}
export const deviceKey = (device_id: string) => request<DeviceKey>('POST', '/devices/key', { device_id });
export const deviceStatus = (device_id: string) =>
  request<{ wipe: boolean; keep_records_days: number }>('POST', '/devices/status', { device_id });
export const deviceWiped = (device_id: string) => request<void>('POST', '/devices/wiped', { device_id });
/** A device as admins see it (never its key). */
export interface DeviceView {
  id: string;
  created_at: number;
  last_seen_at: number;
  wipe_requested_at: number | null;
  wiped_at: number | null;
}
export const listUserDevices = (userId: number) => request<DeviceView[]>('GET', `/users/${userId}/devices`);
export const wipeUserDevices = (userId: number) =>
  request<{ devices: number }>('POST', `/users/${userId}/devices/wipe`);

// ---- Referrals (issue 17; docs/design.md §9)

/**
 * One page of the referrals made from my sites (`made`) or addressed to my
 * partners (`received`), newest first; `before` is the previous page's
 * `next_before` (absent on the last page). Each page read is audited.
 */
export const listReferrals = (side: 'made' | 'received', page: { before?: string; limit?: number } = {}) => {
  const query = new URLSearchParams({ side });
  if (page.limit) query.set('limit', String(page.limit));
  if (page.before) query.set('before', page.before);
  return request<{ referrals: ReferralView[]; next_before?: string | null }>('GET', `/referrals?${query}`);
};
/** One referral, as it stands now (audited as a read). */
export const getReferral = (id: string) => request<ReferralView>('GET', `/referrals/${encodeURIComponent(id)}`);
/** Moves a referral one step, based on the version shown (409 when it moved meanwhile or the step does not follow). */
export const moveReferral = (id: string, status: ReferralStatus, on: string, version: number) =>
  request<ReferralView>('POST', `/referrals/${encodeURIComponent(id)}/status`, { status, on, version });
