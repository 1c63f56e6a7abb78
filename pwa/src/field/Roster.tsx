/**
 * "Who came" on a group session or CFS day: the roster as big checkboxes
 * (the group's members on the day, or the children registered at the
 * CFS, filtered as you type), the walk-ins ticked so far, and below it a
 * way to find or register someone who is not on the roster.
 */
import { useMemo, useState } from 'preact/hooks';
import { language, t, tn } from '../i18n';
import { listSeparator } from '../i18n/format';
import { Checkbox } from '../ui/fields';
import { ParticipantFinder, participantMeta } from './common';
import { participantsAt } from './data';
import { rosterIds } from './drafts';
import { useLocal } from './hooks';
import type { Group, Participant } from './model';
import { matches, participantLabel } from './model';
import { RegisterForm } from './RegisterScreen';

export function Roster({
  kind,
  group,
  siteId,
  date,
  attendance,
  onToggle,
  error,
}: {
  kind: 'group_session' | 'cfs_day';
  group?: Group;
  siteId: number;
  date: string;
  attendance: string[];
  onToggle: (id: string, on: boolean) => void;
  error?: string;
}) {
  const [filter, setFilter] = useState('');
  const [registering, setRegistering] = useState(false);
  const people = useLocal(
    (db) => (siteId ? participantsAt(db, siteId) : Promise.resolve([] as Participant[])),
    [siteId],
  );
  const byId = useMemo(() => new Map((people ?? []).map((p) => [p.id, p])), [people]);
  const roster = useMemo(() => rosterIds(kind, group, date, people ?? []), [kind, group, date, people]);
  const present = useMemo(() => new Set(attendance), [attendance]);
  const walkIns = attendance.filter((id) => !roster.includes(id));

  const label = (id: string) => {
    const p = byId.get(id);
    return p ? participantLabel(p) : t('participant_elsewhere', { id: id.slice(0, 8) });
  };
  const shown = (id: string) => {
    const p = byId.get(id);
    return present.has(id) || !filter.trim() || (p !== undefined && matches(p, filter));
  };
  const visible = kind === 'cfs_day' ? roster.filter(shown) : roster;

  return (
    <>
      <fieldset class="field-group roster">
        <legend>{kind === 'cfs_day' ? t('children_present') : t('who_came')}</legend>
        {kind === 'cfs_day' && (
          <div class="field">
            <label for="cfs-filter">{t('find_child')}</label>
            <input
              id="cfs-filter"
              type="search"
              value={filter}
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => setFilter(e.currentTarget.value)}
            />
          </div>
        )}
        {roster.length === 0 && <p class="muted">{kind === 'cfs_day' ? t('no_children') : t('roster_empty')}</p>}
        {visible.map((id) => {
          const p = byId.get(id);
          return (
            <label class="check roster-item" key={id}>
              <input
                type="checkbox"
                checked={present.has(id)}
                onChange={(e) => onToggle(id, e.currentTarget.checked)}
              />
              <span>
                <span class="list-title">{label(id)}</span>
                {p && <span class="list-meta">{participantMeta(p)}</span>}
              </span>
            </label>
          );
        })}
        {walkIns.map((id) => (
          <Checkbox
            key={id}
            id={`walkin-${id}`}
            label={`${label(id)}${listSeparator(language.get())}${t('walk_in')}`}
            checked
            onChange={(on) => onToggle(id, on)}
          />
        ))}
        <p class="present-count" role="status">
          {tn('people_present', attendance.length)}
        </p>
        {error && <p class="field-error">{error}</p>}
      </fieldset>

      {siteId > 0 && (
        <details class="more" open={registering}>
          <summary>{kind === 'cfs_day' ? t('add_child') : t('add_walk_in')}</summary>
          {registering ? (
            <RegisterForm
              draftKey="participant:walk-in"
              siteIds={[siteId]}
              defaultSite={siteId}
              onDone={(p) => {
                onToggle(p.id, true);
                setRegistering(false);
              }}
              onCancel={() => setRegistering(false)}
            />
          ) : (
            <>
              <ParticipantFinder
                siteId={kind === 'cfs_day' ? siteId : undefined}
                exclude={present}
                onPick={(p) => onToggle(p.id, true)}
              />
              <button type="button" class="button button-secondary button-wide" onClick={() => setRegistering(true)}>
                {t('register_new')}
              </button>
            </>
          )}
        </details>
      )}
    </>
  );
}
