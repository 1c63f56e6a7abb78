/**
 * The `error` codes the server answers with (`{ error, message, fields? }`).
 * The server owns the list: it writes api/error-codes.json, and a Rust test
 * keeps that file in step with every code it can send. TypeScript reads a
 * JSON array as plain strings, so the codes are spelt out here to give them
 * a type; errors.test.ts fails as soon as this list and the file differ.
 */
export const ERROR_CODES = [
  'already_locked',
  'bad_request',
  'batch_too_large',
  'code_taken',
  'consent_required',
  'cross_origin',
  'forbidden',
  'internal',
  'invalid',
  'invalid_body',
  'invalid_code',
  'invalid_credentials',
  'last_admin',
  'login_taken',
  'malformed_json',
  'method_not_allowed',
  'not_a_spreadsheet',
  'not_found',
  'organisation_exists',
  'partner_exists',
  'payload_too_large',
  'pcode_taken',
  'rate_limited',
  'referral_changed',
  'referral_wrong_step',
  'site_code_taken',
  'too_many_attempts',
  'unauthenticated',
  'unsupported_media_type',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `code` is one this app knows (a newer server, or an answer without a body, may send others). */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN.has(code);
}
