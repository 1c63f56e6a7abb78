/**
 * Recording one activity, the same screen for the three kinds:
 *
 * - group session: the group's roster as big checkboxes (one tap per
 *   person, everything else defaulted: today, the usual duration), walk-ins
 *   found or registered on the spot, unregistered extras as head counts;
 * - CFS day: the children registered at a child-friendly space, filtered
 *   as you type, one tap per child;
 * - awareness event: head counts by sex × age band with steppers;
 * - individual session: the one person seen (OnePerson.tsx).
 *
 * Saving is instant and local: the record goes into the outbox and is sent
 * whenever the phone can. Editing one's own record sends it again based on
 * the version the server last confirmed; deleting is a soft deletion.
 * The form's rules are in drafts.ts (tested); "who came" is Roster.tsx.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { navigate } from '../router';
import { isLocked } from '../sync/locks';
import { SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { useProblemFocus } from '../ui/problems';
import { readDraft, useAutosave } from './autosave';
import { problemText, Stepper, TallyGrid, typeLabel } from './common';
import type { RecordContext } from './data';
import { deleteRecord, findRecord, loadRecordContext, saveCfsDay, saveRecord } from './data';
import type { Problems, RecordDraft } from './drafts';
import { checkRecord, initialRecordDraft, siteChoices, tallyTotal, togglePresent } from './drafts';
import { useLocal } from './hooks';
import { cfsDayId, sessionOnSameDate } from './identity';
import type { RecordKind } from './model';
import { OnePerson } from './OnePerson';
import { Roster } from './Roster';

const TITLE = {
  group_session: 'session_title',
  cfs_day: 'cfs_title',
  awareness_event: 'event_title',
  individual_session: 'kind_individual_session',
} as const;

/** Loads what the form needs, then shows it (for a new record of `kind`, or to edit `recordId`). */
/** The draft of a form: one per record edited, per group's session, per other kind. */
function draftKey({ kind, groupId, recordId }: { kind?: RecordKind; groupId?: string; recordId?: string }): string {
  if (recordId) return `record:${recordId}`;
  return kind === 'group_session' ? `session:${groupId}` : String(kind);
}

export function RecordScreen({ kind, groupId, recordId }: { kind?: RecordKind; groupId?: string; recordId?: string }) {
  const key = draftKey({ kind, groupId, recordId });
  const context = useLocal(
    async (db) => {
      const loaded = await loadRecordContext(db, { kind, groupId, recordId });
      return loaded && { ...loaded, draft: (await readDraft<RecordDraft>(key, db))?.value };
    },
    [kind, groupId, recordId],
  );
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
  return <RecordEditor key={key} draftKey={key} context={context} />;
}

