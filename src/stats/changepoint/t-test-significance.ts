import type { SplitCandidate } from './energy-split';
import { sidesAt } from './segment';
import type { Segment } from './segment';
import { summarizeSegment } from './segment-summary';
import type { SplitStatistics } from './significance-test';
import { studentTTest } from './two-sample-t-test';

/**
 * The significance test of Otava (ex Hunter) that replaces E-Divisive's
 * permutation test: Student's two-sample t-test between the two sides of the
 * change point (Fleming et al., "Hunter: Using Change Point Detection to Hunt
 * for Performance Regressions", ICPE 2023). Deterministic, and meaningful with
 * only a handful of points per side.
 */
export function tTestSignificance(values: ArrayLike<number>, candidate: SplitCandidate, segments: readonly Segment[]): SplitStatistics {
  const sides = sidesAt(candidate.index, segments);
  const before = summarizeSegment(values, sides.before);
  const after = summarizeSegment(values, sides.after);
  return { pValue: studentTTest(before, after).pValue, before, after };
}
