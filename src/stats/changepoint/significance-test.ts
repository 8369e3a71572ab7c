import type { SplitCandidate } from './energy-split';
import type { Segment } from './segment';
import type { SegmentSummary } from './segment-summary';

/** What a significance test says about one change point. */
export interface SplitStatistics {
  /** Probability of a split at least this strong without a real change; smaller = stronger. */
  readonly pValue: number;
  readonly before: SegmentSummary;
  readonly after: SegmentSummary;
}

/**
 * Decides how significant a change point is, given the segments the series
 * is currently cut into (see `sidesAt` for which points each side holds).
 * Pure: anything random is injected into the test when it is made.
 */
export type SignificanceTest = (values: ArrayLike<number>, candidate: SplitCandidate, segments: readonly Segment[]) => SplitStatistics;
