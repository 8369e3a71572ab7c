import type { SignalUnit, BaselineSignal } from '../baseline/baseline-signal';
import type { AnomalyEvent } from '../engine/anomaly-event';
import type { Recommendation, RecommendationSeverity } from '../recommend/recommendation';
import type { RegressionEvent } from '../regression/regression-event';
import { burnRate, errorRatio } from '../slo/budget';
import type { Severity, SliSpec } from '../slo/objective';

/**
 * The SLO report (`slowatch report`): what each SLO attained over a period,
 * how much of its error budget that spent, and what happened on its
 * operations. The input is plain data read from a store (or from a
 * Prometheus server); `buildSloReport` turns it into the figures every
 * renderer (Markdown, HTML, JSON) shows, so the renderers never compute.
 *
 * Budget arithmetic follows Sloth's recording rules (and `src/slo/budget.ts`):
 * consumed = period error ratio / (1 − objective), remaining = 1 − consumed,
 * negative once the budget is overspent.
 *
 * Memory: the report holds what the input holds, plus a few numbers per SLO;
 * the reader bounds the input (a store read caps the burn-down series and the
 * event lists). The chart decimates the burn-down to a fixed number of points.
 */

/** The reported period, [fromMs, toMs) in Unix ms, with the label the user gave (`30d`, `2024-05`). */
export interface ReportPeriod {
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
}

/** The budget remaining at one instant of the period (1 untouched, 0 spent, negative overspent). */
export interface BudgetPoint {
  readonly atMs: number;
  readonly budgetRemaining: number;
}

/** One alert incident: a burn-rate alert of `severity` firing from `startMs` to `endMs` (undefined while still firing at the period's end). */
export interface ReportIncidentInput {
  readonly severity: Severity;
  readonly startMs: number;
  readonly endMs: number | undefined;
  /** Share of the period's error budget spent during the incident (0.2 = 20 %). */
  readonly budgetSpent: number;
}

/** An anomaly on one of the SLO's operations, summarised from an `AnomalyEvent` (see `anomalySummaryOf`). */
export interface ReportAnomaly {
  /** When it started (Unix ms). */
  readonly atMs: number;
  readonly operation: string;
  readonly signal: BaselineSignal;
  readonly unit: SignalUnit;
  /** The signal's value when it was reported; null when the interval had no spans. */
  readonly observed: number | null;
  /** The baseline (the detector band's centre); null when there was none. */
  readonly expected: number | null;
  /** The detector's score, 0..1. */
  readonly score: number;
}

/** A deploy regression (or improvement) on one of the SLO's operations, summarised from a `RegressionEvent`. */
export interface ReportRegression {
  /** When the verdict was made (Unix ms). */
  readonly atMs: number;
  readonly operation: string;
  readonly outcome: RegressionEvent['outcome'];
  readonly baselineVersion: string;
  readonly version: string;
  /** Hodges–Lehmann estimate of the latency shift (new − baseline), ms. */
  readonly estimateMs: number;
  /** Experiment mean / control mean. */
  readonly effectSize: number;
  readonly pValue: number;
}

/** The part of a `Recommendation` a report shows. */
export interface ReportRecommendation {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly severity: RecommendationSeverity;
  readonly impact: { readonly perRequestMs: number };
}

/** What the reader knows of one SLO over the period. */
export interface SloReportEntryInput {
  readonly name: string;
  /** service.name; undefined for an SLO over every service. */
  readonly service: string | undefined;
  /** Objective as a ratio in (0, 1), e.g. 0.999. */
  readonly objective: number;
  readonly sli: SliSpec;
  /** Good and bad events counted over the period. */
  readonly goodEvents: number;
  readonly badEvents: number;
  /** Budget remaining over the period, in any order (sorted by time in the report). */
  readonly burnDown: readonly BudgetPoint[];
  readonly incidents: readonly ReportIncidentInput[];
  readonly anomalies: readonly ReportAnomaly[];
  readonly regressions: readonly ReportRegression[];
  readonly recommendations: readonly ReportRecommendation[];
}

export interface SloReportInput {
  readonly period: ReportPeriod;
  readonly slos: readonly SloReportEntryInput[];
  /** What the reader wants the reader of the report to know (e.g. which lists its source cannot fill). */
  readonly notes?: readonly string[];
}

