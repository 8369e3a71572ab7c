import type { AnomalyEvent } from '../engine/anomaly-event';
import type { SloAlertEvent } from '../engine/slo-alert-event';
import type { Recommendation } from '../recommend/recommendation';
import type { RegressionEvent } from '../regression/regression-event';
import type { ObjectiveSpec } from '../slo/objective';
import type { ReportStore } from '../storage/report-store';
import type { StoredEvent, StoredEventKind } from '../storage/store-records';
import { pairAlertIncidents } from './alert-incidents';
import type { AlertEdge } from './alert-incidents';
import { budgetPointsOf, burnDownBucketMs, cumulativeCountsOf } from './burn-down-series';
import { operationMatcher, selectReportObjectives } from './report-objectives';
import { anomalySummaryOf, recommendationSummaryOf, regressionSummaryOf } from './slo-report';
import type {
  ReportAnomaly,
  ReportIncidentInput,
  ReportRecommendation,
  ReportRegression,
  SloReportEntryInput,
  SloReportInput,
} from './slo-report';

/**
 * Reads the SLO report's input from a store (`extensions.storage`): for
 * each objective the store remembers, its counts, burn-down, incidents and
 * the events on its operations over the period. Pure apart from the store's
 * reads: no clock, no I/O of its own.
 *
 * Figures (docs/reports.md):
 * - good/bad: the SLO's rollup rows starting in [from, to), all series;
 * - burn-down: the same rows summed per bucket (at most `maxBurnDownPoints`
 *   points), made cumulative (burn-down-series.ts);
 * - incidents: the `slo_alert` edges of the period paired per (severity,
 *   series) (alert-incidents.ts); budget spent = the series' bad events in
 *   the incident / (the SLO's events over the period × (1 − objective)),
 *   at the rollup interval's resolution;
 * - anomalies (start edges) and regressions on the objective's service and
 *   operations; recommendations: the latest event of each id on the
 *   service (service-wide ones, with no operation, included), kept when
 *   still open at the period's end.
 *
 * Memory: every query is bounded (SQL sums, `maxBurnDownPoints` buckets,
 * `maxEvents` rows per kind and SLO), so the input is at most a few hundred
 * KB per SLO whatever the store's size.
 */

export interface StoreReportOptions {
  /** The period, [fromMs, toMs) in Unix ms, and its label. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
  /** Only these SLOs (`--slo`), in this order; an unknown name is an error listing the known ones. @default every stored objective */
  readonly slos?: readonly string[];
  /** Most burn-down points per SLO (at least 3). @default 200 */
  readonly maxBurnDownPoints?: number;
  /** Most events read per kind and SLO (the newest). @default 1000 */
  readonly maxEvents?: number;
  /** Called after each SLO (done of total), for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_MAX_BURN_DOWN_POINTS = 200;
export const DEFAULT_MAX_REPORT_EVENTS = 1000;

/** The report input for the period, one entry per selected objective (throws ReportInputError on an unknown --slo). */
export function readSloReportInput(store: ReportStore, options: StoreReportOptions): SloReportInput {
  const period = { fromMs: options.fromMs, toMs: options.toMs, label: options.label };
  if (!(period.toMs > period.fromMs)) throw new RangeError(`the period must end after it starts (${period.fromMs} .. ${period.toMs})`);
  const maxPoints = options.maxBurnDownPoints ?? DEFAULT_MAX_BURN_DOWN_POINTS;
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_REPORT_EVENTS;
  const specs = selectReportObjectives(
    store.objectives().map((stored) => stored.spec),
    options.slos,
  );
  const reader = new StoreEntryReader(store, period, burnDownBucketMs(period.fromMs, period.toMs, maxPoints), maxEvents);
  const slos: SloReportEntryInput[] = [];
  options.onProgress?.(0, specs.length);
  for (const spec of specs) {
    slos.push(reader.entry(spec));
    options.onProgress?.(slos.length, specs.length);
  }
  return { period, slos };
}

class StoreEntryReader {
  constructor(
    private readonly store: ReportStore,
    private readonly period: { readonly fromMs: number; readonly toMs: number },
    private readonly bucketMs: number,
    private readonly maxEvents: number,
  ) {}

  entry(spec: ObjectiveSpec): SloReportEntryInput {
    const { fromMs, toMs } = this.period;
    const counts = this.store.sloCounts({ slo: spec.name, fromMs, toMs });
    const buckets = this.store.sloCountsByBucket({ slo: spec.name, fromMs, toMs, bucketMs: this.bucketMs });
    const onOperation = operationMatcher(spec);
    return {
      name: spec.name,
      service: spec.service,
      objective: spec.objective,
      sli: spec.sli,
      goodEvents: counts.good,
      badEvents: counts.bad,
      burnDown: budgetPointsOf(cumulativeCountsOf(buckets, this.bucketMs, this.period), spec.objective),
      incidents: this.incidents(spec, counts.good + counts.bad),
      anomalies: this.anomalies(spec, onOperation),
      regressions: this.regressions(spec, onOperation),
      recommendations: this.recommendations(spec, onOperation),
    };
  }

