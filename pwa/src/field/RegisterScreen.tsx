/**
 * Registering a participant, offline: sex, birth year (or age, which
 * becomes an estimated year), disability (the six Washington Group
 * questions, or a plain yes / no / not asked), displacement, site, and a
 * given name except at women's centres. The new code is shown large, to
 * write on the person's card.
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { navigate } from '../router';
import { displayCode, NoCodesLeft } from '../sync/codes';
import { SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { Choice } from './common';
import { loadSites, registerParticipant } from './data';
import { useLocal } from './hooks';
import type { Disability, Displacement, Participant, Sex, WgDomain } from './model';
import { asksGivenName, DISPLACEMENTS, today, WG_DOMAINS } from './model';

export function RegisterForm({
  siteIds,
  defaultSite,
  onDone,
  onCancel,
}: {
  siteIds?: number[];
  defaultSite?: number;
  onDone: (p: Participant) => void;
  onCancel?: () => void;
}) {
  const sites = useLocal(loadSites)?.filter((s) => !siteIds || siteIds.includes(s.id));
  const [siteId, setSiteId] = useState(defaultSite ? String(defaultSite) : '');
  const [sex, setSex] = useState<Sex | ''>('');
  const [yearMode, setYearMode] = useState<'year' | 'age'>('year');
  const [year, setYear] = useState('');
  const [disability, setDisability] = useState<Disability | ''>('');
  const [wg, setWg] = useState<Partial<Record<WgDomain, number>>>({});
  const [displacement, setDisplacement] = useState<Displacement | ''>('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState('');
  const [made, setMade] = useState<Participant | null>(null);
  const [busy, setBusy] = useState(false);

  const chosenSite = siteId || (sites?.length === 1 ? String(sites[0].id) : '');
  const site = sites?.find((s) => String(s.id) === chosenSite);

  if (made) {
    return (
      <section class="new-code" aria-labelledby="new-code-title">
        <h2 id="new-code-title">{t('registered_title')}</h2>
        <p>{t('write_code')}</p>
        <p class="code-big" dir="ltr" data-testid="new-code">
          {displayCode(made.data.code)}
        </p>
        <button type="button" class="button button-wide button-primary-action" onClick={() => onDone(made)}>
          {t('done')}
        </button>
      </section>
    );
  }

  async function submit(e: Event) {
    e.preventDefault();
    const now = new Date().getFullYear();
    const n = Number(year);
    const next: Record<string, string> = {};
    if (!chosenSite) next.site = t('field_required');
    if (!sex) next.sex = t('field_required');
    if (yearMode === 'year' && !(Number.isInteger(n) && n >= now - 110 && n <= now))
      next.year = t('field_birth_year', { from: now - 110, to: now });
    if (yearMode === 'age' && !(year !== '' && Number.isInteger(n) && n >= 0 && n <= 110)) next.year = t('field_age');
    if (!disability) next.disability = t('field_required');
    if (disability === 'wg' && WG_DOMAINS.some((d) => !wg[d])) next.wg = t('field_wg');
    if (!displacement) next.displacement = t('field_required');
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    try {
      const given = asksGivenName(site) ? name.trim() : '';
      const p = await registerParticipant({
        site_id: Number(chosenSite),
        sex: sex as Sex,
        birth_year: yearMode === 'year' ? n : now - n,
        birth_year_estimated: yearMode === 'age',
        disability: disability as Disability,
        wg: disability === 'wg' ? (wg as Record<WgDomain, number>) : undefined,
        displacement: displacement as Displacement,
        registered_on: today(),
        given_name: given || undefined,
      });
      setMade(p);
    } catch (error) {
      setProblem(error instanceof NoCodesLeft ? t('no_codes') : t('error_unknown'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form register-form" onSubmit={(e) => void submit(e)} noValidate>
      {problem && <Notice kind="error">{problem}</Notice>}
      {sites && sites.length !== 1 && (
        <SelectField
          id="reg-site"
          label={t('site')}
          value={chosenSite}
          placeholder={t('choose')}
          options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
          onChange={setSiteId}
          error={errors.site}
        />
      )}
      <Choice
        name="reg-sex"
        legend={t('sex')}
        value={sex}
        onChange={setSex}
        options={[
          { value: 'female', label: t('sex_female') },
          { value: 'male', label: t('sex_male') },
        ]}
      />
      {errors.sex && <p class="field-error">{errors.sex}</p>}
      <Choice
        name="reg-year-mode"
        legend={t('age_or_year')}
        value={yearMode}
        onChange={(m) => {
          setYearMode(m);
          setYear('');
        }}
        options={[
          { value: 'year', label: t('knows_birth_year') },
          { value: 'age', label: t('asks_age') },
        ]}
      />
      <TextField
        id="reg-year"
        label={yearMode === 'year' ? t('birth_year') : t('age_years')}
        inputMode="numeric"
        value={year}
        onInput={setYear}
        error={errors.year}
        hint={yearMode === 'age' ? t('age_hint') : undefined}
      />
      <SelectField
        id="reg-disability"
        label={t('disability')}
        value={disability}
        placeholder={t('choose')}
        options={(['wg', 'yes', 'no', 'not_asked'] as const).map((v) => ({ value: v, label: t(`disability_${v}`) }))}
        onChange={(v) => setDisability(v as Disability)}
        error={errors.disability}
      />
      {disability === 'wg' && (
        <fieldset class="field-group">
          <legend>{t('wg_title')}</legend>
          {WG_DOMAINS.map((d) => (
            <SelectField
              key={d}
              id={`wg-${d}`}
              label={t(`wg_${d}`)}
              value={wg[d] ? String(wg[d]) : ''}
              placeholder={t('choose')}
              options={[1, 2, 3, 4].map((a) => ({ value: String(a), label: t(`wg_answer_${a}` as 'wg_answer_1') }))}
              onChange={(v) => setWg({ ...wg, [d]: Number(v) })}
            />
          ))}
          {errors.wg && <p class="field-error">{errors.wg}</p>}
        </fieldset>
      )}
      <SelectField
        id="reg-displacement"
        label={t('displacement')}
        value={displacement}
        placeholder={t('choose')}
        options={DISPLACEMENTS.map((v) => ({ value: v, label: t(`displacement_${v}`) }))}
        onChange={(v) => setDisplacement(v as Displacement)}
        error={errors.displacement}
      />
      {asksGivenName(site) ? (
        <TextField
          id="reg-name"
          label={t('given_name')}
          hint={t('given_name_hint')}
          value={name}
          onInput={(v) => setName(v.slice(0, 60))}
          autoComplete="off"
        />
      ) : (
        <p class="muted">{t('no_name_here')}</p>
      )}
      <button type="submit" class="button button-wide button-primary-action" disabled={busy}>
        {t('register')}
      </button>
      {onCancel && (
        <button type="button" class="button button-secondary button-wide" onClick={onCancel}>
          {t('cancel')}
        </button>
      )}
    </form>
  );
}

export function RegisterScreen() {
  return (
    <>
      <h1>{t('register_title')}</h1>
      <RegisterForm onDone={() => navigate('/')} onCancel={() => history.back()} />
    </>
  );
}
