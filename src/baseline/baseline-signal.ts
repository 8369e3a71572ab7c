/**
 * The per-interval signals a baseline key rolls up, and what each one means.
 *
 * Every closed interval yields one value per signal:
 * - `latency_p50` … `latency_p99`: span duration quantiles in milliseconds,
 *   read from the interval's DDSketch (relative error ≤ 1 %);
 * - `error_ratio`: bad spans / spans (bad as the availability SLI decides:
 *   status ERROR, or a server span answered 5xx), 0..1;
 * - `throughput`: spans per second over the interval.
 *
 * The order here is the order of every per-signal array in the baseline state
 * (readings, detectors), so a signal is an index on the hot paths, never a
 * string lookup.
 */
export const BASELINE_SIGNALS = ['latency_p50', 'latency_p90', 'latency_p95', 'latency_p99', 'error_ratio', 'throughput'] as const;

export type BaselineSignal = (typeof BASELINE_SIGNALS)[number];

/** Index of each signal in BASELINE_SIGNALS. */
export const SignalIndex = {
  latency_p50: 0,
  latency_p90: 1,
  latency_p95: 2,
  latency_p99: 3,
  error_ratio: 4,
  throughput: 5,
} as const satisfies Record<BaselineSignal, number>;

export const SIGNAL_COUNT = BASELINE_SIGNALS.length;

/** The unit a signal's values (observed, expected band) are in. */
export type SignalUnit = 'ms' | 'ratio' | 'spans/s';

export interface SignalInfo {
  readonly signal: BaselineSignal;
  readonly unit: SignalUnit;
  /** The latency quantile (0.5 …), undefined for the other signals. */
  readonly quantile: number | undefined;
  /**
   * Which deviations are anomalies: a faster or less failing operation is
   * good news, not an incident, so latency and errors only alert upwards;
   * a traffic drop is as telling as a surge (an upstream outage, a broken
   * client release), so throughput alerts both ways.
   */
  readonly direction: 'up' | 'down' | 'both';
  /**
   * Whether the value is only defined when the interval had spans. An empty
   * interval has no latency and no error ratio (nothing is fed to their
   * detectors), but its throughput is a meaningful 0.
   */
  readonly needsSpans: boolean;
}

export const SIGNAL_INFO: readonly SignalInfo[] = [
  { signal: 'latency_p50', unit: 'ms', quantile: 0.5, direction: 'up', needsSpans: true },
  { signal: 'latency_p90', unit: 'ms', quantile: 0.9, direction: 'up', needsSpans: true },
  { signal: 'latency_p95', unit: 'ms', quantile: 0.95, direction: 'up', needsSpans: true },
  { signal: 'latency_p99', unit: 'ms', quantile: 0.99, direction: 'up', needsSpans: true },
  { signal: 'error_ratio', unit: 'ratio', quantile: undefined, direction: 'up', needsSpans: true },
  { signal: 'throughput', unit: 'spans/s', quantile: undefined, direction: 'both', needsSpans: false },
];

/** The latency signals, in quantile order. */
export const LATENCY_SIGNALS: readonly BaselineSignal[] = ['latency_p50', 'latency_p90', 'latency_p95', 'latency_p99'];

export function isBaselineSignal(text: string): text is BaselineSignal {
  return (BASELINE_SIGNALS as readonly string[]).includes(text);
}

/**
 * The signals given a detector (a baseline) when the config does not say:
 * the median and the tail of latency, errors and traffic. p90 and p95 are
 * rolled up and reported as observed values, but only modelled on request:
 * each modelled signal costs one detector's memory per key.
 */
export const DEFAULT_MODELLED_SIGNALS: readonly BaselineSignal[] = ['latency_p50', 'latency_p99', 'error_ratio', 'throughput'];
