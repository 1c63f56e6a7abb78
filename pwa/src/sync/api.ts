/** The sync calls, through the app's one fetch client, and how a run of them ended. */
import { isUnauthenticated, NetworkError, request } from '../api/client';
import type { OutboxKind, Review } from '../db/schema';
import type { Refusal } from './refusals';

/**
 * How a sync step ended: `offline` (no answer) retries later;
 * `unauthenticated` waits for the next login; `resend` means the server was
 * restored from a backup and what it confirmed lately is waiting again.
 */
export type Outcome = 'done' | 'offline' | 'unauthenticated' | 'failed' | 'resend';

/** The outcome a failed call stands for. */
export function outcomeOf(error: unknown): Outcome {
  if (isUnauthenticated(error)) return 'unauthenticated';
  if (error instanceof NetworkError) return 'offline';
  return 'failed';
}

export interface PushItem {
  type: OutboxKind;
  id: string;
  base_version: number;
  deleted?: true;
  data?: unknown;
  device_time?: string;
}

export interface ServerCopy {
  version: number;
  deleted: boolean;
  data?: unknown;
}

export interface PushResult {
  id: string;
  status: 'stored' | 'duplicate' | 'conflict' | 'invalid';
  version?: number;
  server?: ServerCopy;
  /** Why, per field: a refusal code (sync/refusals.ts); an older server sent an English sentence. */
  errors?: Record<string, Refusal | string>;
}

export interface Change {
  entity: 'site' | 'activity_type' | 'participant' | 'group' | 'record' | 'visitor' | 'lock' | 'service' | 'referral';
  id: string;
  version?: number;
  deleted: boolean;
  data?: unknown;
  review?: Review;
  /** A participant merged into another (issue 10): the survivor's id; phones move their references to it. */
  merged_into?: string;
}

export interface PullPage {
  changes: Change[];
  cursor: string;
  more: boolean;
  reset: boolean;
  /** The server's database went back in time: offer again what was sent lately. */
  restored: boolean;
  /** How many days to keep what the server confirmed, for that. */
  keep_sent_days: number;
}

/** What the engine needs from the server; tests pass a fake. */
export interface SyncApi {
  push(items: PushItem[]): Promise<{ results: PushResult[] }>;
  pull(cursor: string | undefined): Promise<PullPage>;
  newPrefix(): Promise<{ prefix: string }>;
}

export const PULL_PAGE = 500;

export const serverApi: SyncApi = {
  push: (items) => request('POST', '/sync/push', { items }, { compress: true }),
  pull: (cursor) =>
    request('GET', `/sync/pull?limit=${PULL_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  newPrefix: () => request('POST', '/participants/prefixes'),
};
