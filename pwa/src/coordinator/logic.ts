/**
 * The dashboard's plain logic: period presets, silent sites, sorting,
 * chart scales. No DOM, so it is unit-tested.
 */
import type { Language } from '../api/types';
import { formatCalendarDay, formatCalendarMonth, namesIn } from '../i18n/format';
import type { FiguresAnswer, SiteRow, SplitRow, Totals } from './api';

export type Preset = 'this_month' | 'last_month' | 'this_quarter' | 'last_quarter' | 'last_6_months';
export const PRESETS: readonly Preset[] = ['this_month', 'last_month', 'this_quarter', 'last_quarter', 'last_6_months'];

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, day: number) => new Date(Date.UTC(y, m, day));

/** The first and last day of a preset period, counted from `today` (UTC, as the server counts). */
export function presetRange(preset: Preset, today: Date): { from: string; to: string } {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const q = Math.floor(m / 3) * 3;
  switch (preset) {
    case 'this_month':
      return { from: iso(utc(y, m, 1)), to: iso(utc(y, m + 1, 0)) };
    case 'last_month':
      return { from: iso(utc(y, m - 1, 1)), to: iso(utc(y, m, 0)) };
    case 'this_quarter':
      return { from: iso(utc(y, q, 1)), to: iso(utc(y, q + 3, 0)) };
    case 'last_quarter':
      return { from: iso(utc(y, q - 3, 1)), to: iso(utc(y, q, 0)) };
    case 'last_6_months':
      return { from: iso(utc(y, m - 5, 1)), to: iso(utc(y, m + 1, 0)) };
  }
}

/** Sites with no record in the last `days` days (or never), oldest silence first. */
export function silentSites(rows: SiteRow[], days: number, today: Date): SiteRow[] {
  const cutoff = iso(new Date(today.getTime() - days * 86_400_000));
  return rows
    .filter((r) => r.active && (r.last_activity === null || r.last_activity < cutoff))
    .sort((a, b) => (a.last_activity ?? '').localeCompare(b.last_activity ?? '') || a.code.localeCompare(b.code));
}

export type SortKey = 'code' | 'activities' | 'unique_participants' | 'attendances' | 'last_activity';

export function sortSites(rows: SiteRow[], key: SortKey, descending: boolean): SiteRow[] {
  const value = (r: SiteRow): string | number =>
    key === 'code' ? r.code : key === 'last_activity' ? (r.last_activity ?? '') : r.totals[key];
  const sorted = [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  });
  return descending ? sorted.reverse() : sorted;
}

/** A round maximum for a chart axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((f) => f * power).find((v) => v >= max) ?? 10 * power;
}

export const AGE_BANDS = ['0-5', '6-11', '12-17', '18-24', '25-59', '60+'] as const;

/** Unique people per age band and sex, from the split rows. */
export function bySexAndAge(split: SplitRow[]): { band: string; female: number; male: number }[] {
  return AGE_BANDS.map((band) => ({
    band,
    female: split
      .filter((r) => r.age_band === band && r.sex === 'female')
      .reduce((n, r) => n + r.unique_participants, 0),
    male: split.filter((r) => r.age_band === band && r.sex === 'male').reduce((n, r) => n + r.unique_participants, 0),
  }));
}

/** Head counts per age band and sex (awareness events), kept apart from unique people. */
export function reachedBySexAndAge(
  reached: FiguresAnswer['figures']['reached'],
): { band: string; female: number; male: number }[] {
  return AGE_BANDS.map((band) => ({
    band,
    female: reached.filter((r) => r.age_band === band && r.sex === 'female').reduce((n, r) => n + r.count, 0),
    male: reached.filter((r) => r.age_band === band && r.sex === 'male').reduce((n, r) => n + r.count, 0),
  }));
}

export const DISPLACEMENTS = ['host', 'idp', 'refugee', 'returnee'] as const;

/**
 * Unique people of one scope by disability and by displacement status. Each
 * person sits in exactly one cell of the split, so the cells of one answer add
 * up; answers of different places are never added.
 */
