/**
 * Adding or editing a site: code, name, kind, the partner that runs it
 * (a new partner can be added on the spot), and where it is: governorate,
 * then district (a missing district can be added on the spot).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  createDistrict,
  createPartner,
  createSite,
  getSite,
  listAreas,
  listPartners,
  updateSite,
} from '../api/endpoints';
import type { Area, Partner, Site } from '../api/types';
import { t } from '../i18n/staff';
import { navigate } from '../router';
import { describeError } from '../ui/errors';
import { Checkbox, SelectField, TextField } from '../ui/fields';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { DistrictDraft, DraftErrors, SiteDraft } from './drafts';
import { checkDistrict, checkSite, EMPTY_DISTRICT, EMPTY_SITE, siteDraftFrom } from './drafts';
import { savedName } from './flash';
import { areaOptions, kindOptions } from './labels';

interface Loaded {
  partners: Partner[];
  areas: Area[];
  site: Site | null;
}

export function SiteForm({ siteId }: { siteId?: number }) {
  const [remote, retry] = useRemote<Loaded>(async () => {
    const [partners, areas, site] = await Promise.all([
      listPartners(),
      listAreas(),
      siteId === undefined ? null : getSite(siteId),
    ]);
    return { partners, areas, site };
  }, [siteId]);
  return (
    <>
      <Link href="/" class="back-link">
        {t('back')}
      </Link>
      <h1>{siteId === undefined ? t('add_site') : t('edit_site')}</h1>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {remote.state === 'ready' && <SiteEditor loaded={remote.data} />}
    </>
  );
}

function SiteEditor({ loaded }: { loaded: Loaded }) {
  const editing = loaded.site;
  const [partners, setPartners] = useState(loaded.partners);
  const [areas, setAreas] = useState(loaded.areas);
  const [draft, setDraft] = useState<SiteDraft>(() => (editing ? siteDraftFrom(editing, loaded.areas) : EMPTY_SITE));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set =
    <K extends keyof SiteDraft>(key: K) =>
    (value: SiteDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const governorates = areas.filter((a) => a.level === 1);
  const districts = areas.filter((a) => a.level === 2 && String(a.parent_id) === draft.governorate_id);

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkSite(draft);
    if (!checked.ok) {
      setErrors(translated(checked.errors));
      setProblem(t('error_invalid'));
      return;
    }
    setBusy(true);
    setErrors({});
    setProblem(null);
    try {
      const site = editing ? await updateSite(editing.id, checked.value) : await createSite(checked.value);
      savedName.set(site.name);
      navigate('/');
    } catch (err) {
      const described = describeError(err);
      setErrors(described.fields);
      setProblem(described.message);
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={save} noValidate>
      <TextField
        id="code"
        label={t('site_code')}
        hint={t('site_code_hint')}
        value={draft.code}
        onInput={set('code')}
        error={errors.code}
        autoCapitalize="characters"
        dir="ltr"
        required
      />
      <TextField
        id="name"
        label={t('site_name')}
        value={draft.name}
        onInput={set('name')}
        error={errors.name}
        required
      />
      <SelectField
        id="kind"
        label={t('site_kind')}
        value={draft.kind}
        options={kindOptions()}
        placeholder={t('choose')}
        onChange={(v) => set('kind')(v as SiteDraft['kind'])}
        error={errors.kind}
        required
      />
      <SelectField
        id="partner_id"
        label={t('partner')}
        value={draft.partner_id}
        options={partners
          .filter((p) => p.active || String(p.id) === draft.partner_id)
          .map((p) => ({ value: String(p.id), label: p.name }))}
        placeholder={t('choose')}
        onChange={set('partner_id')}
        error={errors.partner_id}
        required
      />
      <PartnerQuickAdd
        onAdded={(partner) => {
          setPartners((list) => [...list, partner]);
          set('partner_id')(String(partner.id));
        }}
      />
      <SelectField
        id="governorate_id"
        label={t('governorate')}
        value={draft.governorate_id}
        options={areaOptions(governorates)}
        placeholder={t('choose')}
        onChange={(v) => setDraft((d) => ({ ...d, governorate_id: v, district_id: '' }))}
        error={errors.governorate_id ?? errors.area_id}
        required
      />
      {draft.governorate_id && (
        <>
          <SelectField
            id="district_id"
            label={t('district')}
            value={draft.district_id}
            options={areaOptions(districts)}
            placeholder={t('no_district')}
            onChange={set('district_id')}
          />
          <DistrictQuickAdd
            governorateId={draft.governorate_id}
            onAdded={(district) => {
              setAreas((list) => [...list, district]);
              set('district_id')(String(district.id));
            }}
          />
        </>
      )}
      <TextField
        id="latitude"
        label={t('latitude')}
        value={draft.latitude}
        onInput={set('latitude')}
        error={errors.latitude}
        inputMode="decimal"
        dir="ltr"
      />
      <TextField
        id="longitude"
        label={t('longitude')}
        value={draft.longitude}
        onInput={set('longitude')}
        error={errors.longitude}
        inputMode="decimal"
        dir="ltr"
      />
      {editing && <Checkbox id="active" label={t('site_active')} checked={draft.active} onChange={set('active')} />}
      {problem && <Notice kind="error">{problem}</Notice>}
      <button type="submit" class="button button-wide" disabled={busy}>
        {busy ? t('saving') : t('save')}
      </button>
    </form>
  );
}

function translated(errors: DraftErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(key)]));
}

/** A partner missing from the list, added without leaving the site form. */
function PartnerQuickAdd({ onAdded }: { onAdded: (partner: Partner) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function add() {
    if (name.trim().length < 2) {
      setError(t('field_required'));
      return;
    }
    setBusy(true);
    try {
      onAdded(await createPartner(name.trim()));
      setOpen(false);
      setName('');
      setError(undefined);
    } catch (err) {
      const described = describeError(err);
      setError(described.fields.name ?? described.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <QuickAdd label={t('add_partner')} open={open} busy={busy} onOpen={setOpen} onAdd={add}>
      <TextField id="new_partner_name" label={t('partner_name')} value={name} onInput={setName} error={error} />
    </QuickAdd>
  );
}

/** A district missing under the chosen governorate, added without leaving the site form. */
function DistrictQuickAdd({ governorateId, onAdded }: { governorateId: string; onAdded: (district: Area) => void }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<DistrictDraft>(EMPTY_DISTRICT);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setOpen(false), [governorateId]);
  const set = (key: keyof DistrictDraft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  async function add() {
    const checked = checkDistrict(draft, governorateId);
    if (!checked.ok) {
      setErrors(translated(checked.errors));
      return;
    }
    setBusy(true);
    try {
      onAdded(await createDistrict(checked.value));
      setOpen(false);
      setDraft(EMPTY_DISTRICT);
      setErrors({});
      setProblem(null);
    } catch (err) {
      const described = describeError(err);
      setErrors(described.fields);
      setProblem(described.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <QuickAdd label={t('add_district')} open={open} busy={busy} onOpen={setOpen} onAdd={add}>
      <TextField
        id="district_pcode"
        label={t('district_pcode')}
        hint={t('district_pcode_hint')}
        value={draft.pcode}
        onInput={set('pcode')}
        error={errors.pcode}
        autoCapitalize="characters"
        dir="ltr"
      />
      <TextField
        id="district_name_en"
        label={t('name_en')}
        value={draft.name_en}
        onInput={set('name_en')}
        error={errors.name_en}
        dir="ltr"
      />
      <TextField
        id="district_name_ar"
        label={t('name_ar')}
        value={draft.name_ar}
        onInput={set('name_ar')}
        error={errors.name_ar}
        dir="rtl"
      />
      <TextField
        id="district_name_ckb"
        label={t('name_ckb')}
        value={draft.name_ckb}
        onInput={set('name_ckb')}
        error={errors.name_ckb}
        dir="rtl"
      />
      {problem && <Notice kind="error">{problem}</Notice>}
    </QuickAdd>
  );
}

/**
 * Something missing from a list, added in place: a button that opens a few
 * fields with Add and Cancel, so the form around it keeps what was typed.
 */
function QuickAdd({
  label,
  open,
  busy,
  onOpen,
  onAdd,
  children,
}: {
  label: string;
  open: boolean;
  busy: boolean;
  onOpen: (open: boolean) => void;
  onAdd: () => Promise<void>;
  children: ComponentChildren;
}) {
  if (!open) {
    return (
      <button type="button" class="button button-secondary" aria-expanded="false" onClick={() => onOpen(true)}>
        {label}
      </button>
    );
  }
  return (
    <div class="quick-add" role="group" aria-label={label}>
      {children}
      <div class="button-row">
        <button type="button" class="button" disabled={busy} onClick={() => void onAdd()}>
          {busy ? t('saving') : label}
        </button>
        <button type="button" class="button button-secondary" onClick={() => onOpen(false)}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
