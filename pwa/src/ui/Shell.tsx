/**
 * The frame of every signed-in screen: the app bar (name and connection),
 * the outbox line, the update banner, the screen, and the menu at the
 * bottom where a thumb reaches it on a phone held in one hand.
 */
import type { ComponentChildren } from 'preact';
import { t, tn } from '../i18n';
import type { StringKey } from '../i18n/messages';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { applyUpdate, updateWaiting } from '../sw/register';
import { syncNow, syncStatus } from '../sync/engine';
import { outboxCounts, unsentTotal } from '../sync/outbox';
import { Link } from './Link';

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

/** "n records waiting to send", from the outbox in IndexedDB. */
export function OutboxLine() {
  const counts = useStore(outboxCounts);
  const sync = useStore(syncStatus);
  const isOnline = useStore(online);
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
    <div class="outbox-line" role="status" data-unsent={unsentTotal(counts)}>
      <span>{waiting === 0 ? t('nothing_waiting') : tn('waiting_to_send', waiting)}</span>
      {sync.running && sync.total > 0 && (
        <span class="outbox-progress">{t('sent_of', { sent: sync.sent, total: sync.total })}</span>
      )}
      {waiting > 0 && isOnline && !sync.running && (
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
