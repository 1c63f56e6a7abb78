/**
 * Is web push reaching people? The send queue's pending, sent and failed
 * notices, and per subscribed phone when a notice last got through (server:
 * GET /api/push/health). Shown to admins under the list of accounts.
 */
import { request } from '../api/client';
import { formatDateTime, formatNumber, language, t } from '../i18n/staff';
import { useStore } from '../store';
import { LoadFailed, Loading } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';

interface SubscriptionHealth {
  id: number;
  login: string;
  push_service: string;
  last_success_at: number | null;
  last_failure_at: number | null;
  pending: number;
}

interface QueueHealth {
  pending: number;
  sent: number;
  failed: number;
  subscriptions: SubscriptionHealth[];
}

const loadHealth = () => request<QueueHealth>('GET', '/push/health');

export function PushHealth() {
  const lang = useStore(language);
  const [health, retry] = useRemote(loadHealth);
  const when = (ms: number | null) => (ms === null ? t('push_never') : formatDateTime(new Date(ms), lang));
  return (
    <section aria-labelledby="push-health-title">
      <h2 id="push-health-title">{t('push_health_title')}</h2>
      {health.state === 'loading' && <Loading />}
      {health.state === 'failed' && <LoadFailed error={health.error} retry={retry} />}
      {health.state === 'ready' && (
        <>
          <p data-testid="push-counts">
            {t('push_counts', {
              pending: formatNumber(health.data.pending, lang),
              sent: formatNumber(health.data.sent, lang),
              failed: formatNumber(health.data.failed, lang),
            })}
          </p>
          {health.data.subscriptions.length === 0 ? (
            <p class="muted">{t('push_no_phones')}</p>
          ) : (
            <ul class="list">
              {health.data.subscriptions.map((s) => (
                <li key={s.id} class="list-item">
                  <span class="list-title" dir="ltr">
                    {s.login}
                  </span>
                  <span class="list-meta">
                    {t('push_last_success', { when: when(s.last_success_at) })}
                    {s.last_failure_at !== null && <> · {t('push_last_failure', { when: when(s.last_failure_at) })}</>}
                    {s.pending > 0 && <> · {t('push_pending', { n: formatNumber(s.pending, lang) })}</>}
                    {' · '}
                    <span dir="ltr">{s.push_service}</span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
