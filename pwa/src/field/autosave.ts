/**
 * Drafts of the field forms, kept on the phone as they are filled, as ODK
 * Collect does: a reload, a crash, a tap on the bottom menu or a dead
 * battery loses nothing typed or ticked.
 *
 * - A draft is the form's content as typed (the `*Draft` types of
 *   drafts.ts), written at most every {@link DRAFT_DELAY_MS} while the form
 *   changes, and at once when the page is hidden or the form closes.
 * - It lives in the user's own database (its `meta` store, under
 *   `draft:<form>`), never in the outbox: nothing of it is sent until Save
 *   makes a record of it. Save and Cancel discard it.
 * - Reading and writing go through the three functions below only, so the
 *   shared-phone work can encrypt drafts here, in one place, with the rest.
 * - While a form holds unsaved changes, leaving it asks first (an in-app
 *   link, the back button: router.ts; closing or reloading the page:
 *   `beforeunload`).
 */
import type { IDBPDatabase } from 'idb';
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentUserDb } from '../db/current';
import type { SijilDb } from '../db/schema';
import { t } from '../i18n';
import { guardLeaving } from '../router';

/** How long typing may pause before the draft is written. */
export const DRAFT_DELAY_MS = 400;

const PREFIX = 'draft:';

export interface StoredDraft<T> {
  value: T;
  /** Phone clock when it was last written. */
  saved_at: string;
}

type Db = IDBPDatabase<SijilDb>;

export async function readDraft<T>(key: string, db?: Db): Promise<StoredDraft<T> | undefined> {
  const found = (await (db ?? (await currentUserDb())).get('meta', PREFIX + key)) as StoredDraft<T> | undefined;
  return found && typeof found === 'object' && 'value' in found ? found : undefined;
}

export async function writeDraft<T>(key: string, value: T, db?: Db): Promise<void> {
  const draft: StoredDraft<T> = { value, saved_at: new Date().toISOString() };
  await (db ?? (await currentUserDb())).put('meta', draft, PREFIX + key);
}

export async function discardDraft(key: string, db?: Db): Promise<void> {
  await (db ?? (await currentUserDb())).delete('meta', PREFIX + key);
}

/** Whether `draft` differs from how the form opened (plain data: JSON compares it). */
export function changed<T>(draft: T, initial: T): boolean {
  return JSON.stringify(draft) !== JSON.stringify(initial);
}

/** What a form gets from {@link useAutosave}. */
export interface Autosave {
  /** The form opened with a draft brought back. */
  restored: boolean;
  /** Call before leaving on Save or Cancel: discards the draft and lets the form go without asking. */
  finish: () => Promise<void>;
}

/**
 * Keeps `draft` (the form's state) as the draft `key` while it differs
 * from `initial`; `restoredFrom` is what the form opened with, if a draft
 * was brought back (the loader read it with {@link readDraft}).
 */
export function useAutosave<T>(key: string, draft: T, initial: T, restoredFrom: T | undefined): Autosave {
  const finished = useRef(false);
  const latest = useRef(draft);
  latest.current = draft;
  const dirty = useRef(false);
  dirty.current = changed(draft, initial);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [restored] = useState(restoredFrom !== undefined);

  const flush = () => {
    if (pending.current) clearTimeout(pending.current);
    pending.current = null;
    if (finished.current) return;
    const write = dirty.current ? writeDraft(key, latest.current) : discardDraft(key);
    write.catch((error: unknown) => console.warn('could not keep the draft', error));
  };

  // Written a moment after the last change, not on every keystroke.
  useEffect(() => {
    if (pending.current) clearTimeout(pending.current);
    pending.current = setTimeout(flush, DRAFT_DELAY_MS);
  }, [JSON.stringify(draft)]);

  useEffect(() => {
    const hidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    const beforeUnload = (e: BeforeUnloadEvent) => {
      flush();
      if (dirty.current && !finished.current) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    document.addEventListener('visibilitychange', hidden);
    window.addEventListener('pagehide', flush);
    window.addEventListener('beforeunload', beforeUnload);
    const unguard = guardLeaving(() => (dirty.current && !finished.current ? t('leave_unsaved') : null));
    return () => {
      document.removeEventListener('visibilitychange', hidden);
      window.removeEventListener('pagehide', flush);
      window.removeEventListener('beforeunload', beforeUnload);
      unguard();
      // Leaving the screen (the question was asked and answered yes): keep what was typed.
      flush();
    };
  }, [key]);

  return {
    restored,
    finish: async () => {
      finished.current = true;
      if (pending.current) clearTimeout(pending.current);
      await discardDraft(key).catch(() => undefined);
    },
  };
}
