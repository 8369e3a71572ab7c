import type { SegmentSummary } from './segment-summary';
import { studentTTwoSidedPValue } from './student-t';

/** Outcome of a two-sample t-test. */
export interface TTestResult {
  /** (mean₁ − mean₂) / pooled standard error; ±∞ or NaN when both sides have no spread. */
  readonly tStatistic: number;
  /** n₁ + n₂ − 2. */
  readonly degreesOfFreedom: number;
  /** Two-sided; 1 when there are no degrees of freedom (two points tell nothing). */
  readonly pValue: number;
}

/**
 * Student's two-sample t-test with equal variances (pooled), two-sided, from
 * summary statistics: the test scipy's `ttest_ind_from_stats(…, equal_var=True)`
 * performs and Otava applies to every change point, with each side's
 * `stdDev` taken as given (Otava passes population standard deviations).
 *
 * Pooled variance s² = ((n₁−1)s₁² + (n₂−1)s₂²) / (n₁+n₂−2),
 * t = (m₁ − m₂) / √(s² (1/n₁ + 1/n₂)), ν = n₁+n₂−2.
 */
export function studentTTest(left: SegmentSummary, right: SegmentSummary): TTestResult {
  const degreesOfFreedom = left.count + right.count - 2;
  if (degreesOfFreedom <= 0) return { tStatistic: 0, degreesOfFreedom: Math.max(degreesOfFreedom, 0), pValue: 1 };
  const pooledVariance =
    ((left.count - 1) * left.stdDev * left.stdDev + (right.count - 1) * right.stdDev * right.stdDev) / degreesOfFreedom;
  const standardError = Math.sqrt(pooledVariance * (1 / left.count + 1 / right.count));
  const tStatistic = (left.mean - right.mean) / standardError;
  return { tStatistic, degreesOfFreedom, pValue: studentTTwoSidedPValue(tStatistic, degreesOfFreedom) };
}
