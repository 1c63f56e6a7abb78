/**
 * What needs the field worker's attention, for the block at the top of
 * home: records a coordinator flagged, and anything the server did not
 * take (a conflict, a refusal), each with the one place that fixes it.
 * Pure, so the order and the rules are tested without a database.
 */
import type { OutboxItem } from '../db/schema';
import { isLocked } from '../sync/locks';
import type { RecordRow } from './data';

export type AttentionReason = 'flagged' | 'conflict' | 'rejected';

export interface AttentionItem {
  id: string;
  kind: OutboxItem['kind'];
  reason: AttentionReason;
  /** Where one tap goes: the record to correct, or the screen that resolves the outbox item. */
  href: string;
  /** Records: the row, to name it. */
  row?: RecordRow;
  /** The coordinator's comment on a flag. */
  comment?: string;
}

/**
 * Conflicts and refusals first (nothing of them reached the server), then
 * flags, newest record first. A flagged record already corrected (its edit
 * is waiting or on its way) is not listed; nor is one in a locked month,
 * which only an administrator can reopen.
 */
export function attentionItems(rows: RecordRow[], others: OutboxItem[], locks: ReadonlySet<string>): AttentionItem[] {
  const unsent: AttentionItem[] = [
    ...rows
      .filter((r) => r.state === 'conflict' || r.state === 'rejected')
      .map((r) => ({
        id: r.record.id,
        kind: 'record' as const,
        reason: r.state as AttentionReason,
        href: `/outbox/${r.record.id}`,
        row: r,
      })),
    ...others
      .filter((i) => i.kind !== 'record')
      .map((i) => ({ id: i.id, kind: i.kind, reason: i.state as AttentionReason, href: `/outbox/${i.id}` })),
  ];
  const flagged: AttentionItem[] = rows
    .filter(
      (r) =>
        r.state === 'sent' &&
        r.record.review?.status === 'flagged' &&
        !isLocked(locks, r.record.data.site_id, r.record.data.date),
    )
    .map((r) => ({
      id: r.record.id,
      kind: 'record' as const,
      reason: 'flagged' as const,
      href: `/records/${r.record.id}`,
      row: r,
      comment: r.record.review?.comment ?? undefined,
    }));
  return [...unsent, ...flagged];
}
