/** The message catalogues: complete in every language, same placeholders, right plural forms. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ar } from './ar';
import { ckb } from './ckb';
import { en } from './en';
import { intlLocale } from './format';
import { isRightToLeft, LANGUAGES, loadCatalogue, pluralForm, translate, translatePlural } from './index';
import type { Plural } from './messages';
import { staff as staffAr } from './staff/ar';
import { staff as staffCkb } from './staff/ckb';
import { staff as staffEn } from './staff/en';
import { STAFF_LANGUAGES, staffStringsReady, translateStaff, translateStaffPlural } from './staff/index';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
type Catalogue = Record<string, string | Plural>;
/** The field catalogue (every phone) and the staff one (admin and coordinator screens), each checked alike. */
const SETS: { name: string; catalogues: Record<(typeof LANGUAGES)[number], Catalogue> }[] = [
  { name: 'field', catalogues: { en, ar, ckb } },
  { name: 'staff', catalogues: { en: staffEn, ar: staffAr, ckb: staffCkb } },
];

// translate() reads only the catalogues a phone has loaded.
beforeAll(async () => {
  for (const lang of LANGUAGES) await loadCatalogue(lang);
});

for (const { name, catalogues } of SETS) {
  describe(`${name} message catalogues`, () => {
    const en = catalogues.en;
    const keys = Object.keys(en).sort();
    for (const lang of LANGUAGES) {
      const catalogue = catalogues[lang];

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
          const reference = en[key];
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
          const message = catalogues[lang][key];
          return typeof message === 'string' && message === en[key];
        });
      const brandNeutral = name === 'field' ? ['lang_ar', 'lang_ckb', 'lang_en'] : [];
      expect(sameAsEnglish('ar')).toEqual(brandNeutral);
      expect(sameAsEnglish('ckb')).toEqual(brandNeutral);
    });
  });
}

describe('lookups', () => {
  it('fills placeholders and formats numbers for the language', () => {
    expect(translate('en', 'signed_in_as', { name: 'Amal', login: 'amal' })).toBe('Signed in as Amal (amal)');
    expect(translatePlural('en', 'waiting_to_send', 1)).toBe('1 record waiting to send');
    expect(translatePlural('en', 'waiting_to_send', 1200)).toBe('1,200 records waiting to send');
    expect(translatePlural('ar', 'waiting_to_send', 3)).toBe('٣ سجلات بانتظار الإرسال');
    expect(translatePlural('ar', 'waiting_to_send', 2)).toBe('سجلان بانتظار الإرسال');
    expect(translatePlural('ar', 'waiting_to_send', 11)).toBe('١١ سجلًا بانتظار الإرسال');
    expect(translatePlural('ckb', 'waiting_to_send', 5)).toBe('٥ تۆمار چاوەڕێی ناردنن');
  });

  it('falls back to `other` when a form is missing', () => {
    expect(pluralForm({ other: 'x' }, 1, 'en')).toBe('x');
  });

  it('staff screens read both catalogues, in the language shown', async () => {
    await staffStringsReady;
    expect(translateStaff('en', 'dash_title')).toBe(staffEn.dash_title);
    expect(translateStaff('en', 'cancel')).toBe('Cancel');
    // A language other than English comes from its own chunk, loaded on demand.
    expect(translateStaff('ar', 'dash_title')).toBe(staffEn.dash_title);
    await import('./index').then((m) => m.setDeviceLanguage('ar'));
    expect(translateStaff('ar', 'dash_title')).toBe(staffAr.dash_title);
    expect(translateStaffPlural('ar', 'announce_sent', 2, { people: 'x' })).toBe(
      staffAr.announce_sent.two?.replace('{people}', 'x'),
    );
  });

  it('every language has its staff file (adding a language adds both files)', () => {
    expect([...STAFF_LANGUAGES].sort()).toEqual(LANGUAGES.filter((lang) => lang !== 'en').sort());
  });

  it('Arabic and Sorani are right to left, English is not', () => {
    expect(LANGUAGES.filter(isRightToLeft)).toEqual(['ar', 'ckb']);
  });
});
