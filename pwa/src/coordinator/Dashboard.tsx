/**
 * The coordinator's dashboard: the figures of docs/design.md §3 for a place and
 * a period, exactly as the server computes them (unique counts of different
 * places are never added up here), a trend by month or week, sex × age
 * (unique people, and head counts apart), disability and displacement, a
 * breakdown by place or partner, the site table with silent sites, targets
 * against what was achieved, and the exports. This file is the page and its
 * controls; the sections are in FigureSections.tsx and SiteSections.tsx.
 */

import { listAreas, listSites } from '../api/endpoints';
import type { Area, Me } from '../api/types';
import { listSeparator } from '../i18n/format';
import { formatNumber, language, localName, t } from '../i18n/staff';
import { useStore } from '../store';
import { Checkbox, SelectField } from '../ui/fields';
import { Link } from '../ui/Link';
import { LoadFailed, Loading } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import { Announce } from './Announce';
import { figures, queryString, siteTable } from './api';
import { DayField } from './controls';
import { Breakdown, Headline, SexAndAge, Trend } from './FigureSections';
import { formatDay, PRESETS } from './logic';
import { PERIOD_LABEL, placeOptions } from './places';
import { Exports, Silent, SiteTable, Targets } from './SiteSections';
import type { PeriodChoice } from './state';
import { queryOf, settings, updateSettings } from './state';

/**
 * The figures' place, named in the person's language: the server names it
 * in English ("Whole programme", "Duhok"), so the programme and areas are
 * named here, from the catalogue and the areas' own Arabic and Sorani names.
 */
function scopeName(scope: { kind: string; id: number | null; name: string }, areas: Area[] | undefined): string {
  if (scope.kind === 'programme') return t('dash_programme');
  const area =
    scope.kind === 'governorate' || scope.kind === 'district' ? areas?.find((a) => a.id === scope.id) : undefined;
  return area ? localName(area) : scope.name;
}

export function Dashboard({ me }: { me: Me }) {
  const lang = useStore(language);
  const chosen = useStore(settings);
  const query = queryOf(chosen);
  const [places] = useRemote(() => Promise.all([listSites(), listAreas()]));
  const sites = places.state === 'ready' ? places.data[0] : [];
  const key = query ? queryString(query) : 'invalid';
  const [data, retry] = useRemote(
    () => (query ? Promise.all([figures(query), siteTable(query)]) : new Promise<never>(() => undefined)),
    [key],
  );
  const rangeError = chosen.period === 'custom' && !query ? t('dash_range_invalid') : undefined;
  return (
    <>
      <h1>{t('dash_title')}</h1>
      <p class="no-print">
        <Link href="/duplicates">{t('dups_title')}</Link>
      </p>
      <div class="dash-controls">
        {places.state === 'ready' && (
          <SelectField
            id="dash-scope"
            label={t('dash_scope')}
            value={chosen.scope}
            options={placeOptions(places.data[0], places.data[1])}
            onChange={(scope) => updateSettings({ scope })}
          />
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
            <DayField
              id="dash-from"
              label={t('dash_from')}
              value={chosen.from}
              onChange={(from) => updateSettings({ from })}
              error={rangeError}
            />
            <DayField id="dash-to" label={t('dash_to')} value={chosen.to} onChange={(to) => updateSettings({ to })} />
          </>
        )}
      </div>
      <Checkbox
        id="dash-flagged"
        label={t('dash_include_flagged')}
        checked={chosen.includeFlagged}
        onChange={(includeFlagged) => updateSettings({ includeFlagged })}
      />
      {query && data.state === 'loading' && <Loading />}
      {data.state === 'failed' && <LoadFailed error={data.error} retry={retry} />}
      {query && data.state === 'ready' && (
        <>
          <p class="muted" data-figures-range={`${data.data[0].from}/${data.data[0].to}`}>
            {t('dash_sites_covered', {
              place: scopeName(data.data[0].scope, places.state === 'ready' ? places.data[1] : undefined),
              from: formatDay(data.data[0].from, lang),
              to: formatDay(data.data[0].to, lang),
              sites: formatNumber(data.data[0].scope.sites, lang),
            })}
            {listSeparator(lang)}
            {t(data.data[0].include_flagged ? 'dash_flagged_in' : 'dash_flagged_out')}
          </p>
          <Headline totals={data.data[0].figures.totals} />
          <Trend query={query} />
          <SexAndAge answer={data.data[0]} />
          <Breakdown query={query} areas={places.state === 'ready' ? places.data[1] : undefined} />
          <SiteTable rows={data.data[1]} />
          <Silent rows={data.data[1]} />
          <Targets me={me} sites={sites} />
          <Announce sites={sites} />
          <Exports query={query} admin={me.role === 'admin'} />
        </>
      )}
    </>
  );
}
