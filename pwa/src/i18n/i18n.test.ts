/** The message catalogues: complete in every language, same placeholders, right plural forms. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ar } from './ar';
import { ckb } from './ckb';
import { en } from './en';
import { intlLocale } from './format';
import { isRightToLeft, LANGUAGES, loadCatalogue, pluralForm, translate, translatePlural } from './index';
import { kmr } from './kmr';
import type { Plural } from './messages';
import { staff as staffAr } from './staff/ar';
import { staff as staffCkb } from './staff/ckb';
import { staff as staffEn } from './staff/en';
import { STAFF_LANGUAGES, staffStringsReady, translateStaff, translateStaffPlural } from './staff/index';
import { staff as staffKmr } from './staff/kmr';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
type Catalogue = Record<string, string | Plural>;
/** The field catalogue (every phone) and the staff one (admin and coordinator screens), each checked alike. */
const SETS: { name: string; catalogues: Record<(typeof LANGUAGES)[number], Catalogue> }[] = [
  { name: 'field', catalogues: { en, ar, ckb, kmr } },
  { name: 'staff', catalogues: { en: staffEn, ar: staffAr, ckb: staffCkb, kmr: staffKmr } },
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
      const sameAsEnglish = (lang: 'ar' | 'ckb' | 'kmr') =>
        keys.filter((key) => {
          const message = catalogues[lang][key];
          return typeof message === 'string' && message === en[key];
        });
      const brandNeutral = name === 'field' ? ['lang_ar', 'lang_ckb', 'lang_en', 'lang_kmr'] : [];
      for (const lang of ['ar', 'ckb', 'kmr'] as const) expect(sameAsEnglish(lang), lang).toEqual(brandNeutral);
    });

    it('Kurmanji is written in the Arabic-based Kurdish alphabet, as in Duhok, not in Latin letters', () => {
      // Latin letters only in codes and names that are Latin on the card or the file (A–Z, P-code, CSV, Excel…).
      const allowed = /^(English|A|Z|a|z|MOS|WC|IQD\d+|K7M|QX|QR|OCHA|P|code|CSV|UTF|xlsx|Excel|HXL|JSON|IDP|Escape)$/;
      for (const [key, message] of Object.entries(catalogues.kmr)) {
        const texts = typeof message === 'string' ? [message] : Object.values(message);
        for (const text of texts) {
          const words = (text ?? '').replace(/\{\w+\}/g, '').match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
          expect(
            words.filter((word: string) => !allowed.test(word)),
            `kmr.${key}`,
          ).toEqual([]);
          // The Hawar (Latin) letters of Kurmanji in Turkey and Syria must not appear.
          expect(text, `kmr.${key}`).not.toMatch(/[êîûçşÊÎÛÇŞ]/);
        }
      }
    });
  });
}

describe('lookups', () => {
  it('fills placeholders and formats numbers for the language', () => {
    expect(translate('en', 'signed_in_as', { name: 'Amal', login: 'amal' })).toBe('Signed in as Amal (amal)');
    expect(translatePlural('en', 'waiting_records', 1)).toBe('1 record');
    expect(translatePlural('en', 'waiting_records', 1200)).toBe('1,200 records');
    expect(translatePlural('ar', 'waiting_records', 3)).toBe('٣ سجلات');
    expect(translatePlural('ar', 'waiting_records', 2)).toBe('سجلان');
    expect(translatePlural('ar', 'waiting_records', 11)).toBe('١١ سجلًا');
    expect(translatePlural('ckb', 'waiting_send', 5, { what: '٥ تۆمار' })).toBe('٥ تۆمار چاوەڕێی ناردنن');
    expect(translatePlural('kmr', 'waiting_records', 1)).toBe('ئێک تۆمار');
    expect(translatePlural('kmr', 'waiting_records', 1200)).toBe('١٬٢٠٠ تۆمار');
    expect(translatePlural('kmr', 'waiting_send', 5, { what: '٥ تۆمار' })).toBe('٥ تۆمار ل بەندا هنارتنێ نە');
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

  it('Arabic, Sorani and Kurmanji are right to left, English is not', () => {
    expect(LANGUAGES.filter(isRightToLeft)).toEqual(['ar', 'ckb', 'kmr']);
  });
});
