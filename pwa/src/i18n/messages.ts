/**
 * The shape of a message catalogue: one file per language, each complete,
 * in sections by feature. English (`en.ts`) is the reference: its keys are
 * the keys, and the type below makes Arabic and Sorani fail to compile
 * when a key is missing. `i18n.test.ts` checks the same at run time, plus
 * placeholders and plural forms; `unused.test.ts` fails on a key no code uses.
 */
import type { en } from './en';

/** Plural forms by CLDR category; `other` always, the rest as the language needs. */
export interface Plural {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

export type MessageKey = keyof typeof en;
export type StringKey = { [K in MessageKey]: (typeof en)[K] extends string ? K : never }[MessageKey];
export type PluralKey = Exclude<MessageKey, StringKey>;

export type Messages = { [K in MessageKey]: (typeof en)[K] extends string ? string : Plural };
