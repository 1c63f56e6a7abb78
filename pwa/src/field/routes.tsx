/** The field screens' paths (app.tsx lists them per role) and which screen each opens. */
import type { ComponentChildren } from 'preact';
import { matchRoute } from '../router';
import './field.css';
import { GroupScreen } from './GroupScreen';
import { RecordScreen } from './RecordForm';
import { RegisterScreen } from './RegisterScreen';
import { ResolveScreen } from './ResolveScreen';

export const TRAINER_ROUTES = [
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

export function fieldScreen(path: string): ComponentChildren {
  let m: Record<string, string> | null;
  if (path === '/cfs') return <RecordScreen kind="cfs_day" />;
  if (path === '/event') return <RecordScreen kind="awareness_event" />;
  if (path === '/participants/new') return <RegisterScreen />;
  if (path === '/groups/new') return <GroupScreen />;
  if ((m = matchRoute('/groups/:id', path))) return <GroupScreen groupId={m.id} />;
  if ((m = matchRoute('/session/:group', path))) return <RecordScreen kind="group_session" groupId={m.group} />;
  if ((m = matchRoute('/records/:id', path))) return <RecordScreen recordId={m.id} />;
  if ((m = matchRoute('/outbox/:id', path))) return <ResolveScreen id={m.id} />;
  return null;
}
