/**
 * Numbers and dates in the person's language. Arabic, Sorani and Kurmanji
 * are shown with Arabic-Indic digits (٠١٢٣), as they are read in Iraq and
 * the Kurdistan Region (Duhok included); digits typed either way are accepted.
 *
 * Why our own code for the right-to-left languages: Chromium ships a
 * trimmed ICU without Sorani data, so `Intl` there falls back to English
 * ("2 Dec 2026", Latin digits, "Jul 26" on chart axes) although Node's full
 * ICU formats Sorani well and the unit tests passed. Kurmanji is worse:
 * `kmr` has no ICU data of its own, and Node's ICU maps it to `ku`, Kurmanji
 * as written in Turkey, in the Latin alphabet ("berfanbar"), which is not
 * how Duhok writes. So for the three right-to-left languages the digits,
 * month names and separators come from the tables below, identical in
 * every browser; English keeps `Intl` (en-GB).
 *
 * A year is written without a group separator: "2026", never "2,026".
 */
import type { Language } from '../api/types';

/** The BCP 47 locale used with Intl for each app language (plural rules; English formatting). */
export function intlLocale(language: Language): string {
  switch (language) {
    case 'ar':
      return 'ar-IQ-u-nu-arab';
    case 'ckb':
      return 'ckb-IQ-u-nu-arab';
    case 'kmr':
      // Used for plural rules only (one/other, as in every ICU's fallback).
      return 'kmr-Arab-IQ-u-nu-arab';
    default:
      return 'en-GB';
  }
}

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/**
 * The document's `lang`: Kurmanji's default script is Latin, so the tag
 * names the Arabic script (screen readers, fonts, hyphenation).
 */
export function htmlLang(language: Language): string {
  return language === 'kmr' ? 'kmr-Arab' : language;
}

/**
 * Which of the names the server keeps in three languages (areas:
 * `name_en/ar/ckb`, activity types: `label_…`) a language shows. Kurmanji
 * shows the Kurdish ones: place names are written the same in both
 * dialects in the Arabic-based alphabet ("دهۆک", "سێمێل"), and a Kurdish
 * label is nearer to a Badini reader than the English one.
 */
export function namesIn(language: Language): 'en' | 'ar' | 'ckb' {
  return language === 'kmr' ? 'ckb' : language;
}

type RtlLanguage = 'ar' | 'ckb' | 'kmr';

/**
 * The Iraqi month names, January first: the Syriac-origin names Arabic and
 * Sorani use in Iraq, and the Badini names as written in Duhok (کانوونا
 * دووێ…, with the Kurdish Gulan, Tîrmeh and Tebax for May, July and August).
 */
const MONTHS: Record<RtlLanguage, readonly string[]> = {
  ar: [
    'كانون الثاني',
    'شباط',
    'آذار',
    'نيسان',
    'أيار',
    'حزيران',
    'تموز',
    'آب',
    'أيلول',
    'تشرين الأول',
    'تشرين الثاني',
    'كانون الأول',
  ],
  ckb: [
    'کانوونی دووەم',
    'شوبات',
    'ئازار',
    'نیسان',
    'ئایار',
    'حوزەیران',
    'تەمموز',
    'ئاب',
    'ئەیلوول',
    'تشرینی یەکەم',
    'تشرینی دووەم',
    'کانوونی یەکەم',
  ],
  kmr: [
    'کانوونا دووێ',
    'شوبات',
    'ئادار',
    'نیسان',
    'گولان',
    'حەزیران',
    'تیرمەه',
    'تەباخ',
    'ئەیلوول',
    'چریا ئێکێ',
    'چریا دووێ',
    'کانوونا ئێکێ',
  ],
};

const isRtlLanguage = (language: Language): language is RtlLanguage =>
  language === 'ar' || language === 'ckb' || language === 'kmr';

