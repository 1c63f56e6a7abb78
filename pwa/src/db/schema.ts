/**
 * The phone's database. Each user gets their own IndexedDB database,
 * `sijil-u<userId>`, so on a shared phone one person's unsent records and
 * cached data are never shown to the next person who logs in.
 *
 * Upgrades only ever add: each step below runs once, in order, when a phone
 * with an older version opens the database. Nothing is deleted or
 * recreated, because an outbox may hold a week of field work that has not
 * reached the server yet (Workbox's own queue deletes on upgrade; we must
 * not).
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { openDB } from 'idb';
import type { ActivityType } from '../api/types';

/** What an outbox item stands for on the server (`type` in `/api/sync/push`). */
export type OutboxKind = 'participant' | 'group' | 'record' | 'referral';

/**
 * - `waiting`: made on the phone, not yet confirmed by the server;
 * - `conflict`: the server holds a newer version; the person must choose;
 * - `rejected`: the server refused it (invalid), with reasons in `error`.
 *
 * There is no state for "sent": an item the server confirmed leaves the
 * outbox in the same transaction that records the answer (sync/outbox.ts).
 */
export type OutboxState = 'waiting' | 'conflict' | 'rejected';
export const OUTBOX_STATES: readonly OutboxState[] = ['waiting', 'conflict', 'rejected'];

export interface OutboxItem<Data = unknown> {
  /** Client-made UUID; also the item's id on the server, which makes resending harmless. */
  id: string;
  kind: OutboxKind;
  /** The server version this edit starts from; 0 for something new. */
  base_version: number;
  /** The payload as `/api/sync/push` takes it. */
  data: Data;
  state: OutboxState;
  /** Why the server refused it or what conflicted (its answer, kept as given). */
  error?: unknown;
  /** Phone clock when the item was made (reported to the server, never trusted for order). */
  created_at: string;
  /** Phone clock at the last change of state. */
  updated_at: string;
  /** Sending attempts that got no answer, for backing off. */
  attempts: number;
  /** A deletion (soft, on the server) rather than new content. */
  deleted?: boolean;
}

/**
 * What the server confirmed, kept for a while after it left the outbox:
 * if the server is restored from a backup older than the confirmation,
 * the phone offers it again (the server answers `duplicate` for what it
 * still has). Kept `keep_sent_days`, as the server says in each pull.
 */
export interface SentItem<Data = unknown> {
  id: string;
  kind: OutboxKind;
  /** The version the confirmed edit was based on (0: something new). */
  base_version: number;
  data: Data;
  deleted?: boolean;
  /** When the phone made it (sent as `device_time`). */
  created_at: string;
  /** Phone clock when the server confirmed it. */
  sent_at: string;
}

/** A site as pulled (`entity: 'site'`). */
export interface LocalSite {
  id: number;
  code: string;
  name: string;
  kind: string;
  partner_id?: number;
  partner_name?: string;
  area_id?: number;
  area_name_en?: string;
  area_name_ar?: string;
  area_name_ckb?: string;
  district_pcode?: string | null;
  governorate_pcode?: string;
  latitude?: number | null;
  longitude?: number | null;
  active: boolean;
}

/** An activity type as pulled (`entity: 'activity_type'`): the server's shape as is. */
export type LocalActivityType = ActivityType;

export interface Review {
  status: 'submitted' | 'approved' | 'flagged';
  comment?: string | null;
}

/**
 * A participant, group or record on this phone: pulled from the server or
 * made here. `version` is the server version this copy is based on (0:
 * never stored yet), which an edit sends as `base_version`.
 */
export interface Local<Data> {
  id: string;
  version: number;
  data: Data;
  /** Records: the coordinator's review, as last pulled. */
  review?: Review;
}

export type SyncedStore = 'participants' | 'groups' | 'records' | 'referrals';

/** The store holding the local copy of each kind of outbox item. */
export const STORE_OF: Record<OutboxKind, SyncedStore> = {
  participant: 'participants',
  group: 'groups',
  record: 'records',
  referral: 'referrals',
};
export const PULLED_STORES = [
  'sites',
  'activity_types',
  'participants',
  'groups',
  'records',
  'visitors',
  'services',
  'referrals',
] as const;

export interface SijilDb extends DBSchema {
  outbox: {
    key: string;
    value: OutboxItem;
    indexes: { by_state: OutboxState; by_kind: OutboxKind };
  };
  /** Small named values of this user: the pull cursor, cached reference data. */
  meta: {
    key: string;
    value: unknown;
  };
  // Version 2: what sync pulls, and what this phone made (a copy stays here after sending).
  // Participant, group and record data are typed where they are used (field/model.ts).
  sites: { key: number; value: LocalSite };
  activity_types: { key: number; value: LocalActivityType };
  participants: {
    key: string;
    value: Local<unknown>;
    indexes: { by_site: number; by_code: string };
  };
  groups: {
    key: string;
    value: Local<unknown>;
    indexes: { by_site: number };
  };
  records: {
    key: string;
    value: Local<unknown>;
    indexes: { by_date: string };
  };
  // Version 3: what the server confirmed, for a while (see SentItem).
  sent: {
    key: string;
    value: SentItem;
    indexes: { by_sent_at: string };
  };
  // Version 4: people registered at another site who attend at one of this user's
  // (pull entity `visitor`, id `<participant_id>@<site_id>`; field/model.ts types the data).
  visitors: {
    key: string;
    value: Local<unknown>;
    indexes: { by_site: number; by_participant: string; by_code: string };
  };
  // Version 5 (issue 17): the service directory as pulled (entity `service`, referrals/model.ts
  // types it) and this user's referrals (made here, then as the server answers them).
  services: { key: number; value: { id: number } };
  referrals: { key: string; value: Local<unknown> };
}

export const DB_VERSION = 5;

export function userDbName(userId: number): string {
  return `sijil-u${userId}`;
}

export async function openUserDb(userId: number): Promise<IDBPDatabase<SijilDb>> {
  const db = await openDB<SijilDb>(userDbName(userId), DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by_state', 'state');
        outbox.createIndex('by_kind', 'kind');
        db.createObjectStore('meta');
      }
      if (oldVersion < 2) {
        db.createObjectStore('sites', { keyPath: 'id' });
        db.createObjectStore('activity_types', { keyPath: 'id' });
        const participants = db.createObjectStore('participants', { keyPath: 'id' });
        participants.createIndex('by_site', 'data.site_id');
        participants.createIndex('by_code', 'data.code');
        db.createObjectStore('groups', { keyPath: 'id' }).createIndex('by_site', 'data.site_id');
        db.createObjectStore('records', { keyPath: 'id' }).createIndex('by_date', 'data.date');
      }
      if (oldVersion < 3) {
        db.createObjectStore('sent', { keyPath: 'id' }).createIndex('by_sent_at', 'sent_at');
      }
      if (oldVersion < 4) {
        const visitors = db.createObjectStore('visitors', { keyPath: 'id' });
        visitors.createIndex('by_site', 'data.site_id');
        visitors.createIndex('by_participant', 'data.participant_id');
        visitors.createIndex('by_code', 'data.code');
      }
      if (oldVersion < 5) {
        db.createObjectStore('services', { keyPath: 'id' });
        db.createObjectStore('referrals', { keyPath: 'id' });
      }
      // Version 6 and later: add stores and indexes here, never drop.
    },
    // A newer version of the app in another tab wants to upgrade: let it.
    blocking() {
      db.close();
    },
  });
  return db;
}
