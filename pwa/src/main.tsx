/** Start-up: language and direction first (no flash of the wrong layout), then the app, then the background work. */
import { render } from 'preact';
import { App } from './app';
import { startSession } from './auth/session';
import { applyToDocument, language, loadCatalogue } from './i18n';
import { leftAgainAfterQuickExit, watchQuickExit } from './lock/exit';
import { startLock } from './lock/state';
import { watchConnectivity } from './net/connectivity';
import { startOutboxReminder } from './push/outboxReminder';
import { listenForNotificationClicks } from './push/push';
import { startRouter } from './router';
import { startServiceWorker } from './sw/register';
import { startSync } from './sync/engine';
import { watchOutbox } from './sync/outbox';
import './ui/styles.css';

// Back into the app after a quick exit: straight out again, before anything shows.
leftAgainAfterQuickExit();
watchQuickExit();

/** The first screen in its own language: its catalogue is loaded before the first render. */
async function start(): Promise<void> {
  await loadCatalogue(language.get()).catch(() => undefined);
  applyToDocument(language.get());
  language.subscribe(applyToDocument);
  startRouter();
  watchConnectivity();
  watchOutbox();
  startSession();
  startLock();
  startSync();
  const root = document.getElementById('app');
  if (!root) throw new Error('index.html has no #app element');
  // The static "Sijil" placeholder in index.html shows until this point; Preact must not adopt it.
  root.textContent = '';
  render(<App />, root);
  startServiceWorker();
  listenForNotificationClicks();
  startOutboxReminder();
}

void start();
