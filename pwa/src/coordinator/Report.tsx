/**
 * A printable monthly site report (A4): the site's figures for the month,
 * people by sex and age (head counts apart), disability and displacement,
 * and the list of records. The app's frame is hidden in print (see
 * dashboard.css); flagged records are counted, and the report says so.
 */
import { getSite } from '../api/endpoints';
import { formatNumber, language, t } from '../i18n/staff';
import { useStore } from '../store';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import { figures, siteRecords } from './api';
import { DisaggregationTable } from './Disaggregation';
import { bySexAndAge, formatDay, formatMonth, isMonth, monthRange, reachedBySexAndAge } from './logic';
import { KIND, reachLine, STATUS } from './Review';

export function MonthlyReport({ siteId, month }: { siteId: number; month: string }) {
  const lang = useStore(language);
  const valid = isMonth(month);
  const range = valid ? monthRange(month) : { from: '', to: '' };
  const [data, retry] = useRemote(
    () =>
      valid
        ? Promise.all([
            getSite(siteId),
            figures({ scope: `site:${siteId}`, ...range, includeFlagged: true }),
            siteRecords(siteId, range.from, range.to),
          ])
        : Promise.reject(new Error(t('lock_month_invalid'))),
    [siteId, month],
  );
  if (!valid) return <Notice kind="error">{t('lock_month_invalid')}</Notice>;
  if (data.state === 'loading') return <Loading />;
  if (data.state === 'failed') return <LoadFailed error={data.error} retry={retry} />;
  const [site, f, records] = data.data;
  const n = (v: number) => formatNumber(v, lang);
  const totals = f.figures.totals;
  const people = bySexAndAge(f.figures.split);
  const heads = reachedBySexAndAge(f.figures.reached);
  const sum = (rows: { female: number; male: number }[], key: 'female' | 'male') =>
    rows.reduce((a, r) => a + r[key], 0);
  return (
    <article class="report">
      <Link href={`/review/sites/${siteId}`} class="back-link">
        {t('site_records')}
      </Link>
      <h1>{t('report_title', { site: `${site.code} ${site.name}`, month: formatMonth(month, lang) })}</h1>
      <p class="muted">
        {site.partner_name} · {formatDay(range.from, lang)} – {formatDay(range.to, lang)} · {t('dash_flagged_in')}
      </p>
      <button type="button" class="button button-secondary no-print" onClick={() => window.print()}>
        {t('report_print')}
      </button>
      <h2>{t('report_figures')}</h2>
      <table class="site-table report-figures">
        <tbody>
          {(
            [
              ['fig_unique', totals.unique_participants],
              ['fig_attendances', totals.attendances],
              ['fig_activities', totals.activities],
              ['fig_new', totals.new_participants],
              ['fig_completed', totals.completed],
              ['fig_hours', Math.round(totals.hours)],
            ] as const
          ).map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{t(key)}</th>
              <td>{n(value)}</td>
            </tr>
          ))}
          <tr class="report-apart">
            <th scope="row">{t('fig_head_count')}</th>
            <td>{n(totals.reached_by_head_count)}</td>
          </tr>
        </tbody>
      </table>
      <p class="muted">{t('fig_head_count_note')}</p>
      <div class="report-columns">
        {(
          [
            ['chart_sex_age', people],
            ['chart_sex_age_heads', heads],
          ] as const
        ).map(([title, rows]) => (
          <section key={title}>
            <h2>{t(title)}</h2>
            <table class="site-table">
              <thead>
                <tr>
                  <th scope="col">{t('report_age')}</th>
                  <th scope="col">{t('sex_female')}</th>
                  <th scope="col">{t('sex_male')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((b) => (
                  <tr key={b.band}>
                    <th scope="row" dir="ltr">
                      {b.band}
                    </th>
                    <td>{n(b.female)}</td>
                    <td>{n(b.male)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t('report_total')}</th>
                  <td>{n(sum(rows, 'female'))}</td>
                  <td>{n(sum(rows, 'male'))}</td>
                </tr>
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <h2>{t('dis_title')}</h2>
      <DisaggregationTable split={f.figures.split} />
      <h2>{t('site_records')}</h2>
      {records.length === 0 ? (
        <p class="muted">{t('site_no_records')}</p>
      ) : (
        <table class="site-table report-records">
          <thead>
            <tr>
              <th scope="col">{t('report_date')}</th>
              <th scope="col">{t('report_activity')}</th>
              <th scope="col">{t('report_reach')}</th>
              <th scope="col">{t('report_status')}</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.id} data-status={r.review_status}>
                <td>{formatDay(r.date, lang)}</td>
                <td>
                  {t(KIND[r.kind])}
                  {r.topic ? ` · ${r.topic}` : ''}
                </td>
                <td>{reachLine(r, lang)}</td>
                <td>{t(STATUS[r.review_status])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted report-footer">
        {t('report_generated', { date: formatDay(new Date().toISOString().slice(0, 10), lang) })}
      </p>
    </article>
  );
}
