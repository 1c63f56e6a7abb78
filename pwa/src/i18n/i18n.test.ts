/** The message catalogues: complete in every language, same placeholders, right plural forms. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ar } from './ar';
import { ckb } from './ckb';
import { en } from './en';
import { intlLocale } from './format';
import { isRightToLeft, LANGUAGES, loadCatalogue, pluralForm, translate, translatePlural } from './index';
import type { Plural } from './messages';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const keys = Object.keys(en).sort();
const CATALOGUES = { en, ar, ckb };

// translate() reads only the catalogues a phone has loaded.
beforeAll(async () => {
  for (const lang of LANGUAGES) await loadCatalogue(lang);
});

describe('message catalogues', () => {
  for (const lang of LANGUAGES) {
    const catalogue = CATALOGUES[lang] as Record<string, string | Plural>;

    it(`${lang} has every key of English and no others`, () => {
      expect(Object.keys(catalogue).sort()).toEqual(keys);
    });

    it(`${lang} has no empty messages`, () => {
      for (const key of keys) {
        const message = catalogue[key];
        const texts = typeof message === 'string' ? [message] : Object.values(message);
        for (const text of texts) expect(text?.trim(), `${lang}.${key}`).toBeTruthy();
      }
    });

    it(`${lang} uses the same placeholders as English`, () => {
      for (const key of keys) {
        const reference = (en as Record<string, string | Plural>)[key];
        const message = catalogue[key];
        if (typeof reference === 'string') {
          expect(typeof message, `${lang}.${key}`).toBe('string');
          expect(placeholders(message as string), `${lang}.${key}`).toEqual(placeholders(reference));
        } else {
          // Forms like "one record" may spell the number out; `other` must carry {n}.
          const forms = message as Plural;
          expect(placeholders(forms.other), `${lang}.${key}.other`).toEqual(placeholders(reference.other));
          for (const [form, text] of Object.entries(forms)) {
            for (const name of placeholders(text ?? ''))
              expect(placeholders(reference.other), `${lang}.${key}.${form}`).toContain(name);
          }
        }
      }
    });

    it(`${lang} has every plural form its language needs`, () => {
      const needed = new Intl.PluralRules(intlLocale(lang)).resolvedOptions().pluralCategories;
      for (const key of keys) {
        const message = catalogue[key];
        if (typeof message === 'string') continue;
        for (const category of needed)
          expect(message[category as keyof Plural], `${lang}.${key}.${category}`).toBeTruthy();
      }
    });
  }

  it('translations are not left in English', () => {
    // Brand-neutral strings (language names, examples) may match; sentences must not.
    const sameAsEnglish = (lang: 'ar' | 'ckb') =>
      keys.filter((key) => {
        const message = (CATALOGUES[lang] as Record<string, unknown>)[key];
        return typeof message === 'string' && message === (en as Record<string, unknown>)[key];
      });
    expect(sameAsEnglish('ar')).toEqual(['lang_ar', 'lang_ckb', 'lang_en']);
    expect(sameAsEnglish('ckb')).toEqual(['lang_ar', 'lang_ckb', 'lang_en']);
  });
});

describe('lookups', () => {
  it('fills placeholders and formats numbers for the language', () => {
    expect(translate('en', 'signed_in_as', { name: 'Amal', login: 'amal' })).toBe('Signed in as Amal (amal)');
    expect(translatePlural('en', 'waiting_records', 1)).toBe('1 record');
    expect(translatePlural('en', 'waiting_records', 1200)).toBe('1,200 records');
    expect(translatePlural('ar', 'waiting_records', 3)).toBe('٣ سجلات');
    expect(translatePlural('ar', 'waiting_records', 2)).toBe('سجلان');
    expect(translatePlural('ar', 'waiting_records', 11)).toBe('١١ سجلًا');
    expect(translatePlural('ckb', 'waiting_send', 5, { what: '٥ تۆمار' })).toBe('٥ تۆمار چاوەڕێی ناردنن');
  });

  it('falls back to `other` when a form is missing', () => {
    expect(pluralForm({ other: 'x' }, 1, 'en')).toBe('x');
  });

  it('Arabic and Sorani are right to left, English is not', () => {
    expect(LANGUAGES.filter(isRightToLeft)).toEqual(['ar', 'ckb']);
  });
});