/**
 * - `ok`: more than `atRiskBelow` of the budget remains;
 * - `at-risk`: some budget remains (> 0) but no more than `atRiskBelow`;
 * - `exhausted`: nothing remains (remaining ≤ 0, up to 1e-9 of float noise): the objective was missed.
 */
export type SloReportStatus = 'ok' | 'at-risk' | 'exhausted';

/** One incident as reported; `endMs` is null while it was still firing at the period's end. */
export interface ReportIncident {
  readonly severity: Severity;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly budgetSpent: number;
}

/**
 * One SLO in the report. Every field is plain JSON (null, never undefined),
 * so the JSON rendering parses back to an equal object.
 */
export interface SloReportEntry {
  readonly name: string;
  readonly service: string | null;
  readonly objective: number;
  readonly sli: SliSpec;
  readonly goodEvents: number;
  readonly badEvents: number;
  readonly totalEvents: number;
  /** good / total; null when there were no events (nothing to attain). */
  readonly attainedSli: number | null;
  /** Period error ratio over the budget (1 − objective); 0 with no events (an idle service spends nothing). */
  readonly budgetConsumed: number;
  /** 1 − budgetConsumed; negative once overspent (Sloth's convention). */
  readonly budgetRemaining: number;
  readonly status: SloReportStatus;
  /** Time-ordered, within the period. */
  readonly burnDown: readonly BudgetPoint[];
  /** By start time. */
  readonly incidents: readonly ReportIncident[];
  /** By time. */
  readonly anomalies: readonly ReportAnomaly[];
  readonly regressions: readonly ReportRegression[];
  /** Most severe first, then highest per-request saving; at most `maxRecommendations`. */
  readonly recommendations: readonly ReportRecommendation[];
}

export interface SloReport {
  readonly period: ReportPeriod;
  /** The status threshold used (see `SloReportStatus`). */
  readonly atRiskBelow: number;
  /** Least budget remaining first (the SLOs needing attention on top), then by name. */
  readonly slos: readonly SloReportEntry[];
  /** How many SLOs are in each status. */
  readonly summary: { readonly ok: number; readonly atRisk: number; readonly exhausted: number };
  /** Notes from the reader, shown under the summary; empty for most reports. */
  readonly notes: readonly string[];
}

export interface SloReportOptions {
  /**
   * An SLO with budget remaining at or below this share (and above 0) is at
   * risk. A quarter is where a 30-day budget spent at a steady pace would
   * run out within the last week: time to slow down releases.
   * @default 0.25
   */
  readonly atRiskBelow?: number;
  /**
   * Most recommendations kept per SLO.
   * @default 5
   */
  readonly maxRecommendations?: number;
}

/** Remaining budget at or below this is spent (floating-point noise, far below one event in a billion). */
const EXHAUSTED_EPSILON = 1e-9;

const SEVERITY_RANK: Readonly<Record<RecommendationSeverity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/** The status of a budget remaining, with the thresholds of `SloReportStatus`. */
export function sloStatusOf(budgetRemaining: number, atRiskBelow: number): SloReportStatus {
  // 1 − 0.999 is 0.0010000000000000009 in binary floating point, so a budget
  // spent to the event reads as ~1e-15 remaining: that is exhausted too.
  if (!(budgetRemaining > EXHAUSTED_EPSILON)) return 'exhausted';
  return budgetRemaining <= atRiskBelow ? 'at-risk' : 'ok';
}

/** Budget consumed over a period: error ratio over (1 − objective); 0 with no events. */
export function budgetConsumedOf(goodEvents: number, badEvents: number, objective: number): number {
  return burnRate(errorRatio(badEvents, goodEvents + badEvents), objective);
}

function requireFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}

function validateEntry(slo: SloReportEntryInput): void {
  const where = `SLO ${JSON.stringify(slo.name)}`;
  // Objective 1 has no budget (division by zero) and 0 has nothing to attain: ObjectiveSpec's open interval.
  if (!(slo.objective > 0 && slo.objective < 1)) throw new RangeError(`${where}: objective must be in (0, 1), got ${slo.objective}`);
  for (const [what, count] of [
    ['goodEvents', slo.goodEvents],
    ['badEvents', slo.badEvents],
  ] as const) {
    if (!(Number.isFinite(count) && count >= 0)) throw new RangeError(`${where}: ${what} must be a finite count >= 0, got ${count}`);
  }
  for (const point of slo.burnDown) {
    requireFinite(point.atMs, `${where}: burn-down time`);
    requireFinite(point.budgetRemaining, `${where}: burn-down budget`);
  }
  for (const incident of slo.incidents) {
    requireFinite(incident.startMs, `${where}: incident start`);
    if (incident.endMs !== undefined) requireFinite(incident.endMs, `${where}: incident end`);
    requireFinite(incident.budgetSpent, `${where}: incident budget spent`);
  }
}

