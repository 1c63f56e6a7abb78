/**
 * When to try again after a sync got no answer, whatever the browser says
 * about the network: a phone on a dead cell reports "online", and one
 * whose cell came back may not fire `online` at all.
 *
 * Two clocks, both with jitter so a camp's phones do not all call at the
 * same second when its mast comes back:
 *
 * - the sync itself (a push can be large) backs off exponentially, 2 s
 *   doubling to a cap of {@link RETRY_MAX_MS} (a minute);
 * - meanwhile a tiny probe (the server's health check, a few hundred
 *   bytes, with a short timeout) asks every {@link PROBE_EVERY_MS} or so
 *   whether the server answers; the first answer starts the sync at once.
 *   So the network's return is noticed within seconds, without resending
 *   a large push every few seconds into a dead cell.
 */

export const RETRY_FIRST_MS = 2_000;
export const RETRY_MAX_MS = 60_000;
/** Between probes while something waits (jittered to 75–125 %). */
export const PROBE_EVERY_MS = 6_000;
/** A probe that has no answer by then counts as none. */
export const PROBE_TIMEOUT_MS = 4_000;

/**
 * The wait before retry number `failures` (1 after the first failure):
 * the capped exponential, with "equal jitter" (half fixed, half random) so
 * it never collapses to zero and never exceeds the cap. `random` in [0, 1).
 */
export function retryDelay(failures: number, random = Math.random()): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, Math.min(failures, 30) - 1));
  return Math.round(base / 2 + (random * base) / 2);
}

/** The wait before the next probe, `random` in [0, 1). */
export function probeDelay(random = Math.random()): number {
  return Math.round(PROBE_EVERY_MS * (0.75 + random * 0.5));
}

/** Whole seconds left until `at` (for "trying again in 20 s"), never below 0. */
export function secondsUntil(at: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * While the app is open, visible and signed in, a light pull this often
 * (30–45 s, jittered) brings a coordinator's flags and month locks to the
 * screen within the minute: one small GET with the cursor, nothing when
 * nothing changed.
 */
export const POLL_MIN_MS = 30_000;
export const POLL_MAX_MS = 45_000;

export function pollDelay(random = Math.random()): number {
  return Math.round(POLL_MIN_MS + random * (POLL_MAX_MS - POLL_MIN_MS));
}
