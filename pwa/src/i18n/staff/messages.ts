/**
 * The shape of the staff catalogue: the strings only admin and coordinator
 * screens show, kept apart from the field catalogue (../messages.ts) so a
 * trainer's phone never downloads or precaches them. Same rules: English
 * (`en.ts`) is the reference, every other language has every key.
 */
import type { Plural } from '../messages';
import type { staff } from './en';

export type StaffMessageKey = keyof typeof staff;
export type StaffStringKey = {
  [K in StaffMessageKey]: (typeof staff)[K] extends string ? K : never;
}[StaffMessageKey];
export type StaffPluralKey = Exclude<StaffMessageKey, StaffStringKey>;

export type StaffMessages = { [K in StaffMessageKey]: (typeof staff)[K] extends string ? string : Plural };
