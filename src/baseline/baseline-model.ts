import type { AnomalyDetector } from '../anomaly/anomaly-detector';
import type { BaselineSignal } from './baseline-signal';
import { BASELINE_SIGNALS, SIGNAL_COUNT } from './baseline-signal';

/**
 * Builds the detector of one signal of one key. The detector is the
 * baseline model: its `expected.center` is the baseline value, its band
 * and `anomalous` edges are what the anomaly processor reports. Injected so
 * the baseline maths never depends on a particular detector (tests pass a
 * double; the processors pass createAnomalyDetector with per-signal options).
 */
export type DetectorFactory = (signal: BaselineSignal) => AnomalyDetector;

export interface BaselineModelOptions {
  /** Signals that get a detector (a baseline); the others are only rolled up. */
  readonly modelledSignals: readonly BaselineSignal[];
  readonly createDetector: DetectorFactory;
  /**
   * Trace ids kept per key per interval, for the slowest spans and for the
   * slowest failed spans (each). 0 to 10.
   * @default 3
   */
  readonly exemplars?: number;
  /**
   * Closed intervals each key remembers for evidence and inspection (the
   * detectors keep their own, longer history).
   * @default 30
   */
  readonly recentIntervals?: number;
  /**
   * Consecutive closed intervals without spans after which a key's open
   * anomalies on the signals that need spans (latency, error ratio) end.
   * Nothing is fed to those detectors for an empty interval, so without
   * this their last `anomalous` reading would stand as long as the key is
   * silent (up to idle eviction, 24 h by default). The bound mirrors the
   * detector's own clear criterion (Robust seasonal detector
   * `clearIntervals`: an anomaly ends after that many intervals back to
   * normal): after as many intervals without a single value there is no
   * evidence left that the problem persists. Throughput is fed every
   * interval (0 included) and ends on its own. ≥ 1.
   * @default 3 (the detector's default `clearIntervals`)
   */
  readonly emptyIntervalsToEndAnomaly?: number;
}

/** The robust seasonal detector's default `clearIntervals`; createBaselineEngine passes the detector's own value. */
const DEFAULT_EMPTY_INTERVALS_TO_END_ANOMALY = 3;

/** Everything about the per-key state that is decided once, shared by every key of an engine. */
export class BaselineModel {
  /** Signal indexes that get a detector, in BASELINE_SIGNALS order. */
  readonly modelled: readonly number[];
  /** modelledMask[s] is true when signal index s has a detector. */
  readonly modelledMask: readonly boolean[];
  readonly createDetector: DetectorFactory;
  readonly exemplars: number;
  readonly recentIntervals: number;
  readonly emptyIntervalsToEndAnomaly: number;
  private fingerprint: string | undefined;

  constructor(options: BaselineModelOptions) {
    const wanted = new Set(options.modelledSignals);
    const modelled: number[] = [];
    for (let s = 0; s < SIGNAL_COUNT; s++) if (wanted.has(BASELINE_SIGNALS[s] as BaselineSignal)) modelled.push(s);
    this.modelled = modelled;
    this.modelledMask = BASELINE_SIGNALS.map((_, s) => modelled.includes(s));
    this.createDetector = options.createDetector;
    this.exemplars = options.exemplars ?? 3;
    this.recentIntervals = options.recentIntervals ?? 30;
    this.emptyIntervalsToEndAnomaly = options.emptyIntervalsToEndAnomaly ?? DEFAULT_EMPTY_INTERVALS_TO_END_ANOMALY;
    if (!Number.isSafeInteger(this.emptyIntervalsToEndAnomaly) || this.emptyIntervalsToEndAnomaly < 1) {
      throw new RangeError(`emptyIntervalsToEndAnomaly must be an integer ≥ 1, got ${this.emptyIntervalsToEndAnomaly}`);
    }
  }

  /**
   * What a key's saved state depends on: the modelled signals and, per
   * signal, its detector's `stateFingerprint` (kind and options; `none` for
   * a detector without one). Keys saved under another fingerprint must not
   * be restored under this model. Exemplars, recent intervals and
   * emptyIntervalsToEndAnomaly are left out: a restore adapts to them.
   * Computed once, from one probe detector per modelled signal (built and
   * dropped: a few KB once).
   */
  stateFingerprint(): string {
    this.fingerprint ??= this.modelled
      .map((s) => {
        const signal = BASELINE_SIGNALS[s] as BaselineSignal;
        return `${signal}:${this.createDetector(signal).stateFingerprint?.() ?? 'none'}`;
      })
      .join(';');
    return this.fingerprint;
  }
}
