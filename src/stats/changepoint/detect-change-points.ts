import { toChangePoint } from './change-point';
import type { ChangePoint } from './change-point';
import { mergeChangePoints } from './merge-change-points';
import { weakChangePoints } from './weak-change-points';

/** Parameters of Otava's change point detection; the defaults are Otava's. */
export interface ChangePointOptions {
  /** Points per sliding window of the split step, ≥ 2. @default 50 */
  readonly windowLength?: number;
  /** A change point is kept when its two-sided t-test p-value is below this, in (0, 1]. @default 0.001 */
  readonly maxPValue?: number;
  /**
   * A change point whose relative change of means is not above this is
   * dropped even when significant (0.05 = 5 %). @default 0
   */
  readonly minMagnitude?: number;
}

export const DEFAULT_WINDOW_LENGTH = 50;
export const DEFAULT_MAX_P_VALUE = 0.001;
export const DEFAULT_MIN_MAGNITUDE = 0;

/**
 * Change points of a series in order of time, as Apache Otava (ex DataStax
 * Hunter) finds them (`otava.analysis.compute_change_points`): Fleming et
 * al., "Hunter: Using Change Point Detection to Hunt for Performance
 * Regressions" (ICPE 2023), built on E-Divisive means (Matteson & James, JASA
 * 2014) with the permutation test replaced by Student's t-test.
 *
 * 1. Split: E-Divisive on sliding windows of `windowLength` points collects
 *    weak change points at a relaxed p-value: 10 × maxPValue below 0.05,
 *    2 × below 0.5, else maxPValue itself.
 * 2. Merge: the weakest is removed until every change point has a p-value
 *    below `maxPValue` and a relative change above `minMagnitude`.
 *
 * Pure and deterministic. Memory: O(n) for n values plus O(windowLength)
 * scratch; time roughly O(n · windowLength · c) for c change points per window.
 *
 * @returns sorted by index, distinct, each in [1, n−1].
 * @throws RangeError on a non-finite value or an option out of range.
 */
export function detectChangePoints(values: readonly number[], options: ChangePointOptions = {}): ChangePoint[] {
  const windowLength = options.windowLength ?? DEFAULT_WINDOW_LENGTH;
  const maxPValue = options.maxPValue ?? DEFAULT_MAX_P_VALUE;
  const minMagnitude = options.minMagnitude ?? DEFAULT_MIN_MAGNITUDE;
  if (!Number.isSafeInteger(windowLength) || windowLength < 2) {
    throw new RangeError(`windowLength must be an integer >= 2, got ${windowLength}`);
  }
  if (!(maxPValue > 0 && maxPValue <= 1)) throw new RangeError(`maxPValue must be in (0, 1], got ${maxPValue}`);
  if (!(minMagnitude >= 0) || !Number.isFinite(minMagnitude)) {
    throw new RangeError(`minMagnitude must be a finite number >= 0, got ${minMagnitude}`);
  }
  const invalid = values.findIndex((value) => !Number.isFinite(value));
  if (invalid !== -1) throw new RangeError(`values[${invalid}] is not a finite number: ${String(values[invalid])}`);
  const weak = weakChangePoints(values, windowLength, firstPassPValue(maxPValue));
  return mergeChangePoints(weak, values, maxPValue, minMagnitude).map(toChangePoint);
}

/**
 * The relaxed threshold of the split step, so that candidates just short of
 * significance inside one window survive until the merge step tests them on
 * their full neighbouring segments (Otava's schedule).
 */
export function firstPassPValue(maxPValue: number): number {
  if (maxPValue < 0.05) return maxPValue * 10;
  if (maxPValue < 0.5) return maxPValue * 2;
  return maxPValue;
}
