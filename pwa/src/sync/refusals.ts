/**
 * Why the server refused a pushed item, field by field: a code from its
 * catalogue (backend/src/refusal.rs, written to refusal-codes.json) and the
 * numbers or values it needs, never an English sentence. The codes are
 * spelt out here to give them a type; refusals.test.ts fails as soon as this
 * list and the file differ, and when a catalogue has no sentence for one.
 */
export const REFUSAL_CODES = [
  'bidi_control',
  'changed_meanwhile',
  'check_character',
  'code_taken',
  'consent_required',
  'control_characters',
  'count_someone',
  'data_required',
  'disabled_over_count',
  'exactly_one_person',
  'group_of_another_site',
  'group_required',
  'in_future',
  'left_before_joined',
  'listed_twice',
  'malformed',
  'month_locked',
  'must_be_new',
  'no_group',
  'no_head_counts',
  'no_names',
  'not_a_choice',
  'not_a_date',
  'not_a_participant_code',
  'not_a_time',
  'not_a_uuid',
  'not_accepted',
  'not_yours',
  'notes_off',
  'nul_character',
  'one_count_per_cell',
  'out_of_range',
  'outside_scope',
  'plain_code_only',
  'prefix_not_issued',
  'referral_not_editable',
  'required',
  'role_may_not',
  'too_long',
  'too_long_ago',
  'too_many_people',
  'too_short',
  'type_differs_from_group',
  'unknown_codes',
  'unknown_group',
  'unknown_participants',
  'unknown_service',
  'unknown_users',
  'wg_answer',
  'wg_not_asked',
  'wg_required',
  'wg_too_young',
  'wrong_activity_type',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** One field's refusal as the server answers it. */
export interface Refusal {
  code: string;
  min?: number;
  max?: number;
  values?: string[];
}

const KNOWN: ReadonlySet<string> = new Set(REFUSAL_CODES);

/** Whether `code` is one this app has words for (a newer server may send others). */
export function isRefusalCode(code: string): code is RefusalCode {
  return KNOWN.has(code);
}
