import type { BaselineKeyLabels } from './baseline-series';

/**
 * One key's baseline state and its parts as structured-clone-able data
 * (plain objects, arrays, numbers, strings, booleans, null, typed arrays;
 * all copies of the live state): what a snapshot stores so a restarted
 * process resumes the key where it was, its open interval included.
 *
 * Serialised sizes (v8.serialize: typed arrays at their byte length, every
 * property name written per object):
 * - `LatencySketchState`: 8 B per allocated bin (128 bins, 1 KiB, for the
 *   usual interval; ≤ 4 KiB at the 512-bin limit) + ≈ 150 B; null for a key
 *   without spans in the open interval;
 * - `ExemplarSetState`: 8 B per kept span + 35 B per trace id (hex) + ≈ 40 B;
 * - `RollupRingState`: 36 B per held interval + ≈ 60 B (≈ 1.1 KB for 30);
 * - `BaselineSeriesState` without its detectors: ≈ 1.9 KB with 30
 *   intervals and 3 exemplars, + the open interval's sketch; each detector
 *   adds its own (3 753 B for the robust seasonal detector with the
 *   defaults). A default key (4 modelled signals, 1-minute intervals)
 *   measured 16 939 B with an empty open interval and 18 236 B with 50
 *   spans in it, on Node 20 (test/engine/baseline-engine-state.test.ts).
 */

/**
 * An interval's latency sketch: the DDSketch's positive store exactly as
 * laid out (bins array, offset, key range, collapsed flag), so further
 * values land in the same bins and collapse the same way, plus the summary
 * statistics. slowatch never adds negative values, so there is no negative
 * store to keep.
 */
export interface LatencySketchState {
  /** Every allocated bin (`bins.length` is the store's allocated length). */
  readonly bins: Float64Array;
  readonly offset: number;
  /** +Infinity / −Infinity when no positive value was stored yet. */
  readonly minKey: number;
  readonly maxKey: number;
  readonly storeCount: number;
  readonly collapsed: boolean;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** The k slowest spans of an interval, in the set's slot order. */
export interface ExemplarSetState {
  readonly durations: Float64Array;
  /** Lower-case hex trace ids, one per duration. */
  readonly traceIds: readonly string[];
}

/** The recent closed intervals, oldest first (at most the ring's length). */
export interface RollupRingState {
  readonly endMs: Float64Array;
  readonly counts: Uint32Array;
  /** SIGNAL_COUNT values per interval, in BASELINE_SIGNALS order (NaN: none). */
  readonly values: Float32Array;
}

/** One key: its open interval, its last closed interval, its readings and its detectors. */
export interface BaselineSeriesState {
  readonly labels: BaselineKeyLabels;
  readonly overflow: boolean;
  /** The interval being accumulated. */
  readonly openCount: number;
  readonly openErrors: number;
  readonly openSketch: LatencySketchState | null;
  readonly openSlowest: ExemplarSetState;
  readonly openSlowestFailed: ExemplarSetState;
  /** The last closed interval: its span count, end, evidence exemplars. */
  readonly closedCount: number;
  readonly closedEndMs: number;
  readonly closedSlowest: ExemplarSetState;
  readonly closedSlowestFailed: ExemplarSetState;
  /** SIGNAL_COUNT observed values; 4 × SIGNAL_COUNT readings (score, low, center, high); SIGNAL_COUNT flag bytes. */
  readonly observed: Float64Array;
  readonly readings: Float64Array;
  readonly flags: Uint8Array;
  readonly emptyIntervals: number;
  readonly lastActiveMs: number;
  readonly ring: RollupRingState;
  /** One entry per signal in BASELINE_SIGNALS order: the detector's state, null when unmodelled or it has none. */
  readonly detectors: readonly unknown[];
}
