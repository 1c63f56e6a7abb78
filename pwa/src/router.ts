/**
 * Client-side routes as plain paths (`/`, `/sites/new`, `/users/12`). The
 * server answers every such path with index.html, and so does the service
 * worker offline, so a reload lands on the same screen.
 */
import { createStore } from './store';

export const currentPath = createStore(typeof location === 'undefined' ? '/' : location.pathname);

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (!mayLeave()) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  currentPath.set(path);
  // A new screen starts at its top, as a new page would.
  window.scrollTo(0, 0);
}

export function startRouter(): void {
  window.addEventListener('popstate', () => {
    // The back button already changed the address: put it back if the person stays.
    if (location.pathname !== currentPath.get() && !mayLeave()) {
      history.pushState(null, '', currentPath.get());
      return;
    }
    currentPath.set(location.pathname);
  });
}

/** `/users/12` against `/users/:id` → `{ id: '12' }`; null when it does not match. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

// ---- Leaving a screen with unsaved work (field/autosave.ts)

/** An open form's question before it is left, or null when it may go without asking. */
type LeaveGuard = () => string | null;
/** A set: a form inside a form (registering a walk-in) guards alongside its outer form. */
const leaveGuards = new Set<LeaveGuard>();

/** While a form holds unsaved changes, in-app navigation asks first; returns the way to stop asking. */
export function guardLeaving(guard: LeaveGuard): () => void {
  leaveGuards.add(guard);
  return () => leaveGuards.delete(guard);
}

function mayLeave(): boolean {
  const question = [...leaveGuards].map((g) => g()).find(Boolean);
  return !question || window.confirm(question);
}
