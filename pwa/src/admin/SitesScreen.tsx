/** The admin's list of every site, each opening its form; "Add a site" on top. */
import { useEffect } from 'preact/hooks';
import { listAreas, listSites } from '../api/endpoints';
import { localName, t } from '../i18n/staff';
import { useStore } from '../store';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import { savedName } from './flash';
import { kindLabel } from './labels';

export function SitesScreen() {
  const [remote, retry] = useRemote(() => Promise.all([listSites(), listAreas()]));
  const saved = useStore(savedName);
  useEffect(() => () => savedName.set(null), []);
  return (
    <>
      <h1>{t('sites_title')}</h1>
      {saved && <Notice kind="success">{`${t('saved')} ${saved}`}</Notice>}
      <Link href="/sites/new" class="button button-wide">
        {t('add_site')}
      </Link>
      <Link href="/imports" class="button button-secondary button-wide">
        {t('import_title')}
      </Link>
      {remote.state === 'loading' && <Loading />}
      {remote.state === 'failed' && <LoadFailed error={remote.error} retry={retry} />}
      {remote.state === 'ready' &&
        (remote.data[0].length === 0 ? (
          <p class="empty">{t('no_sites_yet')}</p>
        ) : (
          <ul class="list" data-testid="admin-sites">
            {remote.data[0].map((site) => {
              const area = remote.data[1].find((a) => a.id === site.area_id);
              return (
                <li key={site.id}>
                  <Link href={`/sites/${site.id}`} class="list-item list-link">
                    <span class="list-title">{site.name}</span>
                    <span class="list-meta">
                      <span dir="ltr">{site.code}</span> · {kindLabel(site.kind)} · {site.partner_name}
                      {area && <> · {localName(area)}</>}
                      {!site.active && <> · {t('inactive')}</>}
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        ))}
    </>
  );
}
