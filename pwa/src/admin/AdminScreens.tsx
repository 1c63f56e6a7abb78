/**
 * Everything an admin manages, loaded on demand so field phones never
 * download it: sites (with partners and districts) and users (with their
 * sites). `path` picks the screen.
 */
import { matchRoute } from '../router';
import { ImportScreen } from './ImportScreen';
import { SiteForm } from './SiteForm';
import { SitesScreen } from './SitesScreen';
import { UserForm } from './UserForm';
import { UsersScreen } from './UsersScreen';

/** The staff catalogue in the language shown, awaited before this screen shows (ui/lazy.tsx). */
export { staffStringsReady as ready } from '../i18n/staff';

export default function AdminScreens({ path }: { path: string }) {
  if (path === '/imports') return <ImportScreen />;
  if (path === '/sites/new') return <SiteForm />;
  const site = matchRoute('/sites/:id', path);
  if (site) return <SiteForm key={site.id} siteId={Number(site.id)} />;
  if (path === '/users') return <UsersScreen />;
  if (path === '/users/new') return <UserForm />;
  const user = matchRoute('/users/:id', path);
  if (user) return <UserForm key={user.id} userId={Number(user.id)} />;
  return <SitesScreen />;
}
