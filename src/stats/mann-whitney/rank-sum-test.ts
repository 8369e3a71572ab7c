import { hodgesLehmannShift, kthSmallestPairwiseDifference } from './pairwise-differences';
import type { SortedSample } from './pairwise-differences';
import { standardNormalCdf, standardNormalQuantile } from './normal-distribution';

/** What the two-sided Wilcoxon rank-sum (Mann–Whitney U) test says about experiment − control. */
export interface RankSumTestResult {
  /**
   * Mann–Whitney U of the experiment: the pairs (e, c) with e > c, plus half
   * the pairs with e = c. 0 … n·m; n·m/2 when nothing moved.
   */
  readonly uStatistic: number;
  /** U standardized by the normal approximation, with tie and continuity correction; 0 when every value is tied. */
  readonly zScore: number;
  /** Two-sided p-value of "no location shift" from `zScore`; 1 when every value is tied. */
  readonly pValue: number;
  /** Bounds of the confidence interval of the shift experiment − control, lower ≤ upper. */
  readonly confidenceInterval: readonly [number, number];
  /** Hodges–Lehmann estimate of the shift: the median pairwise difference. */
  readonly estimate: number;
}

/**
 * The two-sample, two-sided Wilcoxon rank-sum test (F. Wilcoxon, 1945;
 * H. B. Mann & D. R. Whitney, 1947) by its normal approximation, with the
 * tie correction of the variance and a continuity correction of ½, and the
 * confidence interval for the location shift obtained by inverting it
 * (Bauer, 1972, "Constructing confidence sets using rank statistics",
 * JASA 67) — the numbers R's `wilcox.test(x, y, conf.int = TRUE,
 * exact = FALSE)` and Kayenta's `MannWhitney` produce, except that the
 * point estimate is the Hodges–Lehmann median itself rather than a root
 * of the standardized statistic.
 *
 * R finds each bound by root-finding (uniroot) on
 *   f(d) = (U(d) − n·m/2 − ½·sign(U(d) − n·m/2)) / σ − z_q,
 * where U(d) is the U statistic of (experiment − d) against the control.
 * Between two consecutive pairwise differences, U(d) is the number of
 * differences above d and σ only holds the ties within each sample, so f
 * is a decreasing step function that jumps only at pairwise differences:
 * the root is one of them. Here the integer count c at which the sign of
 * f changes is found by binary search and the bound is read directly as
 * the (n·m − c + 1)-th smallest difference — exact, with no iteration
 * tolerance (uniroot's 1e-4 is absolute, too coarse for metrics in
 * seconds).
 *
 * Time: O(n log n + m log m) for the caller's sort, then a few selections of
 * O((n log n + m) · log(n·m)) each; memory O(n + m).
 *
 * @param experiment sorted ascending, non-empty, finite
 * @param control sorted ascending, non-empty, finite
 * @param confidenceLevel in (0, 1), e.g. 0.95
 */
export function wilcoxonRankSumTest(experiment: SortedSample, control: SortedSample, confidenceLevel: number): RankSumTestResult {
  const n = experiment.length;
  const m = control.length;
  if (n === 0 || m === 0) throw new RangeError('the rank-sum test needs at least one value in each sample');
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new RangeError(`confidenceLevel must be in (0, 1), got ${confidenceLevel}`);
  const pairs = n * m;

  const { uStatistic, tieTerm } = mergedRankStatistics(experiment, control);
  const sigma = rankSumSigma(n, m, tieTerm);
  const zScore = sigma > 0 ? continuityCorrected(uStatistic - pairs / 2) / sigma : 0;
  const pValue = sigma > 0 ? Math.min(1, 2 * standardNormalCdf(-Math.abs(zScore))) : 1;

  // Away from the pairwise differences, x − d never ties with y: only the ties within each sample remain.
  const sigmaAwayFromJumps = rankSumSigma(n, m, withinSampleTieTerm(experiment) + withinSampleTieTerm(control));
  const zQuantile = standardNormalQuantile(1 - (1 - confidenceLevel) / 2);
  const lower = shiftWhereStatisticCrosses(experiment, control, zQuantile, sigmaAwayFromJumps);
  const upper = shiftWhereStatisticCrosses(experiment, control, -zQuantile, sigmaAwayFromJumps);

  return {
    uStatistic,
    zScore,
    pValue,
    confidenceInterval: [Math.min(lower, upper), Math.max(lower, upper)],
    estimate: hodgesLehmannShift(experiment, control),
  };
}

/**
 * The standardized rank-sum statistic of (experiment − shift) against the
 * control, as R's wilcox.test computes it for `mu = shift`: ranks of the
 * pooled values, every tie (including experiment − shift = control) in σ,
 * continuity correction. Positive when the experiment sits above
 * control + shift; 0 when every value is tied. O(n + m).
 *
 * The confidence bounds are limits of this statistic between pairwise
 * differences; at a difference itself the ties change σ, and whether that
 * very shift is rejected can only be read here (see `classifyMannWhitney`).
 */
