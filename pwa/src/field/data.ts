/**
 * The field screens' way into the phone's database: what was pulled and
 * what was made here, and every save, which writes the local copy and its
 * outbox item in one transaction (so the screen, the outbox line and what
 * will be sent never disagree), then asks the sync engine to send.
 */
import type { IDBPDatabase } from 'idb';
import { currentUserDb } from '../db/current';
import { notifyOutboxChange } from '../db/outbox';
import type { Local, LocalActivityType, LocalSite, OutboxItem, OutboxKind, OutboxState, SijilDb } from '../db/schema';
import type { ServerCopy } from '../sync/api';
import { nextCode, STORE_OF } from '../sync/core';
import { afterLocalSave } from '../sync/engine';
import { normaliseCode } from './codes';

type Db = IDBPDatabase<SijilDb>;

export type Sex = 'female' | 'male';
export const SEXES: readonly Sex[] = ['female', 'male'];
export const AGE_BANDS = ['0-5', '6-11', '12-17', '18-24', '25-59', '60+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const WG_DOMAINS = ['seeing', 'hearing', 'walking', 'remembering', 'selfcare', 'communicating'] as const;
export type WgDomain = (typeof WG_DOMAINS)[number];
export type Disability = 'wg' | 'yes' | 'no' | 'not_asked';
export type Displacement = 'host' | 'idp' | 'refugee' | 'returnee';
export const DISPLACEMENTS: readonly Displacement[] = ['host', 'idp', 'refugee', 'returnee'];
export type RecordKind = 'group_session' | 'awareness_event' | 'cfs_day';

export interface ParticipantData {
  code: string;
  site_id: number;
  sex: Sex;
  birth_year: number;
  birth_year_estimated?: boolean;
  disability: Disability;
  wg?: Record<WgDomain, number>;
  displacement: Displacement;
  registered_on: string;
  given_name?: string;
}

export interface Member {
  participant_id: string;
  joined_on: string;
  left_on?: string;
}

export interface GroupData {
  site_id: number;
  activity_type_id: number;
  name: string;
  facilitator_ids?: number[];
  members: Member[];
}

export interface Tally {
  sex: Sex;
  age_band: AgeBand;
  count: number;
}

export interface RecordData {
  kind: RecordKind;
  activity_type_id: number;
  site_id: number;
  group_id?: string;
  date: string;
  start_time?: string;
  duration_minutes: number;
  topic?: string;
  place_note?: string;
  notes?: string;
  materials?: string;
  facilitator_ids?: number[];
  attendance: string[];
  tallies: Tally[];
  tally_disabled: number;
}

export type Participant = Local<ParticipantData>;
export type Group = Local<GroupData>;
export type ActivityRecord = Local<RecordData>;

/** Given names are not asked at women's centres: survivors' confidentiality (DESIGN.md §2, §5). */
export function asksGivenName(site: Pick<LocalSite, 'kind'> | undefined): boolean {
  return site?.kind !== 'womens_centre';
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Today on the phone's calendar, `YYYY-MM-DD`. */
export function today(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

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

/** Participants whose code starts with, or given name contains, `q` (case-insensitive). */
export function matches(p: Participant, q: string): boolean {
  const text = q.trim().toLowerCase();
  if (!text) return true;
  const code = normaliseCode(text);
  return (code.length > 0 && p.data.code.startsWith(code)) || (p.data.given_name ?? '').toLowerCase().includes(text);
}

export async function searchLocal(db: Db, q: string, siteId?: number, limit = 20): Promise<Participant[]> {
  const all =
    siteId === undefined ? ((await db.getAll('participants')) as Participant[]) : await participantsAt(db, siteId);
  return all.filter((p) => matches(p, q)).slice(0, limit);
}

export async function loadGroups(db: Db): Promise<Group[]> {
  return ((await db.getAll('groups')) as Group[]).sort((a, b) => a.data.name.localeCompare(b.data.name));
}

export interface RecordRow {
  record: ActivityRecord;
  state: OutboxState | 'sent';
  deleting: boolean;
  item?: OutboxItem;
}

/** My records, newest first, with where each stands (outbox state, review). */
export async function loadRecordRows(db: Db): Promise<RecordRow[]> {
  const [records, items] = await Promise.all([
    db.getAll('records') as Promise<ActivityRecord[]>,
    db.getAllFromIndex('outbox', 'by_kind', 'record'),
  ]);
  const byId = new Map(items.map((i) => [i.id, i]));
  return records
    .map((record) => {
      const item = byId.get(record.id);
      return { record, item, state: item?.state ?? 'sent', deleting: item?.deleted === true };
    })
    .sort(
      (a, b) =>
        b.record.data.date.localeCompare(a.record.data.date) ||
        (b.item?.created_at ?? '').localeCompare(a.item?.created_at ?? ''),
    );
}

/** Outbox items that need the person: conflicts and refusals, of any kind. */
export async function loadAttention(db: Db): Promise<OutboxItem[]> {
  const [conflicts, rejected] = await Promise.all([
    db.getAllFromIndex('outbox', 'by_state', 'conflict'),
    db.getAllFromIndex('outbox', 'by_state', 'rejected'),
  ]);
  return [...conflicts, ...rejected];
}

// ---- writing

async function save<Data>(kind: OutboxKind, id: string, data: Data, deleted = false): Promise<Local<Data>> {
  const db = await currentUserDb();
  const storeName = STORE_OF[kind];
  const tx = db.transaction([storeName, 'outbox'], 'readwrite');
  const store = tx.objectStore(storeName);
  const outbox = tx.objectStore('outbox');
  const local = (await store.get(id)) as Local<Data> | undefined;
  const pending = await outbox.get(id);
  const stamp = new Date().toISOString();
  const copy: Local<Data> = { id, version: local?.version ?? 0, data, review: local?.review };
  if (deleted && copy.version === 0 && pending) {
    // Never reached the server: forgetting it here is the whole deletion.
    await store.delete(id);
    await outbox.delete(id);
  } else {
    await store.put(copy as never);
    await outbox.put({
      id,
      kind,
      base_version: pending?.base_version ?? copy.version,
      data,
      deleted: deleted || undefined,
      state: 'waiting',
      created_at: pending?.created_at ?? stamp,
      updated_at: stamp,
      attempts: 0,
    });
  }
  await tx.done;
  notifyOutboxChange();
  afterLocalSave();
  return copy;
}

/** Registers a participant on this phone with the next code of its counter. */
export async function registerParticipant(data: Omit<ParticipantData, 'code'>): Promise<Participant> {
  const code = await nextCode(await currentUserDb());
  return save('participant', uuid(), { ...data, code });
}

export const saveGroup = (id: string | undefined, data: GroupData) => save('group', id ?? uuid(), data);
export const saveRecord = (id: string | undefined, data: RecordData) => save('record', id ?? uuid(), data);

export async function deleteRecord(record: ActivityRecord): Promise<void> {
  await save('record', record.id, record.data, true);
}

export async function getLocal<K extends 'participants' | 'groups' | 'records'>(store: K, id: string) {
  return (await currentUserDb()).get(store, id);
}

// ---- conflicts and refusals

export function serverCopyOf(item: OutboxItem): ServerCopy | undefined {
  return (item.error as { server?: ServerCopy } | undefined)?.server;
}

export function reasonsOf(item: OutboxItem): Record<string, string> {
  return (item.error as { errors?: Record<string, string> } | undefined)?.errors ?? {};
}

/** "Keep mine": send my version again, now based on the server's. */
export async function keepMine(item: OutboxItem): Promise<void> {
  const server = serverCopyOf(item);
  const db = await currentUserDb();
  await db.put('outbox', {
    ...item,
    base_version: server?.version ?? item.base_version,
    state: 'waiting',
    error: undefined,
    updated_at: new Date().toISOString(),
    attempts: 0,
  });
  notifyOutboxChange();
  afterLocalSave();
}

/** "Take the server's": its copy replaces mine, and mine leaves the outbox. */
export async function takeTheirs(item: OutboxItem): Promise<void> {
  const server = serverCopyOf(item);
  const db = await currentUserDb();
  const storeName = STORE_OF[item.kind];
  const tx = db.transaction([storeName, 'outbox'], 'readwrite');
  const local = await tx.objectStore(storeName).get(item.id);
  if (!server || server.deleted || server.data === undefined) await tx.objectStore(storeName).delete(item.id);
  else
    await tx
      .objectStore(storeName)
      .put({ id: item.id, version: server.version, data: server.data, review: local?.review } as never);
  await tx.objectStore('outbox').delete(item.id);
  await tx.done;
  notifyOutboxChange();
  afterLocalSave();
}

/** Gives up a refused item: out of the outbox; a copy never stored on the server goes too. */
export async function discard(item: OutboxItem): Promise<void> {
  const db = await currentUserDb();
  const storeName = STORE_OF[item.kind];
  const tx = db.transaction([storeName, 'outbox'], 'readwrite');
  const local = await tx.objectStore(storeName).get(item.id);
  if (!local || local.version === 0) await tx.objectStore(storeName).delete(item.id);
  await tx.objectStore('outbox').delete(item.id);
  await tx.done;
  notifyOutboxChange();
  afterLocalSave();
}
