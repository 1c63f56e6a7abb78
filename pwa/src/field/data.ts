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
import { cfsDayId, joinCfsDay } from './identity';
import type {
  ActivityRecord,
  Group,
  GroupData,
  Participant,
  ParticipantData,
  RecordData,
  RecordKind,
  Visitor,
  VisitorData,
} from './model';
import { matches, today, visitorAsParticipant } from './model';

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

/** Visitors attending at `siteId` (or at any of the user's sites), shown as participants. */
export async function visitorsAt(db: Db, siteId?: number): Promise<Participant[]> {
  const found = (
    siteId === undefined ? await db.getAll('visitors') : await db.getAllFromIndex('visitors', 'by_site', siteId)
  ) as Visitor[];
  return found.map(visitorAsParticipant);
}

/** Everyone who belongs on a site's lists: its own participants, then its visitors (each person once). */
export async function peopleAt(db: Db, siteId?: number): Promise<Participant[]> {
  const own =
    siteId === undefined ? ((await db.getAll('participants')) as Participant[]) : await participantsAt(db, siteId);
  const ids = new Set(own.map((p) => p.id));
  const visitors: Participant[] = [];
  for (const v of await visitorsAt(db, siteId)) {
    if (ids.has(v.id)) continue;
    ids.add(v.id);
    visitors.push(v);
  }
  return [...own, ...visitors.sort((a, b) => a.data.code.localeCompare(b.data.code))];
}

/** Search on the phone: own participants by code or name, visitors by code only (they carry no name). */
export async function searchLocal(db: Db, q: string, siteId?: number, limit = 20): Promise<Participant[]> {
  return (await peopleAt(db, siteId)).filter((p) => matches(p, q)).slice(0, limit);
}

/** The person on this phone with this (canonical) code, or with this id: a participant, else a visitor. */
export async function findOnPhone(db: Db, by: { code?: string; id?: string }): Promise<Participant | undefined> {
  if (by.id) {
    const own = (await db.get('participants', by.id)) as Participant | undefined;
    if (own) return own;
    const visitor = (await db.getFromIndex('visitors', 'by_participant', by.id)) as Visitor | undefined;
    return visitor && visitorAsParticipant(visitor);
  }
  if (!by.code) return undefined;
  const own = (await db.getFromIndex('participants', 'by_code', by.code)) as Participant | undefined;
  if (own) return own;
  const visitor = (await db.getFromIndex('visitors', 'by_code', by.code)) as Visitor | undefined;
  return visitor && visitorAsParticipant(visitor);
}

/** `findOnPhone` in the signed-in user's database. */
export async function findHeld(by: { code?: string; id?: string }): Promise<Participant | undefined> {
  return findOnPhone(await currentUserDb(), by);
}

/** Every participant on this phone (for the duplicate check at registration). */
export async function allParticipants(db: Db): Promise<Participant[]> {
  return (await db.getAll('participants')) as Participant[];
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
  /** A new CFS day that continues today's record of its site, already on this phone. */
  continues?: boolean;
  /** The group's other sessions on this phone, to ask before a second one on one date. */
  groupRecords: ActivityRecord[];
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
  const sites = await loadSites(db);
  let opened = existing;
  let continues = false;
  if (!recordId && k === 'cfs_day') {
    // One CFS day per site and date: opening "CFS day" again today continues today's record.
    const cfs = sites.filter((s) => s.kind === 'child_friendly_space');
    if (cfs.length === 1) {
      opened = await loadRecord(db, cfsDayId(cfs[0].id, today()));
      continues = opened !== undefined;
    }
  }
  const pending = opened ? await outbox.getItem(db, opened.id) : undefined;
  const groupRecords = group
    ? ((await db.getAll('records')) as ActivityRecord[]).filter((r) => r.data.group_id === group.id)
    : [];
  return {
    kind: k,
    existing: opened,
    pending,
    continues,
    group,
    groupRecords,
    sites,
    types: await loadTypes(db, k),
    locks: await readLocks(db),
  };
}

export async function loadRecord(db: Db, id: string): Promise<ActivityRecord | undefined> {
  return (await db.get('records', id)) as ActivityRecord | undefined;
}

/** `loadRecord` in the signed-in user's database. */
export async function findRecord(id: string): Promise<ActivityRecord | undefined> {
  return loadRecord(await currentUserDb(), id);
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

/**
 * Saves a new CFS day under its site-and-date id (identity.ts), adding to
 * what this phone already holds for that day (the form may have opened
 * before another save, or on another date), as the server does with every
 * phone's check-ins: marks are a union, never overwritten.
 */
export async function saveCfsDay(data: RecordData): Promise<void> {
  const id = cfsDayId(data.site_id, data.date);
  await thenSend(async (db) => {
    const prior = await loadRecord(db, id);
    return outbox.saveLocal(db, { kind: 'record', id, data: joinCfsDay(prior?.data, data) });
  });
}

export async function deleteRecord(record: ActivityRecord): Promise<void> {
  await thenSend((db) => outbox.saveLocal(db, { kind: 'record', id: record.id, data: record.data, deleted: true }));
}

export const keepMine = (item: OutboxItem) => thenSend((db) => outbox.keepMine(db, item));
export const takeTheirs = (item: OutboxItem) => thenSend((db) => outbox.takeTheirs(db, item));
export const discard = (item: OutboxItem) => thenSend((db) => outbox.discard(db, item));

/** Keeps a participant found only on the server on this phone, so it can be shown offline. */
export async function keepFoundParticipant(p: Participant): Promise<void> {
  const db = await currentUserDb();
  if (p.data.visitor) {
    // Kept as the pull would bring her: a visitor of the site, by code, sex and age band.
    const d = p.data;
    const data: VisitorData = {
      participant_id: p.id,
      code: d.code,
      sex: d.sex,
      age_band: d.age_band ?? '0-5',
      has_disability: d.disability === 'yes',
      displacement: d.displacement,
      site_id: d.site_id,
    };
    const id = `${p.id}@${d.site_id}`;
    if (!(await db.get('visitors', id))) await db.put('visitors', { id, version: 0, data });
    return;
  }
  if (!(await db.get('participants', p.id))) await db.put('participants', p as never);
}
