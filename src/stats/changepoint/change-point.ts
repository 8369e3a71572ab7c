import type { SplitStatistics } from './significance-test';

/**
 * A change point: the series' distribution shifts starting at `index`.
 * Index convention (Otava's): the 0-based index of the FIRST point of the new
 * regime, so it is always ≥ 1.
 */
export interface ChangePoint {
  readonly index: number;
  /** Mean of the segment before the change point. */
  readonly meanBefore: number;
  /** Mean of the segment from the change point on. */
  readonly meanAfter: number;
  /** Population standard deviations of the same segments. */
  readonly stdDevBefore: number;
  readonly stdDevAfter: number;
  /** (meanAfter / meanBefore − 1) × 100, and 0 when meanBefore is 0 (no meaningful ratio). */
  readonly forwardChangePercent: number;
  /** Two-sided p-value of the test between the two segments. */
  readonly pValue: number;
}

/** A change point as the detectors carry it: where, how strong the split was, what the test said. */
export interface TestedChangePoint {
  readonly index: number;
  /** The E-Divisive Q̂ that proposed it (kept for diagnostics; the merge step does not use it). */
  readonly qhat: number;
  readonly statistics: SplitStatistics;
}

/** The public view of a tested change point. */
export function toChangePoint(tested: TestedChangePoint): ChangePoint {
  const { before, after, pValue } = tested.statistics;
  return {
    index: tested.index,
    meanBefore: before.mean,
    meanAfter: after.mean,
    stdDevBefore: before.stdDev,
    stdDevAfter: after.stdDev,
    forwardChangePercent: forwardRelativeChange(before.mean, after.mean) * 100,
    pValue,
  };
}

/** after/before − 1; 0 when `before` is 0, where a relative change has no meaning (Otava's guard). */
export function forwardRelativeChange(before: number, after: number): number {
  return before === 0 ? 0 : after / before - 1;
}

/**
 * How big a change is, relative, whichever way it is read: the larger of
 * |after/before − 1| and |before/after − 1| (Otava's `change_magnitude`). A
 * halving and a doubling thus both count as 1 (100 %).
 */
export function changeMagnitude(statistics: SplitStatistics): number {
  const before = statistics.before.mean;
  const after = statistics.after.mean;
  return Math.max(Math.abs(forwardRelativeChange(before, after)), Math.abs(forwardRelativeChange(after, before)));
}
