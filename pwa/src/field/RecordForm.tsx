/**
 * Recording one activity, the same screen for the three kinds:
 *
 * - group session: the group's roster as big checkboxes (one tap per
 *   person, everything else defaulted: today, the usual duration), walk-ins
 *   found or registered on the spot, unregistered extras as head counts;
 * - CFS day: the children registered at a child-friendly space, filtered
 *   as you type, one tap per child;
 * - awareness event: head counts by sex × age band with steppers.
 *
 * Saving is instant and local: the record goes into the outbox and is sent
 * whenever the phone can. Editing one's own record sends it again based on
 * the version the server last confirmed; deleting is a soft deletion.
 */
import { useMemo, useState } from 'preact/hooks';
import { t, tn } from '../i18n';
import { navigate } from '../router';
import { Checkbox, SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import type { TallyMap } from './common';
import {
  ParticipantFinder,
  participantMeta,
  Stepper,
  TallyGrid,
  tallyList,
  tallyMap,
  tallyTotal,
  typeLabel,
} from './common';
import type { RecordContext } from './data';
import { deleteRecord, loadRecordContext, participantsAt, saveRecord } from './data';
import { useLocal } from './hooks';
import type { Participant, RecordData, RecordKind } from './model';
import { matches, participantLabel, today } from './model';
import { RegisterForm } from './RegisterScreen';

const DEFAULT_MINUTES: Record<RecordKind, number> = { group_session: 90, cfs_day: 180, awareness_event: 60 };
const TITLE = { group_session: 'session_title', cfs_day: 'cfs_title', awareness_event: 'event_title' } as const;

/** Loads what the form needs, then shows it (for a new record of `kind`, or to edit `recordId`). */
export function RecordScreen({ kind, groupId, recordId }: { kind?: RecordKind; groupId?: string; recordId?: string }) {
  const context = useLocal((db) => loadRecordContext(db, { kind, groupId, recordId }), [kind, groupId, recordId]);
  if (context === undefined) return <p class="loading">{t('loading')}</p>;
  if (context === null) {
    return (
      <>
        <h1>{t('not_on_phone')}</h1>
        <button type="button" class="button button-secondary button-wide" onClick={() => navigate('/')}>
          {t('back')}
        </button>
      </>
    );
  }
  return <RecordEditor key={recordId ?? `${kind}-${groupId}`} context={context} />;
}

function RecordEditor({ context }: { context: RecordContext }) {
  const { kind, existing, group } = context;
  const initial = existing?.data;
  const siteChoices =
    kind === 'cfs_day' ? context.sites.filter((s) => s.kind === 'child_friendly_space') : context.sites;
  const [siteId, setSiteId] = useState(
    String(initial?.site_id ?? group?.data.site_id ?? (siteChoices.length === 1 ? siteChoices[0].id : '')),
  );
  const [typeId, setTypeId] = useState(
    String(
      initial?.activity_type_id ??
        group?.data.activity_type_id ??
        (context.types.length === 1 ? context.types[0].id : ''),
    ),
  );
  const [date, setDate] = useState(initial?.date ?? today());
  const [start, setStart] = useState(initial?.start_time ?? '');
  const [minutes, setMinutes] = useState(String(initial?.duration_minutes ?? DEFAULT_MINUTES[kind]));
  const [topic, setTopic] = useState(initial?.topic ?? '');
  const [notes, setNotes] = useState(initial?.notes ?? '');
  const [place, setPlace] = useState(initial?.place_note ?? '');
  const [materials, setMaterials] = useState(initial?.materials ?? '');
  const [present, setPresent] = useState<Set<string>>(new Set(initial?.attendance ?? []));
  const [tallies, setTallies] = useState<TallyMap>(tallyMap(initial?.tallies ?? []));
  const [disabled, setDisabled] = useState(initial?.tally_disabled ?? 0);
  const [registering, setRegistering] = useState(false);
  const [filter, setFilter] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);

  const site = Number(siteId);
  const people = useLocal((db) => (site ? participantsAt(db, site) : Promise.resolve([] as Participant[])), [site]);
  const byId = useMemo(() => new Map((people ?? []).map((p) => [p.id, p])), [people]);
  const roster = useMemo(() => {
    if (kind === 'group_session' && group) {
      const ids = group.data.members
        .filter((m) => m.joined_on <= date && (!m.left_on || m.left_on >= date))
        .map((m) => m.participant_id);
      const key = (id: string) => {
        const p = byId.get(id);
        return p ? participantLabel(p) : `~${id}`;
      };
      return ids.sort((a, b) => key(a).localeCompare(key(b)));
    }
    if (kind === 'cfs_day') return (people ?? []).map((p) => p.id);
    return [];
  }, [kind, group, date, people, byId]);
  const walkIns = [...present].filter((id) => !roster.includes(id));

  const toggle = (id: string, on: boolean) => {
    const next = new Set(present);
    if (on) next.add(id);
    else next.delete(id);
    setPresent(next);
  };

  const label = (id: string) => {
    const p = byId.get(id);
    return p ? participantLabel(p) : t('participant_elsewhere', { id: id.slice(0, 8) });
  };

  async function save(e: Event) {
    e.preventDefault();
    const next: Record<string, string> = {};
    const total = tallyTotal(tallies);
    const duration = Number(minutes);
    if (!siteId) next.site = t('field_required');
    if (!typeId) next.type = t('field_required');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date > today(new Date(Date.now() + 86_400_000)))
      next.date = t('field_date');
    if (!(Number.isInteger(duration) && duration >= 1 && duration <= 720)) next.duration = t('field_duration');
    if (kind === 'awareness_event' && total === 0) next.tallies = t('field_count_someone');
    if (kind !== 'awareness_event' && present.size === 0 && total === 0) next.attendance = t('field_tick_someone');
    if (disabled > total) next.disabled = t('field_disabled_max');
    setErrors(next);
    if (Object.keys(next).length) {
      document.querySelector('.field-error, [aria-invalid="true"]')?.scrollIntoView({ block: 'center' });
      return;
    }
    const data: RecordData = {
      kind,
      activity_type_id: Number(typeId),
      site_id: site,
      group_id: kind === 'group_session' ? group?.id : undefined,
      date,
      start_time: start || undefined,
      duration_minutes: duration,
      topic: topic.trim() || undefined,
      place_note: kind === 'awareness_event' ? place.trim() || undefined : undefined,
      notes: notes.trim() || undefined,
      materials: kind === 'awareness_event' ? materials.trim() || undefined : undefined,
      facilitator_ids: initial?.facilitator_ids,
      attendance: kind === 'awareness_event' ? [] : [...present].sort(),
      tallies: kind === 'cfs_day' ? [] : tallyList(tallies),
      tally_disabled: kind === 'cfs_day' ? 0 : disabled,
    };
    if (!data.facilitator_ids) delete data.facilitator_ids;
    setBusy(true);
    await saveRecord(existing?.id, data);
    navigate('/');
  }

  async function remove() {
    if (!existing) return;
    setBusy(true);
    await deleteRecord(existing);
    navigate('/');
  }

  const extras = (
    <>
      <TallyGrid value={tallies} onChange={setTallies} />
      <Stepper
        id="tally-disabled"
        label={t('tally_disabled')}
        value={disabled}
        max={tallyTotal(tallies)}
        onChange={setDisabled}
      />
      {errors.disabled && <p class="field-error">{errors.disabled}</p>}
    </>
  );

  const shown = (id: string) => {
    const p = byId.get(id);
    return present.has(id) || !filter.trim() || (p !== undefined && matches(p, filter));
  };
  const visible = kind === 'cfs_day' ? roster.filter(shown) : roster;

  return (
    <form class="form record-form" onSubmit={(e) => void save(e)} noValidate>
      <h1>{existing ? t('edit_record') : t(TITLE[kind])}</h1>
      {group && (
        <p class="lead">
          <strong>{group.data.name}</strong> ·{' '}
          {typeLabel(context.types.find((x) => x.id === group.data.activity_type_id))}
        </p>
      )}
      {context.pending?.state === 'conflict' || context.pending?.state === 'rejected' ? (
        <Notice kind="warning">{t('edit_resends')}</Notice>
      ) : null}
      {kind !== 'group_session' && siteChoices.length !== 1 && (
        <SelectField
          id="rec-site"
          label={t('site')}
          value={siteId}
          placeholder={t('choose')}
          options={siteChoices.map((s) => ({ value: String(s.id), label: s.name }))}
          onChange={setSiteId}
          error={errors.site}
        />
      )}
      {kind !== 'group_session' && context.types.length !== 1 && (
        <SelectField
          id="rec-type"
          label={kind === 'awareness_event' ? t('event_type') : t('activity_type')}
          value={typeId}
          placeholder={t('choose')}
          options={context.types.map((x) => ({ value: String(x.id), label: typeLabel(x) }))}
          onChange={setTypeId}
          error={errors.type}
        />
      )}

      {kind !== 'awareness_event' && (
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
                  onChange={(e) => toggle(id, e.currentTarget.checked)}
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
              label={`${label(id)} · ${t('walk_in')}`}
              checked
              onChange={(on) => toggle(id, on)}
            />
          ))}
          <p class="present-count" role="status">
            {tn('people_present', present.size)}
          </p>
          {errors.attendance && <p class="field-error">{errors.attendance}</p>}
        </fieldset>
      )}

      {kind !== 'awareness_event' && site > 0 && (
        <details class="more" open={registering}>
          <summary>{kind === 'cfs_day' ? t('add_child') : t('add_walk_in')}</summary>
          {registering ? (
            <RegisterForm
              siteIds={[site]}
              defaultSite={site}
              onDone={(p) => {
                toggle(p.id, true);
                setRegistering(false);
              }}
              onCancel={() => setRegistering(false)}
            />
          ) : (
            <>
              <ParticipantFinder
                siteId={kind === 'cfs_day' ? site : undefined}
                exclude={present}
                onPick={(p) => toggle(p.id, true)}
              />
              <button type="button" class="button button-secondary button-wide" onClick={() => setRegistering(true)}>
                {t('register_new')}
              </button>
            </>
          )}
        </details>
      )}

      {kind === 'group_session' && (
        <details class="more" open={tallyTotal(tallies) > 0}>
          <summary>{t('extras')}</summary>
          <p class="muted">{t('extras_hint')}</p>
          {extras}
        </details>
      )}

      {kind === 'awareness_event' && (
        <>
          <TextField id="rec-topic" label={t('topic')} value={topic} onInput={setTopic} />
          <TextField id="rec-place" label={t('place_note')} hint={t('place_hint')} value={place} onInput={setPlace} />
          <h2>{t('head_counts')}</h2>
          {extras}
          {errors.tallies && <p class="field-error">{errors.tallies}</p>}
          <TextField id="rec-materials" label={t('materials')} value={materials} onInput={setMaterials} />
        </>
      )}

      <fieldset class="field-group">
        <legend>{t('when')}</legend>
        <TextField
          id="rec-date"
          label={t('date')}
          value={date}
          onInput={setDate}
          error={errors.date}
          dir="ltr"
          type={'date' as 'text'}
        />
        <TextField
          id="rec-start"
          label={t('start_time')}
          value={start}
          onInput={setStart}
          dir="ltr"
          type={'time' as 'text'}
        />
        <TextField
          id="rec-duration"
          label={t('duration')}
          inputMode="numeric"
          value={minutes}
          onInput={setMinutes}
          error={errors.duration}
        />
        {kind !== 'awareness_event' && <TextField id="rec-topic" label={t('topic')} value={topic} onInput={setTopic} />}
        <TextField id="rec-notes" label={t('notes')} value={notes} onInput={setNotes} />
      </fieldset>

      <button type="submit" class="button button-wide button-primary-action" disabled={busy}>
        {t('save_record')}
      </button>
      {existing &&
        (confirmDelete ? (
          <div class="logout-question" role="alertdialog" aria-label={t('delete_confirm')}>
            <p>{t('delete_confirm')}</p>
            <button
              type="button"
              class="button button-danger button-wide"
              disabled={busy}
              onClick={() => void remove()}
            >
              {t('delete_yes')}
            </button>
            <button type="button" class="button button-secondary button-wide" onClick={() => setConfirmDelete(false)}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="button button-danger button-wide" onClick={() => setConfirmDelete(true)}>
            {t('delete_record')}
          </button>
        ))}
      <p class="muted">{t('saved_locally_note')}</p>
    </form>
  );
}
