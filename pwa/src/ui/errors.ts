/**
 * What to tell the person when a request failed: each of the server's
 * error codes has its own translated sentence (`error_<code>` in every
 * catalogue; errors.test.ts checks all three languages); per-field reasons
 * are attached to their fields.
 */
import { ApiError, NetworkError } from '../api/client';
import type { ErrorCode } from '../api/errors';
import { isErrorCode } from '../api/errors';
import { t } from '../i18n';
import type { StringKey } from '../i18n/messages';

/** The message for a server error code; it does not compile when a code has no message in English. */
export function messageOf(code: ErrorCode): StringKey {
  return `error_${code}`;
}

export interface Described {
  message: string;
  fields: Record<string, string>;
}

export function describeError(error: unknown): Described {
  if (error instanceof NetworkError) return { message: t('error_network'), fields: {} };
  if (error instanceof ApiError) {
    const fields = Object.fromEntries(
      Object.entries(error.fields).map(([field, reason]) => [field, t('field_not_accepted', { reason })]),
    );
    return { message: t(isErrorCode(error.code) ? messageOf(error.code) : 'error_unknown'), fields };
  }
  return { message: t('error_unknown'), fields: {} };
}
