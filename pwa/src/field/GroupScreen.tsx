/** Making or changing a group: its activity type, name, site and roster (joined / left dates); rules in drafts.ts. */
import { useMemo, useState } from 'preact/hooks';
import type { LocalActivityType, LocalSite } from '../db/schema';
import { t } from '../i18n';
import type { StringKey } from '../i18n/messages';
import { navigate } from '../router';
import { Checkbox, FieldGroup, SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { useProblemFocus } from '../ui/problems';
import { readDraft, useAutosave } from './autosave';
import { ParticipantFinder, problemText, typeLabel } from './common';
import { loadGroupContext, peopleAt, saveGroup } from './data';
import type { GroupDraft, Problems } from './drafts';
import { addMember, checkGroup, initialGroupDraft } from './drafts';
import { useLocal } from './hooks';
import type { Group, Member, Participant } from './model';
import { participantLabel, today } from './model';
import { RegisterForm } from './RegisterScreen';

export function GroupScreen({ groupId }: { groupId?: string }) {
  const key = `group:${groupId ?? 'new'}`;
  const loaded = useLocal(
    async (db) => ({ ...(await loadGroupContext(db, groupId)), draft: (await readDraft<GroupDraft>(key, db))?.value }),
    [groupId],
  );
  if (!loaded) return <p class="loading">{t('loading')}</p>;
  return (
    <GroupEditor
      key={key}
      draftKey={key}
      group={loaded.group}
      sites={loaded.sites}
      types={loaded.types}
      restored={loaded.draft}
    />
  );
}

function GroupEditor({
  group,
  sites,
  types,
  draftKey,
  restored,
}: {
  group?: Group;
  sites: LocalSite[];
  types: LocalActivityType[];
  draftKey: string;
  restored?: GroupDraft;
}) {
  const [initial] = useState(() => initialGroupDraft(group, sites));
  const [draft, setDraft] = useState(() => restored ?? initial);
  const autosave = useAutosave(draftKey, draft, initial, restored);
  const [registering, setRegistering] = useState(false);
  const [errors, setErrors] = useState<Problems>({});
  const problems = useProblemFocus();
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
    if (!checked.ok) {
      problems.showProblems();
      return;
    }
    await saveGroup(group?.id, checked.value);
    await autosave.finish();
    navigate('/');
  }

  return (
    <form class="form" ref={problems.formRef} onSubmit={(e) => void save(e)} noValidate>
      {problems.alert}
      <h1>{group ? t('edit_group') : t('new_group')}</h1>
      {autosave.restored && <Notice kind="info">{t('draft_restored')}</Notice>}
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
      <FieldGroup legend={t('group_weekdays')}>
        <p class="muted">{t('group_weekdays_hint')}</p>
        {[1, 2, 3, 4, 5, 6, 7].map((d) => (
          <Checkbox
            key={d}
            id={`weekday-${d}`}
            label={t(`weekday_${d}` as StringKey)}
            checked={draft.weekdays.includes(d)}
            onChange={(on) =>
              setDraft((x) => ({ ...x, weekdays: on ? [...x.weekdays, d] : x.weekdays.filter((w) => w !== d) }))
            }
          />
        ))}
      </FieldGroup>
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
                type="date"
              />
              {m.left_on !== undefined ? (
                <TextField
                  id={`left-${i}`}
                  label={t('left_on')}
                  value={m.left_on}
                  onInput={(v) => change(i, { ...m, left_on: v || undefined })}
                  dir="ltr"
                  type="date"
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
            draftKey="participant:member"
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
      <button
        type="button"
        class="button button-secondary button-wide"
        onClick={() => void autosave.finish().then(() => navigate('/'))}
      >
        {t('cancel')}
      </button>
    </form>
  );
}
