import type { WindowNoveltyTestState } from './detector-state';
import { malformed, readRecord } from '../slo/snapshot-reader';
import { readIntegerIn, readReal, readTypedArray } from './state-reader';

/** Number of equal-width bins the observed range is cut into. */
const BINS = 5;
/**
 * Acceptance threshold of the multinomial goodness-of-fit test: the 0.99
 * quantile of χ² with `BINS − 1` = 4 degrees of freedom. Under the
 * hypothesis that a window of W values was drawn from a stored histogram q,
 * 2·W·KL(p̂ ‖ q) is asymptotically χ²(BINS − 1) (Wang et al. 2011).
 */
const CHI2_099_DF4 = 13.276_704_135_987_6;
/**
 * Largest window: stored bin counts are bytes (≤ 255), and 128 keeps the
 * largest detector within its memory budget.
 */
export const MAX_NOVELTY_WINDOW = 128;

/**
 * Is the recent distribution of a series one it has shown before?
 *
 * The relative-entropy test of Wang, Viswanathan, Choudur, Talwar, Smith &
 * Schwan, "Statistical techniques for online anomaly detection in data
 * centers" (IFIP/IEEE IM 2011, Figure 1), with a bounded memory: the last
 * `windowSize` values are quantised into 5 equal-width bins over the range
 * of every value pushed so far, and the window's histogram p̂ is compared
 * with each stored histogram q by the G statistic 2·W·KL(p̂ ‖ q) (a
 * multinomial goodness-of-fit test). The window is *novel* when every stored
 * histogram is rejected at the 1 % level (G ≥ 13.28, χ² with 4 degrees of
 * freedom; a bin empty in q but not in p̂ rejects q outright).
 *
 * The caller decides which windows become hypotheses (`remember`): the
 * detector stores only windows seen at an out-of-band value, so the set
 * describes the kinds of excursion the series has already shown. At most
 * `maxHypotheses` are kept; when full, the least recently matched one is
 * replaced.
 *
 * The bins follow the observed range (minimum and maximum of everything
 * pushed), not a range known in advance: the test is causal. Stored
 * histograms keep the bin edges of their time; a range that keeps growing
 * makes old ones match less, which errs toward novelty, and the caller's
 * gate (an out-of-band value) bounds what novelty can do.
 *
 * Memory: window ring 4 × windowSize B (single precision: ample for a
 * 5-bin histogram) + histograms 5 × maxHypotheses B + last-match stamps
 * 4 × maxHypotheses B + the current histogram 5 B (52 values, 32
 * hypotheses: 208 + 160 + 128 + 5 = 501 B).
 */
export class WindowNoveltyTest {
  /** Typed-array payload (fixed at construction). */
  readonly bytes: number;

  private readonly window: Float32Array;
  private next = 0;
  private fill = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  /** Bin counts of the stored histograms, `BINS` bytes each. */
  private readonly hypotheses: Uint8Array;
  /** Stamp (windows tested so far) at which each hypothesis last matched or was stored. */
  private readonly lastMatched: Uint32Array;
  private stored = 0;
  private stamp = 0;
  /** Histogram of the window at the last `isNovel` call (what `remember` stores). */
  private readonly current = new Uint8Array(BINS);

  constructor(windowSize: number, maxHypotheses: number) {
    if (!(Number.isInteger(windowSize) && windowSize >= BINS && windowSize <= MAX_NOVELTY_WINDOW)) {
      throw new RangeError(`window novelty test: windowSize must be an integer in [${BINS}, ${MAX_NOVELTY_WINDOW}], got ${windowSize}`);
    }
    if (!(Number.isInteger(maxHypotheses) && maxHypotheses >= 1)) {
      throw new RangeError(`window novelty test: maxHypotheses must be a positive integer, got ${maxHypotheses}`);
    }
    this.window = new Float32Array(windowSize);
    this.hypotheses = new Uint8Array(BINS * maxHypotheses);
    this.lastMatched = new Uint32Array(maxHypotheses);
    this.bytes = this.window.byteLength + this.hypotheses.byteLength + this.lastMatched.byteLength + this.current.byteLength;
  }

  /** Number of histograms stored so far (at most `maxHypotheses`). */
  get hypothesisCount(): number {
    return this.stored;
  }

  /** True once `windowSize` values have been pushed. */
  get full(): boolean {
    return this.fill === this.window.length;
  }

