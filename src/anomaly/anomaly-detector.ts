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
}
