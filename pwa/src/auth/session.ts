/**
 * Who is signed in on this phone, and the rules for staying so offline:
 *
 * - after the first login the app opens signed in from the cached `me`,
 *   with or without a network, and re-checks with the server in the
 *   background;
 * - the server saying 401 (session ended, account disabled) means log in
 *   again; no answer at all means stay in and keep working;
 * - logging out forgets the cached `me` (the person's database stays, for
 *   them only) and tells the server, now or as soon as it is reachable.
 */
import { isUnauthenticated, NetworkError, whenUnauthenticated } from '../api/client';
import * as api from '../api/endpoints';
import type { Language, Me } from '../api/types';
import { closeCurrentUserDb, openCurrentUserDb } from '../db/current';
import { isLanguage, setDeviceLanguage } from '../i18n';
import { forgetPushOnThisPhone } from '../push/push';
import { navigate } from '../router';
import { createStore } from '../store';
import { setSyncUser } from '../sync/engine';
import type { CachedSession } from './cache';
import {
  clearCachedSession,
  LANGUAGE_UNSAVED_KEY,
  LOGOUT_PENDING_KEY,
  loadCachedSession,
  saveCachedSession,
} from './cache';

export type Session = { status: 'signed-out' } | ({ status: 'signed-in' } & CachedSession);

const SIGNED_OUT: Session = { status: 'signed-out' };

export const session = createStore<Session>(SIGNED_OUT);

/** A language picked on the login screen, to keep for the person who logs in next. */
let languagePickedBeforeLogin: Language | null = null;

function signedIn(cached: CachedSession): void {
  openCurrentUserDb(cached.me.id);
  setSyncUser(cached.me);
  session.set({ status: 'signed-in', ...cached });
}

function remember(me: Me): void {
  signedIn(saveCachedSession(localStorage, me));
}

/** On start: open signed in from the cache if there is one, then check with the server. */
export function startSession(): void {
  whenUnauthenticated(endLocalSession);
  window.addEventListener('online', () => void checkWithServer());
  const cached = loadCachedSession(localStorage);
  if (cached) {
    setDeviceLanguage(cached.me.language);
    signedIn(cached);
  }
  void checkWithServer();
}

/**
 * Brings the local session in line with the server. Signed in: refresh
 * `me` (sites, role or language may have changed elsewhere) and save a
 * language chosen offline. Signed out: finish an offline logout first,
 * then see whether the browser still holds a valid session cookie
 * (storage was cleared, say) and if so continue in it.
 */
export async function checkWithServer(): Promise<void> {
  const before = session.get();
  try {
    if (before.status === 'signed-out' && localStorage.getItem(LOGOUT_PENDING_KEY)) {
      await api.logout();
      localStorage.removeItem(LOGOUT_PENDING_KEY);
      return;
    }
    let me = await api.fetchMe();
    // Someone logged in, out, or changed language while we waited: that is newer.
    if (session.get() !== before) return;
    const unsaved = localStorage.getItem(LANGUAGE_UNSAVED_KEY);
    if (before.status === 'signed-in' && before.me.id === me.id && isLanguage(unsaved)) {
      if (unsaved !== me.language) me = await api.saveLanguage(unsaved);
      localStorage.removeItem(LANGUAGE_UNSAVED_KEY);
      if (session.get() !== before) return;
    }
    setDeviceLanguage(me.language);
    remember(me);
  } catch (error) {
    // A 401 has already ended the session (whenUnauthenticated); no answer means stay as we are.
    if (!(error instanceof NetworkError) && !isUnauthenticated(error))
      console.warn('could not check the session', error);
  }
}

/** Logs in; throws `ApiError` (wrong password, throttled) or `NetworkError`. */
export async function logIn(login: string, password: string): Promise<void> {
  let me = await api.login(login, password);
  localStorage.removeItem(LOGOUT_PENDING_KEY);
  if (languagePickedBeforeLogin && languagePickedBeforeLogin !== me.language) {
    me = await api.saveLanguage(languagePickedBeforeLogin).catch(() => me);
  }
  languagePickedBeforeLogin = null;
  setDeviceLanguage(me.language);
  remember(me);
  navigate('/', { replace: true });
  // Ask the browser not to evict this origin's data under storage pressure:
  // the outbox may hold work that exists nowhere else yet.
  void navigator.storage?.persist?.().catch(() => false);
}

/** Switches the language, on this device and, when signed in, on the user's account. */
export async function chooseLanguage(next: Language): Promise<void> {
  setDeviceLanguage(next);
  const current = session.get();
  if (current.status !== 'signed-in') {
    languagePickedBeforeLogin = next;
    return;
  }
  if (current.me.language === next) return;
  // Shown at once and kept locally even if the server cannot be told now.
  signedIn(saveCachedSession(localStorage, { ...current.me, language: next }, new Date(current.checked_at)));
  try {
    const me = await api.saveLanguage(next);
    localStorage.removeItem(LANGUAGE_UNSAVED_KEY);
    if (session.get().status === 'signed-in') remember(me);
  } catch (error) {
    if (error instanceof NetworkError) localStorage.setItem(LANGUAGE_UNSAVED_KEY, next);
  }
}

/**
 * Logs out. The caller has already asked about unsent records; they stay
 * in this user's database either way. Offline, the server is told later.
 */
export async function logOut(): Promise<void> {
  // This person's notifications must not reach whoever uses the phone next.
  await forgetPushOnThisPhone().catch(() => undefined);
  try {
    await api.logout();
  } catch (error) {
    if (error instanceof NetworkError) localStorage.setItem(LOGOUT_PENDING_KEY, '1');
  }
  endLocalSession();
}

function endLocalSession(): void {
  clearCachedSession(localStorage);
  closeCurrentUserDb();
  setSyncUser(null);
  session.set(SIGNED_OUT);
  navigate('/', { replace: true });
}
