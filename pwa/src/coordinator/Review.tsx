/**
 * Drill-down and review: a site's records for the dashboard's period, with
 * its month locks and monthly reports; one record with who was present
 * (codes, never names) or its head counts, to approve or flag with a
 * comment the recorder sees after their next sync.
 */
import { useState } from 'preact/hooks';
import { getSite } from '../api/endpoints';
import type { Me } from '../api/types';
import type { StaffScreenKey } from '../i18n/staff';
import { formatNumber, language, t, tn } from '../i18n/staff';
import { useStore } from '../store';
import { describeError } from '../ui/errors';
import { SelectField, TextField } from '../ui/fields';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { RecordSummary, ReviewStatus } from './api';
import { lockMonth, locks, recordDetail, review, siteRecords, unlockMonth } from './api';
import { DayField } from './controls';
import { formatDay, formatMonth, isMonth, presetRange, recentMonths } from './logic';
import { queryOf, settings } from './state';

export const STATUS: Record<ReviewStatus, StaffScreenKey> = {
  submitted: 'review_status_submitted',
  approved: 'review_status_approved',
  flagged: 'review_status_flagged',
};
export const KIND: Record<RecordSummary['kind'], StaffScreenKey> = {
  group_session: 'kind_group_session',
  awareness_event: 'kind_awareness_event',
  cfs_day: 'kind_cfs_day',
  individual_session: 'kind_individual_session',
};

function lastMonth(): string {
  return presetRange('last_month', new Date()).from.slice(0, 7);
}

/** How many came: people for individually recorded activities, a head count for awareness events. */
export function reachLine(r: RecordSummary, lang: ReturnType<typeof language.get>): string {
  return r.kind === 'awareness_event'
    ? `${t('fig_head_count')}: ${formatNumber(r.head_count, lang)}`
    : `${t('fig_attendances')}: ${formatNumber(r.attendances, lang)}`;
}

export function SiteRecords({ me, siteId }: { me: Me; siteId: number }) {
  const lang = useStore(language);
  const chosen = useStore(settings);
  const range = queryOf(chosen) ?? presetRange('last_6_months', new Date());
  const [status, setStatus] = useState<'' | ReviewStatus>('');
  const [site, retrySite] = useRemote(() => Promise.all([getSite(siteId), locks(siteId)]), [siteId]);
  const [records, retryRecords] = useRemote(
    () => siteRecords(siteId, range.from, range.to, status || undefined),
    [siteId, range.from, range.to, status],
  );
  const [reportMonth, setReportMonth] = useState(lastMonth());
  return (
    <>
      <Link href={me.role === 'admin' ? '/dashboard' : '/'} class="back-link">
        {t('back_dashboard')}
      </Link>
      {site.state === 'loading' && <Loading />}
      {site.state === 'failed' && <LoadFailed error={site.error} retry={retrySite} />}
      {site.state === 'ready' && (
        <>
          <h1>
            <span dir="ltr">{site.data[0].code}</span> {site.data[0].name}
          </h1>
          <p class="muted">{site.data[0].partner_name}</p>
          <h2>{t('site_records')}</h2>
          <p class="muted">
            {t('site_records_range', { from: formatDay(range.from, lang), to: formatDay(range.to, lang) })}
          </p>
          <SelectField
            id="records-status"
            label={t('records_status_filter')}
            value={status}
            options={[
              { value: '', label: t('records_status_all') },
              ...(Object.keys(STATUS) as ReviewStatus[]).map((s) => ({ value: s, label: t(STATUS[s]) })),
            ]}
            onChange={(v) => setStatus(v as '' | ReviewStatus)}
          />
          {records.state === 'loading' && <Loading />}
          {records.state === 'failed' && <LoadFailed error={records.error} retry={retryRecords} />}
          {records.state === 'ready' &&
            (records.data.length === 0 ? (
              <p class="muted">{t('site_no_records')}</p>
            ) : (
              <>
                <p class="muted">{tn('records_count', records.data.length)}</p>
                <ul class="list">
                  {records.data.map((r) => (
                    <li key={r.id} class="list-item" data-review={r.review_status} data-review-record={r.id}>
                      <Link href={`/review/records/${r.id}`} class="list-link">
                        <span class="list-title">
                          {formatDay(r.date, lang)} · {t(KIND[r.kind])}
                          {r.topic ? ` · ${r.topic}` : ''}
                        </span>
                        <span class="list-meta">
                          {reachLine(r, lang)} ·{' '}
                          <span class={`status status-${r.review_status}`}>{t(STATUS[r.review_status])}</span>
                          {r.late_entry && (
                            <>
                              {' · '}
                              <span class="status status-late" data-late-entry="true">
                                {t('late_entry')}
                              </span>
                            </>
                          )}
                        </span>
                        {r.review_status === 'flagged' && r.review_comment && (
                          <span class="list-meta review-note">{r.review_comment}</span>
                        )}
                      </Link>
                    </li>
                  ))}
                </ul>
              </>
            ))}
          <section class="section">
            <h2>{t('site_report')}</h2>
            <SelectField
              id="report-month"
              label={t('lock_month')}
              value={reportMonth}
              options={recentMonths(new Date(), 12).map((m) => ({ value: m, label: formatMonth(m, lang) }))}
              onChange={setReportMonth}
            />
            <Link href={`/report/${siteId}/${reportMonth}`} class="button button-secondary">
              {t('site_report_open')}
            </Link>
          </section>
          <MonthLock me={me} siteId={siteId} locked={site.data[1].map((l) => l.month)} onChange={retrySite} />
        </>
      )}
    </>
  );
}

