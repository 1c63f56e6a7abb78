/**
 * Who is signed in, their sites, the language, and logging out. Logging
 * out with unsent records asks first: on a shared phone nothing is ever
 * thrown away silently.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Me } from '../api/types';
import { formatDateTime, language, t, tn } from '../i18n';
import { online } from '../net/connectivity';
import { NotifyMe } from '../push/NotifyMe';
import { useStore } from '../store';
import { syncNow } from '../sync/engine';
import { outboxCounts, refreshOutboxCounts, unsentTotal } from '../sync/outbox';
import { SiteList } from '../ui/SiteList';
import { LanguagePicker } from './LanguagePicker';
import { logOut } from './session';

export function AccountScreen({ me, checkedAt }: { me: Me; checkedAt: string }) {
  const lang = useStore(language);
  const [asking, setAsking] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  async function startLogout() {
    const counts = (await refreshOutboxCounts()) ?? outboxCounts.get();
    const unsent = counts ? unsentTotal(counts) : 0;
    if (unsent > 0) {
      setAsking(unsent);
      return;
    }
    await finishLogout();
  }

  /** "Send now": sends, then logs out if everything went; otherwise says what is left. */
  async function sendThenLogout() {
    setBusy(true);
    await syncNow();
    const counts = await refreshOutboxCounts();
    const unsent = counts ? unsentTotal(counts) : 0;
    if (unsent === 0) {
      await logOut();
      return;
    }
    setBusy(false);
    setAsking(unsent);
  }

  async function finishLogout() {
    setBusy(true);
    await logOut();
  }

  return (
    <>
      <h1>{t('account_title')}</h1>
      <p>{t('signed_in_as', { name: me.display_name, login: me.login })}</p>
      <p>{t('your_role', { role: t(`role_${me.role}`) })}</p>
      <h2>{t('your_sites')}</h2>
      {me.all_sites ? <p>{t('sees_every_site')}</p> : <SiteList sites={me.sites} empty={t('no_sites_assigned')} />}
      <p class="muted">{t('last_checked', { when: formatDateTime(new Date(checkedAt), lang) })}</p>
      <LanguagePicker current={lang} />
      <NotifyMe />
      {asking === null ? (
        <button
          type="button"
          class="button button-danger button-wide"
          disabled={busy}
          onClick={() => void startLogout()}
        >
          {busy ? t('logging_out') : t('logout')}
        </button>
      ) : (
        <UnsentQuestion
          unsent={asking}
          busy={busy}
          onSend={() => void sendThenLogout()}
          onKeep={() => void finishLogout()}
          onCancel={() => setAsking(null)}
        />
      )}
    </>
  );
}

/**
 * The question before logging out with unsent records: send them now (then
 * log out if all went), or keep them on the phone for this person.
 */
function UnsentQuestion({
  unsent,
  busy,
  onSend,
  onKeep,
  onCancel,
}: {
  unsent: number;
  busy: boolean;
  onSend: () => void;
  onKeep: () => void;
  onCancel: () => void;
}) {
  const isOnline = useStore(online);
  const title = useRef<HTMLHeadingElement>(null);
  // The question appears below the fold on a small phone: bring it into view and read it out.
  useEffect(() => {
    title.current?.focus();
    title.current?.scrollIntoView({ block: 'center' });
  }, []);
  return (
    <section class="logout-question" role="alertdialog" aria-labelledby="unsent-title" aria-describedby="unsent-why">
      <h2 id="unsent-title" ref={title} tabIndex={-1}>
        {tn('logout_unsent', unsent)}
      </h2>
      <button
        type="button"
        class="button button-wide"
        disabled={!isOnline || busy}
        aria-describedby={isOnline ? undefined : 'unsent-why'}
        onClick={onSend}
      >
        {busy ? t('sending') : t('logout_send_now')}
      </button>
      {!isOnline && (
        <p class="muted" id="unsent-why">
          {t('logout_send_offline')}
        </p>
      )}
      <button type="button" class="button button-secondary button-wide" disabled={busy} onClick={onKeep}>
        {busy ? t('logging_out') : t('logout_keep')}
      </button>
      <p class="muted">{t('logout_keep_note')}</p>
      <button type="button" class="button button-secondary button-wide" onClick={onCancel}>
        {t('cancel')}
      </button>
    </section>
  );
}
