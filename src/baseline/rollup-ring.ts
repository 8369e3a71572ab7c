import type { RollupRingState } from './baseline-state';
import { readRecord } from '../slo/snapshot-reader';
import { readTypedArray } from '../anomaly/state-reader';
import { SIGNAL_COUNT } from './baseline-signal';

/**
 * The last `length` closed intervals of one key: their end time, span count
 * and the value of every signal (NaN where the interval had none, e.g. no
 * latency in an empty interval). The detectors keep the long history the
 * baseline is computed from; this short ring is what the recent past looked
 * like, for the evidence of an event ("p99 was 180, 175, 190, then 410 ms")
 * and for inspection.
 *
 * Memory: `length × (8 + 4 + 4 × SIGNAL_COUNT)` bytes of typed arrays, i.e.
 * 36 B per interval (1 080 B for the default 30). Values are float32: seven
 * significant digits are plenty for a latency or a ratio.
 */
export class RollupRing {
  readonly length: number;
  readonly bytes: number;
  private readonly endMs: Float64Array;
  private readonly counts: Uint32Array;
  private readonly values: Float32Array;
  /** Slot the next interval goes to. */
  private next = 0;
  private filled = 0;

  constructor(length: number) {
    if (!Number.isInteger(length) || length < 1 || length > 10_000) throw new RangeError(`RollupRing length must be an integer in [1, 10000], got ${length}`);
    this.length = length;
    this.endMs = new Float64Array(length);
    this.counts = new Uint32Array(length);
    this.values = new Float32Array(length * SIGNAL_COUNT);
    this.bytes = this.endMs.byteLength + this.counts.byteLength + this.values.byteLength;
  }

  /** Intervals held (≤ length). */
  get size(): number {
    return this.filled;
  }

  /**
   * Appends one closed interval.
   * @param values one value per signal, in BASELINE_SIGNALS order (NaN: none)
   */
  push(endMs: number, count: number, values: ArrayLike<number>): void {
    const slot = this.next;
    this.endMs[slot] = endMs;
    this.counts[slot] = Math.min(count, 0xffffffff);
    const base = slot * SIGNAL_COUNT;
    for (let s = 0; s < SIGNAL_COUNT; s++) this.values[base + s] = values[s] as number;
    this.next = (slot + 1) % this.length;
    if (this.filled < this.length) this.filled++;
  }

  /** Slot of the interval `age` steps back (0 = newest). */
  private slotOf(age: number): number {
    return (this.next - 1 - age + 2 * this.length) % this.length;
  }

  /** End time of the interval `age` steps back (0 = newest); NaN beyond what is held. */
  endTimeAt(age: number): number {
    return age < this.filled ? (this.endMs[this.slotOf(age)] as number) : Number.NaN;
  }

  countAt(age: number): number {
    return age < this.filled ? (this.counts[this.slotOf(age)] as number) : 0;
  }

  valueAt(age: number, signalIndex: number): number {
    return age < this.filled ? (this.values[this.slotOf(age) * SIGNAL_COUNT + signalIndex] as number) : Number.NaN;
  }

  /** The held intervals, oldest first, as copies (see RollupRingState). */
  exportState(): RollupRingState {
    const n = this.filled;
    const endMs = new Float64Array(n);
    const counts = new Uint32Array(n);
    const values = new Float32Array(n * SIGNAL_COUNT);
    for (let i = 0; i < n; i++) {
      const slot = this.slotOf(n - 1 - i);
      endMs[i] = this.endMs[slot] as number;
      counts[i] = this.counts[slot] as number;
      values.set(this.values.subarray(slot * SIGNAL_COUNT, (slot + 1) * SIGNAL_COUNT), i * SIGNAL_COUNT);
    }
    return { endMs, counts, values };
  }

  /** Checks a state without changing anything; throws a TypeError naming the field under `path`. */
  checkState(state: unknown, path: string): RollupRingState {
    const record = readRecord(state, path);
    const endMs = readTypedArray(record, 'endMs', path, 'Float64Array', { max: 10_000 });
    return {
      endMs,
      counts: readTypedArray(record, 'counts', path, 'Uint32Array', endMs.length),
      values: readTypedArray(record, 'values', path, 'Float32Array', endMs.length * SIGNAL_COUNT),
    };
  }

  /**
   * Replaces the contents by a checked state, pushed oldest first: a ring
   * of another length keeps the newest intervals that fit.
   */
  applyState(state: RollupRingState): void {
    this.next = 0;
    this.filled = 0;
    for (let i = 0; i < state.endMs.length; i++) {
      this.push(state.endMs[i] as number, state.counts[i] as number, state.values.subarray(i * SIGNAL_COUNT, (i + 1) * SIGNAL_COUNT));
    }
  }

  /** checkState then applyState: all or nothing. */
  restoreState(state: unknown, path = 'ring'): void {
    this.applyState(this.checkState(state, path));
  }

  /** The last `n` values of one signal, oldest first, with null for intervals that had none. Allocates. */
  recent(signalIndex: number, n: number): (number | null)[] {
    const take = Math.min(n, this.filled);
    const out = new Array<number | null>(take);
    for (let i = 0; i < take; i++) {
      const v = this.valueAt(take - 1 - i, signalIndex);
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  }
}
