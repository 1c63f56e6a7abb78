/**
 * A lost or taken phone (docs/design.md, "Remote wipe"): an admin marks
 * every phone of a user for wiping. Each phone sends what it has not sent
 * at its next contact, then deletes that user's data; the list shows which
 * have done so.
 */
import { useState } from 'preact/hooks';
import { listUserDevices, wipeUserDevices } from '../api/endpoints';
import { formatDateTime, language, t } from '../i18n/staff';
import { useStore } from '../store';
import { describeError } from '../ui/errors';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';

export function DeviceWipe({ userId }: { userId: number }) {
  const lang = useStore(language);
  const [remote, retry] = useRemote(() => listUserDevices(userId), [userId]);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  async function wipe() {
    setBusy(true);
    try {
      const { devices } = await wipeUserDevices(userId);
      setMessage({ kind: 'success', text: t('devices_marked', { n: String(devices) }) });
      retry();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error).message });
    }
    setBusy(false);
    setAsking(false);
  }

  const when = (ms: number) => formatDateTime(new Date(ms), lang);
  return (
    <section class="form section">
      <h2>{t('devices_title')}</h2>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {remote.state === 'ready' &&
        (remote.data.length === 0 ? (
          <p>{t('devices_none')}</p>
        ) : (
          <ul class="list">
            {remote.data.map((d) => (
              <li key={d.id} class="list-item">
                {t('device_last_seen', { when: when(d.last_seen_at) })}
                {' · '}
                {d.wiped_at
                  ? t('device_wiped', { when: when(d.wiped_at) })
                  : d.wipe_requested_at
                    ? t('device_wipe_waiting')
                    : t('device_in_use')}
              </li>
            ))}
          </ul>
        ))}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {asking ? (
        <>
          <Notice kind="warning">{t('devices_wipe_question')}</Notice>
          <button type="button" class="button button-danger button-wide" disabled={busy} onClick={() => void wipe()}>
            {t('devices_wipe_confirm')}
          </button>
          <button type="button" class="button button-secondary button-wide" onClick={() => setAsking(false)}>
            {t('cancel')}
          </button>
        </>
      ) : (
        <button type="button" class="button button-secondary button-wide" onClick={() => setAsking(true)}>
          {t('devices_wipe')}
        </button>
      )}
    </section>
  );
}
