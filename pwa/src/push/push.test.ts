import { describe, expect, it } from 'vitest';
import { shouldRemind } from './outboxReminder';
import { appPath, base64UrlToBytes } from './push';

describe('web push on the phone', () => {
  it('reads the server key from unpadded base64url', () => {
    // 0xfb 0xff 0xfe: the bytes that need '-' and '_' in base64url.
    expect([...base64UrlToBytes('-__-')]).toEqual([0xfb, 0xff, 0xfe]);
    expect([...base64UrlToBytes('AQ')]).toEqual([1]);
    expect(base64UrlToBytes('BA'.padEnd(87, 'A')).length).toBe(65);
  });

  it('opens only paths of this app', () => {
    expect(appPath('/records/abc')).toBe('/records/abc');
    expect(appPath('//evil.example/x')).toBeNull();
    expect(appPath('https://evil.example/')).toBeNull();
    expect(appPath(42)).toBeNull();
  });
});

describe('the outbox reminder', () => {
  const now = Date.parse('2026-05-12T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now - h * 3600_000).toISOString();

  it('speaks up once a record waited more than a day', () => {
    expect(shouldRemind(undefined, null, now)).toBe(false);
    expect(shouldRemind(hoursAgo(23), null, now)).toBe(false);
    expect(shouldRemind(hoursAgo(25), null, now)).toBe(true);
  });

  it('at most once a day', () => {
    expect(shouldRemind(hoursAgo(50), now - 3600_000, now)).toBe(false);
    expect(shouldRemind(hoursAgo(50), now - 25 * 3600_000, now)).toBe(true);
  });
});