export function byDisabilityAndDisplacement(split: SplitRow[]): {
  disability: { yes: number; no: number };
  displacement: { status: string; count: number }[];
} {
  const sum = (rows: SplitRow[]) => rows.reduce((n, r) => n + r.unique_participants, 0);
  const known = new Set<string>(DISPLACEMENTS);
  const others = [...new Set(split.map((r) => r.displacement).filter((d) => !known.has(d)))].sort();
  return {
    disability: { yes: sum(split.filter((r) => r.disability)), no: sum(split.filter((r) => !r.disability)) },
    displacement: [...DISPLACEMENTS, ...others].map((status) => ({
      status,
      count: sum(split.filter((r) => r.displacement === status)),
    })),
  };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD. */
export function isDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const d = utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return iso(d) === text;
}

/** A month written YYYY-MM. */
export function isMonth(text: string): boolean {
  const m = MONTH.exec(text);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** A custom range is usable when both ends are days and it does not run backwards. */
export function validRange(from: string, to: string): boolean {
  return isDay(from) && isDay(to) && from <= to;
}

/** The first and last day of a month `YYYY-MM`. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  return { from: iso(utc(y, m - 1, 1)), to: iso(utc(y, m, 0)) };
}

/** The `n` months up to and including the current one, newest first (YYYY-MM). */
export function recentMonths(today: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => iso(utc(today.getUTCFullYear(), today.getUTCMonth() - i, 1)).slice(0, 7));
}

/** Every month a range touches (YYYY-MM), so months with nothing recorded still show as empty. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number);
  const last = to.slice(0, 7);
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > last) break;
    out.push(key);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** The ISO 8601 week of a day, as the server labels it: 2026-W40. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(d.getTime() + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Every ISO week a range touches. */
export function weeksBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = new Date(`${to}T00:00:00Z`).getTime();
  for (let t = new Date(`${from}T00:00:00Z`).getTime(); t <= end; t += 86_400_000) {
    const week = isoWeek(iso(new Date(t)));
    if (out[out.length - 1] !== week) out.push(week);
  }
  return out;
}

export const ZERO: Totals = {
  activities: 0,
  attendances: 0,
  unique_participants: 0,
  reached_by_head_count: 0,
  reached_with_disability: 0,
  new_participants: 0,
  completed: 0,
  hours: 0,
};

/** The server's groups laid on every expected key, in order; missing keys are empty (zero), unknown keys are kept at the end. */
export function fillSeries(groups: FiguresAnswer['groups'], keys: string[]): { key: string; totals: Totals }[] {
  const byKey = new Map(groups.map((g) => [g.key ?? '', g.totals]));
  const known = new Set(keys);
  return [
    ...keys.map((key) => ({ key, totals: byKey.get(key) ?? ZERO })),
    ...groups.filter((g) => !known.has(g.key ?? '')).map((g) => ({ key: g.key ?? '', totals: g.totals })),
  ];
}

/** Achieved as a share of the target, 0–1 for drawing (an overshoot is a full bar), and the percent to show. */
export function targetShare(achieved: number, value: number): { share: number; percent: number } {
  if (value <= 0) return { share: achieved > 0 ? 1 : 0, percent: 0 };
  const ratio = achieved / value;
  return { share: Math.max(0, Math.min(1, ratio)), percent: Math.round(ratio * 100) };
}

/** Where a site is (its district, else its governorate), named in the person's language. */
export function sitePlace(row: SiteRow, lang: Language): string {
  const names = namesIn(lang);
  if (names === 'ar') return (row.district ? row.district_ar : row.governorate_ar) ?? row.district ?? row.governorate;
  if (names === 'ckb')
    return (row.district ? row.district_ckb : row.governorate_ckb) ?? row.district ?? row.governorate;
  return row.district ?? row.governorate;
}

/** A day (YYYY-MM-DD) in the person's language; the day is read as a calendar day, not shifted by time zones. */
export function formatDay(day: string, lang: Language): string {
  if (!isDay(day)) return day;
  const [y, m, d] = day.split('-').map(Number);
  return formatCalendarDay(y, m, d, lang);
}

/** A month (YYYY-MM), long ("November 2026") or short for chart axes ("Nov 26"). */
export function formatMonth(month: string, lang: Language, short = false): string {
  if (!isMonth(month)) return month;
  const [y, m] = month.split('-').map(Number);
  return formatCalendarMonth(y, m, lang, short);
}
