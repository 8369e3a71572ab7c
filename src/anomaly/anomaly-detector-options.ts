import { MAX_NOVELTY_WINDOW } from './window-novelty-test';

/** Which deviations count: latency and error ratios alert `up` only, throughput `both`. */
export type AnomalyDirection = 'up' | 'down' | 'both';

/**
 * What a value is: a `'ratio'` of events among `count` samples (an error
 * ratio, in [0, 1]) has a known sampling noise; a `'level'` (a latency
 * quantile, a rate) does not.
 */
export type AnomalyValueKind = 'level' | 'ratio';

/**
 * The space the model lives in: `'linear'` models value = level + profiles
 * (additive), `'log'` models log(value) = level + profiles, i.e. value =
 * level × profiles (multiplicative: a +30 % shift scales the daily swing too,
 * as latency and throughput do).
 */
export type AnomalyScale = 'linear' | 'log';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How a detector built by `createAnomalyDetector` behaves. Every field is
 * optional; `resolveAnomalyDetectorOptions` is the one place the defaults are
 * filled in and the values checked. The defaults are tuned for one value per
 * minute per signal (a latency quantile, an error ratio or a throughput of one
 * operation); docs/anomaly-detection.md explains each one.
 */
export interface AnomalyDetectorOptions {
  /**
   * The nominal spacing of updates. Only used to recognise gaps (a gap longer
   * than `sustainIntervals` intervals forgets the sustained evidence); every
   * smoothing constant is time-based, so irregular spacing is fine.
   * @default 60000 (1 minute)
   */
  readonly intervalMs?: number;
  /**
   * The trailing history the level and spread represent: their exponential
   * weights put 95 % of the mass on the last `historyMs` (time constant
   * `historyMs / 3`; the spreads use `min(historyMs / 3, 1 day)`). From
   * 1 h to 7 d; longer is steadier, shorter follows slow drifts sooner.
   * @default 604800000 (7 days)
   */
  readonly historyMs?: number;
  /**
   * Cold start: no `expected` band and never anomalous until this many values
   * have been seen (the first `min(warmupIntervals, 240)` of them give the
   * initial median and MAD).
   * @default 30
   */
  readonly warmupIntervals?: number;
  /**
   * Cold start: also wait until this much time has passed since the first value.
   * @default 1800000 (30 minutes)
   */
  readonly warmupMs?: number;
  /**
   * A deviation that is not extreme must be sustained: the mean robust
   * z-score of the last `sustainIntervals` values must reach `sustainedZ`.
   * @default 5
   */
  readonly sustainIntervals?: number;
  /**
   * A second, longer sustain window (an exponentially weighted mean of the
   * z-scores over about this many values) that alerts at `0.4 × sustainedZ`:
   * it catches moderate shifts hidden in autocorrelated noise, later. 0
   * turns it off.
   * @default 60
   */
  readonly longSustainIntervals?: number;
  /**
   * Threshold on the mean robust z-score over the last `sustainIntervals`
   * values (each clipped to ±`4`, so one blip moves the mean by at most
   * `4 / sustainIntervals`).
   * @default 2
   */
  readonly sustainedZ?: number;
  /**
   * A single value this many spreads away from the baseline is anomalous on
   * its own (a spike).
   * @default 8
   */
  readonly extremeZ?: number;
  /**
   * Half-width of the published `expected` band in spreads, and the band a
   * value must be back in for the anomaly to end.
   * @default 3
   */
  readonly bandZ?: number;
  /**
   * Values backed by fewer samples never open an anomaly, do not count
   * toward sustaining one (they do count toward clearing one: an in-band
   * value is weak evidence of normality, but evidence), and move the baseline only by
   * `count / minCount` of a normal value's weight. (Independently of this,
   * any value backed by fewer samples than the recent typical count is
   * judged against a spread widened by √(typical / count).)
   * @default 20
   */
  readonly minCount?: number;
  /**
   * Practical-significance floor: a deviation smaller than this share of the
   * baseline is never anomalous, however steady the series (0.1 = 10 %).
   * @default 0.1
   */
  readonly minRelativeChange?: number;
  /**
   * Practical-significance floor in the value's own unit (whatever unit the
   * caller feeds: the baseline processor feeds latency in milliseconds, error
   * ratios as a share in [0, 1], throughput in spans per second). The larger
   * of the two floors applies.
   * @default 0
   */
  readonly minAbsoluteChange?: number;
  /**
   * Which deviations count.
   * @default 'both'
   */
  readonly direction?: AnomalyDirection;
  /**
   * `'ratio'`: the value is a share of `count` samples (an error ratio), so
   * whenever `update` is given a finite count n, the spread is never below
   * the binomial standard error √(max(p, 1/n) · max(1 − p, 1/n) / n) at the
   * expected ratio p (the centre, clamped to [0, 1]). An operation that never
   * fails then does not alert on one failed span in 50 (z = 1), while a
   * sustained 20 % error ratio still does. `'level'`: no such floor.
   * @default 'level'
   */
  readonly valueKind?: AnomalyValueKind;
  /**
   * `'log'`: a strictly positive series is modelled in log space (level,
   * profiles, spreads and z-scores of log(value); the band is mapped back
   * with exp, so it is asymmetric around the centre), so a lasting relative
   * shift also scales the learned daily swing. The practical-significance
   * floors and the score's floor cap stay in the value's own terms (a
   * deviation d in log space is a change of centre × (e^d − 1)). Values ≤ 0
   * (and positive values below it) are clamped to 1/1000 of the median
   * positive warm-up value before the log. Not allowed with `valueKind:
   * 'ratio'` (an error ratio is mostly zeros: it stays linear).
   * @default 'linear'
   */
  readonly scale?: AnomalyScale;
  /**
   * Learn a time-of-day profile (96 slots of 15 min, interpolated) and a
   * time-of-day spread. They are used once `dailyMinHistoryMs` has passed
   * and the profile makes the residual spread at least 10 % smaller than
   * without it.
   * @default true
   */
  readonly dailySeasonality?: boolean;
  /**
   * Learn a day-of-week × hour profile (168 slots of 1 h) on top of the daily
   * one, used once `weeklyMinHistoryMs` has passed and it makes the residual
   * spread at least 10 % smaller than the daily profile alone.
   * @default true
   */
  readonly weeklySeasonality?: boolean;
  /**
   * History needed before the daily profile may be used.
   * @default 172800000 (2 days)
   */
  readonly dailyMinHistoryMs?: number;
  /**
   * History needed before the weekly profile may be used.
   * @default 1209600000 (14 days)
   */
  readonly weeklyMinHistoryMs?: number;
  /**
   * An anomaly that lasts this long ends, whatever the sample counts: it is
   * taken as the new normal (the level jumps to the recent level of the
   * counted values) when at least two counted values arrived since it
   * opened, and otherwise just ends. Bounds how long any anomaly alerts.
   * @default 3600000 (1 hour)
   */
  readonly rebaselineMs?: number;
  /**
   * Hysteresis: an anomaly ends once this many consecutive values are back in
   * the band and the sustained mean z-score is below `sustainedZ / 2`.
   * @default 3
   */
  readonly clearIntervals?: number;
  /**
   * Distribution-change evidence: the histogram of the last `noveltyWindow`
   * values (5 bins over the observed range) is compared with the histograms
   * seen at earlier out-of-band values (relative-entropy test, Wang et al.
   * 2011). An out-of-band value whose recent distribution matches none of
   * them opens an anomaly even when it is not extreme. 0 turns it off; at
   * most 128. Off inline: on one-minute latency quantiles it raises too many
   * false alarms (docs/anomaly-detection.md); the NAB preset uses 52.
   * @default 0
   */
  readonly noveltyWindow?: number;
}

