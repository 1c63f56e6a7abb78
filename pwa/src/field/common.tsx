/** Pieces the field screens share: steppers and head-count grids, the participant finder, the record list. */
import { useEffect, useState } from 'preact/hooks';
import { searchParticipants } from '../api/endpoints';
import type { Language } from '../api/types';
import type { LocalActivityType, LocalSite } from '../db/schema';
import { language, t, tn } from '../i18n';
import { formatCalendarDay, formatYear, listSeparator, namesIn } from '../i18n/format';
import type { StringKey } from '../i18n/messages';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { isLocked } from '../sync/locks';
import { Link } from '../ui/Link';
import type { RecordRow } from './data';
import { keepFoundParticipant, searchLocal } from './data';
import type { Problem, TallyMap } from './drafts';
import { tallyKey, tallyTotal } from './drafts';
import { useLocal } from './hooks';
import type { AgeBand, Participant, Sex } from './model';
import { AGE_BANDS, participantLabel, SEXES } from './model';

export function typeLabel(type: LocalActivityType | undefined): string {
  if (!type) return '';
  const names = namesIn(language.get());
  return (names === 'ar' ? type.label_ar : names === 'ckb' ? type.label_ckb : type.label_en) || type.label_en;
}

/** A form check's problem, in the person's language. */
export function problemText(problem: Problem | undefined): string | undefined {
  if (problem === undefined) return undefined;
  if (typeof problem === 'string') return t(problem);
  // Years are written whole ("1916", not "1,916").
  const params =
    problem.key === 'field_birth_year'
      ? Object.fromEntries(Object.entries(problem.params).map(([k, v]) => [k, formatYear(v, language.get())]))
      : problem.params;
  return t(problem.key, params);
}

export const bandLabel = (band: AgeBand) => t(`band_${band.replace('-', '_').replace('+', '_plus')}` as StringKey);

/** A number with − and + buttons, each a full thumb wide. */
export function Stepper({
  id,
  label,
  value,
  onChange,
  max = 5000,
}: {
  id: string;
  label: string;
  value: number;
  onChange: (n: number) => void;
  max?: number;
}) {
  const set = (n: number) => onChange(Math.max(0, Math.min(max, Number.isFinite(n) ? Math.round(n) : 0)));
  return (
    <div class="stepper">
      <label for={id}>{label}</label>
      <div class="stepper-controls">
        <button
          type="button"
          class="button button-secondary stepper-button"
          aria-label={t('decrease', { what: label })}
          onClick={() => set(value - 1)}
        >
          −
        </button>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={0}
          max={max}
          value={value}
          onInput={(e) => set(Number(e.currentTarget.value))}
        />
        <button
          type="button"
          class="button button-secondary stepper-button"
          aria-label={t('increase', { what: label })}
          onClick={() => set(value + 1)}
        >
          +
        </button>
      </div>
    </div>
  );
}

/** Head counts by sex × age band: one stepper per cell, women and girls first. */
export function TallyGrid({ value, onChange }: { value: TallyMap; onChange: (next: TallyMap) => void }) {
  return (
    <>
      {SEXES.map((sex) => (
        <fieldset class="field-group" key={sex}>
          <legend>{t(sex === 'female' ? 'tally_female' : 'tally_male')}</legend>
          {AGE_BANDS.map((band) => {
            const key = tallyKey(sex, band);
            return (
              <Stepper
                key={key}
                id={`tally-${sex}-${band}`}
                label={t(sex === 'female' ? 'tally_cell_female' : 'tally_cell_male', { band: bandLabel(band) })}
                value={value[key] ?? 0}
                onChange={(n) => onChange({ ...value, [key]: n })}
              />
            );
          })}
        </fieldset>
      ))}
      <p class="tally-total" role="status">
        {tn('counted_total', tallyTotal(value))}
      </p>
    </>
  );
}

/**
 * "female, 2015" under a name; for a visitor from another site the age
 * band instead of the birth year, which other sites are not given; and
 * when a caregiver answered the Washington Group questions, that.
 */
export function participantMeta(p: Participant): string {
  const sex = t(p.data.sex === 'female' ? 'sex_female' : 'sex_male');
  const sep = listSeparator(language.get());
  if (p.data.visitor) return `${sex}, ${p.data.age_band ? bandLabel(p.data.age_band) : ''}${sep}${t('visitor_meta')}`;
  const year = formatYear(p.data.birth_year, language.get());
  return p.data.wg_by_caregiver ? `${sex}, ${year}${sep}${t('caregiver_answered')}` : `${sex}, ${year}`;
}

/**
 * Search as you type, by code or given name: this phone's participants
 * first (works offline), then the server's when online.
 */
