/**
 * The figures of the dashboard: the headline (unique people apart from head
 * counts), the trend by month or week, sex × age, disability and
 * displacement, and the breakdown by the level below or by partner. Each
 * shows what the server computed; nothing here adds unique counts up.
 */
import { useState } from 'preact/hooks';
import type { Area, Language } from '../api/types';
import { localDigits } from '../i18n/format';
import type { StaffScreenKey } from '../i18n/staff';
import { formatNumber, language, localName, t } from '../i18n/staff';
import { useStore } from '../store';
import { SelectField } from '../ui/fields';
import { LoadFailed, Loading } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { Query, Totals } from './api';
import { figures, queryString } from './api';
import { BarChart } from './Charts';
import { Segmented } from './controls';
import { DisaggregationTable } from './Disaggregation';
import { bySexAndAge, fillSeries, formatMonth, monthsBetween, reachedBySexAndAge, weeksBetween } from './logic';

export function Headline({ totals }: { totals: Totals }) {
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
export function Trend({ query }: { query: Query }) {
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

export function SexAndAge({ answer }: { answer: Awaited<ReturnType<typeof figures>> }) {
  const lang = useStore(language);
  const people = bySexAndAge(answer.figures.split);
  const counted = reachedBySexAndAge(answer.figures.reached);
  const any = (rows: { female: number; male: number }[]) => rows.some((r) => r.female + r.male > 0);
  const sexes = [
    { name: t('sex_female'), class: 'series-a' },
    { name: t('sex_male'), class: 'series-b' },
  ];
  return (
    <>
      <BarChart
        title={t('chart_sex_age')}
        bars={any(people) ? people.map((b) => ({ label: bandAxis(b.band, lang), values: [b.female, b.male] })) : []}
        series={sexes}
      />
      <BarChart
        title={t('chart_sex_age_heads')}
        bars={any(counted) ? counted.map((b) => ({ label: bandAxis(b.band, lang), values: [b.female, b.male] })) : []}
        series={sexes}
      />
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

const GROUPS: { value: string; label: StaffScreenKey }[] = [
  { value: 'next', label: 'group_next' },
  { value: 'governorate', label: 'place_governorate' },
  { value: 'district', label: 'place_district' },
  { value: 'partner', label: 'group_partner' },
];

/** The scope's figures by the level below it, or by partner: each row counted on its own by the server. */
/** An age band on a chart axis ("0–5", "60+"), in the language's digits. */
const bandAxis = (band: string, lang: Language) => localDigits(band.replace('-', '–'), lang);

/** A breakdown row's name: a month in the language, an area by its own name in the language, else as the server gave it (names people typed). */
function groupName(
  group: string | undefined,
  g: { key: string | null; label: string },
  lang: Language,
  areas?: Area[],
) {
  if (group === 'month') return formatMonth(g.label, lang);
  const area = group === 'governorate' || group === 'district' ? areas?.find((a) => String(a.id) === g.key) : undefined;
  return area ? localName(area) : <bdi>{g.label}</bdi>;
}

export function Breakdown({ query, areas }: { query: Query; areas?: Area[] }) {
  const lang = useStore(language);
  const [group, setGroup] = useState('next');
  const [data, retry] = useRemote(() => figures(query, group), [queryString(query), group]);
  const n = (v: number) => formatNumber(v, lang);
  return (
    <section class="section">
      <h2>{t('group_title')}</h2>
      <SelectField
        id="dash-group"
        label={t('group_by')}
        value={group}
        options={GROUPS.map((g) => ({ value: g.value, label: t(g.label) }))}
        onChange={setGroup}
      />
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
                    <th scope="row">{groupName(data.data.group, g, lang, areas)}</th>
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
