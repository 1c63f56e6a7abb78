/**
 * Quick exit: one tap on the always-visible control, or Escape twice,
 * replaces the app at once with a neutral page, locks it, and leaves no app
 * page to go Back to: the app's page is replaced (not pushed over), its
 * content removed before it goes (so the back-forward cache keeps nothing),
 * and a Back into the app within the tab goes straight out again.
 *
 * The neutral page is `/neutral.html` (precached, so it shows offline too);
 * a programme may point `VITE_NEUTRAL_URL` at another page at build time.
 */
import { lockNow } from './state';

export const NEUTRAL_URL: string = import.meta.env.VITE_NEUTRAL_URL || '/neutral.html';
const EXITED_KEY = 'sijil.exited';
const DOUBLE_ESCAPE_MS = 800;

function leave(): void {
  location.replace(NEUTRAL_URL);
}

export function quickExit(): void {
  try {
    sessionStorage.setItem(EXITED_KEY, '1');
  } catch {
    // Storage refused: the exit itself still happens.
  }
  lockNow();
  document.title = '';
  document.body.replaceChildren();
  leave();
}

/** The person is back (an unlock or a login in a fresh visit): Back works normally again. */
export function clearQuickExit(): void {
  sessionStorage.removeItem(EXITED_KEY);
}

function exited(): boolean {
  try {
    return sessionStorage.getItem(EXITED_KEY) === '1';
  } catch {
    return false;
  }
}

/** At start-up: a Back (or Forward) into the app after a quick exit goes out again before anything shows. */
export function leftAgainAfterQuickExit(): boolean {
  const navigation = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
  if (exited() && navigation?.type === 'back_forward') {
    document.documentElement.hidden = true;
    leave();
    return true;
  }
  return false;
}

export function watchQuickExit(): void {
  let lastEscape = 0;
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    const now = Date.now();
    if (now - lastEscape < DOUBLE_ESCAPE_MS) quickExit();
    lastEscape = now;
  });
  // Restored from the back-forward cache after an exit: out again.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && exited()) leave();
  });
}
