/**
 * Two generations of running figures, the sliding-window approximation that
 * DependencyStats uses too: the window holds the current generation and the
 * previous one, so it covers between half of `windowMs` and all of it. A
 * generation is `windowMs / 2` long and numbered by `floor(now / length)`;
 * entries rotate lazily when touched, so recording is O(1) and never scans.
 */
export class GenerationClock {
  readonly generationMs: number;

  constructor(readonly windowMs: number) {
    if (!(windowMs >= 2)) throw new RangeError(`window must be at least 2 ms, got ${windowMs}`);
    this.generationMs = windowMs / 2;
  }

  generationOf(nowMs: number): number {
    return Math.floor(nowMs / this.generationMs);
  }
}

/** Counts and sums of one key over the two generations. 64 bytes of numbers plus the object header. */
export class WindowedFigures {
  private generation = Number.NEGATIVE_INFINITY;
  private currentCount = 0;
  private currentSum = 0;
  private previousCount = 0;
  private previousSum = 0;

  /** Adds one observation of `value` at generation `generation` (non-decreasing across calls, else treated as the latest). */
  add(generation: number, value: number): void {
    this.rotate(generation);
    this.currentCount++;
    this.currentSum += value;
  }

  /** Count over the window at `generation`. */
  count(generation: number): number {
    this.rotate(generation);
    return this.currentCount + this.previousCount;
  }

  /** Sum over the window at `generation`. */
  sum(generation: number): number {
    this.rotate(generation);
    return this.currentSum + this.previousSum;
  }

  private rotate(generation: number): void {
    if (generation <= this.generation) return;
    if (generation === this.generation + 1) {
      this.previousCount = this.currentCount;
      this.previousSum = this.currentSum;
    } else {
      this.previousCount = 0;
      this.previousSum = 0;
    }
    this.currentCount = 0;
    this.currentSum = 0;
    this.generation = generation;
  }
}
