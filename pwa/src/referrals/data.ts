/**
 * Referrals in the phone's database: the directory as pulled, this user's
 * referrals with where each stands, and making one, which goes through
 * the outbox like any record (sync/outbox.ts) and is sent when the phone can.
 */
import type { IDBPDatabase } from 'idb';
import { currentUserDb } from '../db/current';
import type { Local, OutboxItem, SijilDb } from '../db/schema';
import { uuid } from '../field/data';
import { afterLocalSave } from '../sync/engine';
import * as outbox from '../sync/outbox';
import type { ReferralData, ServiceData, StoredReferral } from './model';

type Db = IDBPDatabase<SijilDb>;

export async function loadServices(db: Db): Promise<ServiceData[]> {
  return (await db.getAll('services')) as unknown as ServiceData[];
}

export interface ReferralRow {
  referral: Local<StoredReferral>;
  /** Its outbox item while the server has not taken it. */
  item?: OutboxItem;
}

/** My referrals, newest first, each with its outbox item while unsent. */
export async function loadMyReferrals(db: Db): Promise<ReferralRow[]> {
  const [referrals, items] = await Promise.all([
    db.getAll('referrals') as Promise<Local<StoredReferral>[]>,
    outbox.itemsOfKind(db, 'referral'),
  ]);
  const byId = new Map(items.map((i) => [i.id, i]));
  return referrals
    .map((referral) => ({ referral, item: byId.get(referral.id) }))
    .sort((a, b) => b.referral.data.referred_on.localeCompare(a.referral.data.referred_on));
}

/** Saves a new referral on this phone and in the outbox; returns its id. */
export async function saveReferral(data: ReferralData): Promise<string> {
  const id = uuid();
  await outbox.saveLocal(await currentUserDb(), { kind: 'referral', id, data });
  afterLocalSave();
  return id;
}
