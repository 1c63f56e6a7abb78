/** The outbox line's count of what waits, by kind. */
import { t, tn } from '../i18n';
import type { PluralKey } from '../i18n/messages';
import type { OutboxCounts } from '../sync/outbox';

const WAITING_WORDS: [keyof OutboxCounts['waitingByKind'], PluralKey][] = [
  ['record', 'waiting_records'],
  ['participant', 'waiting_people'],
  ['group', 'waiting_groups'],
  ['referral', 'waiting_referrals'],
];

/**
 * "2 records, 1 person waiting to send": each kind under its own word, so a
 * trainer who registered someone does not look for a record that is not there.
 */
export function waitingText(counts: OutboxCounts): string {
  if (counts.waiting === 0) return t('nothing_waiting');
  const parts = WAITING_WORDS.filter(([kind]) => counts.waitingByKind[kind] > 0).map(([kind, key]) =>
    tn(key, counts.waitingByKind[kind]),
  );
  return tn('waiting_send', counts.waiting, { what: parts.join(t('list_separator')) });
}
