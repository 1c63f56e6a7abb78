/**
 * "Who came" on a group session or CFS day: the roster as big checkboxes
 * (the group's members on the day, or the children registered at the
 * CFS and those registered elsewhere who come here, filtered as you
 * type), "mark all present" with undo on a group's roster, the walk-ins
 * ticked so far and those added by code, and below it a way to add
 * someone by the code on their card, find or register them.
 */
import { useMemo, useState } from 'preact/hooks';
import { language, t, tn } from '../i18n';
import { listSeparator } from '../i18n/format';
import { displayCode } from '../sync/codes';
import { Checkbox } from '../ui/fields';
import type { CodeInfo } from './AddByCode';
import { AddByCode, codeMeta } from './AddByCode';
import { ParticipantFinder, participantMeta } from './common';
import { peopleAt } from './data';
import { rosterIds } from './drafts';
import { useLocal } from './hooks';
import { markAll } from './identity';
import type { Group, Participant } from './model';
import { matches, participantLabel } from './model';
import { RegisterForm } from './RegisterScreen';

export function Roster({
  kind,
  group,
  siteId,
  date,
  attendance,
  codes,
  onToggle,
  onToggleCode,
  onSetAttendance,
  error,
}: {
  kind: 'group_session' | 'cfs_day';
  group?: Group;
  siteId: number;
  date: string;
  attendance: string[];
  /** Codes added of people this phone does not hold, waiting for the server to match them. */
  codes: string[];
  onToggle: (id: string, on: boolean) => void;
  onToggleCode: (code: string, on: boolean) => void;
  onSetAttendance: (ids: string[]) => void;
  error?: string;
}) {
  const [filter, setFilter] = useState('');
  const [registering, setRegistering] = useState(false);
  /** Who was present before "mark all present", while it can be undone. */
  const [undo, setUndo] = useState<string[] | null>(null);
  /** What the server said about codes added online (sex, age band), for this screen only. */
  const [codeInfo, setCodeInfo] = useState<Record<string, CodeInfo>>({});
  const people = useLocal((db) => (siteId ? peopleAt(db, siteId) : Promise.resolve([] as Participant[])), [siteId]);
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
  const tick = (id: string, on: boolean) => {
    setUndo(null);
    onToggle(id, on);
  };
  const everyoneHere = roster.every((id) => present.has(id));

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
        {/* Above the names: on a roster of twenty, the first thing to reach. */}
        {kind === 'group_session' && roster.length > 0 && (undo || !everyoneHere) && (
          <div class="mark-all">
            {undo ? (
              <button
                type="button"
                class="button button-secondary"
                onClick={() => {
                  onSetAttendance(undo);
                  setUndo(null);
                }}
              >
                {t('undo')}
              </button>
            ) : (
              <button
                type="button"
                class="button button-secondary"
                onClick={() => {
                  setUndo(attendance);
                  onSetAttendance(markAll(attendance, roster));
                }}
              >
                {t('mark_all')}
              </button>
            )}
          </div>
        )}
        {roster.length === 0 && codes.length === 0 && (
          <p class="muted">{kind === 'cfs_day' ? t('no_children') : t('roster_empty')}</p>
        )}
        {visible.map((id) => {
          const p = byId.get(id);
          return (
            <label class="check roster-item" key={id}>
              <input type="checkbox" checked={present.has(id)} onChange={(e) => tick(id, e.currentTarget.checked)} />
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
            onChange={(on) => tick(id, on)}
          />
        ))}
        {codes.map((code) => (
          <label class="check roster-item" key={code} data-code={code}>
            <input type="checkbox" checked onChange={(e) => onToggleCode(code, e.currentTarget.checked)} />
            <span>
              <span class="list-title" dir="ltr">
                {displayCode(code)}
              </span>
              <span class="list-meta">{codeMeta(codeInfo[code])}</span>
            </span>
          </label>
        ))}
        <p class="present-count" role="status">
          {tn('people_present', attendance.length + codes.length)}
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
                tick(p.id, true);
                setRegistering(false);
              }}
              onCancel={() => setRegistering(false)}
            />
          ) : (
            <>
              <h3>{t('add_by_code')}</h3>
              <AddByCode
                onAddId={(id) => tick(id, true)}
                onAddCode={(code, info) => {
                  if (info) setCodeInfo((known) => ({ ...known, [code]: info }));
                  onToggleCode(code, true);
                }}
              />
              <ParticipantFinder
                siteId={kind === 'cfs_day' ? siteId : undefined}
                exclude={present}
                onPick={(p) => tick(p.id, true)}
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
