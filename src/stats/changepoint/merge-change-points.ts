import { changeMagnitude } from './change-point';
import type { TestedChangePoint } from './change-point';
import { segmentsBetween } from './segment';
import { tTestSignificance } from './t-test-significance';

/**
 * The merge step of Otava / Hunter (Fleming et al., ICPE 2023, §3): from the
 * weak change points, repeatedly remove the weakest one until every one left
 * passes, then return them.
 *
 * "Weakest" is the highest p-value while some p-value is not below
 * `maxPValue`; once all are, it is the smallest relative change
 * (`changeMagnitude`), removed only when that change is not above
 * `minMagnitude`. Ties go to the earliest change point.
 *
 * After a removal the statistics of the change point that moved into the
 * removed one's position and of the one after it are recomputed over their
 * new adjacent segments. This is exactly what Otava does; the change point
 * just BEFORE the removed one keeps its earlier statistics (its right side
 * is stale until another removal touches it). Kept on purpose: which change
 * points survive depends on it, and slowatch must find the same ones as
 * Otava on the same data.
 *
 * Cost: O(k) removals of O(k + n) each for k weak change points; memory O(k).
 *
 * @param weak sorted, distinct change points with the statistics of their adjacent segments; not modified.
 * @returns the surviving change points, sorted.
 */
export function mergeChangePoints(
  weak: readonly TestedChangePoint[],
  values: readonly number[],
  maxPValue: number,
  minMagnitude: number,
): TestedChangePoint[] {
  const points = [...weak];
  while (points.length > 0) {
    let weakest = 0;
    for (let i = 1; i < points.length; i++) {
      if ((points[i] as TestedChangePoint).statistics.pValue > (points[weakest] as TestedChangePoint).statistics.pValue) weakest = i;
    }
    if ((points[weakest] as TestedChangePoint).statistics.pValue < maxPValue) {
      weakest = 0;
      let smallest = changeMagnitude((points[0] as TestedChangePoint).statistics);
      for (let i = 1; i < points.length; i++) {
        const magnitude = changeMagnitude((points[i] as TestedChangePoint).statistics);
        if (magnitude < smallest) {
          smallest = magnitude;
          weakest = i;
        }
      }
      if (smallest > minMagnitude) return points;
    }
    points.splice(weakest, 1);
    const segments = segmentsBetween(
      points.map((point) => point.index),
      values.length,
    );
    for (const position of [weakest, weakest + 1]) {
      const point = points[position];
      if (point === undefined) continue;
      points[position] = { index: point.index, qhat: point.qhat, statistics: tTestSignificance(values, point, segments) };
    }
  }
  return points;
}
