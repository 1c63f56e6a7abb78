/**
 * Registering a participant, offline: sex, birth year (or age, which
 * becomes an estimated year), disability (the six Washington Group
 * questions from age 5, with whether a caregiver answered for a child, or
 * a plain yes / no / not asked), displacement, site, and a given name
 * except at women's centres. Before saving, the phone warns of likely
 * duplicates among the participants it holds (identity.ts); the person
 * picks the one it is, or says it is someone else. The new code is shown
 * large, to write on the person's card.
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { navigate } from '../router';
import { displayCode, NoCodesLeft } from '../sync/codes';
import { Checkbox, SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { useProblemFocus } from '../ui/problems';
import { readDraft, useAutosave } from './autosave';
import { Choice, participantMeta, problemText } from './common';
import { allParticipants, loadSites, registerParticipant } from './data';
import type { Problems, RegistrationDraft } from './drafts';
import { checkRegistration, chosenSiteId, emptyRegistration, isChild, wgAllowed } from './drafts';
import { useLocal } from './hooks';
import { likelyDuplicates } from './identity';
import type { Disability, Displacement, Participant, ParticipantData } from './model';
import { asksGivenName, DISABILITIES, DISPLACEMENTS, participantLabel, WG_DOMAINS } from './model';

/** The server keeps at most this many characters of a given name (participants/model.rs). */
const MAX_NAME_CHARS = 60;

interface RegisterProps {
  /** Where its draft is kept: the registration screen's, or a walk-in's inside another form. */
  draftKey?: string;
  siteIds?: number[];
  defaultSite?: number;
  onDone: (p: Participant) => void;
  onCancel?: () => void;
}

/** Reads the form's draft first, so what was typed before a reload is there from the first frame. */
export function RegisterForm(props: RegisterProps) {
  const key = props.draftKey ?? 'participant';
  const stored = useLocal(async (db) => ({ draft: (await readDraft<RegistrationDraft>(key, db))?.value }), [key]);
  if (!stored) return null;
  return <RegisterEditor {...props} draftKey={key} restored={stored.draft} />;
}

