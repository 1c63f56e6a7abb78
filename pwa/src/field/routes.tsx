/** The field screens' paths (app.tsx lists them per role) and which screen each opens. */
import type { ComponentChildren } from 'preact';
import { matchRoute } from '../router';
import { lazyScreen } from '../ui/lazy';
import './field.css';
import { GroupScreen } from './GroupScreen';
import { RecordScreen } from './RecordForm';
import { RegisterScreen } from './RegisterScreen';
import { ResolveScreen } from './ResolveScreen';

/** Printable cards: rarely opened, so loaded on demand with their QR encoder. */
const CardsScreen = lazyScreen(() => import('./Cards'));

export const TRAINER_ROUTES = [
  '/cards',
  '/',
  '/record',
  '/session/:group',
  '/cfs',
  '/event',
  '/participants/new',
  '/groups/new',
  '/groups/:id',
  '/records/:id',
  '/outbox/:id',
];
export const MOBILISER_ROUTES = ['/', '/event', '/records/:id', '/outbox/:id'];

/** Each path pattern and the screen it opens, first match wins. */
const SCREENS: [string, (params: Record<string, string>) => ComponentChildren][] = [
  ['/cfs', () => <RecordScreen kind="cfs_day" />],
  ['/cards', () => <CardsScreen />],
  ['/event', () => <RecordScreen kind="awareness_event" />],
  ['/participants/new', () => <RegisterScreen />],
  ['/groups/new', () => <GroupScreen />],
  ['/groups/:id', (p) => <GroupScreen groupId={p.id} />],
  ['/session/:group', (p) => <RecordScreen kind="group_session" groupId={p.group} />],
  ['/records/:id', (p) => <RecordScreen recordId={p.id} />],
  ['/outbox/:id', (p) => <ResolveScreen id={p.id} />],
];

export function fieldScreen(path: string): ComponentChildren {
  for (const [pattern, screen] of SCREENS) {
    const params = matchRoute(pattern, path);
    if (params) return screen(params);
  }
  return null;
}
