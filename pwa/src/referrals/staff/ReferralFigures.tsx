/**
 * Referral figures for coordinators (issue 17): made, accepted, declined,
 * completed (service received), overdue, and the median days to
 * acceptance and to service, exactly as the API computes them
 * (docs/design.md §9), by a grouping and by sex × age band, for a place
 * and a period chosen as on the figures dashboard; with the same figures'
 * CSV and Excel exports (HXL hashtags optional).
 */
import '../../coordinator/dashboard.css';
import { useState } from 'preact/hooks';
import { listAreas, listSites } from '../../api/endpoints';
import { DayField, Segmented } from '../../coordinator/controls';
import { formatDay, PRESETS, presetRange, validRange } from '../../coordinator/logic';
import { PERIOD_LABEL, placeOptions } from '../../coordinator/places';
import type { PeriodChoice } from '../../coordinator/state';
import { bandLabel } from '../../field/common';
import type { AgeBand } from '../../field/model';
import type { StaffScreenKey } from '../../i18n/staff';
import { formatNumber, language, t } from '../../i18n/staff';
import { useStore } from '../../store';
import { Checkbox, SelectField } from '../../ui/fields';
import { LoadFailed, Loading } from '../../ui/Notice';
import { useRemote } from '../../ui/useRemote';
import { categoryLabel } from '../ReferScreen';
import type { ReferralCounts, ReferralFigures } from './api';
import { referralExportUrl, referralFigures } from './api';
import type { FiguresChoice, Grouping } from './drafts';
import { bySexAndAge, figuresQuery, GROUPINGS } from './drafts';

const FIGURES: { key: keyof ReferralCounts; label: StaffScreenKey }[] = [
  { key: 'made', label: 'rfig_made' },
  { key: 'accepted', label: 'rfig_accepted' },
  { key: 'declined', label: 'rfig_declined' },
  { key: 'completed', label: 'rfig_completed' },
  { key: 'overdue', label: 'rfig_overdue' },
  { key: 'median_days_to_acceptance', label: 'rfig_days_to_acceptance' },
  { key: 'median_days_to_service', label: 'rfig_days_to_service' },
];

export function ReferralFiguresScreen() {
  const lang = useStore(language);
  const [scope, setScope] = useState('programme');
  const [period, setPeriod] = useState<PeriodChoice>('last_6_months');
  const [custom, setCustom] = useState(() => presetRange('last_6_months', new Date()));
  const [side, setSide] = useState<'made' | 'received'>('made');
  const [groupBy, setGroupBy] = useState<Grouping>('category');
  const [hxl, setHxl] = useState(false);
  const range = period === 'custom' ? custom : presetRange(period, new Date());
  const valid = validRange(range.from, range.to);
  const choice: FiguresChoice = { scope, ...range, side, groupBy };
  const query = figuresQuery(choice);
  const [places] = useRemote(() => Promise.all([listSites(), listAreas()]));
  const [data, retry] = useRemote(
    () => (valid ? referralFigures(query) : new Promise<never>(() => undefined)),
    [query, valid],
  );
  const n = (v: number | null) =>
    v === null ? '—' : formatNumber(Number.isInteger(v) ? v : Math.round(v * 10) / 10, lang);

  return (
    <>
      <h1>{t('referral_figures_title')}</h1>
      <div class="dash-controls">
        {places.state === 'ready' && (
          <SelectField
            id="rfig-scope"
            label={t('dash_scope')}
            value={scope}
            options={placeOptions(places.data[0], places.data[1], { partners: true })}
            onChange={setScope}
          />
        )}
        <SelectField
          id="rfig-period"
          label={t('dash_period')}
          value={period}
          options={[...PRESETS, 'custom' as const].map((p) => ({ value: p, label: t(PERIOD_LABEL[p]) }))}
          onChange={(v) => {
            if (v === 'custom') setCustom(range);
            setPeriod(v as PeriodChoice);
          }}
        />
        {period === 'custom' && (
          <>
            <DayField
              id="rfig-from"
              label={t('dash_from')}
              value={custom.from}
              onChange={(from) => setCustom((c) => ({ ...c, from }))}
              error={valid ? undefined : t('dash_range_invalid')}
            />
            <DayField
              id="rfig-to"
              label={t('dash_to')}
              value={custom.to}
              onChange={(to) => setCustom((c) => ({ ...c, to }))}
            />
          </>
        )}
      </div>
      <Segmented
        label={t('rfig_side')}
        value={side}
        options={[
          { value: 'made', label: t('rfig_side_made') },
          { value: 'received', label: t('rfig_side_received') },
        ]}
        onChange={(v) => setSide(v as 'made' | 'received')}
      />
      {valid && data.state === 'loading' && <Loading />}
      {data.state === 'failed' && <LoadFailed error={data.error} retry={retry} />}
      {valid && data.state === 'ready' && (
        <>
          <p class="muted" data-figures-range={`${data.data.period.from}/${data.data.period.to}`}>
            {t('rfig_period', {
              from: formatDay(data.data.period.from, lang),
              to: formatDay(data.data.period.to, lang),
            })}{' '}
            {t('rfig_overdue_after', { days: data.data.overdue_days })}
          </p>
          <dl class="headline" data-testid="referral-totals">
            {FIGURES.map((f) => (
              <div key={f.key} class="headline-item" data-figure={f.key}>
                <dt>{t(f.label)}</dt>
                <dd>{n(data.data.totals[f.key])}</dd>
              </div>
            ))}
          </dl>
          <section class="section">
            <h2>{t('rfig_by')}</h2>
            <SelectField
              id="rfig-group"
              label={t('rfig_group_by')}
              value={groupBy}
              options={GROUPINGS.map((g) => ({ value: g, label: t(`rfig_group_${g}` as StaffScreenKey) }))}
              onChange={(v) => setGroupBy(v as Grouping)}
            />
            <GroupTable figures={data.data} n={n} />
          </section>
          <PersonTable figures={data.data} n={n} />
          <section class="section">
            <h2>{t('exports_title')}</h2>
            <p class="muted">{t('rfig_export_note')}</p>
            <Checkbox id="rfig-hxl" label={t('export_hxl')} checked={hxl} onChange={setHxl} />
            <div class="button-row">
              {(['csv', 'xlsx'] as const).map((format) =>
                (['groups', 'person'] as const).map((table) => (
                  <a
                    key={`${format}-${table}`}
                    class="button button-secondary"
                    href={referralExportUrl(query, format, table, hxl)}
                    download
                    data-export={`referrals-${table}-${format}`}
                  >
                    {t(`rfig_export_${table}_${format}` as StaffScreenKey)}
                  </a>
                )),
              )}
            </div>
          </section>
        </>
      )}
    </>
  );
}

