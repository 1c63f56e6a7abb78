/**
 * The place and period choices the figures screens share (the dashboard,
 * the referral figures), named in the person's language.
 */
import type { Area, Site } from '../api/types';
import type { StaffScreenKey } from '../i18n/staff';
import { localName, t } from '../i18n/staff';
import type { PeriodChoice } from './state';

export const PERIOD_LABEL: Record<PeriodChoice, StaffScreenKey> = {
  this_month: 'dash_this_month',
  last_month: 'dash_last_month',
  this_quarter: 'dash_this_quarter',
  last_quarter: 'dash_last_quarter',
  last_6_months: 'dash_last_6_months',
  custom: 'dash_custom',
};

/**
 * Places the user may pick: the programme, (with `partners`) the partners
 * of their sites, the governorates and districts of their sites, each site.
 */
export function placeOptions(sites: Site[], areas: Area[], { partners = false } = {}) {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const governorates = new Map<number, Area>();
  const districts = new Map<number, Area>();
  const partnerNames = new Map<number, string>();
  for (const s of sites) {
    partnerNames.set(s.partner_id, s.partner_name);
    const area = byId.get(s.area_id);
    if (!area) continue;
    if (area.level === 2) {
      districts.set(area.id, area);
      const parent = area.parent_id === null ? undefined : byId.get(area.parent_id);
      if (parent) governorates.set(parent.id, parent);
    } else governorates.set(area.id, area);
  }
  return [
    { value: 'programme', label: t('dash_programme') },
    ...(partners
      ? [...partnerNames].map(([id, name]) => ({ value: `partner:${id}`, label: `${t('partner')}: ${name}` }))
      : []),
    ...[...governorates.values()].map((a) => ({
      value: `governorate:${a.id}`,
      label: `${t('place_governorate')}: ${localName(a)}`,
    })),
    ...[...districts.values()].map((a) => ({
      value: `district:${a.id}`,
      label: `${t('place_district')}: ${localName(a)}`,
    })),
    ...sites.map((s) => ({ value: `site:${s.id}`, label: `${t('table_site')}: ${s.code} ${s.name}` })),
  ];
}
