/** Numbers and dates in each language, and numbers typed in any script. */
import { describe, expect, it } from 'vitest';
import {
  formatCalendarDay,
  formatCalendarMonth,
  formatDateTime,
  formatInputDate,
  formatNumber,
  formatYear,
  listSeparator,
  localDigits,
  parseDecimal,
  westernDigits,
} from './format';

describe('numbers', () => {
  it('are written with Arabic-Indic digits in Arabic and Sorani', () => {
    expect(formatNumber(1234, 'en')).toBe('1,234');
    expect(formatNumber(1234, 'ar')).toBe('١٬٢٣٤');
    expect(formatNumber(1234, 'ckb')).toMatch(/^١.?٢٣٤$/);
  });

  it('typed in any script read back the same', () => {
    expect(westernDigits('٣٦٫٣٣')).toBe('36.33');
    expect(westernDigits('۴۳.۱')).toBe('43.1');
    expect(parseDecimal(' ٣٦٫٣٣ ')).toBe(36.33);
    expect(parseDecimal('43,1')).toBe(43.1);
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('12a')).toBeNaN();
    expect(parseDecimal('-1.5')).toBe(-1.5);
  });
});

describe('dates', () => {
  it('are formatted for the language', () => {
    const date = new Date(Date.UTC(2026, 2, 21, 9, 30));
    expect(formatDateTime(date, 'en')).toContain('2026');
    expect(formatDateTime(date, 'ar')).toContain('٢٠٢٦');
  });
});

describe('our own formatting for Arabic, Sorani and Kurmanji (Chromium has no Sorani or Kurmanji data)', () => {
  it('writes days with Iraqi month names and Arabic-Indic digits, whatever the ICU', () => {
    expect(formatCalendarDay(2026, 12, 2, 'ckb')).toBe('٢ کانوونی یەکەم ٢٠٢٦');
    expect(formatCalendarDay(2026, 7, 14, 'ar')).toBe('١٤ تموز ٢٠٢٦');
    expect(formatCalendarDay(2026, 12, 2, 'en')).toBe('2 Dec 2026');
    // Badini month names in the Arabic-based alphabet, not the Latin "berfanbar" Node's ICU gives for `kmr`.
    expect(formatCalendarDay(2026, 12, 2, 'kmr')).toBe('٢ کانوونا ئێکێ ٢٠٢٦');
    expect(formatCalendarDay(2026, 5, 1, 'kmr')).toBe('١ گولان ٢٠٢٦');
  });

  it('writes months for titles and chart axes', () => {
    expect(formatCalendarMonth(2026, 7, 'ckb', true)).toBe('تەمموز');
    expect(formatCalendarMonth(2026, 11, 'ar')).toBe('تشرين الثاني ٢٠٢٦');
    expect(formatCalendarMonth(2026, 7, 'en', true)).toBe('Jul 26');
    expect(formatCalendarMonth(2026, 8, 'kmr')).toBe('تەباخ ٢٠٢٦');
  });

  it('never puts a thousands separator in a year', () => {
    expect(formatYear(1916, 'en')).toBe('1916');
    expect(formatYear(2026, 'ckb')).toBe('٢٠٢٦');
    expect(formatYear(1916, 'kmr')).toBe('١٩١٦');
  });

  it('keeps one digit system: no Latin digit in an Arabic or Sorani number or date', () => {
    for (const lang of ['ar', 'ckb', 'kmr'] as const) {
      for (const text of [
        formatNumber(1234567.5, lang),
        formatDateTime(new Date(2026, 0, 5, 7, 3), lang),
        formatCalendarMonth(2026, 1, lang, true),
      ])
        expect(text).not.toMatch(/[0-9]/);
    }
  });

  it('separates parts of a line with the Arabic comma in right-to-left languages ("·" reads as a zero)', () => {
    expect(listSeparator('ar')).toBe('، ');
    expect(listSeparator('en')).toBe(' · ');
    expect(localDigits('0–5', 'ckb')).toBe('٠–٥');
    expect(listSeparator('kmr')).toBe('، ');
    expect(formatNumber(1234, 'kmr')).toBe('١٬٢٣٤');
  });
});

describe('the value of a date input, said beside it', () => {
  it('in the language shown, month names and digits its own', () => {
    expect(formatInputDate('2026-12-02', 'en')).toBe('2 December 2026');
    expect(formatInputDate('2026-12-02', 'ar')).toBe('٢ كانون الأول ٢٠٢٦');
    expect(formatInputDate('2026-12-02', 'ckb')).toBe('٢ کانوونی یەکەم ٢٠٢٦');
    expect(formatInputDate('2026-07', 'ar')).toBe('تموز ٢٠٢٦');
  });

  it('nothing for an empty or partial value', () => {
    for (const value of ['', '2026-13-01', '2026-1-2', '02/12/2026']) expect(formatInputDate(value, 'ar')).toBeNull();
  });
});