  /** Adds a value to the window and to the observed range. */
  push(value: number): void {
    this.window[this.next] = value;
    this.next = (this.next + 1) % this.window.length;
    this.fill = Math.min(this.fill + 1, this.window.length);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /**
   * Whether the current window matches no stored histogram. A matching
   * hypothesis is marked as recently used. False while the window is not
   * full or the observed range is empty (a constant series).
   */
  isNovel(): boolean {
    if (!this.full || !(this.max > this.min)) return false;
    this.histogram();
    this.stamp++;
    let best = -1;
    let bestG = CHI2_099_DF4;
    for (let h = 0; h < this.stored; h++) {
      const g = this.gStatistic(h);
      if (g < bestG) {
        bestG = g;
        best = h;
      }
    }
    if (best < 0) return true;
    this.lastMatched[best] = this.stamp;
    return false;
  }

  /** Stores the histogram of the last `isNovel` call, replacing the least recently matched one when full. */
  remember(): void {
    let slot = this.stored;
    if (slot === this.lastMatched.length) {
      slot = 0;
      for (let h = 1; h < this.stored; h++) if ((this.lastMatched[h] ?? 0) < (this.lastMatched[slot] ?? 0)) slot = h;
    } else {
      this.stored++;
    }
    this.hypotheses.set(this.current, slot * BINS);
    this.lastMatched[slot] = this.stamp;
  }

  /** Copies of the whole test state (see WindowNoveltyTestState). */
  exportState(): WindowNoveltyTestState {
    return {
      window: this.window.slice(),
      next: this.next,
      fill: this.fill,
      min: this.min,
      max: this.max,
      hypotheses: this.hypotheses.slice(),
      lastMatched: this.lastMatched.slice(),
      stored: this.stored,
      stamp: this.stamp,
      current: this.current.slice(),
    };
  }

  /**
   * Checks that `state` fits this test (same window size and hypothesis
   * count); throws a TypeError naming the field (under `path`) otherwise.
   * Changes nothing.
   */
  checkState(state: unknown, path: string): WindowNoveltyTestState {
    const record = readRecord(state, path);
    const size = this.window.length;
    const slots = this.lastMatched.length;
    const min = readReal(record, 'min', path);
    const max = readReal(record, 'max', path);
    if (Number.isNaN(min)) malformed(`${path}.min`, 'a number or ±Infinity', min);
    if (Number.isNaN(max)) malformed(`${path}.max`, 'a number or ±Infinity', max);
    return {
      window: readTypedArray(record, 'window', path, 'Float32Array', size),
      next: readIntegerIn(record, 'next', path, 0, size - 1),
      fill: readIntegerIn(record, 'fill', path, 0, size),
      min,
      max,
      hypotheses: readTypedArray(record, 'hypotheses', path, 'Uint8Array', BINS * slots),
      lastMatched: readTypedArray(record, 'lastMatched', path, 'Uint32Array', slots),
      stored: readIntegerIn(record, 'stored', path, 0, slots),
      stamp: readIntegerIn(record, 'stamp', path, 0, 0xffffffff),
      current: readTypedArray(record, 'current', path, 'Uint8Array', BINS),
    };
  }

  /** Takes over a state `checkState` accepted (copied, never aliased). */
  applyState(state: WindowNoveltyTestState): void {
    this.window.set(state.window);
    this.next = state.next;
    this.fill = state.fill;
    this.min = state.min;
    this.max = state.max;
    this.hypotheses.set(state.hypotheses);
    this.lastMatched.set(state.lastMatched);
    this.stored = state.stored;
    this.stamp = state.stamp;
    this.current.set(state.current);
  }

  /** checkState then applyState: all or nothing. */
  restoreState(state: unknown, path = 'novelty'): void {
    this.applyState(this.checkState(state, path));
  }

  private histogram(): void {
    const counts = this.current;
    counts.fill(0);
    const width = (this.max - this.min) / BINS;
    for (let i = 0; i < this.window.length; i++) {
      // Clamped both ways: a value rounded to single precision may fall just outside [min, max].
      const bin = Math.max(0, Math.min(BINS - 1, Math.floor(((this.window[i] ?? 0) - this.min) / width)));
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
  }

  /**
   * G = 2·Σ n_b ln(n_b / m_b) = 2·W·KL(p̂ ‖ q): both histograms hold W
   * values, so the ratio of counts is the ratio of frequencies.
   */
  private gStatistic(hypothesis: number): number {
    let g = 0;
    const base = hypothesis * BINS;
    for (let b = 0; b < BINS; b++) {
      const n = this.current[b] ?? 0;
      if (n === 0) continue;
      const m = this.hypotheses[base + b] ?? 0;
      if (m === 0) return Number.POSITIVE_INFINITY;
      g += n * Math.log(n / m);
    }
    return 2 * g;
  }
}
