import type { ReportPeriod, SloReportEntry } from '../../../src/report/slo-report';
import { burnRateFactor } from '../../../src/slo/alert-windows';
import { burnRate, errorRatio } from '../../../src/slo/budget';
import type { ObjectiveSpec, Severity } from '../../../src/slo/objective';
import type { EventCounts, ReportStore } from '../../../src/storage/report-store';
import type { ReportLoader } from './report-loader';
import { resolvePeriod, sloPeriod } from './report-period';

/*
 * One SLO in detail (`/slos/{name}`, `GET /api/v1/slos/{name}`): the
 * report entry (burn-down, incidents, anomalies, regressions,
 * recommendations) and the burn-rate table.
 *
 * The burn-rate table re-evaluates each configured alert rule from the
 * store's rollups as Sloth's rules do (SRE Workbook ch. 5, approach 6):
 *
 *   burn rate over w = error ratio over w / (1 − objective)
 *   firing ⇔ short > factor ∧ long > factor ∧ events(short) ≥ min_events
 *
 * with `factor = burnRateFactor(rule, SLO period)`. It reads one sloCounts
 * per distinct window (at most 8 for four rules), and it sees what the
 * rollups hold: up to the last closed rollup interval, so it can trail the
 * engine's own alert state by one interval.
 */

/** One counted window of the burn-rate table. */
export interface WindowBurn {
  readonly windowMs: number;
  readonly goodEvents: number;
  readonly badEvents: number;
  readonly burnRate: number;
}

/** One alert rule of the SLO, evaluated now. */
export interface BurnRateRow {
  readonly severity: Severity;
  readonly speed: 'quick' | 'slow';
  /** Share of the period's budget the rule lets burn before firing, in percent. */
  readonly errorBudgetPercent: number;
  /** The burn-rate threshold both windows must exceed. */
  readonly factor: number;
  readonly short: WindowBurn;
  readonly long: WindowBurn;
  /** Whether the severity is enabled (`alerting.page` / `alerting.ticket`); a disabled rule never fires. */
  readonly enabled: boolean;
  readonly firing: boolean;
}

export interface SloDetail {
  readonly generatedAtMs: number;
  readonly period: ReportPeriod;
  readonly slo: SloReportEntry;
  /** No alert rule holds while its short window counted fewer events than this. */
  readonly minEvents: number;
  /** In the configured order of the rules. */
  readonly burnRates: readonly BurnRateRow[];
}

/** The burn-rate table of `spec` at `nowMs`. */
export function burnRateTable(store: ReportStore, spec: ObjectiveSpec, nowMs: number): BurnRateRow[] {
  const periodMs = sloPeriod(spec.period, nowMs).fullLengthMs;
  const counted = new Map<number, EventCounts>();
  const windowBurn = (windowMs: number): WindowBurn => {
    let counts = counted.get(windowMs);
    if (counts === undefined) {
      counts = store.sloCounts({ slo: spec.name, fromMs: nowMs - windowMs, toMs: nowMs });
      counted.set(windowMs, counts);
    }
    return { windowMs, goodEvents: counts.good, badEvents: counts.bad, burnRate: burnRate(errorRatio(counts.bad, counts.good + counts.bad), spec.objective) };
  };
  return spec.alerting.windows.map((rule) => {
    const factor = burnRateFactor(rule, periodMs);
    const short = windowBurn(rule.shortWindowMs);
    const long = windowBurn(rule.longWindowMs);
    const enabled = rule.severity === 'page' ? spec.alerting.page : spec.alerting.ticket;
    const firing = enabled && short.goodEvents + short.badEvents >= spec.minEvents && short.burnRate > factor && long.burnRate > factor;
    return { severity: rule.severity, speed: rule.speed, errorBudgetPercent: rule.errorBudgetPercent, factor, short, long, enabled, firing };
  });
}

/** The detail of `spec` at `nowMs`, or undefined when the loader has no entry for it. */
export function readSloDetail(store: ReportStore, loadReport: ReportLoader, spec: ObjectiveSpec, overrideMs: number | undefined, nowMs: number): SloDetail | undefined {
  const { period } = resolvePeriod(spec.period, overrideMs, nowMs);
  const report = loadReport(store, { period, slos: [spec.name] });
  const entry = report.slos.find((slo) => slo.name === spec.name);
  if (entry === undefined) return undefined;
  return { generatedAtMs: nowMs, period: report.period, slo: entry, minEvents: spec.minEvents, burnRates: burnRateTable(store, spec, nowMs) };
}
