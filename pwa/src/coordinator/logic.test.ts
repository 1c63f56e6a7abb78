/** The dashboard's pure logic: periods, silent sites, sorting, chart scales, sex and age cells. */
import { describe, expect, it, test } from 'vitest';
import type { SiteRow } from './api';
import { bySexAndAge, niceMax, presetRange, silentSites, sitePlace, sortSites } from './logic';

const today = new Date(Date.UTC(2026, 0, 15));

function site(code: string, last: string | null, activities = 0): SiteRow {
  const totals = {
    activities,
    attendances: 0,
    unique_participants: 0,
    reached_by_head_count: 0,
    reached_with_disability: 0,
    new_participants: 0,
    completed: 0,
    hours: 0,
  };
  return {
    site_id: 1,
    code,
    name: code,
    partner: 'p',
    district: null,
    governorate: 'g',
    active: true,
    last_activity: last,
    totals,
  };
}

describe('dashboard logic', () => {
  test('presets cross year boundaries correctly', () => {
    expect(presetRange('this_month', today)).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(presetRange('last_month', today)).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(presetRange('last_quarter', today)).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(presetRange('last_6_months', today)).toEqual({ from: '2025-08-01', to: '2026-01-31' });
  });

  test('silent sites: never recorded, or not within the last N days', () => {
    const rows = [site('A', '2026-01-14'), site('B', '2025-12-20'), site('C', null), site('D', '2026-01-01')];
    expect(silentSites(rows, 14, today).map((r) => r.code)).toEqual(['C', 'B']);
    expect(silentSites(rows, 30, today).map((r) => r.code)).toEqual(['C']);
  });

  test('sorting by a figure and by code', () => {
    const rows = [site('B', null, 3), site('A', null, 9), site('C', null, 1)];
    expect(sortSites(rows, 'activities', true).map((r) => r.code)).toEqual(['A', 'B', 'C']);
    expect(sortSites(rows, 'code', false).map((r) => r.code)).toEqual(['A', 'B', 'C']);
  });

  test('chart maxima are round', () => {
    expect([niceMax(0), niceMax(7), niceMax(13), niceMax(180), niceMax(5000)]).toEqual([1, 10, 20, 200, 5000]);
  });

  test('sex and age bands sum the unique people of each cell', () => {
    const row = { disability: false, displacement: 'idp', attendances: 0, new_participants: 0, completed: 0 };
    const bands = bySexAndAge([
      { ...row, sex: 'female', age_band: '18-24', unique_participants: 2 },
      { ...row, sex: 'female', age_band: '18-24', disability: true, unique_participants: 1 },
      { ...row, sex: 'male', age_band: '60+', unique_participants: 4 },
    ]);
    expect(bands.find((b) => b.band === '18-24')).toEqual({ band: '18-24', female: 3, male: 0 });
    expect(bands.find((b) => b.band === '60+')).toEqual({ band: '60+', female: 0, male: 4 });
  });
});

describe('place names', () => {
  const row = {
    site_id: 1,
    code: 'DUH-01',
    name: 'Khanke Camp CFS',
    partner: 'Play for Peace',
    district: 'Sumel',
    governorate: 'Duhok',
    district_ar: 'سميل',
    district_ckb: 'سێمێل',
    governorate_ar: 'دهوك',
    governorate_ckb: 'دهۆک',
    active: true,
    last_activity: null,
    totals: {} as SiteRow['totals'],
  } satisfies SiteRow;

  it('are in the reader’s language where the area has a name in it', () => {
    expect(sitePlace(row, 'ckb')).toBe('سێمێل');
    expect(sitePlace(row, 'ar')).toBe('سميل');
    expect(sitePlace(row, 'en')).toBe('Sumel');
    expect(sitePlace({ ...row, district: null, district_ar: null }, 'ar')).toBe('دهوك');
  });

  it('are the Kurdish names in Kurmanji (place names are written the same in both dialects)', () => {
    expect(sitePlace(row, 'kmr')).toBe('سێمێل');
    expect(sitePlace({ ...row, district: null, district_ckb: null }, 'kmr')).toBe('دهۆک');
  });
});
