import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { recommendationsEventsDashboard } from './recommendations-events-dashboard';
import { servicePerformanceDashboard } from './service-performance-dashboard';
import { sloDetailDashboard } from './slo-detail-dashboard';
import { sloOverviewDashboard } from './slo-overview-dashboard';

/** One generated dashboard and the file it is written to. */
export interface GeneratedDashboard {
  /** The dashboard's stable uid (`slowatch-slo-overview`, …). */
  readonly uid: string;
  /** `<uid>.json`: the name under `grafana/dashboards/`. */
  readonly fileName: string;
  readonly dashboard: Dashboard;
}

/**
 * Every slowatch dashboard, in a fixed order: SLO overview, SLO detail,
 * service performance, recommendations and events. Built fresh on each
 * call (the SDK's objects are mutable), from code only: no clock, no I/O.
 */
export function buildDashboards(): readonly GeneratedDashboard[] {
  return [sloOverviewDashboard(), sloDetailDashboard(), servicePerformanceDashboard(), recommendationsEventsDashboard()].map((dashboard) => {
    const uid = dashboard.uid;
    if (uid === undefined || uid === '') throw new Error(`dashboard ${JSON.stringify(dashboard.title)} has no uid`);
    return { uid, fileName: `${uid}.json`, dashboard };
  });
}

/**
 * The dashboard as the checked-in file holds it: keys sorted at every level
 * (so the file does not change when the SDK reorders its fields), 2-space
 * indent, one trailing newline. Array order is kept: it is meaningful
 * (panels, targets, thresholds).
 */
export function renderDashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(sortKeys(dashboard), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
