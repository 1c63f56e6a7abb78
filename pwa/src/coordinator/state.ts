/**
 * What the coordinator last picked on the dashboard (place, period, the
 * flagged switch), kept while the app is open so the drill-down reads the
 * same period and coming back does not start over.
 */
import { createStore } from '../store';
import type { Query } from './api';
import type { Preset } from './logic';
import { presetRange, validRange } from './logic';

export type PeriodChoice = Preset | 'custom';

export interface DashboardSettings {
  scope: string;
  period: PeriodChoice;
  from: string;
  to: string;
  includeFlagged: boolean;
}

const initial = presetRange('last_6_months', new Date());
export const settings = createStore<DashboardSettings>({
  scope: 'programme',
  period: 'last_6_months',
  ...initial,
  includeFlagged: true,
});

export function updateSettings(change: Partial<DashboardSettings>): void {
  settings.set({ ...settings.get(), ...change });
}

/** The figures query of the settings, or null while a custom range is not a valid one. */
export function queryOf(s: DashboardSettings, today = new Date()): Query | null {
  const range = s.period === 'custom' ? { from: s.from, to: s.to } : presetRange(s.period, today);
  if (!validRange(range.from, range.to)) return null;
  return { scope: s.scope, ...range, includeFlagged: s.includeFlagged };
}
