import { errorBudgetRemaining, errorRatio } from '../slo/budget';
import type { BudgetPoint } from './slo-report';

/**
 * The burn-down of an SLO over a report period: at each instant t, the
 * share of the budget left given the period's counts so far,
 *
 *   remaining(t) = 1 − (bad[from..t] / total[from..t]) / (1 − objective)
 *
 * which is Sloth's `slo:period_error_budget_remaining:ratio` evaluated on
 * the period so far (see src/slo/budget.ts). With no events yet nothing is
 * spent (1). Pure.
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** Good and bad events counted from the period's start up to `atMs`. */
export interface CumulativeCounts {
  readonly atMs: number;
  readonly good: number;
  readonly bad: number;
}

/**
 * The bucket width that keeps a burn-down within `maxPoints`: the start
 * point plus at most `maxPoints − 1` bucket ends. Buckets are aligned to
 * the epoch by the store, so a period not on a bucket boundary can touch one
 * more bucket than its length divided by the width: the width is chosen for
 * `maxPoints − 2` buckets to leave room for it. Rounded up to whole hours
 * from an hour on (the store answers those from its hourly sums), to whole
 * minutes from a minute on, else to whole seconds; at least 1 s.
 */
export function burnDownBucketMs(fromMs: number, toMs: number, maxPoints: number): number {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 3)) throw new RangeError(`maxBurnDownPoints must be an integer >= 3, got ${maxPoints}`);
  const width = Math.ceil((toMs - fromMs) / (maxPoints - 2));
  const unit = width >= HOUR_MS ? HOUR_MS : width >= MINUTE_MS ? MINUTE_MS : SECOND_MS;
  return Math.max(SECOND_MS, Math.ceil(width / unit) * unit);
}

/** Budget remaining at each cumulative count (time-ordered in, time-ordered out). */
export function budgetPointsOf(counts: readonly CumulativeCounts[], objective: number): BudgetPoint[] {
  return counts.map((point) => ({ atMs: point.atMs, budgetRemaining: errorBudgetRemaining(errorRatio(point.bad, point.good + point.bad), objective) }));
}

/**
 * Per-bucket counts (oldest first, as the store sums them) made cumulative:
 * a start point at `fromMs` (nothing spent), another at the first bucket's
 * start when that is later, then one point at each bucket's end, clipped to
 * `toMs`. Empty when there are no buckets (no data: the
 * chart says so rather than drawing a flat line).
 */
export function cumulativeCountsOf(
  buckets: readonly { readonly startMs: number; readonly good: number; readonly bad: number }[],
  bucketMs: number,
  period: { readonly fromMs: number; readonly toMs: number },
): CumulativeCounts[] {
  if (buckets.length === 0) return [];
  const points: CumulativeCounts[] = [{ atMs: period.fromMs, good: 0, bad: 0 }];
  // Nothing was spent before the first bucket with data: a point at its start draws that as a flat line
  // followed by a step, not as a slope that would suggest the budget went gradually before any traffic.
  const firstStartMs = Math.min(Math.max(buckets[0]?.startMs ?? period.fromMs, period.fromMs), period.toMs);
  if (firstStartMs > period.fromMs) points.push({ atMs: firstStartMs, good: 0, bad: 0 });
  let good = 0;
  let bad = 0;
  for (const bucket of buckets) {
    good += bucket.good;
    bad += bucket.bad;
    points.push({ atMs: Math.min(Math.max(bucket.startMs + bucketMs, period.fromMs), period.toMs), good, bad });
  }
  return points;
}