/** A group's name in the person's language where the app has it (categories); else as the server named it. */
function groupLabel(groupBy: string | null, g: { key: string; label: string }): string {
  if (groupBy === 'category') return categoryLabel(g.key);
  if (groupBy === 'district' && g.key === 'none') return t('no_district');
  return g.label;
}

function GroupTable({ figures, n }: { figures: ReferralFigures; n: (v: number | null) => string }) {
  if (figures.groups.length === 0) return <p class="muted">{t('chart_empty')}</p>;
  return (
    <div class="table-scroll">
      <table class="site-table" data-table="referral-groups">
        <thead>
          <tr>
            <th scope="col">{t(`rfig_group_${figures.group_by ?? 'category'}` as StaffScreenKey)}</th>
            {FIGURES.map((f) => (
              <th key={f.key} scope="col">
                {t(f.label)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {figures.groups.map((g) => (
            <tr key={g.key} data-group={g.key}>
              <th scope="row">
                <bdi>{groupLabel(figures.group_by, g)}</bdi>
              </th>
              {FIGURES.map((f) => (
                <td key={f.key} data-figure={f.key}>
                  {n(g[f.key])}
                </td>
              ))}
            </tr>
          ))}
          <tr data-group="all">
            <th scope="row">{t('rfig_all')}</th>
            {FIGURES.map((f) => (
              <td key={f.key} data-figure={f.key}>
                {n(figures.totals[f.key])}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function PersonTable({ figures, n }: { figures: ReferralFigures; n: (v: number | null) => string }) {
  const rows = bySexAndAge(figures.by_person);
  return (
    <section class="section">
      <h2>{t('rfig_by_person')}</h2>
      {rows.length === 0 ? (
        <p class="muted">{t('chart_empty')}</p>
      ) : (
        <div class="table-scroll">
          <table class="site-table" data-table="referral-person">
            <thead>
              <tr>
                <th scope="col">{t('rfig_person')}</th>
                <th scope="col">{t('rfig_made')}</th>
                <th scope="col">{t('rfig_accepted')}</th>
                <th scope="col">{t('rfig_completed')}</th>
                <th scope="col">{t('rfig_overdue')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.sex}-${r.age_band}`} data-person={`${r.sex}|${r.age_band}`}>
                  <th scope="row">
                    {t(r.sex === 'female' ? 'sex_female' : 'sex_male')}, {bandLabel(r.age_band as AgeBand)}
                  </th>
                  <td>{n(r.made)}</td>
                  <td>{n(r.accepted)}</td>
                  <td>{n(r.completed)}</td>
                  <td>{n(r.overdue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