function byTime<T extends { readonly atMs: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.atMs - b.atMs);
}

function buildEntry(slo: SloReportEntryInput, period: ReportPeriod, atRiskBelow: number, maxRecommendations: number): SloReportEntry {
  validateEntry(slo);
  const totalEvents = slo.goodEvents + slo.badEvents;
  const budgetConsumed = budgetConsumedOf(slo.goodEvents, slo.badEvents, slo.objective);
  const budgetRemaining = 1 - budgetConsumed;
  return {
    name: slo.name,
    service: slo.service ?? null,
    objective: slo.objective,
    sli: slo.sli,
    goodEvents: slo.goodEvents,
    badEvents: slo.badEvents,
    totalEvents,
    attainedSli: totalEvents > 0 ? slo.goodEvents / totalEvents : null,
    budgetConsumed,
    budgetRemaining,
    status: sloStatusOf(budgetRemaining, atRiskBelow),
    burnDown: byTime(slo.burnDown.filter((point) => point.atMs >= period.fromMs && point.atMs <= period.toMs)),
    incidents: [...slo.incidents]
      .sort((a, b) => a.startMs - b.startMs)
      .map((incident) => ({ severity: incident.severity, startMs: incident.startMs, endMs: incident.endMs ?? null, budgetSpent: incident.budgetSpent })),
    anomalies: byTime(slo.anomalies),
    regressions: byTime(slo.regressions),
    recommendations: [...slo.recommendations]
      .sort(
        (a, b) =>
          SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.impact.perRequestMs - a.impact.perRequestMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .slice(0, maxRecommendations),
  };
}

/**
 * The report's figures from what the reader gathered: attained SLI, budget
 * consumed and remaining, status, SLOs sorted by budget remaining (least
 * first). Pure. Throws RangeError on an empty period, an objective outside
 * (0, 1), negative or non-finite counts.
 */
export function buildSloReport(input: SloReportInput, options: SloReportOptions = {}): SloReport {
  const atRiskBelow = options.atRiskBelow ?? 0.25;
  const maxRecommendations = options.maxRecommendations ?? 5;
  const { period } = input;
  requireFinite(period.fromMs, 'period start');
  requireFinite(period.toMs, 'period end');
  if (!(period.toMs > period.fromMs)) throw new RangeError(`the period must end after it starts (${period.fromMs} .. ${period.toMs})`);
  const slos = input.slos
    .map((slo) => buildEntry(slo, period, atRiskBelow, maxRecommendations))
    .sort((a, b) => a.budgetRemaining - b.budgetRemaining || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const count = (status: SloReportStatus): number => slos.filter((slo) => slo.status === status).length;
  return {
    period: { fromMs: period.fromMs, toMs: period.toMs, label: period.label },
    atRiskBelow,
    slos,
    summary: { ok: count('ok'), atRisk: count('at-risk'), exhausted: count('exhausted') },
    notes: [...(input.notes ?? [])],
  };
}

/** The report's summary of an anomaly start event (the baseline is the band's centre). */
export function anomalySummaryOf(event: AnomalyEvent): ReportAnomaly {
  return {
    atMs: event.startedAtMs,
    operation: event.key.operation,
    signal: event.signal,
    unit: event.unit,
    observed: event.observed,
    expected: event.expected?.center ?? null,
    score: event.score,
  };
}

/** The report's summary of a regression event. */
export function regressionSummaryOf(event: RegressionEvent): ReportRegression {
  return {
    atMs: event.atMs,
    operation: event.operation,
    outcome: event.outcome,
    baselineVersion: event.baselineVersion,
    version: event.version,
    estimateMs: event.estimateMs,
    effectSize: event.effectSize,
    pValue: event.pValue,
  };
}

/** The part of a recommendation the report shows. */
export function recommendationSummaryOf(recommendation: Recommendation): ReportRecommendation {
  const { id, type, title, severity } = recommendation;
  return { id, type, title, severity, impact: { perRequestMs: recommendation.impact.perRequestMs } };
}
