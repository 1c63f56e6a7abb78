/**
 * Numbers and dates in the person's language, through Intl. Arabic and
 * Sorani are shown with Arabic-Indic digits (٠١٢٣), as they are read in
 * Iraq and the Kurdistan Region; digits typed either way are accepted.
 */
import type { Language } from '../api/types';

/** The BCP 47 locale used with Intl for each app language. */
export function intlLocale(language: Language): string {
  switch (language) {
    case 'ar':
      return 'ar-IQ-u-nu-arab';
    case 'ckb':
      return 'ckb-IQ-u-nu-arab';
    default:
      return 'en-GB';
  }
}

export function formatNumber(n: number, language: Language): string {
  return new Intl.NumberFormat(intlLocale(language)).format(n);
}

export function formatDateTime(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(intlLocale(language), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
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
