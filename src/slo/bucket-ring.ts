import { MAX_TIME_MS } from './durations';
import type { BucketRingSnapshot } from './bucket-ring-snapshot';

/** Where `BucketRing.sum` writes its result; owned by the caller so reads allocate nothing. */
export interface CountSums {
  total: number;
  bad: number;
}

/**
 * A circular array of fixed-width time buckets, each counting `total` and
 * `bad` events: the building block of every sliding window in slowatch.
 *
 * Buckets are aligned to the epoch: an event at `t` goes into bucket number
 * `floor(t / resolutionMs)`, stored at slot `bucket % length`. The ring
 * remembers the newest bucket number it has seen; moving to a newer bucket
 * zeroes the slots skipped over (at most `length` of them, so the clearing
 * work is bounded and amortises to O(1) per bucket of elapsed time). The ring
 * therefore holds exactly the `length` buckets ending with the newest one;
 * anything older is gone.
 *
 * Why buckets and not a precise sliding window: the SRE Workbook's alerting
 * rules (ch. 5 "Alerting on SLOs") are evaluated over Prometheus range
 * windows which are themselves sampled; a bucketed window whose edge moves by
 * one resolution step is the usual memory/precision trade and keeps `add`
 * allocation-free and O(1).
 *
 * Memory: two Float64Arrays of `length` entries, i.e. `bytes = 16 × length`
 * (5 760 B for the 360 one-minute buckets that serve the 5m..6h windows).
 * Counts are stored as doubles, so they stay exact up to 2^53 per bucket.
 */
export class BucketRing {
  /** Width of one bucket in milliseconds. */
  readonly resolutionMs: number;
  /** Number of buckets kept; the ring covers `length × resolutionMs` of history. */
  readonly length: number;
  /** Typed-array payload held: `16 × length`. */
  readonly bytes: number;

  private readonly totals: Float64Array;
  private readonly bads: Float64Array;
  /** Bucket number of the newest bucket, -1 while nothing was added. */
  private newest = -1;

  /**
   * @param resolutionMs bucket width, a positive whole number of milliseconds.
   * @param length number of buckets, a positive integer.
   * @throws RangeError on any other value.
   */
  constructor(resolutionMs: number, length: number) {
    if (!Number.isSafeInteger(resolutionMs) || resolutionMs <= 0) {
      throw new RangeError(`BucketRing resolutionMs must be a positive integer, got ${resolutionMs}`);
    }
    if (!Number.isSafeInteger(length) || length <= 0 || length > 1 << 24) {
      throw new RangeError(`BucketRing length must be an integer in [1, 2^24], got ${length}`);
    }
    this.resolutionMs = resolutionMs;
    this.length = length;
    this.totals = new Float64Array(length);
    this.bads = new Float64Array(length);
    this.bytes = this.totals.byteLength + this.bads.byteLength;
  }

  /**
   * Adds `total` events of which `bad` are bad to the bucket holding `timeMs`.
   *
   * A newer bucket advances the ring (clearing what it skips); an older bucket
   * still inside the ring gets the counts in place (late spans, e.g. from a
   * gateway); a bucket older than the ring covers is dropped.
   *
   * O(1) amortised, allocation-free, never throws.
   *
   * @returns false, changing nothing, when the time is NaN, negative, beyond
   *   `MAX_TIME_MS` or too old, or the counts are not finite with 0 ≤ bad ≤ total.
   */
  add(timeMs: number, total: number, bad: number): boolean {
    if (!(timeMs >= 0 && timeMs <= MAX_TIME_MS)) return false;
    if (!(bad >= 0 && bad <= total && total < Infinity)) return false;
    const bucket = Math.floor(timeMs / this.resolutionMs);
    const newest = this.newest;
    if (bucket > newest) {
      this.clearAfter(newest, bucket);
      this.newest = bucket;
    } else if (bucket <= newest - this.length) {
      return false;
    }
    const slot = bucket % this.length;
    this.totals[slot] = (this.totals[slot] ?? 0) + total;
    this.bads[slot] = (this.bads[slot] ?? 0) + bad;
    return true;
  }

