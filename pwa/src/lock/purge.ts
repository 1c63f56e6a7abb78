/**
 * What leaves the phone (docs/design.md, "Shared and lost phones"):
 *
 * - at logout, everything of that user except what is unsent: the outbox,
 *   the local copies it refers to, and the participant-code counter (so no
 *   code is ever handed out twice). It needs no key: ids are in clear.
 * - after a clean sync, what the work no longer needs: records older than
 *   `keepDays` and groups and participants of sites the user no longer
 *   works at, unless unsent or still in a kept group's roster.
 */
import type { IDBPDatabase } from 'idb';
import type { SijilDb } from '../db/schema';
import { PULLED_STORES } from '../db/schema';

type Db = IDBPDatabase<SijilDb>;

/** Meta entries kept at logout: the participant-code counter (sync/codes.ts). */
const KEPT_META = ['codes'];

/** Leaves only what is unsent (and the code counter); returns how many entries went. */
export async function purgeAtLogout(db: Db): Promise<number> {
  const names = [...PULLED_STORES, 'sent', 'meta'] as const;
  const tx = db.transaction(['outbox', ...names], 'readwrite');
  const unsent = new Set((await tx.objectStore('outbox').getAllKeys()) as string[]);
  let removed = 0;
  for (const name of names) {
    const store = tx.objectStore(name);
    for (const key of await store.getAllKeys()) {
      const keep = name === 'meta' ? KEPT_META.includes(String(key)) : unsent.has(String(key));
      if (!keep) {
        await store.delete(key);
        removed++;
      }
    }
  }
  await tx.done;
  return removed;
}

interface WithSite {
  id: string;
  data: { site_id?: number; date?: string; members?: { participant_id: string }[] };
}

/** After a clean sync, on the unlocked (sealed) database; returns how many entries went. */
export async function purgeAfterSync(
  db: Db,
  siteIds: number[] | 'all',
  keepDays: number,
  today: Date,
): Promise<number> {
  const tx = db.transaction(['outbox', 'records', 'groups', 'participants'], 'readwrite');
  const unsent = new Set((await tx.objectStore('outbox').getAllKeys()) as string[]);
  const mySite = (site?: number) => siteIds === 'all' || (site !== undefined && siteIds.includes(site));
  const cutoff = new Date(today.getTime() - keepDays * 86_400_000).toISOString().slice(0, 10);
  let removed = 0;
  const records = (await tx.objectStore('records').getAll()) as WithSite[];
  for (const r of records) {
    if (unsent.has(r.id)) continue;
    if ((r.data.date && r.data.date < cutoff) || !mySite(r.data.site_id)) {
      await tx.objectStore('records').delete(r.id);
      removed++;
    }
  }
  const groups = (await tx.objectStore('groups').getAll()) as WithSite[];
  const inKeptRoster = new Set<string>();
  for (const g of groups) {
    if (unsent.has(g.id) || mySite(g.data.site_id)) {
      for (const m of g.data.members ?? []) inKeptRoster.add(m.participant_id);
    } else {
      await tx.objectStore('groups').delete(g.id);
      removed++;
    }
  }
  const participants = (await tx.objectStore('participants').getAll()) as WithSite[];
  for (const p of participants) {
    if (unsent.has(p.id) || inKeptRoster.has(p.id) || mySite(p.data.site_id)) continue;
    await tx.objectStore('participants').delete(p.id);
    removed++;
  }
  await tx.done;
  return removed;
}
