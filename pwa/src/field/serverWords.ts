/**
 * The server's words on a refused or conflicting item, in the person's
 * language. Field names become the form's own labels ("notes" → the Notes
 * label); each reason is a code of the server's catalogue
 * (sync/refusal-codes.json, docs/design.md "Refusal codes") with its limits
 * as numbers, and becomes a sentence of the app's catalogues. An item
 * refused by an older server keeps its English reason: it is shown as the
 * server gave it, marked as English.
 */

import { language, t, tn } from '../i18n';
import { formatCalendarMonth, formatYear } from '../i18n/format';
import type { StringKey } from '../i18n/messages';
import type { ReferralData } from '../referrals/model';
import type { Refusal, RefusalCode } from '../sync/refusals';
import { isRefusalCode } from '../sync/refusals';
import type { GroupData, ParticipantData, RecordData } from './model';

/** Fields of the push envelope that a refusal can name. */
type EnvelopeField = 'id' | 'base_version' | 'data' | 'item' | 'device_time';
/** Every field the phone sends; the type makes a new field without a label fail to compile. */
type SentField =
  | keyof RecordData
  | Exclude<keyof ParticipantData, 'visitor' | 'age_band'>
  | keyof GroupData
  | keyof ReferralData
  | 'note'
  | EnvelopeField;

/** The label each field has on the phone's forms. */
const FIELD_LABELS: Record<SentField, StringKey> = {
  kind: 'label_kind',
  activity_type_id: 'activity_type',
  site_id: 'site',
  group_id: 'label_group',
  date: 'date',
  start_time: 'start_time',
  duration_minutes: 'duration',
  topic: 'topic',
  place_note: 'place_note',
  notes: 'notes',
  materials: 'materials',
  facilitator_ids: 'label_facilitators',
  attendance: 'who_came',
  attendance_codes: 'label_codes',
  tallies: 'head_counts',
  tally_disabled: 'tally_disabled',
  code: 'label_code',
  sex: 'sex',
  birth_year: 'birth_year',
  birth_year_estimated: 'label_age_estimated',
  disability: 'disability',
  wg: 'label_wg',
  displacement: 'displacement',
  registered_on: 'label_registered_on',
  given_name: 'given_name',
  wg_by_caregiver: 'wg_caregiver',
  name: 'group_name',
  members: 'roster',
  weekdays: 'group_weekdays',
  participant_code: 'label_code',
  service_id: 'label_service',
  referred_on: 'label_referred_on',
  urgency: 'label_urgency',
  consent: 'label_consent',
  note: 'label_note',
  id: 'label_item',
  base_version: 'label_item',
  data: 'label_item',
  item: 'label_item',
  device_time: 'label_item',
};

/** A field's label in the person's language, or null when the phone has none (shown as sent). */
export function fieldLabel(field: string): string | null {
  const key = (FIELD_LABELS as Record<string, StringKey>)[field];
  return key ? t(key).replace(/\s*\(.*\)\s*$/, '') : null;
}

/** What a limit reads as: digits of the language, never grouped ("1916", not "1,916"). */
function limit(n: number | undefined): string {
  return n === undefined ? '' : formatYear(n, language.get());
}

/** A locked month `YYYY-MM` as the language writes it; anything else as sent. */
function month(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  return match ? formatCalendarMonth(Number(match[1]), Number(match[2]), language.get()) : value;
}

function sentence(code: RefusalCode, refusal: Refusal): string {
  const values = refusal.values ?? [];
  const params = {
    min: limit(refusal.min),
    max: limit(refusal.max),
    // Participant codes stay as printed on the card; a month is written out.
    values: (code === 'month_locked' ? values.map(month) : values).join(t('list_separator')),
  };
  if (code === 'too_long_ago') return tn('refusal_too_long_ago', refusal.max ?? 1);
  if (code === 'out_of_range' && refusal.max === undefined) return t('refusal_at_least', params);
  if (code === 'out_of_range' && refusal.min === undefined) return t('refusal_at_most', params);
  return t(`refusal_${code}` as StringKey, params);
}

/**
 * A reason in the person's language, or null for one the phone cannot
 * translate (an older server's English sentence, or a code newer than this
 * app): the caller shows that as sent.
 */
export function reasonText(reason: Refusal | string): string | null {
  if (typeof reason === 'string') return null;
  return isRefusalCode(reason.code) ? sentence(reason.code, reason) : null;
}

/** The reason as the server sent it, for when the phone has no words of its own. */
export function reasonAsSent(reason: Refusal | string): string {
  return typeof reason === 'string' ? reason : reason.code;
}
