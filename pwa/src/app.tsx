/**
 * The app: the login screen, or the signed-in user's screens for their
 * role. Field screens are in the main bundle; admin and coordinator
 * screens are loaded on demand (ui/lazy.tsx), so a trainer's phone only
 * ever downloads what a trainer uses.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Me, Role } from './api/types';
import { AccountScreen } from './auth/AccountScreen';
import { LoginScreen } from './auth/LoginScreen';
import type { Session } from './auth/session';
import { session } from './auth/session';
import { EventScreen, MobiliserHome } from './field/MobiliserHome';
import { fieldScreen, MOBILISER_ROUTES, ReferralsScreen, TRAINER_ROUTES } from './field/routes';
import { RecordChooser, TrainerHome } from './field/TrainerHome';
import { language } from './i18n';
import { LockGate, LockSettings, SafetyControls } from './lock/LockScreen';
import { currentPath, matchRoute, navigate } from './router';
import { useStore } from './store';
import { lazyScreen } from './ui/lazy';
import type { NavItem } from './ui/Shell';
import { Shell } from './ui/Shell';

const AdminScreens = lazyScreen(() => import('./admin/AdminScreens'));
const CoordinatorHome = lazyScreen(() => import('./coordinator/CoordinatorHome'));
// Keeping the service directory and the referral figures (issue 17): staff only, a chunk of their own.
const ReferralStaff = lazyScreen<{ path: string; me: Me }>(() => import('./referrals/staff/ReferralStaff'));
const REFERRAL_STAFF_ROUTES = [
  '/directory/keep',
  '/directory/organisations/:id',
  '/directory/organisations/:id/services/new',
  '/directory/services/:id',
  '/referrals/figures',
];
const isReferralStaffPath = (path: string) => REFERRAL_STAFF_ROUTES.some((pattern) => matchRoute(pattern, path));

interface RoleScreens {
  nav: NavItem[];
  /** Path patterns this role may open; anything else goes home. */
  routes: string[];
  render(path: string, me: Me): ComponentChildren;
}

const ACCOUNT: NavItem = { href: '/account', label: 'nav_account' };

const SCREENS: Record<Role, RoleScreens> = {
  trainer: {
    nav: [{ href: '/', label: 'nav_home' }, { href: '/record', label: 'nav_record' }, ACCOUNT],
    routes: TRAINER_ROUTES,
    render: (path, me) =>
      path === '/record' ? <RecordChooser me={me} /> : path === '/' ? <TrainerHome me={me} /> : fieldScreen(path),
  },
  mobiliser: {
    nav: [{ href: '/', label: 'nav_home' }, { href: '/event', label: 'nav_new_event' }, ACCOUNT],
    routes: MOBILISER_ROUTES,
    render: (path, me) =>
      path === '/event' ? <EventScreen /> : path === '/' ? <MobiliserHome me={me} /> : fieldScreen(path),
  },
  coordinator: {
    nav: [
      { href: '/', label: 'nav_dashboard', prefix: '/review' },
      { href: '/referrals', label: 'referrals_title' },
      ACCOUNT,
    ],
    routes: [
      '/',
      '/review/sites/:id',
      '/review/records/:id',
      '/report/:site/:month',
      '/duplicates',
      '/referrals',
      ...REFERRAL_STAFF_ROUTES,
    ],
    // Referrals addressed to the coordinator's partners and made from their sites (issue 17), moved one step
    // at a time; their partner's directory entries; the referral figures.
    render: (path, me) =>
      path === '/referrals' ? (
        <ReferralsScreen staff />
      ) : isReferralStaffPath(path) ? (
        <ReferralStaff path={path} me={me} />
      ) : (
        <CoordinatorHome me={me} path={path} />
      ),
  },
  admin: {
    nav: [
      { href: '/', label: 'nav_sites', prefix: '/sites' },
      { href: '/users', label: 'nav_users', prefix: '/users' },
      { href: '/dashboard', label: 'nav_dashboard', prefix: '/review' },
      { href: '/directory/keep', label: 'directory_keep_title', prefix: '/directory' },
      ACCOUNT,
    ],
    routes: [
      '/',
      '/sites/new',
      '/sites/:id',
      '/users',
      '/users/new',
      '/users/:id',
      // Importing a programme's existing lists (issue 16).
      '/imports',
      '/dashboard',
      '/review/sites/:id',
      '/review/records/:id',
      '/report/:site/:month',
      '/duplicates',
      ...REFERRAL_STAFF_ROUTES,
    ],
    render: (path, me) =>
      isReferralStaffPath(path) ? (
        <ReferralStaff path={path} me={me} />
      ) : path === '/dashboard' ||
        path === '/duplicates' ||
        path.startsWith('/review/') ||
        path.startsWith('/report/') ? (
        <CoordinatorHome me={me} path={path} />
      ) : (
        <AdminScreens path={path} />
      ),
  },
};

export function App() {
  // Reading the language here re-renders the whole tree when it changes.
  useStore(language);
  const current = useStore(session);
  // The lock stands between a signed-in user and their screens; quick exit is on every screen.
  return (
    <>
      {current.status === 'signed-in' ? (
        <LockGate>
          <SignedIn session={current} />
        </LockGate>
      ) : (
        <LoginScreen />
      )}
      <SafetyControls />
    </>
  );
}

function SignedIn({ session: { me, checked_at } }: { session: Extract<Session, { status: 'signed-in' }> }) {
  const path = useStore(currentPath);
  const screens = SCREENS[me.role];
  const known = path === '/account' || screens.routes.some((pattern) => matchRoute(pattern, path));
  useEffect(() => {
    if (!known) navigate('/', { replace: true });
  }, [known]);
  return (
    <Shell nav={screens.nav} path={path}>
      {path === '/account' ? (
        <>
          <AccountScreen me={me} checkedAt={checked_at} />
          <LockSettings />
        </>
      ) : known ? (
        screens.render(path, me)
      ) : null}
    </Shell>
  );
}
