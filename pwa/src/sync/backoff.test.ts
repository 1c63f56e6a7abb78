/** When sync tries again: short, bounded, jittered; and the countdown the bar shows. */
import { describe, expect, it } from 'vitest';
import { PROBE_EVERY_MS, probeDelay, RETRY_MAX_MS, retryDelay, secondsUntil } from './backoff';

describe('retries', () => {
  it('double from 2 s, with half of each wait random', () => {
    expect(retryDelay(1, 0)).toBe(1_000);
    expect(retryDelay(1, 0.999_999)).toBe(2_000);
    expect(retryDelay(2, 0)).toBe(2_000);
    expect(retryDelay(4, 0.5)).toBe(12_000);
  });

  it('never wait more than a minute, however long the outage', () => {
    for (const failures of [6, 7, 10, 50, 1_000]) {
      expect(retryDelay(failures, 0.999_999)).toBeLessThanOrEqual(RETRY_MAX_MS);
      expect(retryDelay(failures, 0)).toBe(RETRY_MAX_MS / 2);
    }
  });

  it('spread phones apart: the same failure count gives different waits', () => {
    const waits = new Set([0.1, 0.4, 0.7].map((r) => retryDelay(5, r)));
    expect(waits.size).toBe(3);
  });

  it('probe every few seconds meanwhile, jittered', () => {
    expect(probeDelay(0)).toBe(PROBE_EVERY_MS * 0.75);
    expect(probeDelay(0.999_999)).toBeLessThanOrEqual(PROBE_EVERY_MS * 1.25);
  });

  it('count down in whole seconds', () => {
    expect(secondsUntil(20_000, 0)).toBe(20);
    expect(secondsUntil(19_001, 0)).toBe(20);
    expect(secondsUntil(0, 5_000)).toBe(0);
  });
});
