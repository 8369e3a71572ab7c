/**
 * The learned state of the robust seasonal detector and its parts, as
 * structured-clone-able data (plain objects, numbers, booleans, null and
 * typed arrays, all copies): what a snapshot stores so that a restarted
 * process continues each series without a new warm-up. Numbers may be NaN
 * or ±Infinity where the live field may (times not seen yet).
 *
 * Serialised sizes (v8.serialize; typed arrays at their byte length, each
 * property name written once per object, ≈ 10–25 B per number field):
 * - `SeasonalProfileState`: 8 × slots + ≈ 60 B (≈ 830 B daily, ≈ 1.4 KB weekly);
 * - `WindowNoveltyTestState`: 4 × window + 9 × hypotheses + ≈ 150 B (≈ 650 B for 52 values, 32 hypotheses);
 * - `RobustSeasonalDetectorState` with the defaults (daily + weekly profiles,
 *   time-of-day spread, no novelty test, warm-up done): 2 920 B of arrays
 *   + ≈ 830 B of field names and numbers; 3 753 B measured on Node 20 with
 *   the processors' latency options
 *   (test/anomaly/robust-seasonal-detector-state.test.ts); + ≈ 650 B with
 *   the novelty test.
 */

/** One `SeasonalProfile`: its per-slot offsets and weights (`slots` entries each). */
export interface SeasonalProfileState {
  readonly offsets: Float32Array;
  readonly weights: Float32Array;
}

/** One `WindowNoveltyTest`: its window ring, observed range and stored histograms. */
export interface WindowNoveltyTestState {
  /** The window ring as it is (`windowSize` entries), with its write position and fill. */
  readonly window: Float32Array;
  readonly next: number;
  readonly fill: number;
  /** Observed range: +Infinity / −Infinity before the first value. */
  readonly min: number;
  readonly max: number;
  /** 5 bin counts per hypothesis slot (`maxHypotheses` slots), the first `stored` in use. */
  readonly hypotheses: Uint8Array;
  readonly lastMatched: Uint32Array;
  readonly stored: number;
  readonly stamp: number;
  /** The histogram of the last test (what `remember` would store). */
  readonly current: Uint8Array;
}

/** The `kind` tag of a robust seasonal detector's state. */
export const ROBUST_SEASONAL_STATE_KIND = 'robust-seasonal';

/** One `RobustSeasonalDetector` (see its class comment for what each field means). */
export interface RobustSeasonalDetectorState {
  readonly kind: typeof ROBUST_SEASONAL_STATE_KIND;
  readonly logClamp: number;
  /** Warm-up values; empty once the warm-up is over (never read again). */
  readonly warmupSample: Float64Array;
  readonly warmupSeen: number;
  readonly firstTimeMs: number;
  readonly lastTimeMs: number;
  readonly ready: boolean;
  readonly readyTimeMs: number;
  readonly level: number;
  readonly levelWeight: number;
  readonly anchor: number;
  readonly anchorWeight: number;
  readonly meanAbs: number;
  readonly spreadWeight: number;
  readonly gainPlain: number;
  readonly gainDaily: number;
  readonly gainWeekly: number;
  readonly gainWeight: number;
  readonly rawAbs: number;
  readonly dailyGainWeight: number;
  readonly weeklyGainWeight: number;
  /** 0 level only, 1 + daily, 2 + weekly. */
  readonly model: number;
  /** null when the detector has no such profile (seasonality off). */
  readonly daily: SeasonalProfileState | null;
  readonly dailySpread: SeasonalProfileState | null;
  readonly weekly: SeasonalProfileState | null;
  readonly lastDailySlot: number;
  /** The residual ring as it is (`sustainIntervals` entries). */
  readonly recent: Float64Array;
  readonly recentNext: number;
  readonly recentFill: number;
  readonly novelty: WindowNoveltyTestState | null;
  readonly pointTail: number;
  readonly sustainedTail: number;
  readonly longMeanZ: number;
  readonly longTail: number;
  readonly tailCount: number;
  readonly residualSq: number;
  readonly residualSqCount: number;
  readonly typicalCount: number;
  readonly anomalous: boolean;
  readonly anomalyStartMs: number;
  readonly inBandRun: number;
  readonly anomalyValues: number;
}
