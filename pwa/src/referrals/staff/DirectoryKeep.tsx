/**
 * Keeping the service directory (issue 17): admins keep every organisation
 * (partners and outside ones) and its services; a coordinator keeps their
 * own partner's organisation and services. Each form shows its problems at
 * their fields on the first Save tap (ui/problems.tsx), the server's too.
 * What is kept here reaches phones at their next pull.
 */
import { useState } from 'preact/hooks';
import { listAreas, listPartners } from '../../api/endpoints';
import type { Area, Me, Partner } from '../../api/types';
import type { StaffScreenKey } from '../../i18n/staff';
import { localName, t } from '../../i18n/staff';
import { navigate } from '../../router';
import { describeError } from '../../ui/errors';
import { Checkbox, FieldGroup, SelectField, TextField } from '../../ui/fields';
import { Link } from '../../ui/Link';
import { LoadFailed, Loading, Notice } from '../../ui/Notice';
import { useProblemFocus } from '../../ui/problems';
import { useRemote } from '../../ui/useRemote';
import { CATEGORIES } from '../model';
import { categoryLabel } from '../ReferScreen';
import type { DirectoryService, Organisation } from './api';
import {
  createOrganisation,
  createService,
  listDirectoryServices,
  listOrganisations,
  updateOrganisation,
  updateService,
} from './api';
import type { OrganisationDraft, Problems, ServiceDraft } from './drafts';
import {
  checkOrganisation,
  checkService,
  EMPTY_ORGANISATION,
  EMPTY_SERVICE,
  keptOrganisations,
  organisationDraftFrom,
  SERVICE_LANGUAGES,
  serviceDraftFrom,
} from './drafts';

interface Loaded {
  organisations: Organisation[];
  services: DirectoryService[];
  partners: Partner[];
  areas: Area[];
}

function useDirectory() {
  return useRemote<Loaded>(async () => {
    const [organisations, services, partners, areas] = await Promise.all([
      listOrganisations(),
      listDirectoryServices(),
      listPartners(),
      listAreas(),
    ]);
    return { organisations, services, partners, areas };
  });
}

/** What the person keeps: the organisations of their partners (admins: all), with their services. */
function kept(loaded: Loaded, me: Me): Organisation[] {
  return keptOrganisations(loaded.organisations, me.role === 'admin', new Set(loaded.partners.map((p) => p.id)));
}

const serviceLanguageLabel = (code: string) => t(`service_language_${code}` as StaffScreenKey);

export function DirectoryKeep({ me }: { me: Me }) {
  const [remote, retry] = useDirectory();
  return (
    <>
      <h1>{t('directory_keep_title')}</h1>
      <p class="muted">{t(me.role === 'admin' ? 'directory_keep_admin' : 'directory_keep_coordinator')}</p>
      <Link href="/directory/organisations/new" class="button button-wide">
        {t('directory_add_organisation')}
      </Link>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {remote.state === 'ready' && <KeptList loaded={remote.data} me={me} />}
    </>
  );
}