export function ParticipantFinder({
  siteId,
  exclude,
  onPick,
  label,
}: {
  siteId?: number;
  exclude: Set<string>;
  onPick: (p: Participant) => void;
  label?: string;
}) {
  const [q, setQ] = useState('');
  const isOnline = useStore(online);
  const local = useLocal((db) => (q.trim() ? searchLocal(db, q, siteId) : Promise.resolve([])), [q, siteId]);
  const [remote, setRemote] = useState<Participant[]>([]);
  useEffect(() => {
    setRemote([]);
    if (!isOnline || q.trim().length < 2) return;
    let live = true;
    const timer = setTimeout(() => {
      searchParticipants(q.trim()).then(
        (found) =>
          live &&
          setRemote(
            found.map((f) => ({
              id: f.id,
              version: 0,
              data: {
                code: f.code,
                site_id: f.site_id,
                given_name: f.given_name ?? undefined,
                sex: f.sex as Sex,
                birth_year: f.birth_year ?? 0,
                age_band: f.age_band as AgeBand,
                disability: f.has_disability ? 'yes' : 'no',
                displacement: f.displacement,
                visitor: f.visitor || undefined,
              } as Participant['data'],
            })),
          ),
        () => undefined,
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, isOnline]);
  const seen = new Set((local ?? []).map((p) => p.id));
  const results = [
    ...(local ?? []),
    ...remote.filter((p) => !seen.has(p.id) && (siteId === undefined || p.data.site_id === siteId)),
  ].filter((p) => !exclude.has(p.id));
  const pick = async (p: Participant) => {
    // One found only on the server is kept on the phone, so it can be shown offline.
    if (p.version === 0 && remote.includes(p)) await keepFoundParticipant(p);
    onPick(p);
    setQ('');
  };
  return (
    <div class="finder">
      <div class="field">
        <label for="finder-q">{label ?? t('find_participant')}</label>
        <input
          id="finder-q"
          type="search"
          value={q}
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => setQ(e.currentTarget.value)}
          aria-describedby="finder-hint"
        />
        <p class="field-hint" id="finder-hint">
          {t('find_hint')}
        </p>
      </div>
      {q.trim() && (
        <ul class="list finder-results">
          {results.length === 0 && <li class="list-item muted">{t('nobody_found')}</li>}
          {results.map((p) => (
            <li key={p.id}>
              <button type="button" class="list-button" onClick={() => void pick(p)}>
                <span class="list-title">{participantLabel(p)}</span>
                <span class="list-meta">{participantMeta(p)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const STATE_KEYS = {
  waiting: 'state_waiting',
  sent: 'state_sent',
  conflict: 'state_conflict',
  rejected: 'state_rejected',
} as const;

export function recordTitle(row: RecordRow, types: Map<number, LocalActivityType>): string {
  const type = types.get(row.record.data.activity_type_id);
  return typeLabel(type) || t(`kind_${row.record.data.kind}`);
}

/** My records, each with where it stands and, once pulled, its review. */
export function RecordList({
  rows,
  types,
  sites,
  groups,
  locks,
}: {
  rows: RecordRow[];
  types: Map<number, LocalActivityType>;
  sites: Map<number, LocalSite>;
  groups: Map<string, string>;
  /** Locked months (sync/locks.ts): their records are marked and cannot be edited. */
  locks?: ReadonlySet<string>;
}) {
  const lang = useStore(language);
  if (rows.length === 0) return <p class="empty">{t('nothing_recorded')}</p>;
  return (
    <ul class="list record-list" data-testid="my-records">
      {rows.map((row) => {
        const d = row.record.data;
        const counted =
          d.kind === 'awareness_event'
            ? tn(
                'people_counted',
                d.tallies.reduce((a, x) => a + x.count, 0),
              )
            : tn('people_present', d.attendance.length + (d.attendance_codes?.length ?? 0));
        const where = d.group_id ? groups.get(d.group_id) : sites.get(d.site_id)?.name;
        const review = row.record.review;
        return (
          <li
            key={row.record.id}
            class={`list-item record-row state-${row.state}`}
            data-record-id={row.record.id}
            data-state={row.state}
            data-review={review?.status ?? ''}
            data-locked={locks && isLocked(locks, d.site_id, d.date) ? 'true' : undefined}
          >
            <Link href={`/records/${row.record.id}`} class="list-link record-link">
              <span class="list-title">
                {recordTitle(row, types)}
                {listSeparator(lang)}
                <span class="nowrap">{formatDay(d.date, lang)}</span>
              </span>
              <span class="list-meta">
                {/* Names people typed are shown as typed, isolated from the text around them. */}
                {where && (
                  <>
                    <bdi>{where}</bdi>
                    {listSeparator(lang)}
                  </>
                )}
                {counted}
              </span>
            </Link>
            <span class="badges">
              <span class={`badge badge-${row.state}`}>
                {row.deleting ? t('state_deleting') : t(STATE_KEYS[row.state])}
              </span>
              {review?.status === 'approved' && <span class="badge badge-approved">{t('review_approved')}</span>}
              {review?.status === 'flagged' && <span class="badge badge-flagged">{t('review_flagged')}</span>}
              {locks && isLocked(locks, d.site_id, d.date) && (
                <span class="badge badge-locked">{t('record_locked_badge')}</span>
              )}
            </span>
            {review?.status === 'flagged' && review.comment && (
              <p class="review-comment">{t('review_comment', { comment: review.comment })}</p>
            )}
            {(row.state === 'conflict' || row.state === 'rejected') && (
              <Link href={`/outbox/${row.record.id}`} class="button button-danger">
                {t('resolve')}
              </Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function formatDay(date: string, lang: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return formatCalendarDay(y, m, d, lang as Language);
}

/** Toggle buttons for a small choice (sex, disability mode), each a full touch target. */
export function Choice<V extends string>({
  name,
  legend,
  value,
  options,
  onChange,
}: {
  name: string;
  legend: string;
  value: V | '';
  options: { value: V; label: string }[];
  onChange: (v: V) => void;
}) {
  return (
    <fieldset class="field-group choice">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label class="check" key={o.value}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
