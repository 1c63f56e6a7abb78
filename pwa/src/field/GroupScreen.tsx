/** Making or changing a group: its activity type, name, site and roster (joined / left dates). */
import { useMemo, useState } from 'preact/hooks';
import type { LocalActivityType, LocalSite } from '../db/schema';
import { t } from '../i18n';
import { navigate } from '../router';
import { SelectField, TextField } from '../ui/fields';
import { ParticipantFinder, typeLabel } from './common';
import { loadGroupContext, participantsAt, saveGroup } from './data';
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
  const [siteId, setSiteId] = useState(String(group?.data.site_id ?? (sites.length === 1 ? sites[0].id : '')));
  const [typeId, setTypeId] = useState(String(group?.data.activity_type_id ?? ''));
  const [name, setName] = useState(group?.data.name ?? '');
  const [members, setMembers] = useState<Member[]>(group?.data.members ?? []);
  const [registering, setRegistering] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const site = Number(siteId);
  const people = useLocal((db) => (site ? participantsAt(db, site) : Promise.resolve([] as Participant[])), [site]);
  const [picked, setPicked] = useState<Participant[]>([]);
  const byId = useMemo(() => new Map([...(people ?? []), ...picked].map((p) => [p.id, p])), [people, picked]);

  const add = (p: Participant) => {
    setPicked([...picked, p]);
    if (!members.some((m) => m.participant_id === p.id))
      setMembers([...members, { participant_id: p.id, joined_on: today() }]);
  };
  const change = (i: number, m: Member) => setMembers(members.map((x, j) => (j === i ? m : x)));

  async function save(e: Event) {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (!siteId) next.site = t('field_required');
    if (!typeId) next.type = t('field_required');
    if (!name.trim()) next.name = t('field_required');
    setErrors(next);
    if (Object.keys(next).length) return;
    const cleaned = members.map((m) => (m.left_on ? m : { participant_id: m.participant_id, joined_on: m.joined_on }));
    await saveGroup(group?.id, {
      ...(group?.data ?? {}),
      site_id: site,
      activity_type_id: Number(typeId),
      name: name.trim(),
      members: cleaned,
    });
    navigate('/');
  }

  return (
    <form class="form" onSubmit={(e) => void save(e)} noValidate>
      <h1>{group ? t('edit_group') : t('new_group')}</h1>
      <SelectField
        id="group-type"
        label={t('activity_type')}
        value={typeId}
        placeholder={t('choose')}
        options={types.map((x) => ({ value: String(x.id), label: typeLabel(x) }))}
        onChange={setTypeId}
        error={errors.type}
      />
      <TextField id="group-name" label={t('group_name')} value={name} onInput={setName} error={errors.name} />
      {sites.length !== 1 && (
        <SelectField
          id="group-site"
          label={t('site')}
          value={siteId}
          placeholder={t('choose')}
          options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
          onChange={setSiteId}
          error={errors.site}
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
