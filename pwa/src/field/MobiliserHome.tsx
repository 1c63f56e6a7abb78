/** A mobiliser's home: what needs their attention, the "new awareness event" entry, their events with where each stands, and their sites. */
import type { Me } from '../api/types';
import { t } from '../i18n';
import { Link } from '../ui/Link';
import { SiteList } from '../ui/SiteList';
import { NeedsAttention } from './Attention';
import { RecordList } from './common';
import { loadHome } from './data';
import { useLocal } from './hooks';
import { RecordScreen } from './routes';

export function MobiliserHome({ me }: { me: Me }) {
  const home = useLocal(loadHome);
  // Only the title until the phone's data are read, so nothing jumps (see TrainerHome).
  if (!home) return <h1>{t('events_title')}</h1>;
  return (
    <>
      <h1>{t('events_title')}</h1>
      <NeedsAttention home={home} />
      <Link href="/event" class="button button-wide button-primary-action">
        {t('new_event')}
      </Link>
      <h2>{t('my_records')}</h2>
      <RecordList
        rows={home.rows}
        types={home.types}
        sites={home.siteMap}
        groups={home.groupNames}
        locks={home.locks}
      />
      <h2>{t('my_sites')}</h2>
      <SiteList sites={me.sites} empty={t('no_sites_assigned')} />
    </>
  );
}

export function EventScreen() {
  return <RecordScreen kind="awareness_event" />;
}
