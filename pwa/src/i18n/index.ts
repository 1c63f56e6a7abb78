/**
 * The app's language: which catalogue is in use, the document's `lang`
 * and `dir` (Arabic, Sorani and Kurmanji mirror the whole layout, which is
 * written with CSS logical properties only), and the `t`/`tn` lookups.
 *
 * A new language is one catalogue file and one line in `loaders` below
 * (plus its month names in format.ts if it is written right to left).
 *
 * The device remembers the last language (localStorage), so the login
 * screen of a shared phone opens in it; once signed in, the user's own
 * choice (kept on the server) wins.
 */
import type { Language } from '../api/types';
import { createStore } from '../store';
import { en } from './en';
import { formatNumber, htmlLang, intlLocale, namesIn } from './format';
import type { Messages, Plural, PluralKey, StringKey } from './messages';

/**
 * A phone loads only the catalogue of the language it shows: each is about
 * 8 KB gzipped, and a trainer never reads the others (the strings of
 * the staff screens are in staff/, loaded with those screens only). English is the
 * reference and the fallback, so it is always there; the others are
 * separate chunks (precached by the service worker, so offline too).
 */
const loaded: Partial<Record<Language, Messages>> = { en };
const loaders: Record<Language, () => Promise<Messages>> = {
  en: async () => en,
  ar: () => import('./ar').then((m) => m.ar),
  ckb: () => import('./ckb').then((m) => m.ckb),
  kmr: () => import('./kmr').then((m) => m.kmr),
};

/** The languages in the order pickers show them: the order of `loaders`. */
export const LANGUAGES = Object.keys(loaders) as readonly Language[];

/**
 * Languages whose catalogue no native speaker has checked yet: pickers
 * mark them "awaiting review". Kurmanji leaves this list once a Badini
 * speaker from Duhok has read kmr.ts through.
 */
export const AWAITING_REVIEW: readonly Language[] = ['kmr'];

/** Loads the catalogue of `lang` (once); until then its messages fall back to English. */
export async function loadCatalogue(lang: Language): Promise<void> {
  loaded[lang] ??= await loaders[lang]();
}

/**
 * Catalogues of screens loaded on demand (the staff screens' strings,
 * staff/index.ts): each registers its loader here when its chunk arrives,
 * and every later change of language loads it too before the app switches.
 */
const extraLoaders: ((lang: Language) => Promise<void>)[] = [];

/**
 * Registers an on-demand catalogue and loads it for the language shown, and
 * for the one being switched to if a switch is under way (failures leave
 * English).
 */
export async function addCatalogue(load: (lang: Language) => Promise<void>): Promise<void> {
  extraLoaders.push(load);
  const langs = new Set([language.get(), wanted ?? language.get()]);
  await Promise.all([...langs].map((lang) => load(lang).catch(() => undefined)));
}

function catalogue(lang: Language): Messages {
  return loaded[lang] ?? en;
}

const DEVICE_LANGUAGE_KEY = 'sijil.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function isRightToLeft(language: Language): boolean {
  return language !== 'en';
}

function deviceLanguage(): Language {
  try {
    const stored = localStorage.getItem(DEVICE_LANGUAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage can be unavailable (private mode); fall through.
  }
  const browser = typeof navigator === 'undefined' ? '' : navigator.language.toLowerCase();
  if (browser.startsWith('kmr')) return 'kmr';
  if (browser.startsWith('ckb') || browser.startsWith('ku')) return 'ckb';
  if (browser.startsWith('ar')) return 'ar';
  return 'en';
}

export const language = createStore<Language>(typeof window === 'undefined' ? 'en' : deviceLanguage());

/** The language asked for last: a slower catalogue load must not undo a later choice. */
let wanted: Language | null = null;

/**
 * Shows the app in `next` once its catalogue is loaded, and remembers it on
 * this device (main.tsx mirrors the page for RTL).
 */
export async function setDeviceLanguage(next: Language): Promise<void> {
  wanted = next;
  try {
    localStorage.setItem(DEVICE_LANGUAGE_KEY, next);
  } catch {
    // Not remembered on this device; the session still shows it.
  }
  try {
    await loadCatalogue(next);
  } catch {
    // Offline before the service worker cached it: stay in the language shown.
    return;
  }
  // An on-demand catalogue not cached yet (offline) shows its strings in English.
  await Promise.all(extraLoaders.map((load) => load(next).catch(() => undefined)));
  if (wanted === next) language.set(next);
}

export function applyToDocument(lang: Language): void {
  const root = document.documentElement;
  root.lang = htmlLang(lang);
  root.dir = isRightToLeft(lang) ? 'rtl' : 'ltr';
  document.title = catalogue(lang).app_name;
}

type Params = Record<string, string | number>;

/** Fills `{name}` placeholders; numbers are formatted for the language. */
export function fill(template: string, params: Params, lang: Language): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value, lang) : value;
  });
}

/** The plural form of `plural` that `n` takes in `lang` (CLDR rules via Intl). */
export function pluralForm(plural: Plural, n: number, lang: Language): string {
  const category = new Intl.PluralRules(intlLocale(lang)).select(n) as keyof Plural;
  return plural[category] ?? plural.other;
}

export function translate(lang: Language, key: StringKey, params: Params = {}): string {
  return fill(catalogue(lang)[key], params, lang);
}

export function translatePlural(lang: Language, key: PluralKey, n: number, params: Params = {}): string {
  return fill(pluralForm(catalogue(lang)[key], n, lang), { n, ...params }, lang);
}

/** A message in the current language. */
export function t(key: StringKey, params?: Params): string {
  return translate(language.get(), key, params);
}

/** A counted message (`{n} records…`) in the current language, in the right plural form. */
export function tn(key: PluralKey, n: number, params?: Params): string {
  return translatePlural(language.get(), key, n, params);
}

/** Areas carry their names in three languages (Kurmanji shows the Kurdish one, see `namesIn`). */
export function localName(
  names: { name_en: string; name_ar: string; name_ckb: string },
  lang: Language = language.get(),
): string {
  const column = namesIn(lang);
  return (column === 'ar' ? names.name_ar : column === 'ckb' ? names.name_ckb : names.name_en) || names.name_en;
}

/**
 * A language's name for a list of options: in its own script, and marked
 * (in the language shown now) when its translation awaits review.
 */
export function languageLabel(lang: Language): string {
  const name = t(`lang_${lang}`);
  return AWAITING_REVIEW.includes(lang) ? `${name} (${t('lang_awaiting_review')})` : name;
}

export { formatDateTime, formatNumber, htmlLang } from './format';
