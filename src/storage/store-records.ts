import type { ObjectiveSpec } from '../slo/objective';

/**
 * The rows slowatch keeps in its store (`extensions.storage`, SQLite) and
 * reads back for reports and the report pages. Plain data: every field is a
 * number, a string or null, so rows go in and out of SQLite unchanged.
 * Times are Unix milliseconds.
 */

/**
 * One SLO series' events in one rollup interval [startMs, startMs + intervalMs):
 * the good and bad events the engine counted in it (its cumulative counters'
 * change over the interval). Summing rows over a period gives the period's
 * counts; the reports' burn-down and incident budgets come from these sums.
 */
export interface SloRollupRow {
  readonly slo: string;
  /** The series' labels (service and group_by) as canonical JSON: keys sorted, e.g. `{"service":"shop"}`. */
  readonly series: string;
  /** service.name of the series (its `service` label). */
  readonly service: string;
  readonly startMs: number;
  readonly intervalMs: number;
  readonly good: number;
  readonly bad: number;
}

/**
 * One baseline key's closed interval: the spans' latency quantiles, error
 * ratio and throughput, and the p95 baseline band the detector expected.
 */
export interface KeyRollupRow {
  readonly service: string;
  readonly operation: string;
  /** `server`, `consumer`, … (the baseline key's span kind label). */
  readonly spanKind: string;
  /** End of the interval (exclusive); it started at `endMs − intervalMs`. */
  readonly endMs: number;
  readonly intervalMs: number;
  /** Spans in the interval. */
  readonly count: number;
  readonly errors: number;
  /** Latency quantiles in ms; null when the interval had no spans. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  /** errors / count; null with no spans. */
  readonly errorRatio: number | null;
  /** Spans per second over the interval. */
  readonly throughput: number;
  /** The p95 detector's expected band for this interval; null while it learns (or p95 is not modelled). */
  readonly p95ExpectedLow: number | null;
  readonly p95ExpectedCenter: number | null;
  readonly p95ExpectedHigh: number | null;
}

/** What an event records; its payload is the engine's event object as JSON. */
export type StoredEventKind = 'slo_alert' | 'anomaly' | 'regression' | 'recommendation';

/**
 * One event: an SLO alert edge (firing or resolved), an anomaly edge, a
 * regression verdict or a recommendation (opened or updated). The indexed
 * columns serve the queries; `payload` is the whole event (SloAlertEvent,
 * AnomalyEvent, RegressionEvent or Recommendation) as JSON.
 */
export interface StoredEvent {
  /** Assigned by the store (increasing); absent when writing. */
  readonly id?: number;
  readonly atMs: number;
  readonly kind: StoredEventKind;
  /** The SLO name (slo_alert only). */
  readonly slo: string | null;
  readonly service: string | null;
  readonly operation: string | null;
  /** page / ticket, a recommendation's severity, a regression's outcome… */
  readonly severity: string | null;
  /** firing / resolved, start / end, open / resolved… */
  readonly state: string | null;
  /** The event itself, JSON. */
  readonly payload: string;
}

/** An SLO as the store remembers it (the latest definition the gateway or agent ran). */
export interface StoredObjective {
  readonly spec: ObjectiveSpec;
  /** When this definition was last written. */
  readonly updatedMs: number;
}
