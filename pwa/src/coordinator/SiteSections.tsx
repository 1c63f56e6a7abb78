/**
 * The dashboard's per-site parts: the sortable site table with each site's
 * last activity, the silent sites, targets against what was achieved, and
 * the exports for donors and clusters.
 */
import { useState } from 'preact/hooks';
import type { Me, Site } from '../api/types';
import { listSeparator } from '../i18n/format';
import type { StaffScreenKey } from '../i18n/staff';
import { formatNumber, language, t } from '../i18n/staff';
import { useStore } from '../store';
import { Checkbox, SelectField } from '../ui/fields';
import { Link } from '../ui/Link';
import { LoadFailed } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { Query, SiteRow } from './api';
import { queryString, targets } from './api';
import { TargetBar } from './Charts';
import type { SortKey } from './logic';
import { formatDay, silentSites, sitePlace, sortSites, targetShare } from './logic';
import { indicatorLabel, TargetForm } from './Targets';

const COLUMNS: { key: SortKey; label: StaffScreenKey }[] = [
  { key: 'code', label: 'table_site' },
  { key: 'activities', label: 'fig_activities' },
  { key: 'unique_participants', label: 'fig_unique' },
  { key: 'attendances', label: 'fig_attendances' },
  { key: 'last_activity', label: 'table_last_activity' },
];

export function SiteTable({ rows }: { rows: SiteRow[] }) {
  const lang = useStore(language);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'code', desc: false });
  const sorted = sortSites(rows, sort.key, sort.desc);
  return (
    <section class="section">
      <h2>{t('table_sites')}</h2>
      <div class="table-scroll">
        <table class="site-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : undefined}
                >
                  <button
                    type="button"
                    class="sort-button"
                    aria-label={t('sort_by', { column: t(c.label) })}
                    data-sort={c.key}
                    onClick={() => setSort({ key: c.key, desc: sort.key === c.key ? !sort.desc : c.key !== 'code' })}
                  >
                    {t(c.label)}
                    <span aria-hidden="true" class="sort-mark">
                      {sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={r.site_id} data-site-code={r.code}>
                <th scope="row">
                  <Link href={`/review/sites/${r.site_id}`}>
                    <span>
                      <span dir="ltr">{r.code}</span> <bdi>{r.name}</bdi>
                      <span class="cell-meta">
                        <bdi>{r.partner}</bdi>
                        {listSeparator(lang)}
                        {sitePlace(r, lang)}
                      </span>
                    </span>
                  </Link>
                </th>
                <td>{formatNumber(r.totals.activities, lang)}</td>
                <td>{formatNumber(r.totals.unique_participants, lang)}</td>
                <td>{formatNumber(r.totals.attendances, lang)}</td>
                <td>{r.last_activity ? formatDay(r.last_activity, lang) : t('table_never')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function Silent({ rows }: { rows: SiteRow[] }) {
  const lang = useStore(language);
  const [days, setDays] = useState(14);
  const silent = silentSites(rows, days, new Date());
  return (
    <section class="section" data-section="silent">
      <h2>{t('silent_title')}</h2>
      <SelectField
        id="silent-days"
        label={t('silent_days')}
        value={String(days)}
        options={[7, 14, 30, 60, 90].map((n) => ({
          value: String(n),
          label: t('silent_days_option', { n: formatNumber(n, lang) }),
        }))}
        onChange={(v) => setDays(Number(v))}
      />
      {silent.length === 0 ? (
        <p class="muted">{t('silent_none', { n: formatNumber(days, lang) })}</p>
      ) : (
        <ul class="list">
          {silent.map((r) => (
            <li key={r.site_id} class="list-item" data-silent-site={r.code}>
              <Link href={`/review/sites/${r.site_id}`} class="list-link">
                <span class="list-title">
                  <span dir="ltr">{r.code}</span> {r.name}
                </span>
                <span class="list-meta">
                  {t('table_last_activity')}: {r.last_activity ? formatDay(r.last_activity, lang) : t('table_never')}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Targets({ me, sites }: { me: Me; sites: Site[] }) {
  const lang = useStore(language);
  const [list, retry] = useRemote(() => targets());
  const siteName = new Map(sites.map((s) => [s.id, `${s.code} ${s.name}`]));
  return (
    <section class="section">
      <h2>{t('targets_title')}</h2>
      {list.state === 'failed' && <LoadFailed error={list.error} retry={retry} />}
      {list.state === 'ready' &&
        (list.data.length === 0 ? (
          <p class="muted">{t('targets_none')}</p>
        ) : (
          <ul class="list targets">
            {list.data.map((target) => {
              const achieved = formatNumber(Math.round(target.achieved), lang);
              const value = formatNumber(target.value, lang);
              const percent = formatNumber(targetShare(target.achieved, target.value).percent, lang);
              const text = t('target_achieved', { achieved, value, percent });
              return (
                <li key={target.id} class="list-item" data-target-id={target.id}>
                  <p class="list-title">
                    {indicatorLabel(target.indicator)} ·{' '}
                    {target.site_id === null ? t('dash_programme') : (siteName.get(target.site_id) ?? target.site_id)}
                  </p>
                  <p class="list-meta">
                    {formatDay(target.period_start, lang)} – {formatDay(target.period_end, lang)}
                  </p>
                  <TargetBar achieved={target.achieved} value={target.value} label={text} />
                  <p class="list-meta">{text}</p>
                </li>
              );
            })}
          </ul>
        ))}
      <TargetForm me={me} sites={sites} onSaved={retry} />
    </section>
  );
}

export function Exports({ query, admin }: { query: Query; admin: boolean }) {
  const [hxl, setHxl] = useState(false);
  const extra: Record<string, string> = hxl ? { hxl: 'true' } : {};
  return (
    <section class="section">
      <h2>{t('exports_title')}</h2>
      <p class="muted">{t(query.includeFlagged ? 'export_says_flagged_in' : 'export_says_flagged_out')}</p>
      <Checkbox id="export-hxl" label={t('export_hxl')} checked={hxl} onChange={setHxl} />
      <div class="button-row">
        <a
          class="button button-secondary"
          href={`/api/exports/figures?${queryString(query, { format: 'csv', ...extra })}`}
          download
          data-export="figures-csv"
        >
          {t('export_csv')}
        </a>
        <a
          class="button button-secondary"
          href={`/api/exports/figures?${queryString(query, { format: 'xlsx', ...extra })}`}
          download
          data-export="figures-xlsx"
        >
          {t('export_xlsx')}
        </a>
        {admin && (
          <>
            <a
              class="button button-secondary"
              href={`/api/exports/records?${queryString(query, { format: 'csv' })}`}
              download
              data-export="records-csv"
            >
              {t('export_records')}
            </a>
            <a
              class="button button-secondary"
              href={`/api/exports/records?${queryString(query, { format: 'xlsx' })}`}
              download
              data-export="records-xlsx"
            >
              {t('export_records_xlsx')}
            </a>
          </>
        )}
      </div>
    </section>
  );
}
