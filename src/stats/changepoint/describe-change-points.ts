import { toChangePoint } from './change-point';
import type { ChangePoint } from './change-point';
import { segmentsBetween } from './segment';
import { tTestSignificance } from './t-test-significance';

/**
 * Describes change points by the segments they actually separate: for each,
 * the mean, spread and t-test p-value of the run from the previous change
 * point (or the start) to it, against the run from it to the next (or the
 * end).
 *
 * `detectChangePoints` reports the statistics Otava's merge step last tested
 * each change point with; when a neighbouring weak change point was removed
 * afterwards, one side of those can be shorter than the segment a reader
 * sees between the reported change points. Reports for people use this
 * instead, so that "mean after" is the mean of every point up to the next
 * change. The p-value may then differ from the one the merge step accepted.
 *
 * Pure; O(n) time, O(k) memory for k change points.
 *
 * @param sortedIndexes distinct change point indexes in [1, n−1], ascending.
 */
export function describeChangePoints(values: readonly number[], sortedIndexes: readonly number[]): ChangePoint[] {
  const segments = segmentsBetween(sortedIndexes, values.length);
  return sortedIndexes.map((index) => toChangePoint({ index, qhat: 0, statistics: tTestSignificance(values, { index, qhat: 0 }, segments) }));
}
