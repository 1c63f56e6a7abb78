/** The app knows every refusal code the server lists, and says each in every language. */
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../i18n';
import { ar } from '../i18n/ar';
import { ckb } from '../i18n/ckb';
import { en } from '../i18n/en';
import { kmr } from '../i18n/kmr';
import serverCodes from './refusal-codes.json';
import { isRefusalCode, REFUSAL_CODES } from './refusals';

const CATALOGUES = { en, ar, ckb, kmr };

describe('refusal codes', () => {
  it('are the codes in refusal-codes.json, in its order', () => {
    expect([...REFUSAL_CODES]).toEqual(serverCodes);
    expect([...serverCodes].sort()).toEqual(serverCodes);
    expect(serverCodes.every(isRefusalCode)).toBe(true);
    expect(isRefusalCode('must be a date')).toBe(false);
  });

  for (const lang of LANGUAGES) {
    it(`each has a sentence in ${lang}`, () => {
      const catalogue = CATALOGUES[lang] as Record<string, unknown>;
      const missing = serverCodes.filter((code) => catalogue[`refusal_${code}`] === undefined);
      expect(missing).toEqual([]);
    });
  }

  it('no catalogue keeps a sentence for a code the server does not send', () => {
    // `at_least` and `at_most` are the one-sided forms of `out_of_range`.
    const extra = Object.keys(en)
      .filter((key) => key.startsWith('refusal_'))
      .map((key) => key.slice('refusal_'.length))
      .filter((code) => !serverCodes.includes(code) && !['at_least', 'at_most'].includes(code));
    expect(extra).toEqual([]);
  });
});
