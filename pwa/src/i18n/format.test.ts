/** Numbers and dates in each language, and numbers typed in any script. */
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatNumber, parseDecimal, westernDigits } from './format';

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
