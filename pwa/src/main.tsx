/** Start-up: language and direction first (no flash of the wrong layout), then the app, then the background work. */
import { render } from 'preact';
import { App } from './app';
import { startSession } from './auth/session';
import { applyToDocument, language } from './i18n';
import { leftAgainAfterQuickExit, watchQuickExit } from './lock/exit';
import { startLock } from './lock/state';
import { watchConnectivity } from './net/connectivity';
import { startRouter } from './router';
import { startServiceWorker } from './sw/register';
import { startSync } from './sync/engine';
import { watchOutbox } from './sync/outbox';
import './ui/styles.css';

// Back into the app after a quick exit: straight out again, before anything shows.
leftAgainAfterQuickExit();
watchQuickExit();
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