function MonthLock({
  me,
  siteId,
  locked,
  onChange,
}: {
  me: Me;
  siteId: number;
  locked: string[];
  onChange: () => void;
}) {
  const lang = useStore(language);
  const [month, setMonth] = useState(lastMonth());
  const [reason, setReason] = useState('');
  const [error, setError] = useState<{ month?: string; reason?: string }>({});
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const act = async (run: () => Promise<unknown>, done: StaffScreenKey) => {
    setMessage(null);
    try {
      await run();
      setMessage({ kind: 'success', text: t(done) });
      setReason('');
      onChange();
    } catch (e) {
      setMessage({ kind: 'error', text: describeError(e).message });
    }
  };
  const lock = () => {
    if (!isMonth(month)) return setError({ month: t('lock_month_invalid') });
    setError({});
    void act(() => lockMonth(siteId, month), 'lock_done');
  };
  const unlock = () => {
    if (reason.trim() === '') return setError({ reason: t('unlock_reason_needed') });
    setError({});
    void act(() => unlockMonth(siteId, month, reason.trim()), 'unlock_done');
  };
  const isLocked = locked.includes(month);
  return (
    <section class="section" data-section="locks">
      <h2>{t('lock_title')}</h2>
      <p class="muted" data-locked-months={locked.join(' ')}>
        {locked.length > 0
          ? t('locked_months', { months: locked.map((m) => formatMonth(m, lang)).join(lang === 'en' ? ', ' : '، ') })
          : t('locked_none')}
      </p>
      <DayField
        id="lock-month"
        type="month"
        label={t('lock_month')}
        value={month}
        onChange={setMonth}
        error={error.month}
      />
      {!isLocked && (
        <button type="button" class="button button-secondary" onClick={lock}>
          {t('lock_button')}
        </button>
      )}
      {isLocked && <p>{t('lock_is_locked')}</p>}
      {isLocked && me.role === 'admin' && (
        <>
          <TextField
            id="unlock-reason"
            label={t('unlock_reason')}
            value={reason}
            onInput={setReason}
            error={error.reason}
          />
          <button type="button" class="button button-danger" onClick={unlock}>
            {t('unlock_button')}
          </button>
        </>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </section>
  );
}

export function RecordReview({ id }: { id: string }) {
  const lang = useStore(language);
  const [data, retry] = useRemote(() => recordDetail(id), [id]);
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const decide = async (status: 'approved' | 'flagged') => {
    if (status === 'flagged' && comment.trim() === '') {
      setCommentError(t('review_comment_needed'));
      return;
    }
    setCommentError(undefined);
    setBusy(true);
    setMessage(null);
    try {
      await review(id, status, status === 'flagged' ? comment.trim() : undefined);
      setMessage({ kind: 'success', text: t('review_done') });
      setComment('');
      retry();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error).message });
    } finally {
      setBusy(false);
    }
  };
  if (data.state === 'loading') return <Loading />;
  if (data.state === 'failed') return <LoadFailed error={data.error} retry={retry} />;
  const r = data.data;
  return (
    <>
      <Link href={`/review/sites/${r.site_id}`} class="back-link">
        {t('site_records')}
      </Link>
      <h1>
        {t('review_record_title')}: {formatDay(r.date, lang)} · {t(KIND[r.kind])}
      </h1>
      <p class="muted">
        {t('record_recorded_by', { who: r.recorded_by })} ·{' '}
        {t('record_minutes', { n: formatNumber(r.duration_minutes, lang) })}
        {r.topic ? ` · ${r.topic}` : ''}
      </p>
      {r.place_note && <p class="muted">{r.place_note}</p>}
      {r.notes && <p>{r.notes}</p>}
      <p data-review={r.review_status} class={`status-line status-${r.review_status}`}>
        <strong>{t(STATUS[r.review_status])}</strong>
        {r.review_comment ? ` — ${r.review_comment}` : ''}
      </p>
      {r.late_entry && (
        <p class="status-line status-late" data-late-entry="true">
          {t('late_entry_note')}
        </p>
      )}
      {r.attendance.length > 0 && (
        <>
          <h2>
            {t('record_present')} ({formatNumber(r.attendance.length, lang)})
          </h2>
          <div class="table-scroll">
            <table class="site-table" data-table="attendance">
              <thead>
                <tr>
                  <th scope="col">{t('record_code')}</th>
                  <th scope="col">{t('record_sex')}</th>
                  <th scope="col">{t('record_born')}</th>
                  <th scope="col">{t('record_disability')}</th>
                  <th scope="col">{t('record_displacement')}</th>
                </tr>
              </thead>
              <tbody>
                {r.attendance.map((a) => (
                  <tr key={a.code}>
                    <td dir="ltr">{a.code}</td>
                    <td>{t(a.sex === 'female' ? 'sex_female' : 'sex_male')}</td>
                    <td>
                      {a.birth_year === undefined ? a.age_band : formatNumber(a.birth_year, lang).replace(/[,٬]/g, '')}
                    </td>
                    <td>{t(a.has_disability ? 'yes' : 'no')}</td>
                    <td>{t(`displacement_${a.displacement}` as StaffScreenKey)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {r.tallies.length > 0 && (
        <>
          <h2>{t('record_head_counts')}</h2>
          <div class="table-scroll">
            <table class="site-table" data-table="tallies">
              <tbody>
                {r.tallies.map((x) => (
                  <tr key={`${x.sex}${x.age_band}`}>
                    <th scope="row">
                      {t(x.sex === 'female' ? 'sex_female' : 'sex_male')} <span dir="ltr">{x.age_band}</span>
                    </th>
                    <td>{formatNumber(x.count, lang)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t('fig_head_count_disability')}</th>
                  <td>{formatNumber(r.tally_disabled, lang)}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </>
      )}
      <section class="section review-actions">
        <h2>{t('review_title')}</h2>
        <button type="button" class="button" disabled={busy} onClick={() => decide('approved')}>
          {t('review_approve')}
        </button>
        <TextField
          id="review-comment"
          label={t('review_flag_comment')}
          value={comment}
          onInput={setComment}
          error={commentError}
        />
        <button type="button" class="button button-danger" disabled={busy} onClick={() => decide('flagged')}>
          {t('review_flag')}
        </button>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
      </section>
    </>
  );
}
