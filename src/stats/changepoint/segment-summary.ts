import type { Segment } from './segment';

/** Count, mean and spread of one segment: all a two-sample t-test needs. */
export interface SegmentSummary {
  readonly count: number;
  readonly mean: number;
  /**
   * Population standard deviation, √(Σ(x−mean)²/n) (divisor n, not n−1), and
   * 0 for a single point: what Otava feeds its t-test (numpy's default
   * `ddof=0`). Keeping this choice is what makes p-values equal Otava's.
   */
  readonly stdDev: number;
}

/**
 * Summary of `values[segment.start .. segment.stop)`.
 *
 * The mean is accumulated as offsets from the segment's first value, so a
 * constant run has exactly that value as its mean. A plain sum can miss it
 * by an ulp (7 × 0.1 / 7 ≠ 0.1), and two constant runs would then differ by
 * a rounding error with zero spread: t = ±∞ and p = 0, a change point in a
 * constant series. The second pass gives the spread about that mean.
 */
export function summarizeSegment(values: ArrayLike<number>, segment: Segment): SegmentSummary {
  const count = segment.stop - segment.start;
  if (count <= 0) throw new RangeError(`empty segment [${segment.start}, ${segment.stop})`);
  const first = values[segment.start] as number;
  let offsetSum = 0;
  for (let i = segment.start + 1; i < segment.stop; i++) offsetSum += (values[i] as number) - first;
  const mean = first + offsetSum / count;
  let squares = 0;
  for (let i = segment.start; i < segment.stop; i++) {
    const deviation = (values[i] as number) - mean;
    squares += deviation * deviation;
  }
  return { count, mean, stdDev: count >= 2 ? Math.sqrt(squares / count) : 0 };
}
