/** Field names and refusal codes from the server, in the person's language. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, language, loadCatalogue } from '../i18n';
import { fieldLabel, reasonAsSent, reasonText } from './serverWords';

describe("the server's words", () => {
  // A phone loads its language's catalogue before showing it; so do these tests.
  beforeAll(async () => {
    for (const lang of LANGUAGES) await loadCatalogue(lang);
  });
  afterEach(() => language.set('en'));

  it('name fields as the forms do, in each language', () => {
    expect(fieldLabel('notes')).toBe('Notes');
    expect(fieldLabel('duration_minutes')).toBe('Duration in minutes');
    language.set('ar');
    expect(fieldLabel('notes')).toBe('ملاحظات');
    language.set('ckb');
    expect(fieldLabel('notes')).toBe('تێبینی');
    expect(fieldLabel('attendance_codes')).not.toMatch(/[a-z]/);
    language.set('kmr');
    expect(fieldLabel('notes')).toBe('تێبینی');
    expect(fieldLabel('attendance_codes')).not.toMatch(/[a-z]/);
    expect(fieldLabel('something_new')).toBeNull();
  });

  it('turn a month-lock refusal into the phone’s own words, naming the month and who can unlock', () => {
    language.set('ar');
    const text = reasonText({ code: 'month_locked', values: ['2026-01'] });
    expect(text).toContain('مدير النظام');
    expect(text).toContain('٢٠٢٦');
    expect(text).not.toMatch(/[0-9a-z]/);
    language.set('en');
    expect(reasonText({ code: 'month_locked', values: ['2026-01'] })).toContain('January 2026');
  });

  it('write limits as plain numbers in the language’s digits, never grouped like a count', () => {
    expect(reasonText({ code: 'out_of_range', min: 1916, max: 2026 })).toBe('Must be from 1916 to 2026.');
    expect(reasonText({ code: 'too_long', max: 2000 })).toBe('Too long: at most 2000 characters.');
    expect(reasonText({ code: 'out_of_range', min: 0 })).toBe('Must be at least 0.');
    expect(reasonText({ code: 'too_long_ago', max: 1 })).toBe('This date is more than a year ago.');
    language.set('ckb');
    expect(reasonText({ code: 'out_of_range', min: 1916, max: 2026 })).toBe('دەبێت لە ١٩١٦ تا ٢٠٢٦ بێت.');
    language.set('kmr');
    expect(reasonText({ code: 'out_of_range', min: 1916, max: 2026 })).toBe('دڤێت ژ ١٩١٦ تا ٢٠٢٦ بیت.');
    expect(reasonText({ code: 'too_long_ago', max: 1 })).toBe('ئەڤ ڕێکەفتە پتر ژ سالەکێ بەری نوکە یە.');
    language.set('ar');
    expect(reasonText({ code: 'too_long_ago', max: 5 })).toBe('هذا التاريخ قبل أكثر من ٥ سنوات.');
  });

  it('keep participant codes as printed on the card', () => {
    expect(reasonText({ code: 'unknown_codes', values: ['K7M-42QX', 'A00-001Y'] })).toBe(
      'Nobody has this code: K7M-42QX, A00-001Y',
    );
  });

  it('leave what they cannot translate as sent: an older server’s sentence, a newer server’s code', () => {
    expect(reasonText('is in the future')).toBeNull();
    expect(reasonAsSent('is in the future')).toBe('is in the future');
    expect(reasonText({ code: 'from_a_newer_server' })).toBeNull();
    expect(reasonAsSent({ code: 'from_a_newer_server' })).toBe('from_a_newer_server');
  });
});