/** `AnomalyDetectorOptions` with every default filled in and checked. */
export type ResolvedAnomalyDetectorOptions = { readonly [K in keyof AnomalyDetectorOptions]-?: NonNullable<AnomalyDetectorOptions[K]> };

/** The defaults, in one place. */
export const DEFAULT_ANOMALY_DETECTOR_OPTIONS: ResolvedAnomalyDetectorOptions = Object.freeze({
  intervalMs: MINUTE_MS,
  historyMs: 7 * DAY_MS,
  warmupIntervals: 30,
  warmupMs: 30 * MINUTE_MS,
  sustainIntervals: 5,
  longSustainIntervals: 60,
  sustainedZ: 2,
  extremeZ: 8,
  bandZ: 3,
  minCount: 20,
  minRelativeChange: 0.1,
  minAbsoluteChange: 0,
  direction: 'both',
  valueKind: 'level',
  scale: 'linear',
  dailySeasonality: true,
  weeklySeasonality: true,
  dailyMinHistoryMs: 2 * DAY_MS,
  weeklyMinHistoryMs: 14 * DAY_MS,
  rebaselineMs: HOUR_MS,
  clearIntervals: 3,
  noveltyWindow: 0,
});

/** `historyMs` may range from 1 hour to 7 days. */
export const MIN_HISTORY_MS = HOUR_MS;
export const MAX_HISTORY_MS = 7 * DAY_MS;

