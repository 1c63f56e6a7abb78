/** The admin's list of accounts, each opening its form; "Add a user" on top. */
import { useEffect } from 'preact/hooks';
import { listUsers } from '../api/endpoints';
import { t, tn } from '../i18n/staff';
import { useStore } from '../store';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import { savedName } from './flash';
import { roleLabel } from './labels';
import { PushHealth } from './PushHealth';

export function UsersScreen() {
  const [users, retry] = useRemote(listUsers);
  const saved = useStore(savedName);
  useEffect(() => () => savedName.set(null), []);
  return (
    <>
      <h1>{t('users_title')}</h1>
      {saved && <Notice kind="success">{`${t('saved')} ${saved}`}</Notice>}
      <Link href="/users/new" class="button button-wide">
        {t('add_user')}
      </Link>
      {users.state === 'loading' && <Loading />}
      {users.state === 'failed' && <LoadFailed error={users.error} retry={retry} />}
      {users.state === 'ready' && (
        <ul class="list" data-testid="admin-users">
          {users.data.map((user) => (
            <li key={user.id}>
              <Link href={`/users/${user.id}`} class="list-item list-link">
                <span class="list-title">{user.display_name}</span>
                <span class="list-meta">
                  <span dir="ltr">{user.login}</span> · {roleLabel(user.role)} ·{' '}
                  {user.all_sites ? t('every_site') : tn('site_count', user.site_ids.length)}
                  {!user.active && <> · {t('account_inactive')}</>}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <PushHealth />
    </>
  );
}
