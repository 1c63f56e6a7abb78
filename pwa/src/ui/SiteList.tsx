/** A plain list of sites (code and name), as a user's own `me.sites` gives them. */
import type { SiteSummary } from '../api/types';

export function SiteList({ sites, empty }: { sites: SiteSummary[]; empty: string }) {
  if (sites.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="list" data-testid="my-sites">
      {sites.map((site) => (
        <li key={site.id} class="list-item">
          <span class="list-title">{site.name}</span>
          <span class="list-meta" dir="ltr">
            {site.code}
          </span>
        </li>
      ))}
    </ul>
  );
}
