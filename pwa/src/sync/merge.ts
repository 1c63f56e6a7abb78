/**
 * A participant merged into another on the server (issue 10): the pull
 * says so (`merged_into` on the merged-away participant), and the phone
 * moves every reference it holds to the survivor, in its local copies and
 * in its outbox (the server would land an old id on the survivor anyway,
 * since the merged-away id stays an alias; rewriting keeps what the phone
 * shows true, and nobody listed twice).
 */
import type { IDBPTransaction, StoreNames } from 'idb';
import type { OutboxKind, SijilDb } from '../db/schema';

interface WithAttendance {
  attendance?: string[];
}
interface WithMembers {
  members?: { participant_id: string; joined_on: string; left_on?: string }[];
}

/**
 * `data` of a record or group with participant `from` replaced by `to`,
 * or null when it does not mention `from`. A record lists the survivor
 * once; a roster keeps the survivor's own place if she already had one,
 * else takes over the merged-away place.
 */
export function replaceParticipant(kind: OutboxKind, data: unknown, from: string, to: string): unknown | null {
  if (kind === 'record') {
    const attendance = (data as WithAttendance | undefined)?.attendance;
    if (!attendance?.includes(from)) return null;
    const next = [...new Set(attendance.map((id) => (id === from ? to : id)))].sort();
    return { ...(data as object), attendance: next };
  }
  if (kind === 'group') {
    const members = (data as WithMembers | undefined)?.members;
    if (!members?.some((m) => m.participant_id === from)) return null;
    const hasSurvivor = members.some((m) => m.participant_id === to);
    const next = hasSurvivor
      ? members.filter((m) => m.participant_id !== from)
      : members.map((m) => (m.participant_id === from ? { ...m, participant_id: to } : m));
    return { ...(data as object), members: next };
  }
  return null;
}

type PullTx = IDBPTransaction<SijilDb, StoreNames<SijilDb>[], 'readwrite'>;

/** Inside a pull's transaction: drops `from` (and its visitor entries) and points records, groups and outbox items at `to`. */
export async function mergeParticipantLocally(tx: PullTx, from: string, to: string): Promise<void> {
  await tx.objectStore('participants').delete(from);
  const visitors = tx.objectStore('visitors');
  for (const key of await visitors.index('by_participant').getAllKeys(from)) await visitors.delete(key);
  for (const [store, kind] of [
    ['records', 'record'],
    ['groups', 'group'],
  ] as const) {
    const os = tx.objectStore(store);
    for (const local of await os.getAll()) {
      const data = replaceParticipant(kind, local.data, from, to);
      if (data) await os.put({ ...local, data });
    }
  }
  const outbox = tx.objectStore('outbox');
  for (const item of await outbox.getAll()) {
    const data = item.deleted ? null : replaceParticipant(item.kind, item.data, from, to);
    if (data) await outbox.put({ ...item, data });
  }
}
