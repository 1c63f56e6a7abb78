/** Participant codes: the check character as the server computes it, and this phone's counter. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openUserDb } from '../db/schema';
import type { SyncApi } from './api';
import {
  ALPHABET,
  CODES_KEY,
  checkChar,
  displayCode,
  ensurePrefix,
  isValidCode,
  MAX_COUNTER,
  makeCode,
  nextCode,
  normaliseCode,
} from './codes';

describe('participant codes', () => {
  it('are prefix, three counter digits, and a check character', () => {
    const code = makeCode('K7M', 1);
    expect(code).toMatch(/^K7M001[0-9A-Z]$/);
    expect(makeCode('K7M', 32).slice(3, 6)).toBe('010');
    expect(makeCode('K7M', MAX_COUNTER).slice(3, 6)).toBe('ZZZ');
    expect(() => makeCode('K7M', 0)).toThrow();
    expect(() => makeCode('K7M', MAX_COUNTER + 1)).toThrow();
  });

  it('computes the Luhn mod-32 check as the server does (hand-worked examples)', () => {
    // "000001": the rightmost 1 gets factor 2 → 2; sum 2 → check (32-2)%32 = 30 → Y.
    expect(checkChar('000001')).toBe('Y');
    // "00000Z": 31×2 = 62 → 1 + 30 = 31 → check 1.
    expect(checkChar('00000Z')).toBe('1');
    // "000010": 1 with factor 1 → 1 → check 31 → Z.
    expect(checkChar('000010')).toBe('Z');
    expect(checkChar('000000')).toBe('0');
  });

  it('catches every single-character change', () => {
    for (const [prefix, n] of [
      ['K7M', 1],
      ['ABC', 777],
      ['Z00', MAX_COUNTER],
      ['1X9', 4242],
    ] as const) {
      const code = makeCode(prefix, n);
      expect(isValidCode(code)).toBe(true);
      for (let i = 0; i < 7; i++) {
        for (const c of ALPHABET) {
          if (c === code[i]) continue;
          const changed = code.slice(0, i) + c + code.slice(i + 1);
          expect(isValidCode(changed), `${code} → ${changed}`).toBe(false);
        }
      }
    }
  });

  it('catches swaps of adjacent characters except 0↔Z', () => {
    const code = makeCode('K7M', 1234);
    for (let i = 0; i < 6; i++) {
      if (code[i] === code[i + 1] || [code[i], code[i + 1]].sort().join('') === '0Z') continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      expect(isValidCode(swapped), swapped).toBe(false);
    }
  });

  it('reads codes as people type them', () => {
    const code = makeCode('K10', 5);
    expect(isValidCode(displayCode(code).toLowerCase())).toBe(true);
    expect(normaliseCode('kIo-0o5 x')).toBe('K10005X');
    expect(displayCode('K7M42QX')).toBe('K7M-42QX');
  });
});

let userId = 7000;
const opened: { close(): void }[] = [];
async function freshDb() {
  const db = await openUserDb(++userId);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** A server that hands out `prefixes` in turn and is asked for nothing else. */
function prefixServer(...prefixes: string[]): SyncApi {
  return {
    push: () => Promise.reject(new Error('no push')),
    pull: () => Promise.reject(new Error('no pull')),
    newPrefix: async () => ({ prefix: prefixes.shift() ?? 'ZZZ' }),
  };
}

describe('participant codes on the phone', () => {
  it('gets a prefix once online and hands out valid, distinct codes', async () => {
    const db = await freshDb();
    await expect(nextCode(db)).rejects.toThrow();
    await ensurePrefix(db, prefixServer('K7M'));
    const a = await nextCode(db);
    const b = await nextCode(db);
    expect(a).not.toBe(b);
    expect(a.startsWith('K7M') && isValidCode(a) && isValidCode(b)).toBe(true);
  });

  it('asks for a spare prefix when running low, and moves to it when the counter is used up', async () => {
    const db = await freshDb();
    await db.put('meta', { prefix: 'AAA', next: 32767 }, CODES_KEY);
    await ensurePrefix(db, prefixServer('BBB'));
    expect(await db.get('meta', CODES_KEY)).toEqual({ prefix: 'AAA', next: 32767, spare: 'BBB' });
    expect((await nextCode(db)).startsWith('AAA')).toBe(true);
    expect((await nextCode(db)).startsWith('BBB')).toBe(true);
  });
});
