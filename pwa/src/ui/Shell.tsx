/**
 * The frame of every signed-in screen: the app bar (name and connection),
 * the outbox line, the update banner, the screen, and the menu at the
 * bottom where a thumb reaches it on a phone held in one hand.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, tn } from '../i18n';
import type { StringKey } from '../i18n/messages';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { applyUpdate, updateWaiting } from '../sw/register';
import { secondsUntil } from '../sync/backoff';
import { syncNow, syncStatus } from '../sync/engine';
import { outboxCounts, unsentTotal } from '../sync/outbox';
import { Link } from './Link';
import { waitingText } from './waiting';

export interface NavItem {
  href: string;
  label: StringKey;
  /** Paths under this item that keep it highlighted (`/sites/12` under Sites). */
  prefix?: string;
}

export function AppBar() {
  const isOnline = useStore(online);
  return (
    <header class="app-bar">
      <span class="app-title">{t('app_name')}</span>
      <span
        class={`connection ${isOnline ? 'connection-online' : 'connection-offline'}`}
        role="status"
        data-online={isOnline ? 'true' : 'false'}
      >
        <span class="connection-dot" aria-hidden="true" />
        {isOnline ? t('status_online') : t('status_offline')}
      </span>
    </header>
  );
}

/** The seconds left until `at`, redrawn every second while there is a wait. */
function useCountdown(at: number | undefined): number | undefined {
  const [, tick] = useState(0);
  useEffect(() => {
    if (at === undefined) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? undefined : secondsUntil(at);
}

/**
 * "2 records, 1 person waiting to send", from the outbox in IndexedDB, with
 * what sync is doing ("trying again in 20 s") and "Send now" whenever
 * something waits (tapped during a run, it sends again right after): the
 * browser's idea of "online" is not trusted (a dead cell says online; a
 * live one may say offline).
 */
export function OutboxLine() {
  const counts = useStore(outboxCounts);
  const sync = useStore(syncStatus);
  const retryIn = useCountdown(sync.running ? undefined : sync.retryAt);
  // Same height before the count is read, so the screen does not jump.
  if (!counts)
    return (
      <div class="outbox-line" aria-hidden="true">
        {'\u00a0'}
      </div>
    );
  const waiting = counts.waiting;
  const attention = counts.conflict + counts.rejected;
  return (
    <div
      class="outbox-line"
      role="status"
      data-unsent={unsentTotal(counts)}
      data-sync={sync.running ? 'running' : 'idle'}
    >
      <span class="outbox-waiting">{waitingText(counts)}</span>
      {sync.running && sync.total > 0 && (
        <span class="outbox-progress">{t('sent_of', { sent: sync.sent, total: sync.total })}</span>
      )}
      {waiting > 0 && !sync.running && retryIn !== undefined && (
        <span class="outbox-retry" data-retry-in={retryIn}>
          {retryIn > 0 ? t('retry_in', { s: retryIn }) : t('retry_checking')}
        </span>
      )}
      {waiting > 0 && (
        <button type="button" class="button button-secondary outbox-send" onClick={() => void syncNow()}>
          {t('logout_send_now')}
        </button>
      )}
      {attention > 0 && <span class="outbox-attention">{tn('need_attention', attention)}</span>}
    </div>
  );
}

export function UpdateBanner() {
  const waiting = useStore(updateWaiting);
  if (!waiting) return null;
  return (
    <div class="update-banner" role="status">
      <p>{t('update_available')}</p>
      <button type="button" class="button" onClick={applyUpdate}>
        {t('update_now')}
      </button>
    </div>
  );
}

export function BottomNav({ items, path }: { items: NavItem[]; path: string }) {
  return (
    <nav class="bottom-nav" aria-label={t('nav_label')}>
      {items.map((item) => {
        const current = path === item.href || (item.prefix !== undefined && path.startsWith(item.prefix));
        return (
          <Link key={item.href} href={item.href} class="bottom-nav-item" current={current}>
            {t(item.label)}
          </Link>
        );
      })}
    </nav>
  );
}

export function Shell({ nav, path, children }: { nav: NavItem[]; path: string; children: ComponentChildren }) {
  return (
    <div class="shell">
      <AppBar />
      <OutboxLine />
      <UpdateBanner />
      <main class="screen" id="main">
        {children}
      </main>
      <BottomNav items={nav} path={path} />
    </div>
  );
}
