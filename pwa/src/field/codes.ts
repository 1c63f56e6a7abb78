/**
 * Participant codes, made on the phone with no network: `PPP-NNNC`, the
 * device prefix the server handed out, this phone's counter under it (3
 * Crockford base-32 digits) and a Luhn mod-32 check character, the same
 * rule as backend/src/participants/code.rs.
 */
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
