/**
 * The coordinator's dashboard: the figures of DESIGN.md §3 for a place and
 * a period, exactly as the server computes them (unique counts of different
 * places are never added up here), a trend by month or week, sex × age
 * (unique people, and head counts apart), disability and displacement, a
 * breakdown by place or partner, the site table with silent sites, targets
 * against what was achieved, and the exports.
 */
import { useState } from 'preact/hooks';
import type { Area, Me, Site } from '../api/types';
import { listAreas, listSites } from '../api/endpoints';
import { formatNumber, language, localName, t } from '../i18n';
import type { StringKey } from '../i18n/messages';
import { useStore } from '../store';
import { Checkbox, SelectField } from '../ui/fields';
import { Link } from '../ui/Link';
import { Loading, LoadFailed } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { Query, SiteRow, Totals } from './api';
import { figures, queryString, siteTable, targets } from './api';
import { BarChart, TargetBar } from './Charts';
import { DayField, Segmented } from './controls';
import type { SortKey } from './logic';
import {
  bySexAndAge,
  fillSeries,
  formatDay,
  formatMonth,
  monthsBetween,
  PRESETS,
  reachedBySexAndAge,
  silentSites,
  sortSites,
  targetShare,
  weeksBetween,
} from './logic';
import type { PeriodChoice } from './state';
import { queryOf, settings, updateSettings } from './state';
import { DisaggregationTable } from './Disaggregation';
import { indicatorLabel, TargetForm } from './Targets';

const PERIOD_LABEL: Record<PeriodChoice, StringKey> = {
  this_month: 'dash_this_month',
  last_month: 'dash_last_month',
  this_quarter: 'dash_this_quarter',
  last_quarter: 'dash_last_quarter',
  last_6_months: 'dash_last_6_months',
  custom: 'dash_custom',
};

/** Places the user may pick: the programme, the governorates and districts of their sites, each site. */
function placeOptions(sites: Site[], areas: Area[]) {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const districts = new Map<number, Area>();
  const governorates = new Map<number, Area>();
  for (const s of sites) {
    const area = byId.get(s.area_id);
    if (!area) continue;
    if (area.level === 2) {
      districts.set(area.id, area);
      const parent = area.parent_id === null ? undefined : byId.get(area.parent_id);
      if (parent) governorates.set(parent.id, parent);
    } else governorates.set(area.id, area);
  }
  return [
    { value: 'programme', label: t('dash_programme') },
    ...[...governorates.values()].map((a) => ({ value: `governorate:${a.id}`, label: `${t('place_governorate')}: ${localName(a)}` })),
    ...[...districts.values()].map((a) => ({ value: `district:${a.id}`, label: `${t('place_district')}: ${localName(a)}` })),
    ...sites.map((s) => ({ value: `site:${s.id}`, label: `${t('table_site')}: ${s.code} ${s.name}` })),
  ];
}

export function Dashboard({ me }: { me: Me }) {
  const lang = useStore(language);
  const chosen = useStore(settings);
  const query = queryOf(chosen);
  const [places] = useRemote(() => Promise.all([listSites(), listAreas()]));
  const sites = places.state === 'ready' ? places.data[0] : [];
  const key = query ? queryString(query) : 'invalid';
  const [data, retry] = useRemote(() => (query ? Promise.all([figures(query), siteTable(query)]) : new Promise<never>(() => undefined)), [key]);
  const rangeError = chosen.period === 'custom' && !query ? t('dash_range_invalid') : undefined;
  return (
    <>
      <h1>{t('dash_title')}</h1>
      <div class="dash-controls">
        {places.state === 'ready' && (
          <SelectField id="dash-scope" label={t('dash_scope')} value={chosen.scope} options={placeOptions(places.data[0], places.data[1])} onChange={(scope) => updateSettings({ scope })} />
        )}
        <SelectField
          id="dash-period"
          label={t('dash_period')}
          value={chosen.period}
          options={[...PRESETS, 'custom' as const].map((p) => ({ value: p, label: t(PERIOD_LABEL[p]) }))}
          onChange={(v) => updateSettings({ period: v as PeriodChoice })}
        />
        {chosen.period === 'custom' && (
          <>
            <DayField id="dash-from" label={t('dash_from')} value={chosen.from} onChange={(from) => updateSettings({ from })} error={rangeError} />
            <DayField id="dash-to" label={t('dash_to')} value={chosen.to} onChange={(to) => updateSettings({ to })} />
          </>
        )}
      </div>
      <Checkbox id="dash-flagged" label={t('dash_include_flagged')} checked={chosen.includeFlagged} onChange={(includeFlagged) => updateSettings({ includeFlagged })} />
      {query && data.state === 'loading' && <Loading />}
      {data.state === 'failed' && <LoadFailed error={data.error} retry={retry} />}
      {query && data.state === 'ready' && (
        <>
          <p class="muted" data-figures-range={`${data.data[0].from}/${data.data[0].to}`}>
            {t('dash_sites_covered', { place: data.data[0].scope.name, from: formatDay(data.data[0].from, lang), to: formatDay(data.data[0].to, lang), sites: formatNumber(data.data[0].scope.sites, lang) })}
            {' · '}
            {t(data.data[0].include_flagged ? 'dash_flagged_in' : 'dash_flagged_out')}
          </p>
          <Headline totals={data.data[0].figures.totals} />
          <Trend query={query} />
          <SexAndAge answer={data.data[0]} />
          <Breakdown query={query} />
          <SiteTable rows={data.data[1]} />
          <Silent rows={data.data[1]} />
          <Targets me={me} sites={sites} />
          <Exports query={query} admin={me.role === 'admin'} />
        </>
      )}
    </>
  );
}

