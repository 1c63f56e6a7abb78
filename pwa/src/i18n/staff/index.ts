/**
 * The i18n of the staff screens (admin/, coordinator/): everything of
 * `../index.ts`, plus the staff catalogue. Staff screens import `t` and
 * `tn` from here, and these accept the keys of both catalogues; field code
 * imports from `..`, whose `t` accepts field keys only, so a field screen
 * asking for a staff string fails to compile.
 *
 * This module and the catalogues in this folder are reached only from the
 * staff screens' lazy chunks: the service worker does not precache them
 * (vite.config.ts names them `staff-*`) but keeps a copy once a staff
 * member has opened them, so a coordinator who opened the dashboard once
 * opens it offline.
 */
import type { Language } from '../../api/types';
import {
  addCatalogue,
  fill,
  language,
  loadCatalogue as loadFieldCatalogue,
  pluralForm,
  translate,
  translatePlural,
} from '..';
import type { PluralKey, StringKey } from '../messages';
import { staff as en } from './en';
import type { StaffMessages, StaffPluralKey, StaffStringKey } from './messages';

export * from '..';

/** A key a staff screen may ask for: from the field catalogue or the staff one. */
export type StaffScreenKey = StringKey | StaffStringKey;
export type StaffScreenPluralKey = PluralKey | StaffPluralKey;

/**
 * One file per language beside en.ts, found by name: adding a language
 * adds its staff file here and nothing else (a test checks that every
 * language has one).
 */
const files = import.meta.glob<StaffMessages>(['./*.ts', '!./en.ts', '!./index.ts', '!./messages.ts', '!./*.test.ts'], {
  import: 'staff',
});

const loaded: Partial<Record<Language, StaffMessages>> = { en };

async function loadStaffCatalogue(lang: Language): Promise<void> {
  if (loaded[lang]) return;
  const file = files[`./${lang}.ts`];
  if (file) loaded[lang] = await file();
}

/**
 * Resolves once the staff strings of the language shown are loaded (the
 * lazy staff screens wait for it); later language changes load theirs
 * before the screen switches. Offline with a language never opened here,
 * the staff strings show in English rather than not at all.
 */
export const staffStringsReady: Promise<void> = addCatalogue(loadStaffCatalogue);

/** Loads both catalogues of `lang` (staff screens' tests; the app goes through `setDeviceLanguage`). */
export async function loadCatalogue(lang: Language): Promise<void> {
  await Promise.all([loadFieldCatalogue(lang), loadStaffCatalogue(lang)]);
}

/** Languages with a staff file: every language must have one (i18n tests). */
export const STAFF_LANGUAGES = Object.keys(files).map((path) => path.slice(2, -3));

function staffCatalogue(lang: Language): StaffMessages {
  return loaded[lang] ?? en;
}

const isStaffKey = (key: string): key is keyof StaffMessages => Object.hasOwn(en, key);

export function translateStaff(
  lang: Language,
  key: StaffScreenKey,
  params: Record<string, string | number> = {},
): string {
  if (!isStaffKey(key)) return translate(lang, key as StringKey, params);
  return fill(staffCatalogue(lang)[key] as string, params, lang);
}

export function translateStaffPlural(
  lang: Language,
  key: StaffScreenPluralKey,
  n: number,
  params: Record<string, string | number> = {},
): string {
  if (!isStaffKey(key)) return translatePlural(lang, key as PluralKey, n, params);
  const plural = staffCatalogue(lang)[key];
  return fill(pluralForm(plural as Exclude<typeof plural, string>, n, lang), { n, ...params }, lang);
}

/** A message in the current language, from either catalogue. */
export function t(key: StaffScreenKey, params?: Record<string, string | number>): string {
  return translateStaff(language.get(), key, params);
}

/** A counted message in the current language, from either catalogue. */
export function tn(key: StaffScreenPluralKey, n: number, params?: Record<string, string | number>): string {
  return translateStaffPlural(language.get(), key, n, params);
}
