import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/**
 * Relative accuracy of every latency quantile slowatch reports: a quantile
 * read from the sketch is within ±1 % of the true value of that rank
 * (DDSketch, Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable
 * quantile sketch with relative-error guarantees", VLDB 2019).
 */
export const LATENCY_RELATIVE_ACCURACY = 0.01;

/**
 * Bins one interval's sketch may hold. At α = 1 % consecutive bins are
 * 2 % apart, so 512 bins cover a ratio of 1.0202^512 ≈ 27 000 between the
 * slowest span and the fastest one still told apart (e.g. 1.1 ms to 30 s);
 * faster spans are collapsed into the lowest bin, which only blurs the very
 * bottom of the distribution, never the tail quantiles that matter here.
 * The bins are a plain JS array of small integers: at most 512 × 8 B = 4 KiB.
 */
export const LATENCY_BIN_LIMIT = 512;

/** Upper bound on the bytes one sketch's bins take (plus about 300 B of objects around them). */
export const LATENCY_SKETCH_MAX_BIN_BYTES = LATENCY_BIN_LIMIT * 8;

/**
 * The latency distribution of one key over one interval, in milliseconds.
 *
 * A thin wrapper over @datadog/sketches-js that decides the sketch's
 * parameters once and creates the sketch on the first value, so a key that
 * stays quiet for an interval holds no bins at all. `reset()` drops it: the
 * library has no clear(), and a fresh sketch per active interval is cheaper
 * than re-centring the old bins.
 */
export class LatencySketch {
  private sketch: LogCollapsingLowestDenseDDSketch | undefined;

  /** Values accepted since the last reset. */
  get count(): number {
    return this.sketch === undefined ? 0 : this.sketch.count;
  }

  /** Adds one duration (ms). Negative and NaN durations count as 0: a clock step backwards is not a latency. */
  add(durationMs: number): void {
    this.bins().accept(durationMs > 0 ? durationMs : 0);
  }

  /**
   * Adds every value `other` holds, e.g. to read quantiles over several
   * intervals. DDSketches with the same parameters merge without losing
   * accuracy (the bins simply add up).
   */
  merge(other: LatencySketch): void {
    if (other.sketch !== undefined) this.bins().merge(other.sketch);
  }

  private bins(): LogCollapsingLowestDenseDDSketch {
    this.sketch ??= new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: LATENCY_RELATIVE_ACCURACY, binLimit: LATENCY_BIN_LIMIT });
    return this.sketch;
  }

  /** The value at quantile q (0..1), NaN when empty. O(bins). */
  quantile(q: number): number {
    return this.sketch === undefined ? Number.NaN : this.sketch.getValueAtQuantile(q);
  }

  /** Largest value accepted, NaN when empty (exact, not sketched). */
  get max(): number {
    return this.sketch === undefined || this.sketch.count === 0 ? Number.NaN : this.sketch.max;
  }

  /** Forgets every value. */
  reset(): void {
    this.sketch = undefined;
  }
}
