/**
 * "Notify me about feedback": says why first, asks for the browser's
 * permission only when tapped, and copes with every answer (blocked, not
 * supported, no push service reachable).
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { type PushState, pushState, turnOffPush, turnOnPush } from './push';

export function NotifyMe() {
  const [state, setState] = useState<PushState | 'failed' | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void pushState().then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, []);

  async function turnOn() {
    setBusy(true);
    setState(await turnOnPush());
    setBusy(false);
  }

  async function turnOff() {
    setBusy(true);
    await turnOffPush();
    setState(await pushState());
    setBusy(false);
  }

  if (state === null) return null;
  return (
    <section class="notify-me" aria-labelledby="notify-title">
      <h2 id="notify-title">{t('notify_title')}</h2>
      <p>{t('notify_why')}</p>
      {state === 'unsupported' && <p class="muted">{t('notify_unsupported')}</p>}
      {state === 'denied' && (
        <p class="muted" role="status">
          {t('notify_denied')}
        </p>
      )}
      {state === 'on' && (
        <>
          <p role="status">{t('notify_on')}</p>
          <button
            type="button"
            class="button button-secondary button-wide"
            disabled={busy}
            onClick={() => void turnOff()}
          >
            {t('notify_off_button')}
          </button>
        </>
      )}
      {(state === 'off' || state === 'failed') && (
        <>
          {state === 'failed' && (
            <p class="muted" role="status">
              {t('notify_failed')}
            </p>
          )}
          <button type="button" class="button button-wide" disabled={busy} onClick={() => void turnOn()}>
            {busy ? t('notify_working') : t('notify_button')}
          </button>
        </>
      )}
    </section>
  );
}