export function rankSumZScoreAtShift(experiment: SortedSample, control: SortedSample, shift: number): number {
  // Subtraction is monotone, so the shifted sample stays sorted.
  const shifted = shift === 0 ? experiment : experiment.map((value) => value - shift);
  const { uStatistic, tieTerm } = mergedRankStatistics(shifted, control);
  const sigma = rankSumSigma(experiment.length, control.length, tieTerm);
  return sigma > 0 ? continuityCorrected(uStatistic - (experiment.length * control.length) / 2) / sigma : 0;
}

/**
 * U of the experiment and Σ(t³ − t) over the tie groups of the pooled
 * sample, in one merge of the two sorted samples: O(n + m).
 */
function mergedRankStatistics(experiment: SortedSample, control: SortedSample): { uStatistic: number; tieTerm: number } {
  let i = 0;
  let j = 0;
  let controlBelow = 0;
  let uStatistic = 0;
  let tieTerm = 0;
  while (i < experiment.length || j < control.length) {
    const value = Math.min(i < experiment.length ? (experiment[i] as number) : Infinity, j < control.length ? (control[j] as number) : Infinity);
    let experimentTied = 0;
    let controlTied = 0;
    while (i < experiment.length && experiment[i] === value) {
      experimentTied++;
      i++;
    }
    while (j < control.length && control[j] === value) {
      controlTied++;
      j++;
    }
    uStatistic += experimentTied * (controlBelow + controlTied / 2);
    controlBelow += controlTied;
    const tied = experimentTied + controlTied;
    tieTerm += tied * tied * tied - tied;
  }
  return { uStatistic, tieTerm };
}

/** Σ(t³ − t) over the tie groups of one sorted sample. */
function withinSampleTieTerm(sample: SortedSample): number {
  let tieTerm = 0;
  let start = 0;
  for (let index = 1; index <= sample.length; index++) {
    if (index === sample.length || sample[index] !== sample[start]) {
      const tied = index - start;
      tieTerm += tied * tied * tied - tied;
      start = index;
    }
  }
  return tieTerm;
}

/**
 * Standard deviation of U under "no shift", with the tie correction:
 * σ² = n·m/12 · ((N + 1) − Σ(t³ − t) / (N·(N − 1))), N = n + m.
 * 0 only when all N values are tied.
 */
function rankSumSigma(n: number, m: number, tieTerm: number): number {
  const pooled = n + m;
  const variance = ((n * m) / 12) * (pooled + 1 - tieTerm / (pooled * (pooled - 1)));
  return variance > 0 ? Math.sqrt(variance) : 0;
}

/** U − n·m/2 moved ½ toward 0 (the continuity correction), 0 stays 0. */
function continuityCorrected(centered: number): number {
  return centered - 0.5 * Math.sign(centered);
}

/**
 * Where f(d) = (continuityCorrected(c(d) − n·m/2)) / σ − zq changes sign,
 * c(d) being the count of pairwise differences above d. The numerator is
 * non-decreasing in c, so a binary search over the integers 0 … n·m finds
 * the smallest c with f > 0 (`firstPositive`) and with f ≥ 0
 * (`firstNonNegative`). f > 0 exactly left of the (n·m − firstPositive + 1)-th
 * smallest difference and f < 0 from the (n·m − firstNonNegative + 1)-th on;
 * when f is 0 on a stretch in between, its midpoint is returned. Counts
 * outside 1 … n·m mean f keeps one sign over the whole range, where R returns
 * the range's end (smallest or largest difference): the clamp does the same.
 */
function shiftWhereStatisticCrosses(experiment: SortedSample, control: SortedSample, zQuantile: number, sigma: number): number {
  const pairs = experiment.length * control.length;
  const statistic = (count: number): number => continuityCorrected(count - pairs / 2) / sigma - zQuantile;
  const firstPositive = firstCountWhere(pairs, (count) => statistic(count) > 0);
  const firstNonNegative = firstCountWhere(pairs, (count) => statistic(count) >= 0);
  const rankOf = (count: number): number => Math.min(pairs, Math.max(1, pairs - count + 1));
  const leftEnd = rankOf(firstPositive);
  const rightEnd = rankOf(firstNonNegative);
  const left = kthSmallestPairwiseDifference(experiment, control, leftEnd);
  if (rightEnd === leftEnd) return left;
  const right = kthSmallestPairwiseDifference(experiment, control, rightEnd);
  return left + (right - left) / 2;
}

/** The smallest count in 0 … maxCount where the monotone `holds` is true, maxCount + 1 if none. */
function firstCountWhere(maxCount: number, holds: (count: number) => boolean): number {
  let low = 0;
  let high = maxCount + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (holds(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
