/**
 * Adding or editing an account: name, role, language, the sites the person
 * works at (or every site, for staff), and for a new account its first
 * password. An existing account's password is replaced in its own section.
 */
import { useState } from 'preact/hooks';
import { createUser, getUser, listSites, setUserPassword, updateUser } from '../api/endpoints';
import type { Language, Role, Site, UserView } from '../api/types';
import { language, t } from '../i18n/staff';
import { navigate } from '../router';
import { describeError } from '../ui/errors';
import { Checkbox, FieldGroup, SelectField, TextField } from '../ui/fields';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import { DeviceWipe } from './DeviceWipe';
import type { DraftErrors, UserDraft } from './drafts';
import { checkNewUser, checkPasswordReset, checkUserChanges, EMPTY_USER, seesEverySite, userDraftFrom } from './drafts';
import { savedName } from './flash';
import { languageOptions, roleOptions } from './labels';

interface Loaded {
  sites: Site[];
  user: UserView | null;
}

export function UserForm({ userId }: { userId?: number }) {
  const [remote, retry] = useRemote<Loaded>(async () => {
    const [sites, user] = await Promise.all([listSites(), userId === undefined ? null : getUser(userId)]);
    return { sites, user };
  }, [userId]);
  return (
    <>
      <Link href="/users" class="back-link">
        {t('back')}
      </Link>
      <h1>{userId === undefined ? t('add_user') : t('edit_user')}</h1>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {remote.state === 'ready' && (
        <>
          <UserEditor loaded={remote.data} />
          {remote.data.user && <PasswordReset user={remote.data.user} />}
          {remote.data.user && <DeviceWipe userId={remote.data.user.id} />}
        </>
      )}
    </>
  );
}

function translated(errors: DraftErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(key)]));
}

function UserEditor({ loaded }: { loaded: Loaded }) {
  const editing = loaded.user;
  const [draft, setDraft] = useState<UserDraft>(() =>
    editing ? userDraftFrom(editing) : { ...EMPTY_USER, language: language.get() },
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set =
    <K extends keyof UserDraft>(key: K) =>
    (value: UserDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));

  function toggleSite(id: number, on: boolean) {
    setDraft((d) => ({ ...d, site_ids: on ? [...d.site_ids, id] : d.site_ids.filter((s) => s !== id) }));
  }

  function invalid(found: DraftErrors) {
    setErrors(translated(found));
    setProblem(t('error_invalid'));
  }

  async function save(e: Event) {
    e.preventDefault();
    let send: () => Promise<UserView>;
    if (editing) {
      const checked = checkUserChanges(draft);
      if (!checked.ok) return invalid(checked.errors);
      send = () => updateUser(editing.id, checked.value);
    } else {
      const checked = checkNewUser(draft);
      if (!checked.ok) return invalid(checked.errors);
      send = () => createUser(checked.value);
    }
    setBusy(true);
    setErrors({});
    setProblem(null);
    try {
      const user = await send();
      savedName.set(user.display_name);
      navigate('/users');
    } catch (err) {
      const described = describeError(err);
      setErrors(described.fields);
      setProblem(described.message);
      setBusy(false);
    }
  }

  const everySite = seesEverySite(draft);
  return (
    <form class="form" onSubmit={save} noValidate>
      {editing ? (
        <p>
          {t('login_name')}: <span dir="ltr">{editing.login}</span>
        </p>
      ) : (
        <TextField
          id="login"
          label={t('login_name')}
          hint={t('login_name_hint')}
          value={draft.login}
          onInput={set('login')}
          error={errors.login}
          autoCapitalize="none"
          dir="ltr"
          required
        />
      )}
      <TextField
        id="display_name"
        label={t('display_name')}
        value={draft.display_name}
        onInput={set('display_name')}
        error={errors.display_name}
        required
      />
      <SelectField
        id="role"
        label={t('role')}
        value={draft.role}
        options={roleOptions()}
        onChange={(v) => set('role')(v as Role)}
        error={errors.role}
      />
      <SelectField
        id="language"
        label={t('app_language')}
        value={draft.language}
        options={languageOptions()}
        onChange={(v) => set('language')(v as Language)}
      />
      {!editing && (
        <TextField
          id="password"
          label={t('new_password')}
          hint={t('password_hint')}
          type="password"
          value={draft.password}
          onInput={set('password')}
          error={errors.password}
          autoComplete="new-password"
          dir="ltr"
          required
        />
      )}
      <FieldGroup legend={t('sites')} error={errors.site_ids ?? errors.all_sites}>
        {draft.role === 'coordinator' && (
          <Checkbox
            id="all_sites"
            label={t('all_sites_option')}
            checked={draft.all_sites}
            onChange={set('all_sites')}
          />
        )}
        {everySite ? (
          <p class="muted">{t('every_site')}</p>
        ) : loaded.sites.length === 0 ? (
          <p class="muted">{t('no_sites_yet')}</p>
        ) : (
          loaded.sites.map((site) => (
            <Checkbox
              key={site.id}
              id={`site-${site.id}`}
              label={`${site.name} (${site.code})`}
              checked={draft.site_ids.includes(site.id)}
              onChange={(on) => toggleSite(site.id, on)}
            />
          ))
        )}
      </FieldGroup>
      {editing && <Checkbox id="active" label={t('account_active')} checked={draft.active} onChange={set('active')} />}
      {problem && <Notice kind="error">{problem}</Notice>}
      <button type="submit" class="button button-wide" disabled={busy}>
        {busy ? t('saving') : t('save')}
      </button>
    </form>
  );
}

function PasswordReset({ user }: { user: UserView }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkPasswordReset(password);
    if (!checked.ok) {
      setError(t(checked.errors.password));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await setUserPassword(user.id, checked.value);
      setPassword('');
      setDone(true);
    } catch (err) {
      const described = describeError(err);
      setError(described.fields.password ?? described.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form section" onSubmit={save} noValidate>
      <h2>{t('set_password')}</h2>
      <TextField
        id="reset_password"
        label={t('new_password')}
        hint={t('password_hint')}
        type="password"
        value={password}
        onInput={(v) => {
          setPassword(v);
          setDone(false);
        }}
        error={error}
        autoComplete="new-password"
        dir="ltr"
      />
      {done && <Notice kind="success">{t('password_changed')}</Notice>}
      <button type="submit" class="button button-secondary button-wide" disabled={busy || !password}>
        {busy ? t('saving') : t('set_password')}
      </button>
    </form>
  );
}