function Headline({ totals }: { totals: Totals }) {
  const lang = useStore(language);
  const n = (v: number) => formatNumber(v, lang);
  const items: [string, string, string][] = [
    ['unique_participants', t('fig_unique'), n(totals.unique_participants)],
    ['attendances', t('fig_attendances'), n(totals.attendances)],
    ['activities', t('fig_activities'), n(totals.activities)],
    ['new_participants', t('fig_new'), n(totals.new_participants)],
    ['completed', t('fig_completed'), n(totals.completed)],
    ['hours', t('fig_hours'), n(Math.round(totals.hours))],
  ];
  return (
    <>
      <dl class="headline">
        {items.map(([key, label, value]) => (
          <div key={key} class="headline-item" data-figure={key}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h2 class="headline-apart-title">{t('fig_head_count_title')}</h2>
      <dl class="headline headline-apart">
        <div class="headline-item" data-figure="reached_by_head_count">
          <dt>{t('fig_head_count')}</dt>
          <dd>{n(totals.reached_by_head_count)}</dd>
        </div>
        <div class="headline-item" data-figure="reached_with_disability">
          <dt>{t('fig_head_count_disability')}</dt>
          <dd>{n(totals.reached_with_disability)}</dd>
        </div>
      </dl>
      <p class="muted">{t('fig_head_count_note')}</p>
    </>
  );
}

/** Month by month (unique people and attendances), or week by week (attendances and activities: unique people are not counted per week). */
function Trend({ query }: { query: Query }) {
  const lang = useStore(language);
  const [by, setBy] = useState<'month' | 'week'>('month');
  const [data, retry] = useRemote(() => figures(query, by), [queryString(query), by]);
  return (
    <section class="trend">
      <Segmented
        label={t('chart_trend_by')}
        value={by}
        options={[
          { value: 'month', label: t('chart_by_month') },
          { value: 'week', label: t('chart_by_week') },
        ]}
        onChange={(v) => setBy(v as 'month' | 'week')}
      />
      {data.state === 'loading' && <Loading />}
      {data.state === 'failed' && <LoadFailed error={data.error} retry={retry} />}
      {data.state === 'ready' &&
        (by === 'month' ? (
          <BarChart
            title={t('chart_trend')}
            bars={fillSeries(data.data.groups, monthsBetween(data.data.from, data.data.to)).map((g) => ({
              label: formatMonth(g.key, lang),
              tick: formatMonth(g.key, lang, true),
              values: [g.totals.unique_participants, g.totals.attendances],
            }))}
            series={[
              { name: t('fig_unique'), class: 'series-a' },
              { name: t('fig_attendances'), class: 'series-b' },
            ]}
          />
        ) : (
          <>
            <BarChart
              title={t('chart_trend_weekly')}
              bars={fillSeries(data.data.groups, weeksBetween(data.data.from, data.data.to)).map((g) => ({
                label: g.key,
                tick: g.key.slice(5),
                values: [g.totals.attendances, g.totals.activities],
              }))}
              series={[
                { name: t('fig_attendances'), class: 'series-b' },
                { name: t('fig_activities'), class: 'series-c' },
              ]}
            />
            <p class="muted">{t('chart_weeks_note')}</p>
          </>
        ))}
    </section>
  );
}

function SexAndAge({ answer }: { answer: Awaited<ReturnType<typeof figures>> }) {
  const people = bySexAndAge(answer.figures.split);
  const counted = reachedBySexAndAge(answer.figures.reached);
  const any = (rows: { female: number; male: number }[]) => rows.some((r) => r.female + r.male > 0);
  const sexes = [
    { name: t('sex_female'), class: 'series-a' },
    { name: t('sex_male'), class: 'series-b' },
  ];
  return (
    <>
      <BarChart title={t('chart_sex_age')} bars={any(people) ? people.map((b) => ({ label: b.band, values: [b.female, b.male] })) : []} series={sexes} />
      <BarChart title={t('chart_sex_age_heads')} bars={any(counted) ? counted.map((b) => ({ label: b.band, values: [b.female, b.male] })) : []} series={sexes} />
      <section class="section">
        <h2>{t('dis_title')}</h2>
        <div class="table-scroll">
          <DisaggregationTable split={answer.figures.split} />
        </div>
        <p class="muted">{t('dis_note')}</p>
      </section>
    </>
  );
}

const GROUPS: { value: string; label: StringKey }[] = [
  { value: 'next', label: 'group_next' },
  { value: 'governorate', label: 'place_governorate' },
  { value: 'district', label: 'place_district' },
  { value: 'partner', label: 'group_partner' },
];

/** The scope's figures by the level below it, or by partner: each row counted on its own by the server. */
function Breakdown({ query }: { query: Query }) {
  const lang = useStore(language);
  const [group, setGroup] = useState('next');
  const [data, retry] = useRemote(() => figures(query, group), [queryString(query), group]);
  const n = (v: number) => formatNumber(v, lang);
  return (
    <section class="section">
      <h2>{t('group_title')}</h2>
      <SelectField id="dash-group" label={t('group_by')} value={group} options={GROUPS.map((g) => ({ value: g.value, label: t(g.label) }))} onChange={setGroup} />
      {data.state === 'loading' && <Loading />}
      {data.state === 'failed' && <LoadFailed error={data.error} retry={retry} />}
      {data.state === 'ready' &&
        (data.data.groups.length === 0 ? (
          <p class="muted">{t('chart_empty')}</p>
        ) : (
          <div class="table-scroll">
            <table class="site-table" data-table="breakdown">
              <thead>
                <tr>
                  <th scope="col">{t('dash_scope')}</th>
                  <th scope="col">{t('fig_unique')}</th>
                  <th scope="col">{t('fig_attendances')}</th>
                  <th scope="col">{t('fig_activities')}</th>
                  <th scope="col">{t('fig_head_count')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.groups.map((g) => (
                  <tr key={g.key ?? g.label}>
                    <th scope="row">{data.data.group === 'month' ? formatMonth(g.label, lang) : g.label}</th>
                    <td>{g.participants_counted ? n(g.totals.unique_participants) : '—'}</td>
                    <td>{n(g.totals.attendances)}</td>
                    <td>{n(g.totals.activities)}</td>
                    <td>{n(g.totals.reached_by_head_count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <p class="muted">{t('group_note')}</p>
    </section>
  );
}

const COLUMNS: { key: SortKey; label: StringKey }[] = [
  { key: 'code', label: 'table_site' },
  { key: 'activities', label: 'fig_activities' },
  { key: 'unique_participants', label: 'fig_unique' },
  { key: 'attendances', label: 'fig_attendances' },
  { key: 'last_activity', label: 'table_last_activity' },
];

function SiteTable({ rows }: { rows: SiteRow[] }) {
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
                <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : undefined}>
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
                      <span dir="ltr">{r.code}</span> {r.name}
                      <span class="cell-meta">
                        {r.partner} · {r.district ?? r.governorate}
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

function Silent({ rows }: { rows: SiteRow[] }) {
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
        options={[7, 14, 30, 60, 90].map((n) => ({ value: String(n), label: t('silent_days_option', { n: formatNumber(n, lang) }) }))}
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

function Targets({ me, sites }: { me: Me; sites: Site[] }) {
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
                    {indicatorLabel(target.indicator)} · {target.site_id === null ? t('dash_programme') : siteName.get(target.site_id) ?? target.site_id}
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

function Exports({ query, admin }: { query: Query; admin: boolean }) {
  const [hxl, setHxl] = useState(false);
  const extra: Record<string, string> = hxl ? { hxl: 'true' } : {};
  return (
    <section class="section">
      <h2>{t('exports_title')}</h2>
      <p class="muted">{t(query.includeFlagged ? 'export_says_flagged_in' : 'export_says_flagged_out')}</p>
      <Checkbox id="export-hxl" label={t('export_hxl')} checked={hxl} onChange={setHxl} />
      <div class="button-row">
        <a class="button button-secondary" href={`/api/exports/figures?${queryString(query, { format: 'csv', ...extra })}`} download data-export="figures-csv">
          {t('export_csv')}
        </a>
        <a class="button button-secondary" href={`/api/exports/figures?${queryString(query, { format: 'xlsx', ...extra })}`} download data-export="figures-xlsx">
          {t('export_xlsx')}
        </a>
        {admin && (
          <>
            <a class="button button-secondary" href={`/api/exports/records?${queryString(query, { format: 'csv' })}`} download data-export="records-csv">
              {t('export_records')}
            </a>
            <a class="button button-secondary" href={`/api/exports/records?${queryString(query, { format: 'xlsx' })}`} download data-export="records-xlsx">
              {t('export_records_xlsx')}
            </a>
          </>
        )}
      </div>
    </section>
  );
}
