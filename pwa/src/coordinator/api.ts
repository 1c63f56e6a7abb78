/** The staff endpoints: figures, site table, records and their review, month locks, targets. */
import { request } from '../api/client';

export interface Totals {
  activities: number;
  attendances: number;
  unique_participants: number;
  reached_by_head_count: number;
  reached_with_disability: number;
  new_participants: number;
  completed: number;
  hours: number;
}

export interface SplitRow {
  sex: 'female' | 'male';
  age_band: string;
  disability: boolean;
  displacement: string;
  unique_participants: number;
  attendances: number;
  new_participants: number;
  completed: number;
}

export interface FiguresAnswer {
  scope: { kind: string; id: number | null; name: string; sites: number };
  from: string;
  to: string;
  include_flagged: boolean;
  figures: {
    totals: Totals;
    split: SplitRow[];
    reached: { sex: 'female' | 'male'; age_band: string; count: number }[];
  };
  group?: string;
  groups: { key: string | null; label: string; totals: Totals; participants_counted: boolean }[];
}

export interface SiteRow {
  site_id: number;
  code: string;
  name: string;
  partner: string;
  district: string | null;
  governorate: string;
  /** The same places in Arabic and Sorani (absent from an older server). */
  district_ar?: string | null;
  district_ckb?: string | null;
  governorate_ar?: string;
  governorate_ckb?: string;
  active: boolean;
  last_activity: string | null;
  totals: Totals;
}

export interface RecordSummary {
  id: string;
  kind: 'group_session' | 'awareness_event' | 'cfs_day' | 'individual_session';
  activity_type_id: number;
  site_id: number;
  group_id: string | null;
  date: string;
  duration_minutes: number;
  topic: string | null;
  attendances: number;
  head_count: number;
  recorded_by: string;
  review_status: 'submitted' | 'approved' | 'flagged';
  review_comment: string | null;
  version: number;
  /** First received more than the server's late-entry days after it happened (issue 10). */
  late_entry?: boolean;
}

export interface RecordDetail extends RecordSummary {
  notes: string | null;
  place_note: string | null;
  /** A visitor (registered at a site outside the reader's scope) comes without her birth year. */
  attendance: {
    code: string;
    sex: string;
    birth_year?: number;
    age_band: string;
    has_disability: boolean;
    displacement: string;
    visitor: boolean;
  }[];
  tallies: { sex: string; age_band: string; count: number }[];
  tally_disabled: number;
}

export interface Target {
  id: number;
  indicator: string;
  site_id: number | null;
  period_start: string;
  period_end: string;
  value: number;
  achieved: number;
}

/** What every figures request says: place, range, flagged switch. */
export interface Query {
  scope: string;
  from: string;
  to: string;
  includeFlagged: boolean;
}

export function queryString(q: Query, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    scope: q.scope,
    from: q.from,
    to: q.to,
    include_flagged: String(q.includeFlagged),
    ...extra,
  });
  return params.toString();
}

export const figures = (q: Query, group?: string) =>
  request<FiguresAnswer>('GET', `/figures?${queryString(q, group ? { group } : {})}`);
export const siteTable = (q: Query) => request<SiteRow[]>('GET', `/figures/sites?${queryString(q)}`);
export type ReviewStatus = RecordSummary['review_status'];
export const siteRecords = (siteId: number, from: string, to: string, status?: ReviewStatus) =>
  request<RecordSummary[]>(
    'GET',
    `/records?${new URLSearchParams({ site_id: String(siteId), from, to, limit: '1000', ...(status ? { status } : {}) })}`,
  );
export const recordDetail = (id: string) => request<RecordDetail>('GET', `/records/${encodeURIComponent(id)}`);
export const review = (id: string, status: 'approved' | 'flagged', comment?: string) =>
  request<RecordSummary>(
    'POST',
    `/records/${encodeURIComponent(id)}/review`,
    comment ? { status, comment } : { status },
  );
export interface MonthLock {
  site_id: number;
  month: string;
  locked_by: number;
  locked_at: number;
}
export const locks = (siteId: number) => request<MonthLock[]>('GET', `/sites/${siteId}/locks`);
export const lockMonth = (siteId: number, month: string) =>
  request<unknown>('POST', `/sites/${siteId}/locks`, { month });
export const unlockMonth = (siteId: number, month: string, reason: string) =>
  request<unknown>('POST', `/sites/${siteId}/unlock`, { month, reason });
/** An announcement to the staff of `siteIds` (web push); how many people and phones it was queued for. */
export const announce = (siteIds: number[], text: string) =>
  request<{ recipients: number; devices: number }>('POST', '/push/announcements', { site_ids: siteIds, text });
export const targets = () => request<Target[]>('GET', '/targets');
export const setTarget = (t: Omit<Target, 'id' | 'achieved'>) => request<Target>('POST', '/targets', t);

/** One side of a likely duplicate: the given name only where the server lets this user see it. */
export interface DuplicateSide {
  id: string;
  code: string;
  site_id: number;
  given_name?: string | null;
}
export interface DuplicatePair {
  a: DuplicateSide;
  b: DuplicateSide;
  reason: string;
}
export const duplicates = () => request<DuplicatePair[]>('GET', '/participants/duplicates');
/** Merges `merge` into `keep` (coordinator of both sites, or admin). */
export const mergeParticipants = (keep: string, merge: string) =>
  request<unknown>('POST', '/participants/merge', { keep, merge });
