/** Unique people by disability and by displacement status: one table for the dashboard and the printed report. */

import type { StaffScreenKey } from '../i18n/staff';
import { formatNumber, language, t } from '../i18n/staff';
import { useStore } from '../store';
import type { SplitRow } from './api';
import { byDisabilityAndDisplacement } from './logic';

export function DisaggregationTable({ split }: { split: SplitRow[] }) {
  const lang = useStore(language);
  const groups = byDisabilityAndDisplacement(split);
  const n = (v: number) => formatNumber(v, lang);
  return (
    <table class="site-table" data-table="disaggregation">
      <tbody>
        <tr>
          <th scope="row">{t('dis_with_disability')}</th>
          <td>{n(groups.disability.yes)}</td>
        </tr>
        <tr>
          <th scope="row">{t('dis_without_disability')}</th>
          <td>{n(groups.disability.no)}</td>
        </tr>
        {groups.displacement.map((d) => (
          <tr key={d.status}>
            <th scope="row">{t(`displacement_${d.status}` as StaffScreenKey)}</th>
            <td>{n(d.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
