/**
 * A local reminder when records have waited in the outbox for more than a
 * day (a phone that rarely sees a network): a notification from the page
 * itself, in the app's language, at most once a day, and only where the
 * person already allowed notifications.
 */
import { openedUserDb } from '../db/current';
import { htmlLang, isRightToLeft, language, t, tn } from '../i18n';
import { waitingItems } from '../sync/outbox';

const DAY_MS = 24 * 60 * 60 * 1000;
const CHECK_EVERY_MS = 60 * 60 * 1000;
const LAST_SHOWN_KEY = 'sijil-outbox-reminded-at';

/** Remind when the oldest waiting item is older than a day and no reminder was shown in the last day. */
export function shouldRemind(oldestCreatedAt: string | undefined, lastShownAt: number | null, now: number): boolean {
  if (!oldestCreatedAt) return false;
  const oldest = Date.parse(oldestCreatedAt);
  if (Number.isNaN(oldest) || now - oldest <= DAY_MS) return false;
  return lastShownAt === null || now - lastShownAt > DAY_MS;
}

export async function remindAboutOldOutbox(now: number = Date.now()): Promise<boolean> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return false;
  const db = openedUserDb();
  if (!db) return false;
  const waiting = await waitingItems(await db);
  const last = Number(localStorage.getItem(LAST_SHOWN_KEY)) || null;
  if (!shouldRemind(waiting[0]?.created_at, last, now)) return false;
  const registration = await navigator.serviceWorker?.getRegistration();
  if (!registration) return false;
  const lang = language.get();
  await registration.showNotification(t('outbox_old_title'), {
    body: tn('outbox_old_body', waiting.length),
    lang: htmlLang(lang),
    dir: isRightToLeft(lang) ? 'rtl' : 'ltr',
    icon: '/icons/icon-192.png',
    tag: 'sijil-outbox',
    data: { open: '/' },
  });
  localStorage.setItem(LAST_SHOWN_KEY, String(now));
  return true;
}

export function startOutboxReminder(): void {
  const check = () => void remindAboutOldOutbox().catch(() => false);
  setTimeout(check, 5000);
  setInterval(check, CHECK_EVERY_MS);
}