  /**
   * Writes into `out` the sums over the `bucketCount` most recent buckets
   * ending with, and including, the bucket that holds `nowMs`. That last
   * bucket is usually partial (it only holds events up to now), so the sum
   * covers between `(bucketCount − 1) × resolutionMs` and
   * `bucketCount × resolutionMs` of history.
   *
   * `nowMs` may lie after the newest `add` (the buckets in between are empty
   * and, if `nowMs` is far ahead, the result is 0) or before it (the window
   * then ends in the past; buckets the ring no longer holds count as empty).
   * `bucketCount` is capped at `length`. Allocation-free; O(bucketCount).
   */
  sum(nowMs: number, bucketCount: number, out: CountSums): void {
    out.total = 0;
    out.bad = 0;
    if (!(nowMs >= 0 && nowMs <= MAX_TIME_MS)) return;
    const count = Math.min(Math.floor(bucketCount), this.length);
    if (!(count > 0)) return;
    const nowBucket = Math.floor(nowMs / this.resolutionMs);
    const newest = this.newest;
    const oldestHeld = newest - this.length + 1;
    const first = Math.max(nowBucket - count + 1, oldestHeld, 0);
    const last = Math.min(nowBucket, newest);
    let total = 0;
    let bad = 0;
    for (let bucket = first; bucket <= last; bucket++) {
      const slot = bucket % this.length;
      total += this.totals[slot] ?? 0;
      bad += this.bads[slot] ?? 0;
    }
    out.total = total;
    out.bad = bad;
  }

  /**
   * The ring's contents, copied: later `add`s do not change the snapshot.
   * Allocates `bytes` (16 × length) for the copies.
   */
  exportState(): BucketRingSnapshot {
    return {
      resolutionMs: this.resolutionMs,
      length: this.length,
      newest: this.newest,
      totals: this.totals.slice(),
      bads: this.bads.slice(),
    };
  }

  /**
   * Why `snapshot` cannot be restored into this ring (its resolution or
   * length differs), or undefined when it can. The snapshot is assumed
   * well-formed (`parseBucketRingSnapshot`).
   */
  stateMismatch(snapshot: BucketRingSnapshot): string | undefined {
    if (snapshot.resolutionMs !== this.resolutionMs || snapshot.length !== this.length) {
      return (
        `bucket ring of ${snapshot.length} × ${snapshot.resolutionMs} ms saved, ` +
        `${this.length} × ${this.resolutionMs} ms expected`
      );
    }
    if (snapshot.totals.length !== this.length || snapshot.bads.length !== this.length) {
      return `bucket ring arrays of ${snapshot.totals.length} and ${snapshot.bads.length} entries saved, ${this.length} expected`;
    }
    return undefined;
  }

  /**
   * Replaces the contents with the snapshot's (copied), so the ring answers
   * exactly as the exported one did. The snapshot is assumed well-formed
   * (`parseBucketRingSnapshot`).
   *
   * @throws RangeError, changing nothing, when `stateMismatch` finds a reason.
   */
  restoreState(snapshot: BucketRingSnapshot): void {
    const mismatch = this.stateMismatch(snapshot);
    if (mismatch !== undefined) throw new RangeError(mismatch);
    this.totals.set(snapshot.totals);
    this.bads.set(snapshot.bads);
    this.newest = snapshot.newest;
  }

  /** Forgets everything, as if freshly constructed. */
  reset(): void {
    this.totals.fill(0);
    this.bads.fill(0);
    this.newest = -1;
  }

  /** Zeroes the slots of buckets `from + 1 .. to` (at most the whole ring). */
  private clearAfter(from: number, to: number): void {
    if (to - from >= this.length) {
      this.totals.fill(0);
      this.bads.fill(0);
      return;
    }
    for (let bucket = from + 1; bucket <= to; bucket++) {
      const slot = bucket % this.length;
      this.totals[slot] = 0;
      this.bads[slot] = 0;
    }
  }
}