function RecordEditor({ context, draftKey }: { context: RecordContext & { draft?: RecordDraft }; draftKey: string }) {
  const { kind, group } = context;
  /**
   * A CFS day opened from "CFS day" (not an old record opened from the
   * list) is the record of the site and date the form shows: changing
   * either opens that day's record instead (or a new one), so check-ins
   * never move between days and one day never takes another's id.
   */
  const followsDay = kind === 'cfs_day' && (!context.existing || context.continues === true);
  const [day, setDay] = useState(context.existing);
  const existing = followsDay ? day : context.existing;
  const [initial] = useState(() => initialRecordDraft(context));
  const [draft, setDraft] = useState(() => context.draft ?? initial);
  const autosave = useAutosave(draftKey, draft, initial, context.draft);
  const [errors, setErrors] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const problems = useProblemFocus();
  const set =
    <K extends keyof RecordDraft>(key: K) =>
    (value: RecordDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const toggle = (id: string, on: boolean) =>
    setDraft((d) => ({ ...d, attendance: togglePresent(d.attendance, id, on) }));
  const toggleCode = (code: string, on: boolean) =>
    setDraft((d) => ({ ...d, attendance_codes: togglePresent(d.attendance_codes, code, on) }));
  /** Asking before a second session of the group on one date. */
  const [secondSession, setSecondSession] = useState<'ask' | null>(null);
  const sites = siteChoices(kind, context.sites);
  useEffect(() => {
    if (!followsDay || !draft.site_id || !/^\d{4}-\d{2}-\d{2}$/.test(draft.date)) return;
    const id = cfsDayId(Number(draft.site_id), draft.date);
    if (id === day?.id) return;
    let live = true;
    void findRecord(id).then((found) => {
      // Nothing held for either day: the ticks made so far stay (they are this new day's).
      if (!live || (!found && !day)) return;
      setDay(found);
      setDraft((d) => ({
        ...d,
        attendance: found?.data.attendance ?? [],
        attendance_codes: found?.data.attendance_codes ?? [],
      }));
    });
    return () => {
      live = false;
    };
  }, [draft.site_id, draft.date]);
  const error = (field: string) => problemText(errors[field]);

  // A record in a locked month stays as it is: only an administrator can reopen the month.
  const locked = existing !== undefined && isLocked(context.locks, existing.data.site_id, existing.data.date);

  /** After saving an individual session, go on to refer the person seen (issue 17). */
  const thenRefer = useRef(false);

  async function save(e?: Event, confirmedSecond = false) {
    e?.preventDefault();
    if (locked) return;
    let checked = checkRecord(draft, context);
    if (checked.ok && isLocked(context.locks, checked.value.site_id, checked.value.date))
      checked = { ok: false, errors: { date: 'field_month_locked' } };
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) {
      problems.showProblems();
      return;
    }
    if (
      kind === 'group_session' &&
      !confirmedSecond &&
      sessionOnSameDate(context.groupRecords, group?.id, checked.value.date, existing?.id)
    ) {
      setSecondSession('ask');
      return;
    }
    setBusy(true);
    // A new CFS day is saved under its site and date, adding to that day's record.
    if (kind === 'cfs_day' && !existing) await saveCfsDay(checked.value);
    else await saveRecord(existing?.id, checked.value);
    await autosave.finish();
    const [personId] = checked.value.attendance;
    const [code] = checked.value.attendance_codes ?? [];
    if (thenRefer.current && personId) navigate(`/refer/person/${encodeURIComponent(personId)}`);
    else if (thenRefer.current && code) navigate(`/refer/code/${encodeURIComponent(code)}`);
    else navigate('/');
  }

  async function cancel() {
    await autosave.finish();
    navigate('/');
  }

  async function remove() {
    if (!existing) return;
    setBusy(true);
    await deleteRecord(existing);
    await autosave.finish();
    navigate('/');
  }

  const extras = (
    <>
      <TallyGrid value={draft.tallies} onChange={set('tallies')} />
      <Stepper
        id="tally-disabled"
        label={t('tally_disabled')}
        value={draft.tally_disabled}
        max={tallyTotal(draft.tallies)}
        onChange={set('tally_disabled')}
      />
      {errors.disabled && <p class="field-error">{error('disabled')}</p>}
    </>
  );

  return (
    <form class="form record-form" ref={problems.formRef} onSubmit={(e) => void save(e)} noValidate>
      {problems.alert}
      <h1>{existing && !followsDay ? t('edit_record') : t(TITLE[kind])}</h1>
      {followsDay && day && <Notice kind="info">{t('cfs_continues')}</Notice>}
      {group && (
        <p class="lead">
          <strong>{group.data.name}</strong> ·{' '}
          {typeLabel(context.types.find((x) => x.id === group.data.activity_type_id))}
        </p>
      )}
      {locked && <Notice kind="warning">{t('record_locked_note')}</Notice>}
      {autosave.restored && <Notice kind="info">{t('draft_restored')}</Notice>}
      {context.pending?.state === 'conflict' || context.pending?.state === 'rejected' ? (
        <Notice kind="warning">{t('edit_resends')}</Notice>
      ) : null}
      {kind !== 'group_session' && sites.length !== 1 && (
        <SelectField
          id="rec-site"
          label={t('site')}
          value={draft.site_id}
          placeholder={t('choose')}
          options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
          onChange={set('site_id')}
          error={error('site')}
        />
      )}
      {kind !== 'group_session' && context.types.length !== 1 && (
        <SelectField
          id="rec-type"
          label={kind === 'awareness_event' ? t('event_type') : t('activity_type')}
          value={draft.activity_type_id}
          placeholder={t('choose')}
          options={context.types.map((x) => ({ value: String(x.id), label: typeLabel(x) }))}
          onChange={set('activity_type_id')}
          error={error('type')}
        />
      )}

      {kind === 'individual_session' && (
        <OnePerson
          siteId={Number(draft.site_id)}
          personId={draft.attendance[0]}
          code={draft.attendance_codes[0]}
          onPickId={(id) => setDraft((d) => ({ ...d, attendance: [id], attendance_codes: [] }))}
          onPickCode={(code) => setDraft((d) => ({ ...d, attendance: [], attendance_codes: [code] }))}
          onClear={() => setDraft((d) => ({ ...d, attendance: [], attendance_codes: [] }))}
          error={error('attendance')}
        />
      )}
      {(kind === 'group_session' || kind === 'cfs_day') && (
        <Roster
          kind={kind}
          group={group}
          siteId={Number(draft.site_id)}
          date={draft.date}
          attendance={draft.attendance}
          codes={draft.attendance_codes}
          onToggle={toggle}
          onToggleCode={toggleCode}
          onSetAttendance={set('attendance')}
          error={error('attendance')}
        />
      )}

      {kind === 'group_session' && (
        <details class="more" open={tallyTotal(draft.tallies) > 0}>
          <summary>{t('extras')}</summary>
          <p class="muted">{t('extras_hint')}</p>
          {extras}
        </details>
      )}

      {kind === 'awareness_event' && (
        <>
          <TextField id="rec-topic" label={t('topic')} value={draft.topic} onInput={set('topic')} />
          <TextField
            id="rec-place"
            label={t('place_note')}
            hint={t('place_hint')}
            value={draft.place_note}
            onInput={set('place_note')}
          />
          <h2>{t('head_counts')}</h2>
          {extras}
          {errors.tallies && <p class="field-error">{error('tallies')}</p>}
          <TextField id="rec-materials" label={t('materials')} value={draft.materials} onInput={set('materials')} />
        </>
      )}

      <fieldset class="field-group">
        <legend>{t('when')}</legend>
        <TextField
          id="rec-date"
          label={t('date')}
          value={draft.date}
          onInput={set('date')}
          error={error('date')}
          dir="ltr"
          type="date"
        />
        <TextField
          id="rec-start"
          label={t('start_time')}
          value={draft.start_time}
          onInput={set('start_time')}
          dir="ltr"
          type="time"
        />
        <TextField
          id="rec-duration"
          label={t('duration')}
          inputMode="numeric"
          value={draft.duration_minutes}
          onInput={set('duration_minutes')}
          error={error('duration')}
        />
        {/* An individual session has no topic line: what one person talked about stays out of the register. */}
        {(kind === 'group_session' || kind === 'cfs_day') && (
          <TextField id="rec-topic" label={t('topic')} value={draft.topic} onInput={set('topic')} />
        )}
        <TextField id="rec-notes" label={t('notes')} value={draft.notes} onInput={set('notes')} />
      </fieldset>

      {secondSession === 'ask' ? (
        <div class="logout-question" role="alertdialog" aria-label={t('second_session')}>
          <p>{t('second_session')}</p>
          <button
            type="button"
            class="button button-wide button-primary-action"
            disabled={busy}
            onClick={() => void save(undefined, true)}
          >
            {t('second_session_yes')}
          </button>
          <button type="button" class="button button-secondary button-wide" onClick={() => setSecondSession(null)}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <>
          <button
            type="submit"
            class="button button-wide button-primary-action"
            disabled={busy || locked}
            onClick={() => {
              thenRefer.current = false;
            }}
          >
            {t('save_record')}
          </button>
          {kind === 'individual_session' && !existing && (
            <button
              type="submit"
              class="button button-wide button-secondary"
              disabled={busy}
              onClick={() => {
                thenRefer.current = true;
              }}
            >
              {t('save_and_refer')}
            </button>
          )}
          <button type="button" class="button button-secondary button-wide" onClick={() => void cancel()}>
            {t('cancel')}
          </button>
        </>
      )}
      {existing && !locked && <DeleteRecord busy={busy} onDelete={() => void remove()} />}
      <p class="muted">{t('saved_locally_note')}</p>
    </form>
  );
}

/** "Delete this record", asked twice: a soft deletion on the server, sent like any change. */
function DeleteRecord({ busy, onDelete }: { busy: boolean; onDelete: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" class="button button-danger button-wide" onClick={() => setConfirming(true)}>
        {t('delete_record')}
      </button>
    );
  }
  return (
    <div class="logout-question" role="alertdialog" aria-label={t('delete_confirm')}>
      <p>{t('delete_confirm')}</p>
      <button type="button" class="button button-danger button-wide" disabled={busy} onClick={onDelete}>
        {t('delete_yes')}
      </button>
      <button type="button" class="button button-secondary button-wide" onClick={() => setConfirming(false)}>
        {t('cancel')}
      </button>
    </div>
  );
}
