/** Field names and known reasons from the server, in the person's language. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, language, loadCatalogue } from '../i18n';
import { fieldLabel, reasonText } from './serverWords';

describe("the server's words", () => {
  // A phone loads its language's catalogue before showing it; so do these tests.
  beforeAll(async () => {
    for (const lang of LANGUAGES) await loadCatalogue(lang);
  });
  afterEach(() => language.set('en'));

  it('name fields as the forms do, in each language', () => {
    expect(fieldLabel('notes')).toBe('Notes');
    expect(fieldLabel('duration_minutes')).toBe('Duration in minutes');
    language.set('ckb');
    expect(fieldLabel('notes')).not.toMatch(/[a-z]/);
    expect(fieldLabel('something_new')).toBeNull();
  });

  it('turn a month-lock refusal into the phone’s own words, naming who can unlock', () => {
    language.set('ar');
    const text = reasonText('2026-01 at this site is locked after review; only an administrator can unlock it');
    expect(text).toContain('مدير النظام');
    expect(reasonText('unknown participant')).toBeNull();
  });
});
