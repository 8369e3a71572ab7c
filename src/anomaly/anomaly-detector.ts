/**
 * The band a detector expects the next value in: `center` is the baseline
 * (robust, seasonal once enough history exists), `low`..`high` the range it
 * considers normal.
 */
export interface ExpectedBand {
  readonly low: number;
  readonly center: number;
  readonly high: number;
}

/** What a detector makes of one value. */
export interface AnomalyReading {
  /** 0 (normal) .. 1 (certainly anomalous); meaningful even when `anomalous` is false. */
  readonly score: number;
  /**
   * True while the series is in an anomaly: the deviation is sustained or
   * extreme, large enough in absolute and relative terms, and backed by
   * enough samples. Rising edge = anomaly start, falling edge = end.
   */
  readonly anomalous: boolean;
  /** Undefined while the detector is still learning (cold start). */
  readonly expected: ExpectedBand | undefined;
}

/**
 * A streaming anomaly detector over one series. Values arrive in time
 * order; nothing looks ahead.
 */
export interface AnomalyDetector {
  /**
   * @param timeMs end of the interval the value describes (Unix ms)
   * @param value the observation (a latency quantile, an error ratio, a rate…)
   * @param count samples behind the value (spans in the interval); values
   *   backed by fewer than the detector's minimum count never open an anomaly.
   *   @default Infinity (a plain series)
   */
  update(timeMs: number, value: number, count?: number): AnomalyReading;

  /**
   * Everything `update` has learned, as structured-clone-able data (plain
   * objects, arrays, numbers, booleans, null, typed arrays; copies, never
   * views on the live state), for snapshots that survive a restart. A
   * detector without it starts cold after a restart.
   */
  exportState?(): unknown;

  /**
   * Continues from a state `exportState` of a detector with the same
   * options returned (after any structured clone): the next `update` then
   * behaves exactly as the exporting detector's next `update` would.
   * Validates before changing anything: a malformed state throws a TypeError
   * naming the field (prefixed with `path`, where the state sits in a larger
   * snapshot) and leaves the detector as it was.
   */
  restoreState?(state: unknown, path?: string): void;

  /**
   * Identifies what the state depends on (the detector's kind and options):
   * a state exported by a detector with another fingerprint must not be
   * restored into this one. Two detectors with equal fingerprints accept
   * each other's states.
   */
  stateFingerprint?(): string;
}
