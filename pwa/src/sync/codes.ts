/**
 * Participant codes, made on the phone with no network: `PPP-NNNC`, the
 * device prefix the server handed out, this phone's counter under it (3
 * Crockford base-32 digits) and a Luhn mod-32 check character, the same
 * rule as backend/src/participants/code.rs.
 *
 * The arithmetic is pure; the counter lives in the user's `meta` store and
 * prefixes come from the server while online (`ensurePrefix`), so a
 * registration offline never waits for the network.
 */
import type { IDBPDatabase } from 'idb';
import type { SijilDb } from '../db/schema';
import type { Outcome, SyncApi } from './api';
import { outcomeOf } from './api';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const MAX_COUNTER = 32 * 32 * 32 - 1;

export function checkChar(payload: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = payload.length - 1; i >= 0; i--) {
    const value = ALPHABET.indexOf(payload[i]);
    if (value < 0) throw new Error(`not base-32: ${payload}`);
    let addend = factor * value;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return ALPHABET[(32 - (sum % 32)) % 32];
}

/** The code for counter `n` (1…32767) under `prefix`, canonical (no hyphen). */
export function makeCode(prefix: string, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNTER) throw new Error(`counter out of range: ${n}`);
  const digits = [Math.floor(n / 1024), Math.floor(n / 32) % 32, n % 32].map((d) => ALPHABET[d]).join('');
  const payload = prefix + digits;
  return payload + checkChar(payload);
}

/** What a person typed, as canonical characters (upper case, I/L→1, O→0, no hyphens or spaces). */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export function isValidCode(input: string): boolean {
  const code = normaliseCode(input);
  return code.length === 7 && [...code].every((c) => ALPHABET.includes(c)) && checkChar(code.slice(0, 6)) === code[6];
}

/** `K7M42QX` → `K7M-42QX`. */
export function displayCode(code: string): string {
  return code.length === 7 ? `${code.slice(0, 3)}-${code.slice(3)}` : code;
}

// ---- this phone's counter

type Db = IDBPDatabase<SijilDb>;

export const CODES_KEY = 'codes';

/** This phone's participant-code counter: `prefix` in use, next counter, and a spare prefix. */
export interface Codes {
  prefix: string;
  next: number;
  spare?: string;
}

/** Asks for a spare prefix this long before the counter runs out. */
export const LOW_CODES = 500;

/** Gets a prefix (and a spare when running low) while online. */
export async function ensurePrefix(db: Db, api: SyncApi): Promise<Outcome> {
  const codes = (await db.get('meta', CODES_KEY)) as Codes | undefined;
  if (codes && (codes.spare || MAX_COUNTER - codes.next >= LOW_CODES)) return 'done';
  let prefix: string;
  try {
    prefix = (await api.newPrefix()).prefix;
  } catch (error) {
    return outcomeOf(error);
  }
  const tx = db.transaction('meta', 'readwrite');
  const now = (await tx.store.get(CODES_KEY)) as Codes | undefined;
  await tx.store.put(now ? { ...now, spare: now.spare ?? prefix } : { prefix, next: 1 }, CODES_KEY);
  await tx.done;
  return 'done';
}

export class NoCodesLeft extends Error {}

/** The next participant code of this phone, taken in one transaction so two screens never share one. */
export async function nextCode(db: Db): Promise<string> {
  const tx = db.transaction('meta', 'readwrite');
  let codes = (await tx.store.get(CODES_KEY)) as Codes | undefined;
  if (codes && codes.next > MAX_COUNTER) codes = codes.spare ? { prefix: codes.spare, next: 1 } : undefined;
  if (!codes) {
    await tx.done;
    throw new NoCodesLeft('no participant codes on this phone: connect to get some');
  }
  const code = makeCode(codes.prefix, codes.next);
  await tx.store.put({ prefix: codes.prefix, next: codes.next + 1, spare: codes.spare }, CODES_KEY);
  await tx.done;
  return code;
}
