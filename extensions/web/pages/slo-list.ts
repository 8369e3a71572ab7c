import type { ReportPeriod, SloReportEntry, SloReportStatus } from '../../../src/report/slo-report';
import type { SliSpec } from '../../../src/slo/objective';
import type { ReportStore } from '../../../src/storage/report-store';
import type { ReportLoader } from './report-loader';
import { periodKey, resolvePeriod } from './report-period';
import type { ResolvedPeriod } from './report-period';

/*
 * The SLO list: every SLO the store knows, with its figures over its period,
 * least budget remaining first. SLOs sharing a period are read in one
 * `loadReport` call, so a request makes one call per distinct period (one
 * with `?period=`, usually one or two without) and the loader's bounded
 * queries per SLO.
 */

/** One SLO in the list (`GET /api/v1/slos`). Plain JSON: null, never undefined. */
export interface SloListRow {
  readonly name: string;
  readonly service: string | null;
  readonly sli: SliSpec;
  readonly objective: number;
  readonly period: ReportPeriod;
  readonly goodEvents: number;
  readonly badEvents: number;
  readonly totalEvents: number;
  readonly attainedSli: number | null;
  readonly budgetConsumed: number;
  readonly budgetRemaining: number;
  readonly status: SloReportStatus;
  /** Incidents still firing at the period's end (now). */
  readonly openIncidents: number;
}

export interface SloList {
  /** When the figures were read (Unix ms). */
  readonly generatedAtMs: number;
  /** The `?period=` asked for (`7d`), null when each SLO shows its own period. */
  readonly period: string | null;
  /** The loader's at-risk threshold (`SloReport.atRiskBelow`); 0.25 when there are no SLOs. */
  readonly atRiskBelow: number;
  /** Least budget remaining first, then by name. */
  readonly slos: readonly SloListRow[];
  readonly summary: { readonly ok: number; readonly atRisk: number; readonly exhausted: number };
}

export function listRowOf(entry: SloReportEntry, period: ReportPeriod): SloListRow {
  return {
    name: entry.name,
    service: entry.service,
    sli: entry.sli,
    objective: entry.objective,
    period,
    goodEvents: entry.goodEvents,
    badEvents: entry.badEvents,
    totalEvents: entry.totalEvents,
    attainedSli: entry.attainedSli,
    budgetConsumed: entry.budgetConsumed,
    budgetRemaining: entry.budgetRemaining,
    status: entry.status,
    openIncidents: entry.incidents.filter((incident) => incident.endMs === null).length,
  };
}

/** The list at `nowMs`; `overrideMs` is the `?period=` duration, undefined for each SLO's own period. */
export function readSloList(store: ReportStore, loadReport: ReportLoader, overrideMs: number | undefined, periodText: string | null, nowMs: number): SloList {
  const groups = new Map<string, { resolved: ResolvedPeriod; names: string[] }>();
  for (const { spec } of store.objectives()) {
    const resolved = resolvePeriod(spec.period, overrideMs, nowMs);
    const key = periodKey(resolved.period);
    const group = groups.get(key) ?? { resolved, names: [] };
    group.names.push(spec.name);
    groups.set(key, group);
  }
  const rows: SloListRow[] = [];
  let atRiskBelow = 0.25;
  for (const { resolved, names } of groups.values()) {
    const report = loadReport(store, { period: resolved.period, slos: names });
    atRiskBelow = report.atRiskBelow;
    for (const entry of report.slos) rows.push(listRowOf(entry, report.period));
  }
  rows.sort((a, b) => a.budgetRemaining - b.budgetRemaining || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const count = (status: SloReportStatus): number => rows.filter((row) => row.status === status).length;
  return { generatedAtMs: nowMs, period: periodText, atRiskBelow, slos: rows, summary: { ok: count('ok'), atRisk: count('at-risk'), exhausted: count('exhausted') } };
}
