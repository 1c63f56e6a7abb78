/**
 * The field screens' way into the phone's database: what was pulled and
 * what was made here, read for a screen, and every save, which goes
 * through the outbox (sync/outbox.ts) and then asks the sync engine to send.
 */
import type { IDBPDatabase } from 'idb';
import { currentUserDb } from '../db/current';
import type { LocalActivityType, LocalSite, OutboxItem, OutboxState, SijilDb } from '../db/schema';
import { nextCode } from '../sync/codes';
import { afterLocalSave } from '../sync/engine';
import { readLocks } from '../sync/locks';
import * as outbox from '../sync/outbox';
import { attentionItems } from './attention';
import type { RecordSetting } from './drafts';
import type { ActivityRecord, Group, GroupData, Participant, ParticipantData, RecordData, RecordKind } from './model';
import { matches } from './model';

type Db = IDBPDatabase<SijilDb>;

export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- reading

export async function loadSites(db: Db): Promise<LocalSite[]> {
  return (await db.getAll('sites')).filter((s) => s.active).sort((a, b) => a.name.localeCompare(b.name));
}

export async function loadTypes(db: Db, kind: RecordKind): Promise<LocalActivityType[]> {
  return (await db.getAll('activity_types'))
    .filter((t) => t.kind === kind && t.active)
    .sort((a, b) => a.code.localeCompare(b.code));
}

export async function participantsAt(db: Db, siteId: number): Promise<Participant[]> {
  const found = (await db.getAllFromIndex('participants', 'by_site', siteId)) as Participant[];
  return found.sort((a, b) => a.data.code.localeCompare(b.data.code));
}

export async function searchLocal(db: Db, q: string, siteId?: number, limit = 20): Promise<Participant[]> {
  const all =
    siteId === undefined ? ((await db.getAll('participants')) as Participant[]) : await participantsAt(db, siteId);
  return all.filter((p) => matches(p, q)).slice(0, limit);
}

export async function loadGroups(db: Db): Promise<Group[]> {
  return ((await db.getAll('groups')) as Group[]).sort((a, b) => a.data.name.localeCompare(b.data.name));
}

/**
 * Where a record stands, as its row shows it: its outbox state, or `sent`
 * when it is not in the outbox (the server has it). `sent` is a view
 * state only; the outbox never stores it.
 */
export type RecordState = OutboxState | 'sent';

export interface RecordRow {
  record: ActivityRecord;
  state: RecordState;
  deleting: boolean;
  item?: OutboxItem;
}

/** My records, newest first, with where each stands (outbox state, review). */
export async function loadRecordRows(db: Db): Promise<RecordRow[]> {
  const [records, items] = await Promise.all([
    db.getAll('records') as Promise<ActivityRecord[]>,
    outbox.itemsOfKind(db, 'record'),
  ]);
  const byId = new Map(items.map((i) => [i.id, i]));
  return records
    .map((record) => {
      const item = byId.get(record.id);
      const state: RecordState = item?.state ?? 'sent';
      return { record, item, state, deleting: item?.deleted === true };
    })
    .sort(
      (a, b) =>
        b.record.data.date.localeCompare(a.record.data.date) ||
        (b.item?.created_at ?? '').localeCompare(a.item?.created_at ?? ''),
    );
}

/** Everything a home screen lists, read in one go. */
export async function loadHome(db: Db) {
  const [groups, rows, unsent, sites, types, locks] = await Promise.all([
    loadGroups(db),
    loadRecordRows(db),
    outbox.needingAttention(db),
    loadSites(db),
    db.getAll('activity_types'),
    readLocks(db),
  ]);
  return {
    groups,
    rows,
    attention: attentionItems(rows, unsent, locks),
    locks,
    sites,
    types: new Map(types.map((x) => [x.id, x])),
    siteMap: new Map(sites.map((s) => [s.id, s])),
    groupNames: new Map(groups.map((g) => [g.id, g.data.name])),
  };
}

export type Home = Awaited<ReturnType<typeof loadHome>>;

/** What the record form needs: the record being edited (and its outbox item), its group, the choices. */
export interface RecordContext extends RecordSetting {
  existing?: ActivityRecord;
  pending?: OutboxItem;
  /** The locked months this phone knows of (sync/locks.ts). */
  locks: ReadonlySet<string>;
}

/**
 * The record form's context for a new record of `kind` (a group session
 * needs its group), or to edit `recordId`; null when that is not on this phone.
 */
export async function loadRecordContext(
  db: Db,
  { kind, groupId, recordId }: { kind?: RecordKind; groupId?: string; recordId?: string },
): Promise<RecordContext | null> {
  const existing = recordId ? ((await db.get('records', recordId)) as ActivityRecord | undefined) : undefined;
  if (recordId && !existing) return null;
  const k = existing?.data.kind ?? kind ?? 'group_session';
  const gid = existing?.data.group_id ?? groupId;
  const group = gid ? ((await db.get('groups', gid)) as Group | undefined) : undefined;
  if (k === 'group_session' && !group) return null;
  const pending = recordId ? await outbox.getItem(db, recordId) : undefined;
  return {
    kind: k,
    existing,
    pending,
    group,
    sites: await loadSites(db),
    types: await loadTypes(db, k),
    locks: await readLocks(db),
  };
}

/** The group form's context: the group being edited, if any, and the choices. */
export async function loadGroupContext(db: Db, groupId: string | undefined) {
  return {
    group: groupId ? ((await db.get('groups', groupId)) as Group | undefined) : undefined,
    sites: await loadSites(db),
    types: await loadTypes(db, 'group_session'),
  };
}

export function loadOutboxItem(db: Db, id: string): Promise<OutboxItem | undefined> {
  return outbox.getItem(db, id);
}

// ---- writing: each through the outbox, then sent as soon as the phone can

async function thenSend<T>(write: (db: Db) => Promise<T>): Promise<T> {
  const result = await write(await currentUserDb());
  afterLocalSave();
  return result;
}

/** Registers a participant on this phone with the next code of its counter. */
export async function registerParticipant(data: Omit<ParticipantData, 'code'>): Promise<Participant> {
  const code = await nextCode(await currentUserDb());
  return thenSend((db) => outbox.saveLocal(db, { kind: 'participant', id: uuid(), data: { ...data, code } }));
}

export const saveGroup = (id: string | undefined, data: GroupData) =>
  thenSend((db) => outbox.saveLocal(db, { kind: 'group', id: id ?? uuid(), data }));

export const saveRecord = (id: string | undefined, data: RecordData) =>
  thenSend((db) => outbox.saveLocal(db, { kind: 'record', id: id ?? uuid(), data }));

export async function deleteRecord(record: ActivityRecord): Promise<void> {
  await thenSend((db) => outbox.saveLocal(db, { kind: 'record', id: record.id, data: record.data, deleted: true }));
}

export const keepMine = (item: OutboxItem) => thenSend((db) => outbox.keepMine(db, item));
export const takeTheirs = (item: OutboxItem) => thenSend((db) => outbox.takeTheirs(db, item));
export const discard = (item: OutboxItem) => thenSend((db) => outbox.discard(db, item));

/** Keeps a participant found only on the server on this phone, so it can be shown offline. */
export async function keepFoundParticipant(p: Participant): Promise<void> {
  const db = await currentUserDb();
  if (!(await db.get('participants', p.id))) await db.put('participants', p as never);
}
