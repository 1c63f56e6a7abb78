/** The admin forms' rules: sites, districts and users, checked before the server is asked. */
import { describe, expect, it } from 'vitest';
import type { Area, Site } from '../api/types';
import {
  checkDistrict,
  checkNewUser,
  checkPasswordReset,
  checkSite,
  checkUserChanges,
  EMPTY_SITE,
  EMPTY_USER,
  siteDraftFrom,
} from './drafts';

const complete = {
  ...EMPTY_SITE,
  code: 'mos-wc-01',
  name: ' West Mosul women’s centre ',
  kind: 'womens_centre' as const,
  partner_id: '3',
  governorate_id: '15',
};

describe('site form', () => {
  it('turns a complete form into the API body, code upper-cased, placed in the governorate', () => {
    const checked = checkSite(complete);
    expect(checked).toEqual({
      ok: true,
      value: {
        code: 'MOS-WC-01',
        name: 'West Mosul women’s centre',
        kind: 'womens_centre',
        partner_id: 3,
        area_id: 15,
        active: true,
      },
    });
  });

  it('places the site in its district when one is chosen', () => {
    const checked = checkSite({ ...complete, district_id: '101' });
    expect(checked.ok && checked.value.area_id).toBe(101);
  });

  it('names every missing field', () => {
    const checked = checkSite(EMPTY_SITE);
    expect(checked.ok).toBe(false);
    if (!checked.ok)
      expect(Object.keys(checked.errors).sort()).toEqual(['code', 'governorate_id', 'kind', 'name', 'partner_id']);
  });

  it('refuses codes with spaces and coordinates given by half', () => {
    const checked = checkSite({ ...complete, code: 'MOS WC', latitude: '36.3' });
    expect(checked).toEqual({ ok: false, errors: { code: 'field_code', latitude: 'field_coordinates_both' } });
  });

  it('reads coordinates typed with Arabic-Indic digits', () => {
    const checked = checkSite({ ...complete, latitude: '٣٦٫٣٣', longitude: '٤٣٫١' });
    expect(checked.ok && [checked.value.latitude, checked.value.longitude]).toEqual([36.33, 43.1]);
  });

  it('opens an existing site in a district with its governorate chosen', () => {
    const areas: Area[] = [
      {
        id: 15,
        level: 1,
        parent_id: null,
        pcode: 'IQG15',
        iso_code: 'IQ-NI',
        name_en: 'Ninewa',
        name_ar: 'نينوى',
        name_ckb: 'نەینەوا',
      },
      {
        id: 101,
        level: 2,
        parent_id: 15,
        pcode: 'IQD1501',
        iso_code: null,
        name_en: 'Mosul',
        name_ar: 'الموصل',
        name_ckb: 'موسڵ',
      },
    ];
    const site = {
      id: 9,
      code: 'MOS-WC-01',
      name: 'W',
      kind: 'womens_centre',
      partner_id: 3,
      area_id: 101,
      latitude: null,
      longitude: null,
      active: true,
    } as Site;
    expect(siteDraftFrom(site, areas)).toMatchObject({ governorate_id: '15', district_id: '101', latitude: '' });
  });
});

describe('district form', () => {
  it('needs a P-code and the three names', () => {
    expect(checkDistrict({ pcode: 'iqd1501', name_en: 'Mosul', name_ar: 'الموصل', name_ckb: 'موسڵ' }, '15')).toEqual({
      ok: true,
      value: { level: 2, parent_id: 15, pcode: 'IQD1501', name_en: 'Mosul', name_ar: 'الموصل', name_ckb: 'موسڵ' },
    });
    const missing = checkDistrict({ pcode: '', name_en: 'Mosul', name_ar: '', name_ckb: '' }, '15');
    expect(!missing.ok && Object.keys(missing.errors).sort()).toEqual(['name_ar', 'name_ckb', 'pcode']);
  });
});

describe('user form', () => {
  const amal = {
    ...EMPTY_USER,
    login: ' Amal.K ',
    display_name: 'Amal K',
    password: 'long enough pw',
    site_ids: [4, 2],
  };

  it('makes a trainer with their sites, login lower-cased', () => {
    expect(checkNewUser(amal)).toEqual({
      ok: true,
      value: {
        login: 'amal.k',
        display_name: 'Amal K',
        role: 'trainer',
        language: 'en',
        password: 'long enough pw',
        all_sites: false,
        site_ids: [2, 4],
      },
    });
  });

  it('never gives a field role every site', () => {
    const checked = checkNewUser({ ...amal, all_sites: true });
    expect(checked.ok && checked.value.all_sites).toBe(false);
  });

  it('gives admins every site and coordinators when ticked', () => {
    const admin = checkUserChanges({ ...amal, role: 'admin' });
    expect(admin.ok && [admin.value.all_sites, admin.value.site_ids]).toEqual([true, []]);
    const coordinator = checkUserChanges({ ...amal, role: 'coordinator', all_sites: true });
    expect(coordinator.ok && coordinator.value.all_sites).toBe(true);
  });

  it('refuses short passwords and odd logins like the server does', () => {
    expect(checkNewUser({ ...amal, login: 'a b', password: 'short' })).toEqual({
      ok: false,
      errors: { login: 'field_login', password: 'field_password' },
    });
    expect(checkPasswordReset('123456789').ok).toBe(false);
    expect(checkPasswordReset('1234567890').ok).toBe(true);
  });
});
