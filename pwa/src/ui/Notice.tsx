/** Short messages in a screen: information, success, errors (announced to screen readers). */
import type { ComponentChildren } from 'preact';
import { NetworkError } from '../api/client';
import { t } from '../i18n';
import { describeError } from './errors';

export function Notice({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'success' | 'error' | 'warning';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Loading() {
  return <p class="loading">{t('loading')}</p>;
}

/** A load that failed: offline gets "needs a network", anything else its reason; both can retry. */
export function LoadFailed({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <Notice kind={error instanceof NetworkError ? 'warning' : 'error'}>
      <p>{error instanceof NetworkError ? t('needs_network') : describeError(error).message}</p>
      <button type="button" class="button button-secondary" onClick={retry}>
        {t('retry')}
      </button>
    </Notice>
  );
}
