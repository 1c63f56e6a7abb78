import { describe, expect, it } from 'vitest';
import { ALPHABET, checkChar, displayCode, isValidCode, MAX_COUNTER, makeCode, normaliseCode } from './codes';

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
