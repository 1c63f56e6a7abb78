/**
 * What to tell the person when a request failed: the server's stable error
 * code picks a translated sentence; per-field reasons are attached to
 * their fields.
 */
import { ApiError, NetworkError } from '../api/client';
import { t } from '../i18n';
import type { StringKey } from '../i18n/messages';

const BY_CODE: Record<string, StringKey> = {
  invalid_credentials: 'error_invalid_credentials',
  too_many_attempts: 'error_too_many_attempts',
  unauthenticated: 'error_unauthenticated',
  forbidden: 'error_forbidden',
  not_found: 'error_not_found',
  login_taken: 'error_login_taken',
  site_code_taken: 'error_site_code_taken',
  partner_exists: 'error_partner_exists',
  pcode_taken: 'error_pcode_taken',
  last_admin: 'error_last_admin',
  invalid: 'error_invalid',
};

export interface Described {
  message: string;
  fields: Record<string, string>;
}

export function describeError(error: unknown): Described {
  if (error instanceof NetworkError) return { message: t('error_network'), fields: {} };
  if (error instanceof ApiError) {
    const key = BY_CODE[error.code];
    const fields = Object.fromEntries(
      Object.entries(error.fields).map(([field, reason]) => [field, t('field_not_accepted', { reason })]),
    );
    return { message: key ? t(key) : t('error_unknown'), fields };
  }
  return { message: t('error_unknown'), fields: {} };
}
