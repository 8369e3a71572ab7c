import { describeChangePoints } from '../stats/changepoint/describe-change-points';
import { detectChangePoints } from '../stats/changepoint/detect-change-points';
import type { ChangePointOptions } from '../stats/changepoint/detect-change-points';
import type { BenchmarkHistory, HistoryPoint } from './history';

/** Which way is better for the metrics: `lower` for latencies and sizes, `higher` for throughputs. */
export type BetterDirection = 'lower' | 'higher';

/** What a change did to the metric, given the better direction. */
export type ChangeVerdict = 'regression' | 'improvement' | 'unchanged';

export interface RegressOptions {
  /** Change point detection parameters (Otava's window_len, max_pvalue, min_magnitude). */
  readonly detection: ChangePointOptions;
  /** Which way is better for metrics not in `directions`. @default 'lower' */
  readonly direction?: BetterDirection;
  /** Per-metric exceptions to `direction` (e.g. throughput: higher). */
  readonly directions?: ReadonlyMap<string, BetterDirection>;
  /** Metrics to analyse, in this order; @default every metric of the history, in its order. */
  readonly metrics?: readonly string[];
}

/** One change point of one metric, placed in the history. */
export interface MetricChange {
  readonly metric: string;
  /** Index of the first point of the new regime in the history (0-based, counting every point). */
  readonly index: number;
  readonly point: HistoryPoint;
  /** Mean of the values from the previous change point (or the start) up to this one. */
  readonly meanBefore: number;
  /** Mean of the values from this change point up to the next (or the end). */
  readonly meanAfter: number;
  /** (meanAfter / meanBefore − 1) × 100; 0 when meanBefore is 0. */
  readonly changePercent: number;
  /** Two-sided Student t-test p-value between those two runs. */
  readonly pValue: number;
  readonly verdict: ChangeVerdict;
}

export interface MetricAnalysis {
  readonly metric: string;
  /** Which way was taken as better for it. */
  readonly direction: BetterDirection;
  /** Points that have a value for this metric (the length of the series analysed). */
  readonly values: number;
  /** Oldest first. */
  readonly changes: readonly MetricChange[];
}

export interface RegressAnalysis {
  readonly metrics: readonly MetricAnalysis[];
  /** For each metric whose NEWEST change point is a regression, that change point. */
  readonly newestRegressions: readonly MetricChange[];
}

/** A `--metric` the history does not have, or one that holds no numbers. */
export class MetricSelectionError extends Error {
  override readonly name = 'MetricSelectionError';
}

/**
 * Finds the change points of each metric of a benchmark history and says
 * whether each made things worse.
 *
 * A metric's series is its values in history order with missing values left
 * out; its change point indexes are mapped back to the points of the history.
 * Which points are change points is decided exactly as Otava does; each is
 * then described by the segments between the reported change points
 * (`describeChangePoints`), so its means are those of the runs a reader sees.
 * A change is a regression when the mean moved the bad way (up when lower is
 * better), an improvement when it moved the good way.
 *
 * Pure. Memory: one series (8 bytes a value) at a time plus the change points.
 *
 * @throws MetricSelectionError for an unknown metric name.
 * @throws RangeError for detection options out of range.
 */
export function analyzeHistory(history: BenchmarkHistory, options: RegressOptions): RegressAnalysis {
  const selected = selectMetrics(history, options.metrics);
  for (const [name, direction] of options.directions ?? []) {
    if (!history.metrics.some((metric) => metric.name === name)) {
      throw new MetricSelectionError(`--direction ${name}=${direction}: no such metric in the history (metrics: ${metricNames(history)})`);
    }
  }
  const metrics = selected.map(({ name, values }): MetricAnalysis => {
    const direction = options.directions?.get(name) ?? options.direction ?? 'lower';
    const series: number[] = [];
    const pointIndexes: number[] = [];
    values.forEach((value, index) => {
      if (value !== null) {
        series.push(value);
        pointIndexes.push(index);
      }
    });
    const found = detectChangePoints(series, options.detection).map((changePoint) => changePoint.index);
    const changes = describeChangePoints(series, found).map((changePoint): MetricChange => {
      const index = pointIndexes[changePoint.index] as number;
      return {
        metric: name,
        index,
        point: history.points[index] as HistoryPoint,
        meanBefore: changePoint.meanBefore,
        meanAfter: changePoint.meanAfter,
        changePercent: changePoint.forwardChangePercent,
        pValue: changePoint.pValue,
        verdict: verdictOf(changePoint.meanBefore, changePoint.meanAfter, direction),
      };
    });
    return { metric: name, direction, values: series.length, changes };
  });
  const newestRegressions = metrics.flatMap((metric) => {
    const newest = metric.changes[metric.changes.length - 1];
    return newest?.verdict === 'regression' ? [newest] : [];
  });
  return { metrics, newestRegressions };
}

/** Regression when the mean moved away from the better direction. */
export function verdictOf(meanBefore: number, meanAfter: number, direction: BetterDirection): ChangeVerdict {
  if (meanAfter === meanBefore) return 'unchanged';
  const wentUp = meanAfter > meanBefore;
  return wentUp === (direction === 'lower') ? 'regression' : 'improvement';
}

function selectMetrics(history: BenchmarkHistory, names: readonly string[] | undefined): BenchmarkHistory['metrics'] {
  if (names === undefined || names.length === 0) return history.metrics;
  const byName = new Map(history.metrics.map((metric) => [metric.name, metric]));
  return [...new Set(names)].map((name) => {
    const metric = byName.get(name);
    if (metric !== undefined) return metric;
    const available = metricNames(history);
    if (history.ignoredFields.includes(name)) throw new MetricSelectionError(`--metric ${name}: that column holds no numbers (metrics: ${available})`);
    throw new MetricSelectionError(`--metric ${name}: no such metric in the history (metrics: ${available})`);
  });
}

function metricNames(history: BenchmarkHistory): string {
  return history.metrics.length === 0 ? 'none' : history.metrics.map((metric) => metric.name).join(', ');
}
