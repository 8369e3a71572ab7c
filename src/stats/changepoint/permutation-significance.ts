import { bestEnergySplitAcross } from './energy-split';
import type { SplitCandidate } from './energy-split';
import { sidesAt } from './segment';
import type { Segment } from './segment';
import { summarizeSegment } from './segment-summary';
import type { SignificanceTest, SplitStatistics } from './significance-test';

export interface PermutationSignificanceOptions {
  /** Shuffles to run per candidate. @default 100 (Otava's and Matteson & James's choice) */
  readonly permutations?: number;
  /**
   * A uniform integer in [0, maxInclusive]: the only source of randomness, so
   * a seeded one makes runs repeatable (and one drawing as numpy's
   * `random_interval` does reproduces Otava's shuffles exactly).
   */
  readonly randomIndex: (maxInclusive: number) => number;
}

/**
 * The original E-Divisive significance test (Matteson & James 2014, §3.2):
 * shuffle the points within every current segment, find the best split of the
 * shuffled series again, and count how often its Q̂ reaches the candidate's.
 * p = count / (permutations + 1).
 *
 * Cost per candidate: `permutations` full candidate searches, O(permutations ·
 * Σ L²) time, plus one copy of the series (8 bytes a point).
 */
export function permutationSignificance(options: PermutationSignificanceOptions): SignificanceTest {
  const permutations = options.permutations ?? 100;
  if (!Number.isSafeInteger(permutations) || permutations < 1) {
    throw new RangeError(`permutations must be a positive integer, got ${permutations}`);
  }
  const randomIndex = options.randomIndex;
  return (values: ArrayLike<number>, candidate: SplitCandidate, segments: readonly Segment[]): SplitStatistics => {
    const shuffled = Float64Array.from(values);
    let atLeastAsStrong = 0;
    for (let round = 0; round < permutations; round++) {
      shuffled.set(values);
      for (const segment of segments) shuffleRange(shuffled, segment, randomIndex);
      const best = bestEnergySplitAcross(shuffled, segments);
      if (best !== undefined && best.qhat >= candidate.qhat) atLeastAsStrong++;
    }
    const sides = sidesAt(candidate.index, segments);
    return {
      pValue: atLeastAsStrong / (permutations + 1),
      before: summarizeSegment(values, sides.before),
      after: summarizeSegment(values, sides.after),
    };
  };
}

/**
 * Fisher–Yates shuffle of `array[segment.start .. segment.stop)` in place,
 * from the last position down, drawing positions relative to the segment
 * (the order numpy's `shuffle` uses on a slice).
 */
function shuffleRange(array: Float64Array, segment: Segment, randomIndex: (maxInclusive: number) => number): void {
  for (let i = segment.stop - 1; i > segment.start; i--) {
    const j = segment.start + randomIndex(i - segment.start);
    const swap = array[i] as number;
    array[i] = array[j] as number;
    array[j] = swap;
  }
}