/** Longest sustain window; the evidence ring is sized for it (8 B each). */
export const MAX_SUSTAIN_INTERVALS = 64;

function positive(name: string, value: number): number {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`anomaly detector: ${name} must be a positive finite number, got ${value}`);
  return value;
}

function inRange(name: string, value: number, min: number, max: number): number {
  if (!(value >= min && value <= max)) throw new RangeError(`anomaly detector: ${name} must be in [${min}, ${max}], got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`anomaly detector: ${name} must be a finite number ≥ 0, got ${value}`);
  return value;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`anomaly detector: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** 0 (off) or a window of 5 … 128 values. */
function noveltyWindow(value: number): number {
  if (value === 0) return 0;
  return integerIn('noveltyWindow', value, 5, MAX_NOVELTY_WINDOW);
}

/**
 * Fills in the defaults and checks every value.
 * @throws RangeError naming the first option out of range.
 */
export function resolveAnomalyDetectorOptions(options: AnomalyDetectorOptions = {}): ResolvedAnomalyDetectorOptions {
  const d = DEFAULT_ANOMALY_DETECTOR_OPTIONS;
  const direction = options.direction ?? d.direction;
  if (direction !== 'up' && direction !== 'down' && direction !== 'both') {
    throw new RangeError(`anomaly detector: direction must be 'up', 'down' or 'both', got ${String(direction)}`);
  }
  const valueKind = options.valueKind ?? d.valueKind;
  if (valueKind !== 'level' && valueKind !== 'ratio') {
    throw new RangeError(`anomaly detector: valueKind must be 'level' or 'ratio', got ${String(valueKind)}`);
  }
  const scale = options.scale ?? d.scale;
  if (scale !== 'linear' && scale !== 'log') {
    throw new RangeError(`anomaly detector: scale must be 'linear' or 'log', got ${String(scale)}`);
  }
  if (scale === 'log' && valueKind === 'ratio') {
    throw new RangeError("anomaly detector: scale 'log' cannot model a valueKind 'ratio' series (error ratios are mostly zeros)");
  }
  const sustainedZ = positive('sustainedZ', options.sustainedZ ?? d.sustainedZ);
  const bandZ = positive('bandZ', options.bandZ ?? d.bandZ);
  const extremeZ = positive('extremeZ', options.extremeZ ?? d.extremeZ);
  return Object.freeze({
    intervalMs: positive('intervalMs', options.intervalMs ?? d.intervalMs),
    historyMs: inRange('historyMs', options.historyMs ?? d.historyMs, MIN_HISTORY_MS, MAX_HISTORY_MS),
    warmupIntervals: integerIn('warmupIntervals', options.warmupIntervals ?? d.warmupIntervals, 3, Number.MAX_SAFE_INTEGER),
    warmupMs: nonNegative('warmupMs', options.warmupMs ?? d.warmupMs),
    sustainIntervals: integerIn('sustainIntervals', options.sustainIntervals ?? d.sustainIntervals, 1, MAX_SUSTAIN_INTERVALS),
    longSustainIntervals: integerIn('longSustainIntervals', options.longSustainIntervals ?? d.longSustainIntervals, 0, 100_000),
    sustainedZ,
    extremeZ,
    bandZ,
    minCount: nonNegative('minCount', options.minCount ?? d.minCount),
    minRelativeChange: nonNegative('minRelativeChange', options.minRelativeChange ?? d.minRelativeChange),
    minAbsoluteChange: nonNegative('minAbsoluteChange', options.minAbsoluteChange ?? d.minAbsoluteChange),
    direction,
    valueKind,
    scale,
    dailySeasonality: options.dailySeasonality ?? d.dailySeasonality,
    weeklySeasonality: options.weeklySeasonality ?? d.weeklySeasonality,
    dailyMinHistoryMs: nonNegative('dailyMinHistoryMs', options.dailyMinHistoryMs ?? d.dailyMinHistoryMs),
    weeklyMinHistoryMs: nonNegative('weeklyMinHistoryMs', options.weeklyMinHistoryMs ?? d.weeklyMinHistoryMs),
    rebaselineMs: positive('rebaselineMs', options.rebaselineMs ?? d.rebaselineMs),
    clearIntervals: integerIn('clearIntervals', options.clearIntervals ?? d.clearIntervals, 1, 10_000),
    noveltyWindow: noveltyWindow(options.noveltyWindow ?? d.noveltyWindow),
  });
}
