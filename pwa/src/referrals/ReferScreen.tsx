/**
 * Referring a person to a service from the directory (issue 17), offline
 * like any record: consent is asked first (no consent, no referral: the
 * rest of the form does not open and nothing is saved); then the person
 * (given when the screen opens from an individual session, else found or
 * added by code), the service (by kind, from the directory this phone
 * pulled), urgency and date. No narrative, no reason: only what routes it.
 */
import { useEffect, useState } from 'preact/hooks';
import { readDraft, useAutosave } from '../field/autosave';
import { problemText } from '../field/common';
import { findOnPhone, loadSites } from '../field/data';
import type { Problems } from '../field/drafts';
import { useLocal } from '../field/hooks';
import { OnePerson } from '../field/OnePerson';
import { t } from '../i18n';
import type { StringKey } from '../i18n/messages';
import { navigate } from '../router';
import { displayCode } from '../sync/codes';
import { SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { useProblemFocus } from '../ui/problems';
import { loadServices, saveReferral } from './data';
import type { ReferralDraft, ServiceData } from './model';
import { CATEGORIES, checkReferral, emptyReferral, findServices, URGENCIES } from './model';

const DRAFT_KEY = 'referral';

export const categoryLabel = (c: string) => t(`category_${c}` as StringKey);

/** Opens for the person with this id on the phone, or this code (canonical), or nobody yet. */
export function ReferScreen({ personId, code }: { personId?: string; code?: string }) {
  const context = useLocal(
    async (db) => {
      const person = personId ? await findOnPhone(db, { id: personId }) : undefined;
      return {
        person,
        sites: await loadSites(db),
        services: await loadServices(db),
        draft: (await readDraft<ReferralDraft>(DRAFT_KEY, db))?.value,
      };
    },
    [personId, code],
  );
  if (!context) return <p class="loading">{t('loading')}</p>;
  const personCode = context.person?.data.code ?? code ?? '';
  const site =
    context.sites.find((s) => s.id === context.person?.data.site_id)?.id ??
    (context.sites.length === 1 ? context.sites[0].id : undefined);
  const initial = emptyReferral(personCode, site);
  // A draft kept for another person is not this one's.
  const draft = context.draft && (!personCode || context.draft.code === personCode) ? context.draft : undefined;
  return (
    <ReferForm
      initial={initial}
      restored={draft}
      services={context.services}
      sites={context.sites}
      fixedPerson={personCode !== ''}
    />
  );
}

function ReferForm({
  initial,
  restored,
  services,
  sites,
  fixedPerson,
}: {
  initial: ReferralDraft;
  restored?: ReferralDraft;
  services: ServiceData[];
  sites: { id: number; name: string }[];
  fixedPerson: boolean;
}) {
  const [draft, setDraft] = useState(restored ?? initial);
  const [category, setCategory] = useState('');
  const [consentAnswer, setConsentAnswer] = useState<'yes' | 'no' | ''>(restored?.consent ? 'yes' : '');
  const [errors, setErrors] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const autosave = useAutosave(DRAFT_KEY, draft, initial, restored);
  const problems = useProblemFocus();
  const set =
    <K extends keyof ReferralDraft>(key: K) =>
    (value: ReferralDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const error = (field: string) => problemText(errors[field]);
  const shown = findServices(services, category, '');

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkReferral(draft);
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) {
      problems.showProblems();
      return;
    }
    setBusy(true);
    await saveReferral(checked.value);
    await autosave.finish();
    navigate('/referrals');
  }

  async function cancel() {
    await autosave.finish();
    navigate('/');
  }

  const answer = (value: 'yes' | 'no') => {
    setConsentAnswer(value);
    set('consent')(value === 'yes');
  };

  return (
    <form class="form referral-form" ref={problems.formRef} onSubmit={(e) => void save(e)} noValidate>
      {problems.alert}
      <h1>{t('refer_title')}</h1>
      {autosave.restored && <Notice kind="info">{t('draft_restored')}</Notice>}
      <fieldset class="field-group choice" data-testid="consent">
        <legend>{t('refer_consent_question')}</legend>
        <label class="check">
          <input type="radio" name="consent" checked={consentAnswer === 'yes'} onChange={() => answer('yes')} />
          <span>{t('consent_yes')}</span>
        </label>
        <label class="check">
          <input type="radio" name="consent" checked={consentAnswer === 'no'} onChange={() => answer('no')} />
          <span>{t('consent_no')}</span>
        </label>
        {errors.consent && <p class="field-error">{error('consent')}</p>}
      </fieldset>
      {consentAnswer === 'no' && <Notice kind="warning">{t('referral_no_consent')}</Notice>}

      {draft.consent && (
        <>
          {fixedPerson ? (
            <p class="lead" data-testid="referred-person">
              <strong dir="ltr">{displayCode(draft.code)}</strong>
            </p>
          ) : (
            <OnePersonByCode draft={draft} onCode={set('code')} error={error('person')} />
          )}
          {sites.length !== 1 && (
            <SelectField
              id="ref-site"
              label={t('site')}
              value={draft.site_id}
              placeholder={t('choose')}
              options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
              onChange={set('site_id')}
              error={error('site')}
            />
          )}
          <SelectField
            id="ref-category"
            label={t('service_category')}
            value={category}
            placeholder={t('all_categories')}
            options={CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) }))}
            onChange={setCategory}
          />
          <fieldset class="field-group choice" data-testid="services">
            <legend>{t('service')}</legend>
            {shown.length === 0 && <p class="muted">{t('directory_empty')}</p>}
            {shown.map((s) => (
              <label class="check" key={s.id}>
                <input
                  type="radio"
                  name="service"
                  checked={draft.service_id === String(s.id)}
                  onChange={() => set('service_id')(String(s.id))}
                />
                <span>
                  <bdi>{s.name}</bdi> · <bdi>{s.organisation_name}</bdi>
                </span>
              </label>
            ))}
            {errors.service && <p class="field-error">{error('service')}</p>}
          </fieldset>
          <SelectField
            id="ref-urgency"
            label={t('urgency')}
            value={draft.urgency}
            options={URGENCIES.map((u) => ({ value: u, label: t(`urgency_${u}`) }))}
            onChange={(v) => set('urgency')(v as ReferralDraft['urgency'])}
            error={error('urgency')}
          />
          <TextField
            id="ref-date"
            label={t('referred_on')}
            value={draft.referred_on}
            onInput={set('referred_on')}
            error={error('referred_on')}
            dir="ltr"
            type="date"
          />
          <button type="submit" class="button button-wide button-primary-action" disabled={busy}>
            {t('save_referral')}
          </button>
        </>
      )}
      <button type="button" class="button button-secondary button-wide" onClick={() => void cancel()}>
        {t('cancel')}
      </button>
      <p class="muted">{t('saved_locally_note')}</p>
    </form>
  );
}

/** The person to refer, picked as at an individual session; kept as her code. */
function OnePersonByCode({
  draft,
  onCode,
  error,
}: {
  draft: ReferralDraft;
  onCode: (code: string) => void;
  error?: string;
}) {
  const [personId, setPersonId] = useState<string | undefined>(undefined);
  const person = useLocal(
    (db) => (personId ? findOnPhone(db, { id: personId }) : Promise.resolve(undefined)),
    [personId],
  );
  useEffect(() => {
    if (person && person.data.code !== draft.code) onCode(person.data.code);
  }, [person]);
  return (
    <OnePerson
      siteId={Number(draft.site_id)}
      personId={personId}
      code={personId ? undefined : draft.code || undefined}
      onPickId={setPersonId}
      onPickCode={(c) => {
        setPersonId(undefined);
        onCode(c);
      }}
      onClear={() => {
        setPersonId(undefined);
        onCode('');
      }}
      error={error}
    />
  );
}
