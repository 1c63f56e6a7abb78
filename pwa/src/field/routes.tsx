/** The field screens' paths (app.tsx lists them per role) and which screen each opens. */
import type { ComponentChildren } from 'preact';
import { matchRoute } from '../router';
import { lazyScreen } from '../ui/lazy';
import type { RecordKind } from './model';
import './field.css';

/** Printable cards: rarely opened, so loaded on demand with their QR encoder. */
const CardsScreen = lazyScreen(() => import('./Cards'));

// The forms load when first opened (from the service worker's precache, so
// offline too): the home screen and the lock come up without them.
export const RecordScreen = lazyScreen<{ kind?: RecordKind; groupId?: string; recordId?: string }>(() =>
  import('./RecordForm').then((m) => ({ default: m.RecordScreen })),
);
const GroupScreen = lazyScreen<{ groupId?: string }>(() =>
  import('./GroupScreen').then((m) => ({ default: m.GroupScreen })),
);
const RegisterScreen = lazyScreen<Record<string, never>>(() =>
  import('./RegisterScreen').then((m) => ({ default: m.RegisterScreen })),
);
// Referrals (issue 17): the directory, the referral form and the lists, in chunks of their own.
const ReferScreen = lazyScreen<{ personId?: string; code?: string }>(() =>
  import('../referrals/ReferScreen').then((m) => ({ default: m.ReferScreen })),
);
export const ReferralsScreen = lazyScreen<{ staff?: boolean }>(() =>
  import('../referrals/ReferralsScreen').then((m) => ({ default: m.ReferralsScreen })),
);
const DirectoryScreen = lazyScreen<Record<string, never>>(() =>
  import('../referrals/DirectoryScreen').then((m) => ({ default: m.DirectoryScreen })),
);
const ResolveScreen = lazyScreen<{ id: string }>(() =>
  import('./ResolveScreen').then((m) => ({ default: m.ResolveScreen })),
);

export const TRAINER_ROUTES = [
  '/cards',
  '/',
  '/record',
  '/session/:group',
  '/cfs',
  '/event',
  '/individual',
  '/participants/new',
  '/groups/new',
  '/groups/:id',
  '/records/:id',
  '/outbox/:id',
  '/refer',
  '/refer/person/:id',
  '/refer/code/:code',
  '/referrals',
  '/directory',
];
export const MOBILISER_ROUTES = ['/', '/event', '/records/:id', '/outbox/:id'];

/** Each path pattern and the screen it opens, first match wins. */
const SCREENS: [string, (params: Record<string, string>) => ComponentChildren][] = [
  ['/cfs', () => <RecordScreen kind="cfs_day" />],
  ['/cards', () => <CardsScreen />],
  ['/event', () => <RecordScreen kind="awareness_event" />],
  ['/individual', () => <RecordScreen kind="individual_session" />],
  ['/participants/new', () => <RegisterScreen />],
  ['/groups/new', () => <GroupScreen />],
  ['/groups/:id', (p) => <GroupScreen groupId={p.id} />],
  ['/session/:group', (p) => <RecordScreen kind="group_session" groupId={p.group} />],
  ['/records/:id', (p) => <RecordScreen recordId={p.id} />],
  ['/outbox/:id', (p) => <ResolveScreen id={p.id} />],
  ['/refer', () => <ReferScreen />],
  ['/refer/person/:id', (p) => <ReferScreen personId={p.id} />],
  ['/refer/code/:code', (p) => <ReferScreen code={p.code} />],
  ['/referrals', () => <ReferralsScreen />],
  ['/directory', () => <DirectoryScreen />],
];

export function fieldScreen(path: string): ComponentChildren {
  for (const [pattern, screen] of SCREENS) {
    const params = matchRoute(pattern, path);
    if (params) return screen(params);
  }
  return null;
}
