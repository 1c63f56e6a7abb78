/**
 * Staff screens (loaded on demand, never by field phones): the dashboard,
 * the drill-down to a site's records and one record's review, and the
 * printable monthly report. Admins reach the same screens from their menu.
 */
import './dashboard.css';
import type { Me } from '../api/types';
import { matchRoute } from '../router';
import { Dashboard } from './Dashboard';
import { Duplicates } from './Duplicates';
import { MonthlyReport } from './Report';
import { RecordReview, SiteRecords } from './Review';

/** The staff catalogue in the language shown, awaited before this screen shows (ui/lazy.tsx). */
export { staffStringsReady as ready } from '../i18n/staff';

export default function CoordinatorHome({ me, path = '/' }: { me: Me; path?: string }) {
  const site = matchRoute('/review/sites/:id', path);
  if (site) return <SiteRecords me={me} siteId={Number(site.id)} />;
  const record = matchRoute('/review/records/:id', path);
  if (record) return <RecordReview id={record.id} />;
  const report = matchRoute('/report/:site/:month', path);
  if (report) return <MonthlyReport siteId={Number(report.site)} month={report.month} />;
  if (path === '/duplicates') return <Duplicates />;
  return <Dashboard me={me} />;
}