  private events(
    kind: StoredEventKind,
    filter: { readonly slo?: string; readonly service?: string | undefined },
    fromMs = this.period.fromMs,
  ): readonly StoredEvent[] {
    return this.store.events({
      fromMs,
      toMs: this.period.toMs,
      kinds: [kind],
      ...(filter.slo !== undefined && { slo: filter.slo }),
      ...(filter.service !== undefined && { service: filter.service }),
      limit: this.maxEvents,
    });
  }

  private incidents(spec: ObjectiveSpec, periodTotal: number): ReportIncidentInput[] {
    const edges: AlertEdge[] = [];
    for (const event of this.events('slo_alert', { slo: spec.name })) {
      const alert = parsePayload<SloAlertEvent>(event);
      if (alert === undefined || (alert.state !== 'firing' && alert.state !== 'resolved') || (alert.severity !== 'page' && alert.severity !== 'ticket')) continue;
      edges.push({ severity: alert.severity, state: alert.state, atMs: event.atMs, series: canonicalLabels(typeof alert.labels === 'object' && alert.labels !== null ? alert.labels : {}) });
    }
    const spans = pairAlertIncidents(edges, this.period);
    if (spans.length === 0) return [];
    const knownSeries = new Set(this.store.sloSeries(spec.name).map((row) => row.series));
    const budget = periodTotal * (1 - spec.objective);
    return spans.map((span) => {
      // The series' own bad events when the store has rows for it; the whole SLO's otherwise.
      const series = knownSeries.has(span.series) ? { series: span.series } : {};
      const bad = this.store.sloCounts({ slo: spec.name, fromMs: span.startMs, toMs: span.endMs ?? this.period.toMs, ...series }).bad;
      return { severity: span.severity, startMs: span.startMs, endMs: span.endMs, budgetSpent: budget > 0 ? bad / budget : 0 };
    });
  }

  private anomalies(spec: ObjectiveSpec, onOperation: (operation: string) => boolean): ReportAnomaly[] {
    const anomalies: ReportAnomaly[] = [];
    for (const event of this.events('anomaly', { service: spec.service })) {
      const anomaly = parsePayload<AnomalyEvent>(event);
      if (anomaly?.edge !== 'start' || typeof anomaly.key?.operation !== 'string' || !onOperation(anomaly.key.operation)) continue;
      anomalies.push(anomalySummaryOf(anomaly));
    }
    return anomalies;
  }

  private regressions(spec: ObjectiveSpec, onOperation: (operation: string) => boolean): ReportRegression[] {
    const regressions: ReportRegression[] = [];
    for (const event of this.events('regression', { service: spec.service })) {
      const regression = parsePayload<RegressionEvent>(event);
      if (regression === undefined || typeof regression.operation !== 'string' || !onOperation(regression.operation)) continue;
      regressions.push(regressionSummaryOf(regression));
    }
    return regressions;
  }

  private recommendations(spec: ObjectiveSpec, onOperation: (operation: string) => boolean): ReportRecommendation[] {
    const latest = new Map<string, Recommendation>();
    // Newest first: the first event of an id is its state at the period's end. A recommendation is stored when
    // it opens or changes, so one open all along has its last event before the period: read from the beginning.
    for (const event of this.events('recommendation', { service: spec.service }, 0)) {
      const recommendation = parsePayload<Recommendation>(event);
      if (recommendation === undefined || typeof recommendation.id !== 'string' || latest.has(recommendation.id)) continue;
      latest.set(recommendation.id, recommendation);
    }
    return [...latest.values()]
      .filter((r) => r.status !== 'resolved' && typeof r.impact?.perRequestMs === 'number' && (r.operation === '' || onOperation(r.operation)))
      .map(recommendationSummaryOf);
  }
}

/**
 * The event's payload object, or undefined when it is not JSON of an object
 * (a damaged row is skipped, not fatal). The store holds what the engine
 * wrote, so the shape is trusted past the fields the callers check.
 */
function parsePayload<T>(event: StoredEvent): T | undefined {
  try {
    const value: unknown = JSON.parse(event.payload);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** A series' labels as the store keys them: JSON with the keys sorted (`{"service":"shop"}`). */
export function canonicalLabels(labels: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) sorted[key] = labels[key] as string;
  return JSON.stringify(sorted);
}
