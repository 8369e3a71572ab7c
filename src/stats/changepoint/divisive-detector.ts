import type { TestedChangePoint } from './change-point';
import { bestEnergySplitAcross } from './energy-split';
import { segmentsBetween } from './segment';
import type { SignificanceTest } from './significance-test';

export interface DivisiveOptions {
  /** How each candidate is judged. */
  readonly significance: SignificanceTest;
  /** A candidate is accepted when its p-value is ≤ this. */
  readonly maxPValue: number;
}

/**
 * Hierarchical divisive change point search (E-Divisive, Matteson & James
 * 2014) over all of `values`: repeatedly take the strongest energy split
 * across the current segments and test it; accept it and go on while the test
 * passes, stop at the first candidate that fails.
 *
 * Each accepted candidate keeps the statistics it was tested with (the sides
 * of the segment it split at the time), as Otava's detector does.
 *
 * Cost: at most n−1 rounds of O(n²) each; memory O(n) (the change points and
 * 16 bytes a point of scratch in the candidate search). Callers bound n: the
 * split step runs this on windows of `windowLength` points.
 *
 * @returns change points sorted by index.
 */
export function divisiveChangePoints(values: ArrayLike<number>, options: DivisiveOptions): TestedChangePoint[] {
  const found: TestedChangePoint[] = [];
  for (;;) {
    const segments = segmentsBetween(
      found.map((point) => point.index),
      values.length,
    );
    const candidate = bestEnergySplitAcross(values, segments);
    if (candidate === undefined) break;
    const statistics = options.significance(values, candidate, segments);
    if (!(statistics.pValue <= options.maxPValue)) break;
    const position = found.findIndex((point) => point.index > candidate.index);
    found.splice(position === -1 ? found.length : position, 0, { index: candidate.index, qhat: candidate.qhat, statistics });
  }
  return found;
}
