import type { TestedChangePoint } from './change-point';
import { divisiveChangePoints } from './divisive-detector';
import { segmentsBetween } from './segment';
import { tTestSignificance } from './t-test-significance';

/**
 * The split step of Otava / Hunter (Fleming et al., ICPE 2023, §3): run
 * E-Divisive with the t-test on sliding windows and take the union of what
 * each window finds, the "weak" change points.
 *
 * Windows are `windowLength` points long. The next window starts half a
 * window later, or at the last change point the window found if that is
 * further on, so a shift near a window's end is looked at again with
 * context on both sides. Windows bound the cost (E-Divisive is quadratic
 * in the points it sees) and let later regimes not be drowned out by a long
 * history.
 *
 * Afterwards every weak change point is re-tested against its neighbours:
 * its sides become the whole segments between it and the adjacent weak change
 * points over the full series.
 *
 * Memory: the window copy (8·windowLength bytes), the candidate search's
 * scratch (16·windowLength bytes) and the change points found.
 *
 * @returns sorted, distinct change points, each with the statistics of its
 * adjacent segments.
 */
export function weakChangePoints(values: readonly number[], windowLength: number, maxPValue: number): TestedChangePoint[] {
  const step = Math.floor(windowLength / 2);
  const indexes = new Set<number>();
  const window = new Float64Array(windowLength);
  let start = 0;
  while (start < values.length) {
    const stop = Math.min(start + windowLength, values.length);
    const windowValues = window.subarray(0, stop - start);
    for (let i = start; i < stop; i++) windowValues[i - start] = values[i] as number;
    const found = divisiveChangePoints(windowValues, { significance: tTestSignificance, maxPValue });
    for (const point of found) indexes.add(point.index + start);
    const lastFound = found.length > 0 ? (found[found.length - 1] as TestedChangePoint).index + start : 0;
    start = Math.max(lastFound, start + step);
  }
  const sorted = [...indexes].sort((a, b) => a - b);
  const segments = segmentsBetween(sorted, values.length);
  return sorted.map((index) => ({
    index,
    qhat: 0,
    statistics: tTestSignificance(values, { index, qhat: 0 }, segments),
  }));
}
