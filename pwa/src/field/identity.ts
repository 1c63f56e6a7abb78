/**
 * One person, one participant (issue 10), the phone's pure part: the id
 * of a CFS day (one record per site and date, the same on every phone,
 * offline too), likely duplicates at registration, and the small roster
 * rules (a second session of a group on one date, "mark all present").
 * No database, no language, no clock.
 */
import type { LocalSite } from '../db/schema';
import type { ParticipantData } from './model';

// ---- UUIDv5 (RFC 9562 §5.5): SHA-1 of namespace + name

/**
 * SHA-1 of `bytes`. Written out (40 lines) rather than WebCrypto's
 * `crypto.subtle.digest`, which is asynchronous and missing outside
 * secure contexts (a server reached over plain http on a camp's LAN): the
 * CFS day's id must be computable anywhere, at once, offline.
 */
export function sha1(bytes: Uint8Array): Uint8Array {
  const length = bytes.length;
  const blocks = Math.ceil((length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  // Message length in bits, as a 64-bit big-endian number (the high word is 0 for any text here).
  view.setUint32(padded.length - 4, length * 8);
  view.setUint32(padded.length - 8, Math.floor((length * 8) / 2 ** 32));
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  for (let block = 0; block < blocks; block++) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block * 64 + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    let [a, b, c, d, e] = h;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
      else if (i < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
      else if (i < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
      else [f, k] = [b ^ c ^ d, 0xca62c1d6];
      const next = (rotl(a, 5) + f + e + k + w[i]) >>> 0;
      e = d;
      d = c;
      c = rotl(b, 30) >>> 0;
      b = a;
      a = next;
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) outView.setUint32(i * 4, h[i]);
  return out;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

export function uuidV5(namespace: string, name: string): string {
  const ns = new Uint8Array(
    namespace
      .replace(/-/g, '')
      .match(/../g)
      ?.map((x) => Number.parseInt(x, 16)) ?? [],
  );
  const text = new TextEncoder().encode(name);
  const joined = new Uint8Array(ns.length + text.length);
  joined.set(ns);
  joined.set(text, ns.length);
  const b = sha1(joined).slice(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The namespace of CFS day ids (/work/issue10-contract.md, the same on the server). */
export const CFS_DAY_NAMESPACE = 'c9f3a1de-5b7e-4d2a-9e61-3f0b8a7c2d45';

/**
 * The id of site `siteId`'s CFS day on `date`: every phone makes the same
 * one, so two trainers checking children in at one CFS, even both
 * offline, add to one record (the server keeps the union of attendances).
 */
export function cfsDayId(siteId: number, date: string): string {
  return uuidV5(CFS_DAY_NAMESPACE, `cfs-day:${siteId}:${date}`);
}

/**
 * A CFS day's record as saved when this phone already holds one for that
 * site and date: the new check-ins added to the old (ids and codes), as
 * the server joins every phone's: marks are a union, never overwritten.
 */
export function joinCfsDay<D extends { attendance: string[]; attendance_codes?: string[] }>(
  prior: D | undefined,
  next: D,
): D {
  const union = (a: string[] = [], b: string[] = []) => [...new Set([...a, ...b])].sort();
  const joined = prior
    ? {
        ...next,
        attendance: union(prior.attendance, next.attendance),
        attendance_codes: union(prior.attendance_codes, next.attendance_codes),
      }
    : { ...next };
  if (!joined.attendance_codes?.length) delete joined.attendance_codes;
  return joined;
}

// ---- likely duplicates at registration

/**
 * A given name as compared: lower case, Arabic diacritics and tatweel
 * dropped, the letters people write interchangeably made one (alef forms,
 * teh marbuta / heh, alef maksura / yeh, Persian-Kurdish yeh and kaf), and
 * no spaces, hyphens or apostrophes. "فاطمة" and "فاطمه", "Amira " and
 * "amira", "Nour Al-Huda" and "nouralhuda" compare equal.
 */
export function foldName(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKC')
      .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
      .replace(/[أإآٱ]/g, 'ا')
      .replace(/ة/g, 'ه')
      .replace(/[ىيێ]/g, 'ی')
      .replace(/ك/g, 'ک')
      // Spaces, hyphens and apostrophes are dropped, as the server's duplicate list does.
      .replace(/[\s'’-]+/g, '')
  );
}

/** Levenshtein distance, stopping early once it is over `limit`. */
export function editDistance(a: string, b: string, limit = 3): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length];
}

/**
 * Whether two given names are likely the same person's: equal once
 * folded, or one typing slip apart (two for names of six letters or more,
 * as the server's duplicate list counts), or one the start of the other
 * ("Fati" / "Fatima"), which only the phone adds: it warns before saving,
 * when a false alarm costs one tap.
 */
export function similarNames(a: string, b: string): boolean {
  const x = foldName(a);
  const y = foldName(b);
  if (!x || !y) return false;
  if (x === y) return true;
  const shorter = Math.min(x.length, y.length);
  if (shorter >= 3 && (x.startsWith(y) || y.startsWith(x))) return true;
  const allowed = shorter >= 6 ? 2 : shorter >= 3 ? 1 : 0;
  return editDistance(x, y, allowed) <= allowed;
}

type Candidate = Pick<ParticipantData, 'site_id' | 'sex' | 'birth_year' | 'given_name'>;

/**
 * The participants on this phone who may be the person about to be
 * registered: same sex, birth year within one, a similar given name, at
 * the same site or a site of the same partner. Without a given name
 * (women's centres do not ask one) nothing is compared: sex and year
 * alone would warn of half the centre.
 */
export function likelyDuplicates<P extends { id: string; data: Candidate & { visitor?: boolean } }>(
  candidate: Candidate,
  people: P[],
  sites: Pick<LocalSite, 'id' | 'partner_id'>[],
): P[] {
  if (!candidate.given_name) return [];
  const partnerOf = new Map(sites.map((s) => [s.id, s.partner_id]));
  const partner = partnerOf.get(candidate.site_id);
  const near = (siteId: number) =>
    siteId === candidate.site_id || (partner !== undefined && partnerOf.get(siteId) === partner);
  return people.filter(
    (p) =>
      !p.data.visitor &&
      p.data.sex === candidate.sex &&
      Math.abs(p.data.birth_year - candidate.birth_year) <= 1 &&
      near(p.data.site_id) &&
      similarNames(p.data.given_name ?? '', candidate.given_name ?? ''),
  );
}

// ---- rosters

/** Another live record of `groupId` on `date` among `records`, other than `exceptId`: a second session to confirm. */
export function sessionOnSameDate(
  records: { id: string; data: { kind: string; group_id?: string; date: string } }[],
  groupId: string | undefined,
  date: string,
  exceptId?: string,
): boolean {
  if (!groupId) return false;
  return records.some(
    (r) => r.id !== exceptId && r.data.kind === 'group_session' && r.data.group_id === groupId && r.data.date === date,
  );
}

/** `attendance` with everyone on `roster` added, in roster order after those already ticked. */
export function markAll(attendance: string[], roster: string[]): string[] {
  const present = new Set(attendance);
  return [...attendance, ...roster.filter((id) => !present.has(id))];
}

/** The WG short set is for ages 5 and over (Washington Group guidance). */
export const WG_MIN_AGE = 5;

/** The age in `year` of someone born in `birthYear`, or undefined while the year is not a number. */
export function ageIn(year: number, birthYear: number): number | undefined {
  return Number.isInteger(birthYear) ? year - birthYear : undefined;
}
