/** Every error code the server can answer has its own message, in every language. */
import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../api/client';
import serverCodes from '../api/error-codes.json';
import { ERROR_CODES } from '../api/errors';
import { LANGUAGES, language } from '../i18n';
import { ar } from '../i18n/ar';
import { ckb } from '../i18n/ckb';
import { en } from '../i18n/en';
import { kmr } from '../i18n/kmr';
import { describeError, messageOf } from './errors';

/** Messages the app shows for failures that are not a server code. */
const OWN_ERRORS = ['error_network', 'error_unknown'];
const CATALOGUES = { en, ar, ckb, kmr };

describe('error messages', () => {
  for (const lang of LANGUAGES) {
    it(`${lang} has a message for every code in error-codes.json`, () => {
      const catalogue = CATALOGUES[lang] as Record<string, unknown>;
      const missing = serverCodes.filter((code) => typeof catalogue[`error_${code}`] !== 'string');
      expect(missing).toEqual([]);
    });
  }

  it('has no message for a code the server does not send', () => {
    const errorKeys = Object.keys(en).filter((key) => key.startsWith('error_'));
    expect(errorKeys.filter((key) => !OWN_ERRORS.includes(key)).sort()).toEqual(
      serverCodes.map((code) => `error_${code}`),
    );
  });

  it('maps each code to its own message', () => {
    for (const code of ERROR_CODES) expect(messageOf(code)).toBe(`error_${code}`);
  });

  it('describes a server error, no answer, and anything else', () => {
    language.set('en');
    expect(describeError(new ApiError(409, 'already_locked', '2026-03 is already locked'))).toEqual({
      message: 'That month is already locked.',
      fields: {},
    });
    expect(describeError(new ApiError(422, 'invalid', 'bad', { code: 'too long' }))).toEqual({
      message: 'Some fields need attention.',
      fields: { code: 'Not accepted: too long' },
    });
    expect(describeError(new ApiError(502, 'http_502', 'Bad Gateway')).message).toBe(en.error_unknown);
    expect(describeError(new NetworkError()).message).toBe(en.error_network);
    expect(describeError(new Error('boom')).message).toBe(en.error_unknown);
  });
});
