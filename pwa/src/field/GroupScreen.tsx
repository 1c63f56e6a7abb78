/** Making or changing a group: its activity type, name, site and roster (joined / left dates); rules in drafts.ts. */
import { useMemo, useState } from 'preact/hooks';
import type { LocalActivityType, LocalSite } from '../db/schema';
import { t } from '../i18n';
import { navigate } from '../router';
import { SelectField, TextField } from '../ui/fields';
import { ParticipantFinder, problemText, typeLabel } from './common';
import { loadGroupContext, peopleAt, saveGroup } from './data';
import type { GroupDraft, Problems } from './drafts';
import { addMember, checkGroup, initialGroupDraft } from './drafts';
import { useLocal } from './hooks';
import type { Group, Member, Participant } from './model';
import { participantLabel, today } from './model';
import { RegisterForm } from './RegisterScreen';

export function GroupScreen({ groupId }: { groupId?: string }) {
  const loaded = useLocal((db) => loadGroupContext(db, groupId), [groupId]);
  if (!loaded) return <p class="loading">{t('loading')}</p>;
  return <GroupEditor key={groupId ?? 'new'} group={loaded.group} sites={loaded.sites} types={loaded.types} />;
}

function GroupEditor({ group, sites, types }: { group?: Group; sites: LocalSite[]; types: LocalActivityType[] }) {
  const [draft, setDraft] = useState(() => initialGroupDraft(group, sites));
  const [registering, setRegistering] = useState(false);
  const [errors, setErrors] = useState<Problems>({});
  /** Participants picked from the server's search, so their names show before they are pulled. */
  const [picked, setPicked] = useState<Participant[]>([]);
  const set =
    <K extends keyof GroupDraft>(key: K) =>
    (value: GroupDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const error = (field: string) => problemText(errors[field]);
  const site = Number(draft.site_id);
  const people = useLocal((db) => (site ? peopleAt(db, site) : Promise.resolve([] as Participant[])), [site]);
  const byId = useMemo(() => new Map([...(people ?? []), ...picked].map((p) => [p.id, p])), [people, picked]);
  const { members } = draft;

  const add = (p: Participant) => {
    setPicked([...picked, p]);
    setDraft((d) => ({ ...d, members: addMember(d.members, p.id, today()) }));
  };
  const change = (i: number, m: Member) =>
    setDraft((d) => ({ ...d, members: d.members.map((x, j) => (j === i ? m : x)) }));

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkGroup(draft, group);
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) return;
    await saveGroup(group?.id, checked.value);
    navigate('/');
  }

  return (
    <form class="form" onSubmit={(e) => void save(e)} noValidate>
      <h1>{group ? t('edit_group') : t('new_group')}</h1>
      <SelectField
        id="group-type"
        label={t('activity_type')}
        value={draft.activity_type_id}
        placeholder={t('choose')}
        options={types.map((x) => ({ value: String(x.id), label: typeLabel(x) }))}
        onChange={set('activity_type_id')}
        error={error('type')}
      />
      <TextField
        id="group-name"
        label={t('group_name')}
        value={draft.name}
        onInput={set('name')}
        error={error('name')}
      />
      {sites.length !== 1 && (
        <SelectField
          id="group-site"
          label={t('site')}
          value={draft.site_id}
          placeholder={t('choose')}
          options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
          onChange={set('site_id')}
          error={error('site')}
        />
      )}
      <h2>{t('roster')}</h2>
      {members.length === 0 && <p class="muted">{t('roster_empty')}</p>}
      <ul class="list">
        {members.map((m, i) => {
          const p = byId.get(m.participant_id);
          return (
            <li class="list-item member" key={m.participant_id}>
              <span class="list-title">{p ? participantLabel(p) : m.participant_id.slice(0, 8)}</span>
              <TextField
                id={`joined-${i}`}
                label={t('joined_on')}
                value={m.joined_on}
                onInput={(v) => change(i, { ...m, joined_on: v })}
                dir="ltr"
                type={'date' as 'text'}
              />
              {m.left_on !== undefined ? (
                <TextField
                  id={`left-${i}`}
                  label={t('left_on')}
                  value={m.left_on}
                  onInput={(v) => change(i, { ...m, left_on: v || undefined })}
                  dir="ltr"
                  type={'date' as 'text'}
                />
              ) : (
                <button
                  type="button"
                  class="button button-secondary"
                  onClick={() => change(i, { ...m, left_on: today() })}
                >
                  {t('mark_left')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {site > 0 &&
        (registering ? (
          <RegisterForm
            siteIds={[site]}
            defaultSite={site}
            onDone={(p) => {
              add(p);
              setRegistering(false);
            }}
            onCancel={() => setRegistering(false)}
          />
        ) : (
          <>
            <ParticipantFinder
              siteId={site}
              exclude={new Set(members.map((m) => m.participant_id))}
              onPick={add}
              label={t('add_to_roster')}
            />
            <button type="button" class="button button-secondary button-wide" onClick={() => setRegistering(true)}>
              {t('register_new')}
            </button>
          </>
        ))}
      <button type="submit" class="button button-wide button-primary-action">
        {t('save_group')}
      </button>
    </form>
  );
}
