/** The cached `/api/me` that lets the app open signed in without a network. */
import { describe, expect, it } from 'vitest';
import type { Me } from '../api/types';
import {
  CACHED_SESSION_KEY,
  clearCachedSession,
  LANGUAGE_UNSAVED_KEY,
  loadCachedSession,
  parseCachedSession,
  saveCachedSession,
} from './cache';

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

const me: Me = {
  id: 7,
  login: 'amal',
  display_name: 'Amal',
  role: 'trainer',
  language: 'ar',
  all_sites: false,
  sites: [{ id: 1, code: 'MOS-WC-01', name: 'West Mosul', kind: 'womens_centre' }],
};

describe('cached session', () => {
  it('round-trips the last /api/me answer with the time it was checked', () => {
    const storage = memoryStorage();
    saveCachedSession(storage, me, new Date('2026-03-01T08:00:00Z'));
    expect(loadCachedSession(storage)).toEqual({ me, checked_at: '2026-03-01T08:00:00.000Z' });
  });

  it('ignores anything that is not a session we wrote', () => {
    expect(parseCachedSession(null)).toBeNull();
    expect(parseCachedSession('not json')).toBeNull();
    expect(parseCachedSession('{"me":{"id":"7"}}')).toBeNull();
    expect(parseCachedSession(JSON.stringify({ me: { ...me, language: 'fr' } }))).toBeNull();
  });

  it('is forgotten at logout, with a language waiting to be saved', () => {
    const storage = memoryStorage();
    saveCachedSession(storage, me);
    storage.setItem(LANGUAGE_UNSAVED_KEY, 'ckb');
    storage.setItem('sijil.language', 'ar');
    clearCachedSession(storage);
    expect(storage.getItem(CACHED_SESSION_KEY)).toBeNull();
    expect(storage.getItem(LANGUAGE_UNSAVED_KEY)).toBeNull();
    // The device's language is the phone's, not the person's: it stays.
    expect(storage.getItem('sijil.language')).toBe('ar');
  });
});
