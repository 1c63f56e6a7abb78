/**
 * A trainer's home: what needs their attention first, then their groups (tap one to record its session), the
 * other things to record, their records with
 * where each stands, and their sites.
 */
import type { ComponentChildren } from 'preact';
import type { Me } from '../api/types';
import { language, t, tn } from '../i18n';
import { listSeparator } from '../i18n/format';
import { Link } from '../ui/Link';
import { SiteList } from '../ui/SiteList';
import { NeedsAttention } from './Attention';
import { RecordList, typeLabel } from './common';
import type { Home } from './data';
import { loadHome } from './data';
import { useLocal } from './hooks';
import type { Group } from './model';

export function GroupList({ groups, home, edit }: { groups: Group[]; home: Home; edit?: boolean }) {
  if (groups.length === 0) return <p class="empty">{t('no_groups')}</p>;
  return (
    <ul class="list group-list">
      {groups.map((g) => (
        <li key={g.id} class="list-item group-item" data-group-id={g.id}>
          <Link href={`/session/${g.id}`} class="list-link group-link">
            <span class="list-title">
              <bdi>{g.data.name}</bdi>
            </span>
            <span class="list-meta">
              {[
                typeLabel(home.types.get(g.data.activity_type_id)),
                home.siteMap.get(g.data.site_id)?.name,
                tn('members', g.data.members.filter((m) => !m.left_on).length),
              ]
                .filter(Boolean)
                .join(listSeparator(language.get()))}
            </span>
          </Link>
          {edit && (
            <Link href={`/groups/${g.id}`} class="button button-secondary group-edit">
              {t('edit')}
            </Link>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Whether the user works at a child-friendly space, from their account
 * (known at once) rather than the phone's copy of the sites, which is
 * empty until the first pull: the "CFS day" button must not appear late.
 */
function runsChildFriendlySpace(me: Me) {
  return me.sites.some((s) => s.kind === 'child_friendly_space');
}

/** The records that are not a group's session: a CFS day (where the user runs one), an awareness event and an individual session; `children` adds more. */
function OtherRecords({ me, children }: { me: Me; children?: ComponentChildren }) {
  return (
    <div class="action-grid">
      {runsChildFriendlySpace(me) && (
        <Link href="/cfs" class="button button-secondary">
          {t('cfs_title')}
        </Link>
      )}
      <Link href="/event" class="button button-secondary">
        {t('new_event')}
      </Link>
      <Link href="/individual" class="button button-secondary">
        {t('kind_individual_session')}
      </Link>
      {children}
    </div>
  );
}

export function TrainerHome({ me }: { me: Me }) {
  const home = useLocal(loadHome);
  // Until the phone's data are read (a few milliseconds), only the title:
  // drawing the buttons first and the groups above them later would make
  // them jump under a finger.
  if (!home) return <h1>{t('home_groups_title')}</h1>;
  return (
    <>
      <h1>{t('home_groups_title')}</h1>
      <NeedsAttention home={home} />
      <GroupList groups={home.groups} home={home} edit />
      <Link href="/record" class="button button-wide button-primary-action">
        {t('record_session')}
      </Link>
      <OtherRecords me={me}>
        <Link href="/participants/new" class="button button-secondary">
          {t('register_title')}
        </Link>
        <Link href="/groups/new" class="button button-secondary">
          {t('new_group')}
        </Link>
        <Link href="/cards" class="button button-secondary">
          {t('cards_title')}
        </Link>
        <Link href="/referrals" class="button button-secondary">
          {t('referrals_title')}
        </Link>
      </OtherRecords>
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

/** "Record": pick the group whose session it was, or another kind of activity. */
export function RecordChooser({ me }: { me: Me }) {
  const home = useLocal(loadHome);
  if (!home) return <h1>{t('record_title')}</h1>;
  return (
    <>
      <h1>{t('record_title')}</h1>
      {home.groups.length ? <p>{t('pick_group')}</p> : <p class="empty">{t('record_needs_group')}</p>}
      {home.groups.length > 0 && <GroupList groups={home.groups} home={home} />}
      <OtherRecords me={me} />
      {home.rows.length === 0 ? (
        <p class="muted">{t('nothing_recorded')}</p>
      ) : (
        <p class="muted">{tn('records_on_phone', home.rows.length)}</p>
      )}
    </>
  );
}
