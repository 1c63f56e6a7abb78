import { describe, expect, it } from 'vitest';
import type { Area } from '../../api/types';
import type { ReferralFigures } from './api';
import {
  bySexAndAge,
  checkOrganisation,
  checkService,
  EMPTY_ORGANISATION,
  EMPTY_SERVICE,
  figuresQuery,
  keptOrganisations,
  serviceDraftFrom,
} from './drafts';

describe('organisation form', () => {
  it('asks for a name of 2 to 120 characters and, from a coordinator, their partner', () => {
    expect(checkOrganisation(EMPTY_ORGANISATION, false)).toEqual({
      ok: false,
      errors: { name: 'field_required', partner_id: 'field_required' },
    });
    expect(checkOrganisation({ ...EMPTY_ORGANISATION, name: 'X' }, true)).toEqual({
      ok: false,
      errors: { name: { key: 'field_length', params: { min: 2, max: 120 } } },
    });
    expect(checkOrganisation({ ...EMPTY_ORGANISATION, name: 'x'.repeat(121) }, true).ok).toBe(false);
    expect(checkOrganisation({ ...EMPTY_ORGANISATION, name: 'Clinic', contact: 'c'.repeat(301) }, true)).toMatchObject({
      ok: false,
      errors: { contact: { key: 'field_length' } },
    });
  });

  it('sends an outside organisation (admins) with a null partner, and trims', () => {
    expect(checkOrganisation({ ...EMPTY_ORGANISATION, name: '  Dohuk clinic ', contact: ' 0750 ' }, true)).toEqual({
      ok: true,
      value: { name: 'Dohuk clinic', partner_id: null, contact: '0750', active: true },
    });
    expect(checkOrganisation({ ...EMPTY_ORGANISATION, name: 'Ours', partner_id: '4' }, false)).toMatchObject({
      ok: true,
      value: { partner_id: 4 },
    });
  });

  it('lets a coordinator keep only their partners’ organisations, admins all', () => {
    const orgs = [
      { id: 1, name: 'A', partner_id: 2, contact: null, active: true },
      { id: 2, name: 'B', partner_id: 3, contact: null, active: true },
      { id: 3, name: 'Outside', partner_id: null, contact: null, active: true },
    ];
    expect(keptOrganisations(orgs, false, new Set([2])).map((o) => o.id)).toEqual([1]);
    expect(keptOrganisations(orgs, true, new Set()).map((o) => o.id)).toEqual([1, 2, 3]);
  });
});

describe('service form', () => {
  it('shows every problem at once, each at its field', () => {
    expect(checkService(EMPTY_SERVICE)).toEqual({
      ok: false,
      errors: {
        category: 'field_required',
        name: 'field_required',
        area_id: 'field_required',
        languages: 'field_tick_language',
      },
    });
  });

  it('sends the district when one is chosen, else the governorate, and the languages in the server’s order', () => {
    const draft = {
      ...EMPTY_SERVICE,
      category: 'legal_aid' as const,
      name: 'Legal desk',
      governorate_id: '15',
      languages: ['en', 'ar', 'fr'],
    };
    expect(checkService(draft)).toEqual({
      ok: true,
      value: {
        category: 'legal_aid',
        name: 'Legal desk',
        area_id: 15,
        languages: ['ar', 'en'],
        accessibility: '',
        how_to_reach: '',
        active: true,
      },
    });
    expect(checkService({ ...draft, district_id: '120' })).toMatchObject({ ok: true, value: { area_id: 120 } });
  });

  it('opens a service of a district with its governorate chosen', () => {
    const areas = [
      { id: 15, level: 1, parent_id: null },
      { id: 120, level: 2, parent_id: 15 },
    ] as Area[];
    const service = {
      id: 1,
      organisation_id: 1,
      organisation_name: 'A',
      partner_id: null,
      category: 'health' as const,
      name: 'Clinic',
      area_id: 120,
      languages: ['ar'],
      accessibility: null,
      how_to_reach: null,
      active: true,
    };
    expect(serviceDraftFrom(service, areas)).toMatchObject({ governorate_id: '15', district_id: '120' });
    expect(serviceDraftFrom({ ...service, area_id: 15 }, areas)).toMatchObject({
      governorate_id: '15',
      district_id: '',
    });
  });
});

describe('referral figures', () => {
  it('asks the API for the period, side, grouping and the referring place', () => {
    const base = { from: '2026-10-01', to: '2026-12-31', side: 'made' as const, groupBy: 'category' as const };
    expect(figuresQuery({ ...base, scope: 'programme' })).toBe(
      'from=2026-10-01&to=2026-12-31&side=made&group_by=category',
    );
    expect(figuresQuery({ ...base, scope: 'district:120', side: 'received' })).toBe(
      'from=2026-10-01&to=2026-12-31&side=received&group_by=category&district_id=120',
    );
  });

  it('adds the person split up to sex × age band, each referral once', () => {
    const p = (sex: string, age_band: string, has_disability: boolean, made: number) => ({
      sex,
      age_band,
      has_disability,
      displacement: 'idp',
      made,
      accepted: made,
      completed: 0,
      overdue: 1,
    });
    const split: ReferralFigures['by_person'] = [
      p('male', '6-11', false, 1),
      p('female', '18-24', false, 2),
      p('female', '18-24', true, 1),
      p('female', '6-11', false, 1),
    ];
    expect(bySexAndAge(split)).toEqual([
      { sex: 'female', age_band: '6-11', made: 1, accepted: 1, completed: 0, overdue: 1 },
      { sex: 'female', age_band: '18-24', made: 3, accepted: 3, completed: 0, overdue: 2 },
      { sex: 'male', age_band: '6-11', made: 1, accepted: 1, completed: 0, overdue: 1 },
    ]);
  });
});