function RegisterEditor({
  draftKey,
  restored,
  siteIds,
  defaultSite,
  onDone,
  onCancel,
}: RegisterProps & { draftKey: string; restored?: RegistrationDraft }) {
  const sites = useLocal(loadSites)?.filter((s) => !siteIds || siteIds.includes(s.id));
  const [initial] = useState(() => emptyRegistration(defaultSite));
  const [draft, setDraft] = useState(() => restored ?? initial);
  const autosave = useAutosave(draftKey, draft, initial, restored);
  const [errors, setErrors] = useState<Problems>({});
  const [problem, setProblem] = useState('');
  const [made, setMade] = useState<Participant | null>(null);
  const [busy, setBusy] = useState(false);
  /** Likely duplicates found at the last attempt to save; empty when none or once answered. */
  const [duplicates, setDuplicates] = useState<Participant[]>([]);
  const people = useLocal(allParticipants);
  // A changed answer is a new question: the warning goes until the next try to save.
  useEffect(() => setDuplicates([]), [draft]);
  const problems = useProblemFocus();
  const set =
    <K extends keyof RegistrationDraft>(key: K) =>
    (value: RegistrationDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const error = (field: string) => problemText(errors[field]);

  const chosenSite = chosenSiteId(draft, sites ?? []);
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

  async function submit(e?: Event, different = false) {
    e?.preventDefault();
    const checked = checkRegistration(draft, sites ?? []);
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) {
      problems.showProblems();
      return;
    }
    const likely = different ? [] : likelyDuplicates(checked.value, people ?? [], sites ?? []);
    setDuplicates(likely);
    if (likely.length) {
      document.getElementById('dup-title')?.scrollIntoView({ block: 'center' });
      return;
    }
    await save(checked.value);
  }

  async function save(value: Omit<ParticipantData, 'code'>) {
    setBusy(true);
    try {
      const participant = await registerParticipant(value);
      await autosave.finish();
      setMade(participant);
    } catch (error) {
      setProblem(error instanceof NoCodesLeft ? t('no_codes') : t('error_unknown'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form register-form" ref={problems.formRef} onSubmit={(e) => void submit(e)} noValidate>
      {problems.alert}
      {autosave.restored && <Notice kind="info">{t('draft_restored')}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      {sites && sites.length !== 1 && (
        <SelectField
          id="reg-site"
          label={t('site')}
          value={chosenSite}
          placeholder={t('choose')}
          options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
          onChange={set('site_id')}
          error={error('site')}
        />
      )}
      <Choice
        name="reg-sex"
        legend={t('sex')}
        value={draft.sex}
        onChange={set('sex')}
        options={[
          { value: 'female', label: t('sex_female') },
          { value: 'male', label: t('sex_male') },
        ]}
      />
      {errors.sex && <p class="field-error">{error('sex')}</p>}
      <Choice
        name="reg-year-mode"
        legend={t('age_or_year')}
        value={draft.year_mode}
        onChange={(mode) => setDraft((d) => ({ ...d, year_mode: mode, year: '' }))}
        options={[
          { value: 'year', label: t('knows_birth_year') },
          { value: 'age', label: t('asks_age') },
        ]}
      />
      <TextField
        id="reg-year"
        label={draft.year_mode === 'year' ? t('birth_year') : t('age_years')}
        inputMode="numeric"
        value={draft.year}
        onInput={set('year')}
        error={error('year')}
        hint={draft.year_mode === 'age' ? t('age_hint') : undefined}
      />
      <SelectField
        id="reg-disability"
        label={t('disability')}
        value={draft.disability}
        placeholder={t('choose')}
        options={DISABILITIES.filter((v) => v !== 'wg' || wgAllowed(draft) || draft.disability === 'wg').map((v) => ({
          value: v,
          label: t(`disability_${v}`),
        }))}
        onChange={(v) => set('disability')(v as Disability)}
        error={error('disability')}
      />
      {!wgAllowed(draft) && <p class="field-hint">{t('wg_under_5_hint')}</p>}
      {draft.disability === 'wg' && wgAllowed(draft) && (
        <fieldset class="field-group">
          <legend>{t('wg_title')}</legend>
          {isChild(draft) && (
            <Checkbox
              id="wg-caregiver"
              label={t('wg_caregiver')}
              checked={draft.wg_by_caregiver}
              onChange={set('wg_by_caregiver')}
            />
          )}
          {WG_DOMAINS.map((d) => (
            <SelectField
              key={d}
              id={`wg-${d}`}
              label={t(`wg_${d}`)}
              value={draft.wg[d] ? String(draft.wg[d]) : ''}
              placeholder={t('choose')}
              options={[1, 2, 3, 4].map((a) => ({ value: String(a), label: t(`wg_answer_${a}` as 'wg_answer_1') }))}
              onChange={(v) => setDraft((x) => ({ ...x, wg: { ...x.wg, [d]: Number(v) } }))}
            />
          ))}
          {errors.wg && <p class="field-error">{error('wg')}</p>}
        </fieldset>
      )}
      <SelectField
        id="reg-displacement"
        label={t('displacement')}
        value={draft.displacement}
        placeholder={t('choose')}
        options={DISPLACEMENTS.map((v) => ({ value: v, label: t(`displacement_${v}`) }))}
        onChange={(v) => set('displacement')(v as Displacement)}
        error={error('displacement')}
      />
      {asksGivenName(site) ? (
        <TextField
          id="reg-name"
          label={t('given_name')}
          hint={t('given_name_hint')}
          value={draft.given_name}
          onInput={(v) => set('given_name')(v.slice(0, MAX_NAME_CHARS))}
          autoComplete="off"
        />
      ) : (
        <p class="muted">{t('no_name_here')}</p>
      )}
      {duplicates.length > 0 ? (
        <section class="notice notice-warning duplicates" aria-labelledby="dup-title" data-testid="duplicates">
          <h2 id="dup-title">{t('dup_title')}</h2>
          <p>{t('dup_text')}</p>
          <ul class="list">
            {duplicates.map((p) => (
              <li key={p.id} class="list-item">
                <span class="list-title">{participantLabel(p)}</span>
                <span class="list-meta">{participantMeta(p)}</span>
                <button type="button" class="button button-secondary" onClick={() => onDone(p)}>
                  {t('dup_same')}
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            class="button button-wide button-primary-action"
            disabled={busy}
            onClick={() => void submit(undefined, true)}
          >
            {t('dup_different')}
          </button>
        </section>
      ) : (
        <button type="submit" class="button button-wide button-primary-action" disabled={busy}>
          {t('register')}
        </button>
      )}
      {onCancel && (
        <button
          type="button"
          class="button button-secondary button-wide"
          onClick={() => void autosave.finish().then(onCancel)}
        >
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
