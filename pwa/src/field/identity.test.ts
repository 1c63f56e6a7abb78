import { describe, expect, it } from 'vitest';
import {
  ageIn,
  cfsDayId,
  editDistance,
  foldName,
  joinCfsDay,
  likelyDuplicates,
  markAll,
  sessionOnSameDate,
  sha1,
  similarNames,
  uuidV5,
} from './identity';

const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

describe('SHA-1 and UUIDv5', () => {
  it('matches the FIPS 180 test vectors, across block boundaries', () => {
    expect(hex(sha1(text('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(text('')))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hex(sha1(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
    expect(hex(sha1(text('a'.repeat(1000))))).toBe('291e9a6c66994949b57ba5e650361e98fc36b1ba');
  });

  it('makes RFC 9562 version-5 UUIDs (the DNS namespace example)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('gives a CFS day the contract’s id, the same for every phone, different per site and date', () => {
    expect(cfsDayId(12, '2026-03-01')).toBe('091bba19-3913-5fcb-976d-9bd4b37c376b');
    expect(cfsDayId(12, '2026-03-01')).toBe(cfsDayId(12, '2026-03-01'));
    expect(cfsDayId(12, '2026-03-02')).not.toBe(cfsDayId(12, '2026-03-01'));
    expect(cfsDayId(13, '2026-03-01')).not.toBe(cfsDayId(12, '2026-03-01'));
  });
});

describe('a CFS day saved again on one phone', () => {
  it('joins the check-ins, ids and codes, each once', () => {
    const prior = { attendance: ['b', 'a'], attendance_codes: ['K7M0019'], notes: 'old' };
    const next = { attendance: ['c', 'a'], attendance_codes: ['K7M0019', 'A1B0021'], notes: 'new' };
    expect(joinCfsDay(prior, next)).toEqual({
      attendance: ['a', 'b', 'c'],
      attendance_codes: ['A1B0021', 'K7M0019'],
      notes: 'new',
    });
  });

  it('sends no empty list of codes, and keeps a first save as it is', () => {
    expect(joinCfsDay({ attendance: ['a'] }, { attendance: ['b'] })).toEqual({ attendance: ['a', 'b'] });
    expect(joinCfsDay(undefined, { attendance: ['b'], attendance_codes: [] })).toEqual({ attendance: ['b'] });
  });
});

describe('similar given names', () => {
  it('folds case, spaces and the Arabic letters written interchangeably', () => {
    expect(foldName('  Amira  ')).toBe('amira');
    expect(foldName('فاطمة')).toBe(foldName('فاطمه'));
    expect(foldName('أحمد')).toBe(foldName('احمد'));
    expect(foldName('مُحَمَّد')).toBe(foldName('محمد'));
    expect(foldName('علي')).toBe(foldName('على'));
    expect(foldName('Nour Al-Huda')).toBe('nouralhuda');
  });

  it('counts edits, and stops early past the limit', () => {
    expect(editDistance('amira', 'amina')).toBe(1);
    expect(editDistance('amira', 'amria')).toBe(2);
    expect(editDistance('a', 'abcdefgh', 2)).toBe(3);
  });

  it('is one slip for short names, two for long ones, or a shortened form', () => {
    expect(similarNames('Amira', 'Amina')).toBe(true);
    expect(similarNames('Amira', 'Samir')).toBe(false);
    expect(similarNames('Fatima', 'Fati')).toBe(true);
    expect(similarNames('Abdulrahman', 'Abdelrahmen')).toBe(true);
    expect(similarNames('Amira', 'Amrah')).toBe(false);
    expect(similarNames('Shireen', 'Shirin')).toBe(true);
    expect(similarNames('Nour', 'Noor')).toBe(true);
    expect(similarNames('Jo', 'Bo')).toBe(false);
    expect(similarNames('Layla', 'Hana')).toBe(false);
    expect(similarNames('', 'Hana')).toBe(false);
  });
});

describe('likely duplicates', () => {
  const sites = [
    { id: 1, partner_id: 10 },
    { id: 2, partner_id: 10 },
    { id: 3, partner_id: 20 },
  ];
  const person = (id: string, data: object) => ({
    id,
    data: { site_id: 1, sex: 'female' as const, birth_year: 2015, given_name: 'Amira', ...data },
  });
  const candidate = { site_id: 1, sex: 'female' as const, birth_year: 2016, given_name: 'amina' };

  it('warns of the same sex, birth year within one and a similar name at the same site or partner', () => {
    const people = [
      person('same-site', {}),
      person('same-partner', { site_id: 2 }),
      person('other-partner', { site_id: 3 }),
      person('other-sex', { sex: 'male' }),
      person('two-years', { birth_year: 2013 }),
      person('other-name', { given_name: 'Layla' }),
      person('visitor', { visitor: true }),
    ];
    expect(likelyDuplicates(candidate, people, sites).map((p) => p.id)).toEqual(['same-site', 'same-partner']);
  });

  it('compares nothing without a given name (women’s centres ask none)', () => {
    expect(likelyDuplicates({ ...candidate, given_name: undefined }, [person('a', {})], sites)).toEqual([]);
    expect(likelyDuplicates(candidate, [person('a', { given_name: undefined })], sites)).toEqual([]);
  });
});

describe('rosters', () => {
  const rec = (id: string, group_id: string, date: string, kind = 'group_session') => ({
    id,
    data: { kind, group_id, date },
  });

  it('finds another session of the group on the date, not the record being edited', () => {
    const records = [rec('r1', 'g1', '2026-03-01'), rec('r2', 'g2', '2026-03-02')];
    expect(sessionOnSameDate(records, 'g1', '2026-03-01')).toBe(true);
    expect(sessionOnSameDate(records, 'g1', '2026-03-01', 'r1')).toBe(false);
    expect(sessionOnSameDate(records, 'g1', '2026-03-02')).toBe(false);
    expect(sessionOnSameDate(records, undefined, '2026-03-01')).toBe(false);
  });

  it('marks everyone on the roster present, keeping who was ticked first and nobody twice', () => {
    expect(markAll(['b'], ['a', 'b', 'c'])).toEqual(['b', 'a', 'c']);
    expect(markAll([], [])).toEqual([]);
  });

  it('computes an age only from a whole birth year', () => {
    expect(ageIn(2026, 2022)).toBe(4);
    expect(ageIn(2026, Number.NaN)).toBeUndefined();
  });
});