function KeptList({ loaded, me }: { loaded: Loaded; me: Me }) {
  const organisations = kept(loaded, me);
  const partnerName = new Map(loaded.partners.map((p) => [p.id, p.name]));
  const areaName = new Map(loaded.areas.map((a) => [a.id, localName(a)]));
  if (organisations.length === 0) return <p class="empty">{t('directory_keep_empty')}</p>;
  return (
    <ul class="list" data-testid="kept-organisations">
      {organisations.map((o) => (
        <li key={o.id} class="list-item" data-organisation-id={o.id}>
          <span class="list-title">
            <bdi>{o.name}</bdi>
          </span>
          <span class="list-meta">
            {o.partner_id === null ? (
              t('directory_outside')
            ) : (
              <bdi>{partnerName.get(o.partner_id) ?? t('partner')}</bdi>
            )}
            {o.contact && (
              <>
                {' · '}
                <bdi>{o.contact}</bdi>
              </>
            )}
          </span>
          {!o.active && (
            <span class="badges">
              <span class="badge">{t('directory_inactive')}</span>
            </span>
          )}
          <ul class="list">
            {loaded.services
              .filter((s) => s.organisation_id === o.id)
              .map((s) => (
                <li key={s.id} class="list-item" data-service-id={s.id}>
                  <span class="list-title">
                    <bdi>{s.name}</bdi>
                  </span>
                  <span class="list-meta">
                    {categoryLabel(s.category)} · <bdi>{areaName.get(s.area_id) ?? ''}</bdi>
                    {!s.active && ` · ${t('directory_inactive')}`}
                  </span>
                  <Link href={`/directory/services/${s.id}`} class="button button-secondary">
                    {t('edit')}
                  </Link>
                </li>
              ))}
          </ul>
          <div class="action-grid">
            <Link href={`/directory/organisations/${o.id}`} class="button button-secondary">
              {t('directory_edit_organisation')}
            </Link>
            <Link href={`/directory/organisations/${o.id}/services/new`} class="button button-secondary">
              {t('directory_add_service')}
            </Link>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Adding (`id` absent) or editing an organisation. */
export function OrganisationScreen({ me, id }: { me: Me; id?: number }) {
  const [remote, retry] = useDirectory();
  const editing = remote.state === 'ready' && id !== undefined ? kept(remote.data, me).find((o) => o.id === id) : null;
  return (
    <>
      <Link href="/directory/keep" class="back-link">
        {t('back')}
      </Link>
      <h1>{t(id === undefined ? 'directory_add_organisation' : 'directory_edit_organisation')}</h1>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {remote.state === 'ready' && id !== undefined && !editing && <Notice kind="error">{t('error_not_found')}</Notice>}
      {remote.state === 'ready' && (id === undefined || editing) && (
        <OrganisationForm me={me} partners={remote.data.partners} editing={editing ?? undefined} />
      )}
    </>
  );
}

function OrganisationForm({ me, partners, editing }: { me: Me; partners: Partner[]; editing?: Organisation }) {
  const admin = me.role === 'admin';
  const [draft, setDraft] = useState<OrganisationDraft>(() =>
    editing
      ? organisationDraftFrom(editing)
      : // A coordinator of one partner has nothing to choose.
        { ...EMPTY_ORGANISATION, partner_id: !admin && partners.length === 1 ? String(partners[0].id) : '' },
  );
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = useProblemFocus();
  const set =
    <K extends keyof OrganisationDraft>(key: K) =>
    (value: OrganisationDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkOrganisation(draft, admin);
    if (!checked.ok) {
      setErrors(texts(checked.errors));
      setProblem(t('error_invalid'));
      problems.showProblems();
      return;
    }
    setBusy(true);
    setErrors({});
    setProblem(null);
    try {
      if (editing) await updateOrganisation(editing.id, checked.value);
      else await createOrganisation(checked.value);
      navigate('/directory/keep');
    } catch (error) {
      const described = describeError(error);
      setErrors(described.fields);
      setProblem(described.message);
      setBusy(false);
      problems.showProblems();
    }
  }

  return (
    <form class="form" ref={problems.formRef} onSubmit={(e) => void save(e)} noValidate>
      {problems.alert}
      <TextField
        id="name"
        label={t('directory_org_name')}
        value={draft.name}
        onInput={set('name')}
        error={errors.name}
        required
      />
      <SelectField
        id="partner_id"
        label={t('partner')}
        hint={admin ? t('directory_partner_hint') : undefined}
        value={draft.partner_id}
        options={partners
          .filter((p) => p.active || String(p.id) === draft.partner_id)
          .map((p) => ({ value: String(p.id), label: p.name }))}
        placeholder={admin ? t('directory_outside') : t('choose')}
        onChange={set('partner_id')}
        error={errors.partner_id}
      />
      <TextField
        id="contact"
        label={t('service_contact')}
        hint={t('directory_contact_hint')}
        value={draft.contact}
        onInput={set('contact')}
        error={errors.contact}
      />
      {editing && (
        <Checkbox id="active" label={t('directory_active')} checked={draft.active} onChange={set('active')} />
      )}
      {problem && <Notice kind="error">{problem}</Notice>}
      <button type="submit" class="button button-wide" disabled={busy}>
        {busy ? t('saving') : t('save')}
      </button>
    </form>
  );
}

/** Adding a service to organisation `organisationId`, or editing service `id`. */
export function ServiceScreen({ me, id, organisationId }: { me: Me; id?: number; organisationId?: number }) {
  const [remote, retry] = useDirectory();
  const ready = remote.state === 'ready' ? remote.data : null;
  const editing = ready && id !== undefined ? ready.services.find((s) => s.id === id) : undefined;
  const organisation = ready
    ? kept(ready, me).find((o) => o.id === (editing ? editing.organisation_id : organisationId))
    : undefined;
  return (
    <>
      <Link href="/directory/keep" class="back-link">
        {t('back')}
      </Link>
      <h1>{t(id === undefined ? 'directory_add_service' : 'directory_edit_service')}</h1>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {ready && !organisation && <Notice kind="error">{t('error_not_found')}</Notice>}
      {ready && organisation && (
        <>
          <p class="lead">
            <bdi>{organisation.name}</bdi>
          </p>
          <ServiceForm organisation={organisation} areas={ready.areas} editing={editing} />
        </>
      )}
    </>
  );
}

function ServiceForm({
  organisation,
  areas,
  editing,
}: {
  organisation: Organisation;
  areas: Area[];
  editing?: DirectoryService;
}) {
  const [draft, setDraft] = useState<ServiceDraft>(() => (editing ? serviceDraftFrom(editing, areas) : EMPTY_SERVICE));
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = useProblemFocus();
  const set =
    <K extends keyof ServiceDraft>(key: K) =>
    (value: ServiceDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const byName = (list: Area[]) =>
    list.map((a) => ({ value: String(a.id), label: localName(a) })).sort((a, b) => a.label.localeCompare(b.label));
  const governorates = byName(areas.filter((a) => a.level === 1));
  const districts = byName(areas.filter((a) => a.level === 2 && String(a.parent_id) === draft.governorate_id));

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkService(draft);
    if (!checked.ok) {
      setErrors(texts(checked.errors));
      setProblem(t('error_invalid'));
      problems.showProblems();
      return;
    }
    setBusy(true);
    setErrors({});
    setProblem(null);
    try {
      if (editing) await updateService(editing.id, checked.value);
      else await createService({ ...checked.value, organisation_id: organisation.id });
      navigate('/directory/keep');
    } catch (error) {
      const described = describeError(error);
      setErrors(described.fields);
      setProblem(described.message);
      setBusy(false);
      problems.showProblems();
    }
  }

  const toggleLanguage = (code: string, on: boolean) =>
    setDraft((d) => ({ ...d, languages: on ? [...d.languages, code] : d.languages.filter((l) => l !== code) }));

  return (
    <form class="form" ref={problems.formRef} onSubmit={(e) => void save(e)} noValidate>
      {problems.alert}
      <SelectField
        id="category"
        label={t('service_category')}
        value={draft.category}
        options={CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) }))}
        placeholder={t('choose')}
        onChange={(v) => set('category')(v as ServiceDraft['category'])}
        error={errors.category}
        required
      />
      <TextField
        id="name"
        label={t('directory_service_name')}
        value={draft.name}
        onInput={set('name')}
        error={errors.name}
        required
      />
      <SelectField
        id="area_id"
        label={t('governorate')}
        value={draft.governorate_id}
        options={governorates}
        placeholder={t('choose')}
        onChange={(v) => setDraft((d) => ({ ...d, governorate_id: v, district_id: '' }))}
        error={errors.area_id}
        required
      />
      {draft.governorate_id && (
        <SelectField
          id="district_id"
          label={t('district')}
          value={draft.district_id}
          options={districts}
          placeholder={t('no_district')}
          onChange={set('district_id')}
        />
      )}
      <FieldGroup legend={t('service_languages')} error={errors.languages}>
        {SERVICE_LANGUAGES.map((code) => (
          <Checkbox
            key={code}
            id={`language-${code}`}
            label={serviceLanguageLabel(code)}
            checked={draft.languages.includes(code)}
            onChange={(on) => toggleLanguage(code, on)}
          />
        ))}
      </FieldGroup>
      <TextField
        id="how_to_reach"
        label={t('service_how_to_reach')}
        value={draft.how_to_reach}
        onInput={set('how_to_reach')}
        error={errors.how_to_reach}
      />
      <TextField
        id="accessibility"
        label={t('service_accessibility')}
        hint={t('directory_accessibility_hint')}
        value={draft.accessibility}
        onInput={set('accessibility')}
        error={errors.accessibility}
      />
      {editing && (
        <Checkbox id="active" label={t('directory_active')} checked={draft.active} onChange={set('active')} />
      )}
      {problem && <Notice kind="error">{problem}</Notice>}
      <button type="submit" class="button button-wide" disabled={busy}>
        {busy ? t('saving') : t('save')}
      </button>
    </form>
  );
}

/** Each field's problem in the person's language. */
function texts(problems: Problems): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(problems).map(([field, p]) => [field, typeof p === 'string' ? t(p) : t(p.key, p.params)]),
  );
}
