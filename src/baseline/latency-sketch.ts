import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import type { LatencySketchState } from './baseline-state';
import { fieldPath, malformed, readBoolean, readCount, readRecord } from '../slo/snapshot-reader';
import { readReal, readTypedArray } from '../anomaly/state-reader';

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
 * The fields of the library's CollapsingLowestDenseStore that make up its
 * contents (public in its typings; `isCollapsed` on the collapsing store).
 * The library's own protobuf encoding (`toProto` / `fromProto`) is not used
 * for snapshots: `fromProto` rebuilds a plain, non-collapsing DDSketch and
 * drops min and max, so a restored sketch would behave differently.
 */
interface DenseStoreLayout {
  bins: number[];
  offset: number;
  minKey: number;
  maxKey: number;
  count: number;
  isCollapsed: boolean;
}

/** A bin key (an integer), or the ±Infinity an empty store holds. */
function isKeyOrUnset(key: number): boolean {
  return Number.isInteger(key) || key === Number.POSITIVE_INFINITY || key === Number.NEGATIVE_INFINITY;
}

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

  /**
   * The sketch's contents as copies (see LatencySketchState); null when it
   * holds nothing (a quiet interval keeps no bins, nor does its state).
   */
  exportState(): LatencySketchState | null {
    const sketch = this.sketch;
    if (sketch === undefined) return null;
    const store = sketch.store as unknown as DenseStoreLayout;
    return {
      bins: Float64Array.from(store.bins),
      offset: store.offset,
      minKey: store.minKey,
      maxKey: store.maxKey,
      storeCount: store.count,
      collapsed: store.isCollapsed,
      zeroCount: sketch.zeroCount,
      count: sketch.count,
      sum: sketch.sum,
      min: sketch.min,
      max: sketch.max,
    };
  }

  /** Checks a state (or null) without changing anything; throws a TypeError naming the field under `path`. */
  checkState(state: unknown, path: string): LatencySketchState | null {
    if (state === null) return null;
    const record = readRecord(state, path);
    const bins = readTypedArray(record, 'bins', path, 'Float64Array', { max: LATENCY_BIN_LIMIT });
    for (let i = 0; i < bins.length; i++) {
      if (!((bins[i] as number) >= 0 && (bins[i] as number) < Number.POSITIVE_INFINITY)) malformed(`${fieldPath(path, 'bins')}[${i}]`, 'a count >= 0', bins[i]);
    }
    const key = (name: string): number => {
      const value = readReal(record, name, path);
      if (!isKeyOrUnset(value)) malformed(fieldPath(path, name), 'an integer bin key or ±Infinity', value);
      return value;
    };
    const offset = readReal(record, 'offset', path);
    if (!Number.isInteger(offset)) malformed(fieldPath(path, 'offset'), 'an integer', offset);
    return {
      bins,
      offset,
      minKey: key('minKey'),
      maxKey: key('maxKey'),
      storeCount: readCount(record, 'storeCount', path),
      collapsed: readBoolean(record, 'collapsed', path),
      zeroCount: readCount(record, 'zeroCount', path),
      count: readCount(record, 'count', path),
      sum: readReal(record, 'sum', path),
      min: readReal(record, 'min', path),
      max: readReal(record, 'max', path),
    };
  }

  /** Takes over a checked state (null empties the sketch). The bins are copied. */
  applyState(state: LatencySketchState | null): void {
    if (state === null) {
      this.sketch = undefined;
      return;
    }
    this.sketch = undefined;
    const sketch = this.bins();
    const store = sketch.store as unknown as DenseStoreLayout;
    store.bins = Array.from(state.bins);
    store.offset = state.offset;
    store.minKey = state.minKey;
    store.maxKey = state.maxKey;
    store.count = state.storeCount;
    store.isCollapsed = state.collapsed;
    sketch.zeroCount = state.zeroCount;
    sketch.count = state.count;
    sketch.sum = state.sum;
    sketch.min = state.min;
    sketch.max = state.max;
  }

  /** checkState then applyState: all or nothing. */
  restoreState(state: unknown, path = 'sketch'): void {
    this.applyState(this.checkState(state, path));
  }
}
