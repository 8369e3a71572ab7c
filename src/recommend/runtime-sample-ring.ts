/**
 * A bounded, time-ordered window of `(timeMs, value)` samples for the runtime
 * signal detectors (runtime-signals.ts): two preallocated Float64Array rings.
 *
 * Invariants: times are non-decreasing from the oldest to the newest sample
 * (`push` refuses a sample older than the newest one: a late or replayed
 * export must not reorder the window); when full, a push overwrites the
 * oldest sample, so the window then covers less time than asked and the
 * detectors report the span they actually saw.
 *
 * Memory: 16 bytes per slot (two float64), preallocated, plus a few fields;
 * `stateBytes` gives the figure. Pure: no clock, time is the caller's.
 */
export class RuntimeSampleRing {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  /** Slot of the oldest sample. */
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`RuntimeSampleRing capacity must be an integer ≥ 2, got ${capacity}`);
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the rings (the object's few scalar fields aside). */
  get stateBytes(): number {
    return this.times.byteLength + this.values.byteLength;
  }

  /** Time of the newest sample; -Infinity when empty. */
  get newestTimeMs(): number {
    return this.count === 0 ? -Infinity : this.timeAt(this.count - 1);
  }

  /**
   * Appends a sample, overwriting the oldest when full. Returns false (and
   * keeps nothing) for a non-finite time or value, or a time before the newest sample's.
   */
  push(timeMs: number, value: number): boolean {
    if (!Number.isFinite(timeMs) || !Number.isFinite(value) || timeMs < this.newestTimeMs) return false;
    let slot = this.head + this.count;
    if (slot >= this.capacity) slot -= this.capacity;
    this.times[slot] = timeMs;
    this.values[slot] = value;
    if (this.count < this.capacity) this.count++;
    else this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    return true;
  }

  /** Forgets the samples older than `cutoffMs` (time < cutoff). */
  dropOlderThan(cutoffMs: number): void {
    while (this.count > 0 && (this.times[this.head] ?? 0) < cutoffMs) {
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
      this.count--;
    }
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Time of the i-th sample, 0 = oldest. */
  timeAt(index: number): number {
    return this.times[this.slotOf(index)] ?? NaN;
  }

  /** Value of the i-th sample, 0 = oldest. */
  valueAt(index: number): number {
    return this.values[this.slotOf(index)] ?? NaN;
  }

  /** Index (0 = oldest) of the first sample at or after `timeMs`; `size` when none. Binary search: times are sorted. */
  firstIndexAtOrAfter(timeMs: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.timeAt(mid) < timeMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index one past the last sample at or before `timeMs`. */
  endIndexAtOrBefore(timeMs: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.timeAt(mid) <= timeMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private slotOf(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`RuntimeSampleRing index ${index} out of [0, ${this.count})`);
    const slot = this.head + index;
    return slot >= this.capacity ? slot - this.capacity : slot;
  }
}