/** Western digits (and `,` `.` separators) in `text` written the language's way. */
export function localDigits(text: string, language: Language): string {
  if (!isRtlLanguage(language)) return text;
  return text.replace(/[0-9.,]/g, (c) => (c === ',' ? '٬' : c === '.' ? '٫' : ARABIC_INDIC[Number(c)]));
}

/** A number, grouped by thousands, in the language's digits (a year: {@link formatYear}). */
export function formatNumber(n: number, language: Language): string {
  if (!isRtlLanguage(language)) return new Intl.NumberFormat(intlLocale(language)).format(n);
  return localDigits(new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 }).format(n), language);
}

/** A year, never grouped ("2026"). */
export function formatYear(year: number, language: Language): string {
  return localDigits(String(year), language);
}

/** The name of month `m` (1–12) in Arabic, Sorani or Kurmanji; English through Intl. */
export function monthName(m: number, language: Language, short = false): string {
  if (isRtlLanguage(language)) return MONTHS[language][m - 1] ?? String(m);
  return new Intl.DateTimeFormat('en-GB', { month: short ? 'short' : 'long', timeZone: 'UTC' }).format(
    Date.UTC(2000, m - 1, 1),
  );
}

/** A calendar day "2 December 2026" (short: "2 Dec 2026" in English; the right-to-left languages have no short month names). */
export function formatCalendarDay(year: number, month: number, day: number, language: Language, short = true): string {
  if (isRtlLanguage(language))
    return `${localDigits(String(day), language)} ${monthName(month, language)} ${formatYear(year, language)}`;
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: short ? 'short' : 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(year, month - 1, day));
}

/** A month "November 2026"; short for chart axes ("Nov 26" in English, the month name alone otherwise, with the year's last two digits). */
export function formatCalendarMonth(year: number, month: number, language: Language, short = false): string {
  // On a chart axis, Arabic, Sorani and Kurmanji show the month alone: their names have no short forms,
  // and the bar's title carries the full month and year.
  if (isRtlLanguage(language))
    return short ? monthName(month, language) : `${monthName(month, language)} ${formatYear(year, language)}`;
  return new Intl.DateTimeFormat('en-GB', {
    month: short ? 'short' : 'long',
    year: short ? '2-digit' : 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(year, month - 1, 1));
}

/**
 * What a native date or month input holds ("2026-12-02", "2026-12"), written
 * in the language shown: the input itself shows the browser's locale, not
 * the app's, so forms print this beside it. Null when not a whole date.
 */
export function formatInputDate(value: string, language: Language): string | null {
  const day = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (month < 1 || month > 12 || date < 1 || date > 31) return null;
    return formatCalendarDay(year, month, date, language, false);
  }
  const month = value.match(/^(\d{4})-(\d{2})$/);
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12)
    return formatCalendarMonth(Number(month[1]), Number(month[2]), language);
  return null;
}

/** A moment on the phone's clock: its day and its time (24-hour). */
export function formatDateTime(date: Date, language: Language): string {
  if (isRtlLanguage(language)) {
    const hh = String(date.getHours()).padStart(2, '0');
    const mm = String(date.getMinutes()).padStart(2, '0');
    const day = formatCalendarDay(date.getFullYear(), date.getMonth() + 1, date.getDate(), language);
    return `${day}، ${localDigits(`${hh}:${mm}`, language)}`;
  }
  return new Intl.DateTimeFormat(intlLocale(language), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Between the parts of a line ("CFS day · 3 Dec 2026"): "·" is read as a zero beside Arabic-Indic digits, so RTL uses the Arabic comma. */
export function listSeparator(language: Language): string {
  return isRtlLanguage(language) ? '، ' : ' · ';
}

/** Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹) digits to 0–9, Arabic decimal separator to '.'. */
export function westernDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
    .replace(/,/g, '.');
}

/** A typed decimal number in any of the app's scripts; null when empty, NaN when not a number. */
export function parseDecimal(text: string): number | null {
  const trimmed = westernDigits(text.trim());
  if (trimmed === '') return null;
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
}
