/**
 * The server's words on a refused or conflicting item, in the person's
 * language: field names become the form's own labels ("notes" → the
 * Notes label), and the reasons the phone can recognise become its own
 * messages (a locked month names who can unlock it). A reason it does not
 * recognise is shown as the server gave it, marked as the server's.
 */
import { t } from '../i18n';
import type { StringKey } from '../i18n/messages';

/** The label each field has on the phone's forms. */
const FIELD_LABELS: Record<string, StringKey> = {
  date: 'date',
  notes: 'notes',
  topic: 'topic',
  place_note: 'place_note',
  materials: 'materials',
  duration_minutes: 'duration',
  start_time: 'start_time',
  attendance: 'who_came',
  tallies: 'head_counts',
  tally_disabled: 'tally_disabled',
  site_id: 'site',
  site: 'site',
  activity_type_id: 'activity_type',
  name: 'group_name',
  sex: 'sex',
  birth_year: 'birth_year',
  disability: 'disability',
  displacement: 'displacement',
  given_name: 'given_name',
};

/** A field's label in the person's language, or null when the phone has none (shown as sent). */
export function fieldLabel(field: string): string | null {
  const key = FIELD_LABELS[field];
  return key ? t(key).replace(/\s*\(.*\)\s*$/, '') : null;
}

/** Reasons the server gives in words the phone knows, by what they say. */
const KNOWN_REASONS: [RegExp, StringKey][] = [[/locked/i, 'field_month_locked']];

/** A reason in the person's language where the phone knows it; otherwise null. */
export function reasonText(reason: string): string | null {
  const known = KNOWN_REASONS.find(([pattern]) => pattern.test(reason));
  return known ? t(known[1]) : null;
}
