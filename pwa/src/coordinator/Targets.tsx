/** Setting a target: an indicator, for a site or the programme, over a period. */
import { useState } from 'preact/hooks';
import type { Me, Site } from '../api/types';
import { parseDecimal } from '../i18n/format';
import type { StaffScreenKey } from '../i18n/staff';
import { t } from '../i18n/staff';
import { describeError } from '../ui/errors';
import { SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { setTarget } from './api';
import { DayField } from './controls';
import { validRange } from './logic';

const INDICATORS: [string, StaffScreenKey][] = [
  ['unique_participants', 'fig_unique'],
  ['attendances', 'fig_attendances'],
  ['activities', 'fig_activities'],
  ['reached_by_head_count', 'fig_head_count'],
  ['new_participants', 'fig_new'],
  ['completed', 'fig_completed'],
  ['hours', 'fig_hours'],
];

export function indicatorLabel(indicator: string): string {
  const key = INDICATORS.find(([i]) => i === indicator)?.[1];
  return key ? t(key) : indicator;
}

/** Programme-wide targets are for admins and coordinators of every site; others set targets for their sites. */
export function mayTargetProgramme(me: Me): boolean {
  return me.role === 'admin' || me.all_sites;
}

export function TargetForm({ me, sites, onSaved }: { me: Me; sites: Site[]; onSaved: () => void }) {
  const year = new Date().getUTCFullYear();
  const programme = mayTargetProgramme(me);
  const [indicator, setIndicator] = useState('unique_participants');
  const [chosenScope, setScope] = useState('');
  // A coordinator of some sites only picks one of them; the list may arrive after the form.
  const scope = chosenScope === '' && !programme && sites[0] ? String(sites[0].id) : chosenScope;
  const [start, setStart] = useState(`${year}-01-01`);
  const [end, setEnd] = useState(`${year}-12-31`);
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<{ period?: string; value?: string; scope?: string }>({});
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    const amount = parseDecimal(value);
    const found = {
      period: validRange(start, end) ? undefined : t('dash_range_invalid'),
      value: amount === null || Number.isNaN(amount) || amount <= 0 ? t('target_value_invalid') : undefined,
      scope: scope === '' && !programme ? t('target_scope_needed') : undefined,
    };
    setErrors(found);
    if (found.period || found.value || found.scope) return;
    try {
      await setTarget({
        indicator,
        site_id: scope === '' ? null : Number(scope),
        period_start: start,
        period_end: end,
        value: amount as number,
      });
      setMessage({ kind: 'success', text: t('target_saved') });
      setValue('');
      onSaved();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error).message });
    }
  };
  const scopes = [
    ...(programme ? [{ value: '', label: t('dash_programme') }] : []),
    ...sites.map((s) => ({ value: String(s.id), label: `${s.code} ${s.name}` })),
  ];
  return (
    <details class="target-form">
      <summary class="button button-secondary">{t('target_new')}</summary>
      <form class="form" onSubmit={save} noValidate>
        <SelectField
          id="target-indicator"
          label={t('target_indicator')}
          value={indicator}
          options={INDICATORS.map(([v, k]) => ({ value: v, label: t(k) }))}
          onChange={setIndicator}
        />
        <SelectField
          id="target-scope"
          label={t('target_scope')}
          value={scope}
          options={scopes}
          onChange={setScope}
          error={errors.scope}
        />
        <DayField id="target-start" label={t('target_start')} value={start} onChange={setStart} error={errors.period} />
        <DayField id="target-end" label={t('target_end')} value={end} onChange={setEnd} />
        <TextField
          id="target-value"
          label={t('target_value')}
          value={value}
          onInput={setValue}
          inputMode="decimal"
          error={errors.value}
        />
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
        <button type="submit" class="button">
          {t('target_save')}
        </button>
      </form>
    </details>
  );
}
