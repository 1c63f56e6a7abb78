/**
 * The last `/api/me` answer, kept on the device so the app opens signed in
 * with no network. It lives in localStorage rather than IndexedDB because
 * it is needed synchronously at start-up to know whose database to open.
 * It is removed at logout, so the next person on a shared phone starts at
 * the login screen and never sees whose phone it was.
 */
import type { Me } from '../api/types';
import { isLanguage } from '../i18n';

export interface CachedSession {
  me: Me;
  /** When the server last confirmed this answer (ISO time, phone clock). */
  checked_at: string;
}

export const CACHED_SESSION_KEY = 'sijil.session';
/** A logout made offline, to tell the server about when it is reachable again. */
export const LOGOUT_PENDING_KEY = 'sijil.logout-pending';
/** A language chosen offline, to save to the user's account when online. */
export const LANGUAGE_UNSAVED_KEY = 'sijil.language-unsaved';

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The cached session, or null when there is none or it is not one we wrote. */
export function parseCachedSession(raw: string | null): CachedSession | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<CachedSession>;
    const me = value.me;
    if (
      !me ||
      typeof me.id !== 'number' ||
      typeof me.login !== 'string' ||
      typeof me.role !== 'string' ||
      !Array.isArray(me.sites) ||
      !isLanguage(me.language)
    ) {
      return null;
    }
    return { me, checked_at: typeof value.checked_at === 'string' ? value.checked_at : new Date(0).toISOString() };
  } catch {
    return null;
  }
}

export function loadCachedSession(storage: KeyValue): CachedSession | null {
  return parseCachedSession(storage.getItem(CACHED_SESSION_KEY));
}

export function saveCachedSession(storage: KeyValue, me: Me, now: Date = new Date()): CachedSession {
  const cached = { me, checked_at: now.toISOString() };
  storage.setItem(CACHED_SESSION_KEY, JSON.stringify(cached));
  return cached;
}

/** Forgets everything about the person who was signed in, except their own database. */
export function clearCachedSession(storage: KeyValue): void {
  storage.removeItem(CACHED_SESSION_KEY);
  storage.removeItem(LANGUAGE_UNSAVED_KEY);
}
