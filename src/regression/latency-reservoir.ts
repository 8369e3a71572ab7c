import type { UniformRandom } from '../stats/mann-whitney/seeded-random';

/** The array a reservoir starts with; it doubles up to its capacity, so quiet keys stay small. */
const INITIAL_LENGTH = 16;

/**
 * A uniform random sample of at most `capacity` latencies out of every one
 * offered: Vitter's Algorithm R (J. S. Vitter, "Random sampling with a
 * reservoir", ACM TOMS 11(1), 1985). The first `capacity` values are kept;
 * the n-th value after that replaces a random slot with probability
 * capacity / n, so each of the n values seen is held with the same
 * probability capacity / n.
 *
 * O(1) per value and allocation-free once grown: values live in a
 * Float32Array (4 bytes each, 7 significant digits, plenty for latencies),
 * grown by doubling from 16 to `capacity` while the reservoir fills. The
 * random source is injected, so tests are reproducible.
 *
 * Invariant: size = min(seen, capacity) <= values.length <= capacity.
 */
export class LatencyReservoir {
  private values: Float32Array;
  private held = 0;
  private offered = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`reservoir capacity must be an integer >= 1, got ${capacity}`);
    this.values = new Float32Array(Math.min(INITIAL_LENGTH, capacity));
  }

  /** Values held, at most `capacity`. */
  get size(): number {
    return this.held;
  }

  /** Values offered since the last clear. */
  get seen(): number {
    return this.offered;
  }

  /** Bytes of sample storage currently allocated (the array only). */
  get allocatedBytes(): number {
    return this.values.byteLength;
  }

  add(value: number, random: UniformRandom): void {
    const seen = ++this.offered;
    if (this.held < this.capacity) {
      if (this.held === this.values.length) this.grow();
      this.values[this.held++] = value;
      return;
    }
    // A slot in [0, seen): the new value stays with probability capacity / seen.
    const slot = Math.floor(random() * seen);
    if (slot < this.capacity) this.values[slot] = value;
  }

  /** Forgets every value; keeps the array for reuse. */
  clear(): void {
    this.held = 0;
    this.offered = 0;
  }

  /** Appends the held values to `target` and returns their sum (for means without a second pass). */
  appendTo(target: number[]): number {
    let sum = 0;
    for (let i = 0; i < this.held; i++) {
      const value = this.values[i] as number;
      target.push(value);
      sum += value;
    }
    return sum;
  }

  private grow(): void {
    const grown = new Float32Array(Math.min(this.capacity, this.values.length * 2));
    grown.set(this.values);
    this.values = grown;
  }
}
