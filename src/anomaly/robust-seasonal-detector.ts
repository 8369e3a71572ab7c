import { median } from 'simple-statistics';
import type { AnomalyDetector, AnomalyReading, ExpectedBand } from './anomaly-detector';
import type { AnomalyDirection, ResolvedAnomalyDetectorOptions } from './anomaly-detector-options';
import { SeasonalProfile } from './seasonal-profile';
import { WindowNoveltyTest } from './window-novelty-test';
import type { RobustSeasonalDetectorState, SeasonalProfileState, WindowNoveltyTestState } from './detector-state';
import { ROBUST_SEASONAL_STATE_KIND } from './detector-state';
import { fieldPath, malformed, readBoolean, readRecord } from '../slo/snapshot-reader';
import { readIntegerIn, readReal, readTypedArray } from './state-reader';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** Daily profile: 96 slots of 15 minutes, each remembering about 3 days. */
const DAILY_SLOTS = 96;
const DAILY_MEMORY_PERIODS = 3;
/** The time-of-day spread remembers about a week: a spread needs more values than a mean. */
const DAILY_SPREAD_MEMORY_PERIODS = 7;
/** Time-of-day spread updates are clipped at 3 spreads (tighter than the others: it learns fast). */
const DAILY_SPREAD_CLIP_SPREADS = 3;
/** Weekly profile: 168 slots of 1 hour, each remembering about 3 weeks. */
const WEEKLY_SLOTS = 168;
const WEEKLY_MEMORY_PERIODS = 3;
/** A seasonal profile is switched on when it shrinks the residual spread by at least this share… */
const SEASONAL_MIN_GAIN = 0.1;
/** …and off again when the gain falls below this share (hysteresis). */
const SEASONAL_KEEP_GAIN = 0.03;
/** A time-of-day spread is never taken below this share of the overall spread. */
const MIN_SLOT_SPREAD_SHARE = 0.5;
/** The spreads' time constant is `min(historyMs / 3, 1 day)`: noise levels are re-learned within a day. */
const SPREAD_MAX_TIME_CONSTANT_MS = DAY_MS;
/** Level and anchor steps are clipped to ±2 spreads (Huber's ψ); spread and profile steps to 4 spreads. */
const LEVEL_CLIP_SPREADS = 2;
const SPREAD_CLIP_SPREADS = 4;
/** Each z-score entering the sustained mean is clipped to ±4. */
const SUSTAIN_CLIP_Z = 4;
/**
 * The long sustained mean (over about `longSustainIntervals` values) alerts
 * at this share of `sustainedZ`: a moderate shift that the short window
 * cannot separate from autocorrelated noise is caught a little later (a mean
 * over 60 values is √12 times steadier than over 5).
 */
const LONG_SUSTAIN_Z_SHARE = 0.4;
/** Tail calibration: squared z-scores are clipped at (1.5 × the current threshold)² before averaging. */
const TAIL_CLIP = 1.5;
/**
 * Heavy-tail floor: the spread is never below 0.3 × the root mean square
 * residual (residuals clipped at 10 robust spreads). For Gaussian noise the
 * RMS equals the robust spread and the floor never binds; for a series made
 * of bursts (counts, spiky utilisation) it keeps every burst from being a
 * many-σ event.
 */
const HEAVY_TAIL_SPREAD_SHARE = 0.3;
const HEAVY_TAIL_CLIP_SPREADS = 10;
/**
 * Until the daily profile may be used (`dailyMinHistoryMs`), the level's
 * time constant is 1 hour instead of `historyMs / 3`: a daily swing that no
 * profile models yet is followed as a slowly moving level instead of
 * alerting (with the long memory, 70 % of the seasonal no-change synthetic
 * series raised an anomaly in their first 3 days; with this, 11 %). A change
 * faster than the sustain window still alerts: over 5 one-minute values the
 * level moves by at most 5 × 2 spreads / 60 ≈ 0.17 spread. Slow drifts in the
 * first days are absorbed, by design.
 */
const COLD_START_LEVEL_TIME_CONSTANT_MS = HOUR_MS;
/** Time constant of the typical sample count. */
const TYPICAL_COUNT_TIME_CONSTANT_MS = HOUR_MS;
/** Largest warm-up sample kept for the initial median / MAD. */
const MAX_WARMUP_SAMPLE = 240;
/** σ of a normal distribution from its MAD, and from its mean absolute deviation. */
const MAD_TO_SIGMA = 1.4826;
const MEAN_ABS_TO_SIGMA = 1.2533;
/** Share of the unclipped deviation (as a σ) below which no spread estimate may fall. */
const RAW_SPREAD_SHARE = 0.25;
/** Numerical floors on the spread, so a perfectly flat series does not divide by zero. */
const RELATIVE_SPREAD_EPSILON = 1e-6;
const ABSOLUTE_SPREAD_EPSILON = 1e-12;
/**
 * `scale: 'log'`: values below this share of the median positive warm-up
 * value (zeros, negatives) are clamped to it before the log, so a zero reads
 * as a drop of ln(1000) ≈ 6.9 in log units: a large but finite deviation.
 */
const LOG_CLAMP_SHARE = 1e-3;
/** `scale: 'log'` with no positive warm-up value: the clamp in the value's unit. */
const LOG_CLAMP_FALLBACK = 1e-9;
/** Histograms the novelty test keeps (5 B + a 4 B stamp each). */
const NOVELTY_HYPOTHESES = 32;

function clip(value: number, limit: number): number {
  return value > limit ? limit : value < -limit ? -limit : value;
}

/** The signed deviation seen in the alert direction (negative = the other way). */
function directed(direction: AnomalyDirection, value: number): number {
  return direction === 'up' ? value : direction === 'down' ? -value : Math.abs(value);
}

/**
 * The baseline model and anomaly detector behind `createAnomalyDetector`.
 * docs/anomaly-detection.md describes it for users; this is the summary.
 *
 * ## Model
 * value ≈ level + daily(time of day) + weekly(hour of week) + noise, where
 * - `level` is a robust, bias-corrected exponentially weighted mean of the
 *   deseasonalised values (time constant `historyMs / 3`, each step clipped
 *   to ±2 spreads: Huber's M-estimator in recursive form, as in Gelper,
 *   Fried & Croux, "Robust forecasting with exponential and Holt–Winters
 *   smoothing", J. Forecasting 2010). It freezes during anomalies and jumps
 *   at a rebaseline;
 * - `anchor` is the same mean without freezing or jumps; the seasonal
 *   profiles are learned against it (Holt–Winters' seasonal update, Winters
 *   1960, with clipped steps), so early rebaselines cannot corrupt them;
 * - `daily` / `weekly` are `SeasonalProfile`s, switched on once enough
 *   history exists (`dailyMinHistoryMs`, `weeklyMinHistoryMs`) and when they
 *   shrink the residual spread against the anchor by ≥ 10 % (off again
 *   under 3 %);
 * - the spread σ is a clipped exponentially weighted mean absolute residual
 *   × 1.2533, by time of day once the daily model is on, floored by 0.3 ×
 *   the RMS residual (heavy tails), widened by √(typical count / count)
 *   for values backed by fewer samples than usual, and for ratios floored
 *   by their binomial standard error (below).
 *
 * ## Evidence and score
 * With r = value − centre and z = r / σ, ⁺ = in the configured direction:
 * - point evidence e_p = z⁺ / (extremeZ · c_p);
 * - sustained evidence e_s = m⁺ / (sustainedZ · c_s), m the mean of the
 *   last `sustainIntervals` z-scores, each clipped to ±4;
 * - long sustained evidence e_l = M⁺ / (0.4 · sustainedZ · c_l), M an
 *   exponentially weighted mean of z over about `longSustainIntervals`;
 * - each capped by the practical-significance floor: |deviation| /
 *   max(minAbsoluteChange, minRelativeChange × |centre|).
 * The c's are tail calibrations: √(mean z² / its Gaussian value), ≥ 1,
 * learned from non-anomalous values, so a series whose z-scores run wider
 * than Gaussian noise (heavy tails, autocorrelation) needs proportionally
 * more to alert.
 * - novelty evidence (only with `noveltyWindow` > 0): at a counted value
 *   outside the band, in the direction and beyond the floor, the histogram
 *   of the last `noveltyWindow` deseasonalised values is tested against the
 *   histograms stored at earlier such values (`WindowNoveltyTest`, the
 *   relative-entropy test of Wang et al. 2011); when it matches none (and it
 *   is not the first), e_n = min(z⁺ / bandZ, |r|⁺ / floor) ≥ 1.
 * E = max(e_p, e_s, e_l, e_n); score = E² / (1 + E²): 0.5 at the alert
 * boundary, monotone in the deviation.
 *
 * ## Anomaly state
 * Opens when E ≥ 1 on a value backed by ≥ `minCount` samples. Ends when
 * `clearIntervals` consecutive values (of any count) are back in the band
 * and m is below `sustainedZ / 2` (hysteresis), or once it has lasted
 * `rebaselineMs`, whatever the counts: with at least two counted values
 * since it opened, the level moves by the median of the recent counted
 * residuals and the spread widens to their spread around it if larger (the
 * shift becomes the new normal); otherwise it just ends. While an anomaly
 * is open the level and the spreads do not learn.
 *
 * ## Ratios
 * With `valueKind: 'ratio'` and a finite count n, σ is at least the
 * binomial standard error √(max(p, 1/n) · max(1 − p, 1/n) / n) at the
 * centre p: one failure among n spans on a series that never fails is z = 1.
 *
 * ## Cold start
 * Until the daily profile may be used (`dailyMinHistoryMs`), the level of
 * fully counted values follows a 1-hour memory, so an unmodelled daily swing
 * is tracked rather than alerted on.
 *
 * ## Log scale
 * With `scale: 'log'` the whole model above runs on log(max(value, clamp))
 * (clamp = 1/1000 of the median positive warm-up value): level and profiles
 * multiply instead of add, so a lasting +30 % shift, re-baselined once,
 * also scales the daily swing it is re-baselined with. Only the
 * practical-significance floors stay in value terms: a log deviation d
 * around centre c is a change of e^c · (e^d − 1) (relative change e^d − 1),
 * compared with max(minAbsoluteChange, minRelativeChange · e^c). The band
 * is e^(c ± bandZ σ), widened to the floors.
 *
 * ## Memory
 * Typed arrays: daily profile 768 B + time-of-day spread 768 B + weekly
 * profile 1 344 B + short evidence ring 8 × sustainIntervals (40 B) +
 * warm-up sample 8 × min(warmupIntervals, 240) (240 B) = 3 160 B with the
 * defaults, independent of `historyMs`; + 501 B with `noveltyWindow: 52`.
 * With the fields and object headers: ≈ 5.8 KB per instance (7.2 KB with
 * the novelty test), measured in V8 (see docs/anomaly-detection.md).
 * `bytes` reports the typed-array part.
 *
 * ## Durable state
 * `exportState` / `restoreState` copy every learned field (see
 * RobustSeasonalDetectorState: 3 753 B through v8.serialize with the
 * defaults), so a restarted process continues the series exactly, with no
 * new warm-up; `stateFingerprint` names the options a state belongs to.
 */
export class RobustSeasonalDetector implements AnomalyDetector {
  /** Typed-array payload of this instance (fixed at construction). */
  readonly bytes: number;

  private readonly options: ResolvedAnomalyDetectorOptions;
  /** `scale: 'log'`: the model runs on log values (see "Log scale"). */
  private readonly logScale: boolean;
  /** `scale: 'log'`: log of the clamp below which values are raised (set when the warm-up ends). */
  private logClamp = Number.NEGATIVE_INFINITY;
  private readonly levelTimeConstantMs: number;
  /** Weight of the long sustained mean, 2 / (6 × sustainIntervals + 1). */
  private readonly longBeta: number;
  private readonly spreadTimeConstantMs: number;

  private readonly warmupSample: Float64Array;
  private warmupSeen = 0;
  private firstTimeMs = Number.NaN;
  private lastTimeMs = Number.NaN;
  private ready = false;
  private readyTimeMs = Number.NaN;

  private level = 0;
  private levelWeight = 0;
  /**
   * The reference the seasonal profiles are learned against: the same slow
   * robust mean as `level`, but never frozen by an anomaly and moved by a
   * rebaseline only once a seasonal profile is in use. Learning the profile
   * against `level` instead would let a rebaseline during the first days
   * (when a daily swing still looks like a level shift) write garbage into
   * the profile for good; not moving it at a later rebaseline would let the
   * profiles absorb the gap while the slow anchor catches up, so the centre
   * overshoots and the level drifts off: with a 1-day history a +30 % step
   * on a daily cycle re-alerted 13–18 h later.
   */
  private anchor = 0;
  private anchorWeight = 0;
  /** Mean absolute residual around `level + season` (× 1.2533 = the spread σ). */
  private meanAbs = 0;
  private spreadWeight = 0;
  /**
   * Mean absolute residual of the three candidate models against the anchor
   * (none, daily, daily + weekly): the evidence for switching a profile on.
   */
  private gainPlain = 0;
  private gainDaily = 0;
  private gainWeekly = 0;
  private gainWeight = 0;
  /**
   * Unclipped mean absolute deviation from the anchor. A quarter of it (as a
   * σ) floors every spread, so a series that is flat most of the time (all
   * zeros with rare spikes, a constant) still has a spread that can grow:
   * a clipped estimator that reaches 0 could never leave it.
   */
  private rawAbs = 0;
  private dailyGainWeight = 0;
  private weeklyGainWeight = 0;
  /** The model in use: 0 = level only, 1 = + daily profile, 2 = + weekly profile. */
  private model = 0;
  private readonly daily: SeasonalProfile | undefined;
  private readonly weekly: SeasonalProfile | undefined;
  /**
   * Mean absolute residual by time of day (same slots as `daily`): noise is
   * rarely constant over the day (a p99 over 50 night-time requests is far
   * noisier than over 5 000 at noon; counts are noisier at their peak).
   */
  private readonly dailySpread: SeasonalProfile | undefined;
  private lastDailySlot = -1;

  /** Raw residuals of the last `sustainIntervals` counted values (ring). */
  private readonly recent: Float64Array;
  /** Distribution-change evidence (undefined when `noveltyWindow` is 0). */
  private readonly novelty: WindowNoveltyTest | undefined;
  private recentNext = 0;
  private recentFill = 0;

  /** Mean squared z-score, and mean squared sustained mean × N: both 1 for Gaussian noise. */
  private pointTail = 1;
  private sustainedTail = 1 / 5;
  /**
   * Long-scale sustained evidence: an exponentially weighted mean of the
   * clipped z-scores over about `longSustainIntervals` values, and its mean
   * square (tail calibration, as for the short mean).
   */
  private longMeanZ = 0;
  private longTail = 0;
  private tailCount = 0;

  /** Mean squared residual (clipped at 10 spreads), for the heavy-tail floor. */
  private residualSq = 0;
  private residualSqCount = 0;
  /** Recent typical sample count (0 until a finite count arrives). */
  private typicalCount = 0;
  private anomalous = false;
  private anomalyStartMs = 0;
  private inBandRun = 0;
  /** Counted values since the anomaly opened (the rebaseline uses only these residuals). */
  private anomalyValues = 0;

  constructor(options: ResolvedAnomalyDetectorOptions) {
    this.options = options;
    this.logScale = options.scale === 'log';
    this.levelTimeConstantMs = options.historyMs / 3;
    this.spreadTimeConstantMs = Math.min(options.historyMs / 3, SPREAD_MAX_TIME_CONSTANT_MS);
    this.warmupSample = new Float64Array(Math.min(options.warmupIntervals, MAX_WARMUP_SAMPLE));
    this.recent = new Float64Array(options.sustainIntervals);
    this.sustainedTail = 1 / options.sustainIntervals;
    this.longBeta = options.longSustainIntervals > 0 ? 2 / (options.longSustainIntervals + 1) : 0;
    this.longTail = this.longBeta / (2 - this.longBeta);
    this.daily = options.dailySeasonality ? new SeasonalProfile(DAY_MS, DAILY_SLOTS, DAILY_MEMORY_PERIODS) : undefined;
    this.dailySpread = options.dailySeasonality ? new SeasonalProfile(DAY_MS, DAILY_SLOTS, DAILY_SPREAD_MEMORY_PERIODS) : undefined;
    this.weekly = options.dailySeasonality && options.weeklySeasonality ? new SeasonalProfile(WEEK_MS, WEEKLY_SLOTS, WEEKLY_MEMORY_PERIODS) : undefined;
    this.novelty = options.noveltyWindow > 0 ? new WindowNoveltyTest(options.noveltyWindow, NOVELTY_HYPOTHESES) : undefined;
    this.bytes =
      (this.novelty?.bytes ?? 0) +
      this.warmupSample.byteLength +
      this.recent.byteLength +
      (this.daily?.bytes ?? 0) +
      (this.dailySpread?.bytes ?? 0) +
      (this.weekly?.bytes ?? 0);
  }

  update(timeMs: number, value: number, count: number = Number.POSITIVE_INFINITY): AnomalyReading {
    if (!Number.isFinite(timeMs) || !Number.isFinite(value) || !(count > 0)) {
      // No information: nothing changes.
      return { score: 0, anomalous: this.anomalous, expected: this.ready ? this.band(this.lastTimeMs) : undefined };
    }
    const dtMs = Number.isNaN(this.lastTimeMs) ? this.options.intervalMs : Math.max(0, timeMs - this.lastTimeMs);
    if (Number.isNaN(this.firstTimeMs)) this.firstTimeMs = timeMs;
    if (!this.ready) {
      this.warmUp(timeMs, value);
      this.lastTimeMs = Math.max(timeMs, Number.isNaN(this.lastTimeMs) ? timeMs : this.lastTimeMs);
      // The value completing the warm-up already gets the band (it is not scored: it shaped the start).
      return { score: 0, anomalous: false, expected: this.ready ? this.band(timeMs) : undefined };
    }
    const reading = this.step(timeMs, this.toModel(value), count, dtMs);
    this.lastTimeMs = Math.max(timeMs, this.lastTimeMs);
    return reading;
  }

  // --- durable state ---------------------------------------------------------------

  /**
   * The kind and every resolved option, in a stable order: two detectors
   * with the same fingerprint accept each other's states (the typed arrays'
   * sizes, the profiles present and the meaning of every field follow from
   * the options).
   */
  stateFingerprint(): string {
    const options = this.options as unknown as Readonly<Record<string, unknown>>;
    const fields = Object.keys(options)
      .sort()
      .map((key) => `${key}=${String(options[key])}`);
    return `${ROBUST_SEASONAL_STATE_KIND}/1(${fields.join(',')})`;
  }

  /**
   * Everything learned, as copies (see RobustSeasonalDetectorState; 3 753 B
   * through v8.serialize with the defaults). The warm-up sample is
   * left out once the warm-up is over: it is never read again.
   */
  exportState(): RobustSeasonalDetectorState {
    return {
      kind: ROBUST_SEASONAL_STATE_KIND,
      logClamp: this.logClamp,
      warmupSample: this.ready ? new Float64Array(0) : this.warmupSample.slice(),
      warmupSeen: this.warmupSeen,
      firstTimeMs: this.firstTimeMs,
      lastTimeMs: this.lastTimeMs,
      ready: this.ready,
      readyTimeMs: this.readyTimeMs,
      level: this.level,
      levelWeight: this.levelWeight,
      anchor: this.anchor,
      anchorWeight: this.anchorWeight,
      meanAbs: this.meanAbs,
      spreadWeight: this.spreadWeight,
      gainPlain: this.gainPlain,
      gainDaily: this.gainDaily,
      gainWeekly: this.gainWeekly,
      gainWeight: this.gainWeight,
      rawAbs: this.rawAbs,
      dailyGainWeight: this.dailyGainWeight,
      weeklyGainWeight: this.weeklyGainWeight,
      model: this.model,
      daily: this.daily?.exportState() ?? null,
      dailySpread: this.dailySpread?.exportState() ?? null,
      weekly: this.weekly?.exportState() ?? null,
      lastDailySlot: this.lastDailySlot,
      recent: this.recent.slice(),
      recentNext: this.recentNext,
      recentFill: this.recentFill,
      novelty: this.novelty?.exportState() ?? null,
      pointTail: this.pointTail,
      sustainedTail: this.sustainedTail,
      longMeanZ: this.longMeanZ,
      longTail: this.longTail,
      tailCount: this.tailCount,
      residualSq: this.residualSq,
      residualSqCount: this.residualSqCount,
      typicalCount: this.typicalCount,
      anomalous: this.anomalous,
      anomalyStartMs: this.anomalyStartMs,
      inBandRun: this.inBandRun,
      anomalyValues: this.anomalyValues,
    };
  }

  /**
   * Continues from `state` (exported by a detector with the same options,
   * i.e. the same stateFingerprint). Every field is checked before anything
   * changes: a malformed state throws a TypeError naming the field (under
   * `path`) and leaves this detector as it was.
   */
  restoreState(state: unknown, path = 'detector'): void {
    const checked = this.checkState(state, path);
    this.applyState(checked);
  }

  private checkState(state: unknown, path: string): RobustSeasonalDetectorState {
    const record = readRecord(state, path);
    if (record.kind !== ROBUST_SEASONAL_STATE_KIND) malformed(fieldPath(path, 'kind'), `'${ROBUST_SEASONAL_STATE_KIND}'`, record.kind);
    const ready = readBoolean(record, 'ready', path);
    const profile = <P>(key: string, part: { checkState(value: unknown, at: string): P } | undefined): P | null => {
      if (part === undefined) {
        if (record[key] !== null) malformed(fieldPath(path, key), 'null (this detector has no such profile)', record[key]);
        return null;
      }
      return part.checkState(record[key], fieldPath(path, key));
    };
    const real = (key: string): number => readReal(record, key, path);
    const count = (key: string): number => readIntegerIn(record, key, path, 0, Number.MAX_SAFE_INTEGER);
    const daily: SeasonalProfileState | null = profile('daily', this.daily);
    const dailySpread: SeasonalProfileState | null = profile('dailySpread', this.dailySpread);
    const weekly: SeasonalProfileState | null = profile('weekly', this.weekly);
    const novelty: WindowNoveltyTestState | null = profile('novelty', this.novelty);
    return {
      kind: ROBUST_SEASONAL_STATE_KIND,
      logClamp: real('logClamp'),
      warmupSample: readTypedArray(record, 'warmupSample', path, 'Float64Array', ready ? { max: this.warmupSample.length } : this.warmupSample.length),
      warmupSeen: count('warmupSeen'),
      firstTimeMs: real('firstTimeMs'),
      lastTimeMs: real('lastTimeMs'),
      ready,
      readyTimeMs: real('readyTimeMs'),
      level: real('level'),
      levelWeight: real('levelWeight'),
      anchor: real('anchor'),
      anchorWeight: real('anchorWeight'),
      meanAbs: real('meanAbs'),
      spreadWeight: real('spreadWeight'),
      gainPlain: real('gainPlain'),
      gainDaily: real('gainDaily'),
      gainWeekly: real('gainWeekly'),
      gainWeight: real('gainWeight'),
      rawAbs: real('rawAbs'),
      dailyGainWeight: real('dailyGainWeight'),
      weeklyGainWeight: real('weeklyGainWeight'),
      model: readIntegerIn(record, 'model', path, 0, this.weekly !== undefined ? 2 : this.daily !== undefined ? 1 : 0),
      daily,
      dailySpread,
      weekly,
      lastDailySlot: readIntegerIn(record, 'lastDailySlot', path, -1, DAILY_SLOTS - 1),
      recent: readTypedArray(record, 'recent', path, 'Float64Array', this.recent.length),
      recentNext: readIntegerIn(record, 'recentNext', path, 0, this.recent.length - 1),
      recentFill: readIntegerIn(record, 'recentFill', path, 0, this.recent.length),
      novelty,
      pointTail: real('pointTail'),
      sustainedTail: real('sustainedTail'),
      longMeanZ: real('longMeanZ'),
      longTail: real('longTail'),
      tailCount: count('tailCount'),
      residualSq: real('residualSq'),
      residualSqCount: count('residualSqCount'),
      typicalCount: real('typicalCount'),
      anomalous: readBoolean(record, 'anomalous', path),
      anomalyStartMs: real('anomalyStartMs'),
      inBandRun: count('inBandRun'),
      anomalyValues: count('anomalyValues'),
    };
  }

  /** Takes over a checked state; cannot throw. */
  private applyState(state: RobustSeasonalDetectorState): void {
    this.logClamp = state.logClamp;
    if (!state.ready) this.warmupSample.set(state.warmupSample);
    this.warmupSeen = state.warmupSeen;
    this.firstTimeMs = state.firstTimeMs;
    this.lastTimeMs = state.lastTimeMs;
    this.ready = state.ready;
    this.readyTimeMs = state.readyTimeMs;
    this.level = state.level;
    this.levelWeight = state.levelWeight;
    this.anchor = state.anchor;
    this.anchorWeight = state.anchorWeight;
    this.meanAbs = state.meanAbs;
    this.spreadWeight = state.spreadWeight;
    this.gainPlain = state.gainPlain;
    this.gainDaily = state.gainDaily;
    this.gainWeekly = state.gainWeekly;
    this.gainWeight = state.gainWeight;
    this.rawAbs = state.rawAbs;
    this.dailyGainWeight = state.dailyGainWeight;
    this.weeklyGainWeight = state.weeklyGainWeight;
    this.model = state.model;
    if (state.daily !== null) this.daily?.applyState(state.daily);
    if (state.dailySpread !== null) this.dailySpread?.applyState(state.dailySpread);
    if (state.weekly !== null) this.weekly?.applyState(state.weekly);
    this.lastDailySlot = state.lastDailySlot;
    this.recent.set(state.recent);
    this.recentNext = state.recentNext;
    this.recentFill = state.recentFill;
    if (state.novelty !== null) this.novelty?.applyState(state.novelty);
    this.pointTail = state.pointTail;
    this.sustainedTail = state.sustainedTail;
    this.longMeanZ = state.longMeanZ;
    this.longTail = state.longTail;
    this.tailCount = state.tailCount;
    this.residualSq = state.residualSq;
    this.residualSqCount = state.residualSqCount;
    this.typicalCount = state.typicalCount;
    this.anomalous = state.anomalous;
    this.anomalyStartMs = state.anomalyStartMs;
    this.inBandRun = state.inBandRun;
    this.anomalyValues = state.anomalyValues;
  }

  /**
   * Cold start: collect values until both warm-up conditions hold, then start
   * from their median and MAD. A value is stamped with the end of its
   * interval, so the time seen is measured from the start of the first
   * interval (`firstTimeMs − intervalMs`): with the defaults the 30th
   * one-minute value completes both 30 values and 30 minutes.
   */
  private warmUp(timeMs: number, value: number): void {
    const sample = this.warmupSample;
    sample[this.warmupSeen % sample.length] = value;
    // Log scale: the clamp is not known yet, so a non-positive warm-up value stays out of the novelty window.
    if (!this.logScale || value > 0) this.novelty?.push(this.logScale ? Math.log(value) : value);
    this.warmupSeen++;
    const seenMs = timeMs - (this.firstTimeMs - this.options.intervalMs);
    if (this.warmupSeen < this.options.warmupIntervals || seenMs < this.options.warmupMs) return;
    const n = Math.min(this.warmupSeen, sample.length);
    let values = Array.from(sample.subarray(0, n));
    if (this.logScale) {
      const positive = values.filter((v) => v > 0);
      this.logClamp = Math.log(positive.length > 0 ? LOG_CLAMP_SHARE * median(positive) : LOG_CLAMP_FALLBACK);
      values = values.map((v) => this.toModel(v));
    }
    const center = median(values);
    const mad = median(values.map((v) => Math.abs(v - center)));
    this.level = center;
    this.levelWeight = n;
    this.anchor = center;
    this.anchorWeight = n;
    const meanAbs = (MAD_TO_SIGMA * mad) / MEAN_ABS_TO_SIGMA;
    this.meanAbs = meanAbs;
    this.spreadWeight = n;
    this.gainPlain = meanAbs;
    this.gainDaily = meanAbs;
    this.gainWeekly = meanAbs;
    this.gainWeight = n;
    this.rawAbs = values.reduce((sum, v) => sum + Math.abs(v - center), 0) / n;
    this.ready = true;
    this.readyTimeMs = timeMs;
  }

  private step(timeMs: number, value: number, count: number, dtMs: number): AnomalyReading {
    const o = this.options;
    if (dtMs > o.sustainIntervals * o.intervalMs) this.forgetEvidence(); // a gap: old evidence is stale
    const dailyPred = this.daily?.valueAt(timeMs) ?? 0;
    const weeklyPred = this.weekly?.valueAt(timeMs) ?? 0;
    this.selectModel(timeMs - this.readyTimeMs);
    const season = (this.model >= 1 ? dailyPred : 0) + (this.model === 2 ? weeklyPred : 0);
    const center = this.level + season;
    const robustSpread = this.robustSpreadAt(timeMs, center);
    const spread = Math.max(this.withHeavyTailFloor(robustSpread) * this.sampleNoiseFactor(count, dtMs), this.countNoiseSpread(center, count));
    this.trackSquaredResidual(value - center, robustSpread, dtMs);
    const residual = value - center;
    const z = residual / spread;
    const sampleWeight = o.minCount > 0 ? Math.min(1, count / o.minCount) : 1;
    const counted = count >= o.minCount;
    if (counted) this.pushResidual(residual);
    const centerValue = this.toValue(center);
    const floor = Math.max(o.minAbsoluteChange, o.minRelativeChange * Math.abs(centerValue));
    const pointScale = Math.max(1, Math.sqrt(this.pointTail));
    const sustainedScale = Math.max(1, Math.sqrt(this.sustainedTail * o.sustainIntervals));
    // The clip scales with the calibrated threshold, or a calibrated threshold above 4 could never be reached.
    const meanZ = this.recentMeanZ(spread, SUSTAIN_CLIP_Z);
    const longNullVariance = this.longBeta / (2 - this.longBeta);
    const longScale = this.longBeta > 0 ? Math.max(1, Math.sqrt(this.longTail / longNullVariance)) : 1;
    if (counted) this.longMeanZ += this.longBeta * (clip(z, SUSTAIN_CLIP_Z * longScale) - this.longMeanZ);
    let pointEvidence = directed(o.direction, z) / (o.extremeZ * pointScale);
    let sustainedEvidence = directed(o.direction, meanZ) / (o.sustainedZ * sustainedScale);
    let longEvidence = this.longBeta > 0 ? directed(o.direction, this.longMeanZ) / (LONG_SUSTAIN_Z_SHARE * o.sustainedZ * longScale) : 0;
    if (floor > 0) {
      pointEvidence = Math.min(pointEvidence, directed(o.direction, this.valueChange(centerValue, residual)) / floor);
      sustainedEvidence = Math.min(sustainedEvidence, directed(o.direction, this.valueChange(centerValue, meanZ * spread)) / floor);
      longEvidence = Math.min(longEvidence, directed(o.direction, this.valueChange(centerValue, this.longMeanZ * spread)) / floor);
    }
    const noveltyEvidence = this.noveltyEvidence(value - season, z, this.valueChange(centerValue, residual), floor, counted);
    const evidence = Math.max(0, pointEvidence, sustainedEvidence, longEvidence, noveltyEvidence);
    const score = (evidence * evidence) / (1 + evidence * evidence);

    if (!this.anomalous) {
      if (counted && evidence >= 1) {
        this.anomalous = true;
        this.anomalyStartMs = timeMs;
        this.inBandRun = 0;
        this.anomalyValues = 1;
      }
    } else {
      const inBand = directed(o.direction, z) < o.bandZ || (floor > 0 && directed(o.direction, this.valueChange(centerValue, residual)) < floor);
      // Every value counts toward clearing, whatever its count: an in-band value of a few samples is
      // weak evidence of normality, but it is evidence (and its band is already widened for its
      // count); otherwise an anomaly could never end while traffic stays below minCount.
      this.inBandRun = inBand ? this.inBandRun + 1 : 0;
      if (counted) this.anomalyValues++;
      if (this.inBandRun >= o.clearIntervals && directed(o.direction, meanZ) < o.sustainedZ / 2) {
        this.anomalous = false;
      } else if (timeMs - this.anomalyStartMs >= o.rebaselineMs) {
        // By elapsed time, whatever the counts: the level moves only when counted values since the
        // opening one say where it went; otherwise the anomaly just ends.
        if (this.anomalyValues >= 2) this.rebaseline(spread);
        else this.endWithoutRebaseline();
        this.anomalous = false;
      }
    }
    const reading: AnomalyReading = { score, anomalous: this.anomalous, expected: this.bandAround(center, spread) };
    if (!this.anomalous && counted) {
      // Tail calibration: how much wider than a Gaussian's this series' z-scores run.
      const a = Math.max(1 - Math.exp(-dtMs / this.levelTimeConstantMs), 1 / ++this.tailCount);
      const zCap = TAIL_CLIP * o.extremeZ * pointScale;
      const mCap = (TAIL_CLIP * o.sustainedZ * sustainedScale) / Math.sqrt(o.sustainIntervals);
      this.pointTail += a * (Math.min(z * z, zCap * zCap) - this.pointTail);
      this.sustainedTail += a * (Math.min(meanZ * meanZ, mCap * mCap) - this.sustainedTail);
      const lCap = TAIL_CLIP * LONG_SUSTAIN_Z_SHARE * o.sustainedZ * longScale * Math.sqrt(longNullVariance);
      this.longTail += a * (Math.min(this.longMeanZ * this.longMeanZ, lCap * lCap) - this.longTail);
    }
    this.learn(timeMs, value, dtMs, sampleWeight, dailyPred, weeklyPred, season, spread);
    return reading;
  }

  /**
   * Distribution-change evidence. Every value enters the novelty test's
   * window; at a counted value outside the band (≥ `bandZ` spreads and the
   * practical-significance floor, in the alert direction) the window is
   * tested against the histograms stored at earlier out-of-band values. A
   * novel one is stored, and unless it is the first, the value's evidence is
   * its distance out of the band (≥ 1: it opens an anomaly). So a value the
   * point test would let pass (under `extremeZ`) alerts when the recent
   * distribution around it is one the series has not shown at such a moment
   * before: a new spread, spike rate or shape. A recurring kind of
   * excursion is learned after its first occurrence.
   */
  private noveltyEvidence(value: number, z: number, valueResidual: number, floor: number, counted: boolean): number {
    const novelty = this.novelty;
    if (novelty === undefined) return 0;
    novelty.push(value);
    const o = this.options;
    const zOut = directed(o.direction, z) / o.bandZ;
    const floorOut = floor > 0 ? directed(o.direction, valueResidual) / floor : Number.POSITIVE_INFINITY;
    if (!counted || zOut < 1 || floorOut < 1 || !novelty.isNovel()) return 0;
    const known = novelty.hypothesisCount > 0;
    novelty.remember();
    return known ? Math.min(zOut, floorOut) : 0;
  }

  /**
   * Uses a seasonal profile once enough history exists and it explains the
   * series: its residual spread against the anchor is ≥ 10 % below the
   * simpler model's (and stays on until the gain falls under 3 %). A switch
   * restarts the level from the anchor and the spread from the new model's.
   */
  private selectModel(history: number): void {
    const o = this.options;
    const keep = (ratio: number, on: boolean): boolean => ratio <= (on ? 1 - SEASONAL_KEEP_GAIN : 1 - SEASONAL_MIN_GAIN);
    let desired = 0;
    if (this.daily !== undefined && history >= o.dailyMinHistoryMs && keep(this.gainDaily / this.gainPlain, this.model >= 1)) {
      desired = 1;
      if (this.weekly !== undefined && history >= o.weeklyMinHistoryMs && keep(this.gainWeekly / this.gainDaily, this.model === 2)) {
        desired = 2;
      }
    }
    if (desired === this.model) return;
    this.model = desired;
    this.level = this.anchor;
    this.levelWeight = this.anchorWeight;
    this.meanAbs = desired === 2 ? this.gainWeekly : desired === 1 ? this.gainDaily : this.gainPlain;
    this.forgetEvidence();
    this.resetCalibration();
  }

  /** The least spread any estimate may take: a share of the unclipped deviation, and a numerical floor. */
  private minSpread(center: number): number {
    return Math.max(RAW_SPREAD_SHARE * MEAN_ABS_TO_SIGMA * this.rawAbs, RELATIVE_SPREAD_EPSILON * Math.abs(center), ABSOLUTE_SPREAD_EPSILON);
  }

  /**
   * The spread at `timeMs`: the time-of-day spread once a daily model is in
   * use (never below half the overall spread, so a slot that happened to be
   * quiet cannot make its hour hypersensitive), the overall spread otherwise.
   */
  private robustSpreadAt(timeMs: number, center: number): number {
    const overall = MEAN_ABS_TO_SIGMA * this.meanAbs;
    if (this.model === 0 || this.dailySpread === undefined) return this.spreadFloor(center, overall);
    const slot = MEAN_ABS_TO_SIGMA * this.dailySpread.valueAt(timeMs);
    return this.spreadFloor(center, Math.max(slot, MIN_SLOT_SPREAD_SHARE * overall));
  }

  private spreadFloor(center: number, spread: number): number {
    return Math.max(spread, this.minSpread(center));
  }

  /**
   * A value backed by fewer samples than usual is noisier: a quantile or a
   * ratio of n samples has a standard error ∝ 1/√n. The spread is widened by
   * √(typical / count) when the count falls below its recent typical level
   * (an exponentially weighted mean over about an hour, which follows the
   * daily traffic cycle), never narrowed. Plain series (count = ∞) are
   * unaffected.
   */
  private sampleNoiseFactor(count: number, dtMs: number): number {
    if (!Number.isFinite(count)) return 1;
    const typical = this.typicalCount;
    this.typicalCount = typical === 0 ? count : typical + (1 - Math.exp(-dtMs / TYPICAL_COUNT_TIME_CONSTANT_MS)) * (count - typical);
    return typical > count ? Math.sqrt(typical / count) : 1;
  }

  /**
   * Sampling-noise floor of a ratio backed by `count` samples (`valueKind:
   * 'ratio'`): the binomial standard error √(p·(1 − p) / n) at the expected
   * ratio p (the centre, clamped to [0, 1]), with p taken as at least 1/n so
   * that a ratio whose history is all zeros still has the noise of one event
   * in n (the "rule of one": one failure in 50 is z = 1, not a many-σ event).
   * 0 for levels and for plain series (count = ∞).
   */
  private countNoiseSpread(center: number, count: number): number {
    if (this.options.valueKind !== 'ratio' || !Number.isFinite(count)) return 0;
    const p = Math.min(1, Math.max(0, center));
    return Math.sqrt((Math.max(p, 1 / count) * Math.max(1 - p, 1 / count)) / count);
  }

  /** The spread z-scores use: the robust spread, floored by a share of the RMS residual. */
  private withHeavyTailFloor(robustSpread: number): number {
    return Math.max(robustSpread, HEAVY_TAIL_SPREAD_SHARE * Math.sqrt(this.residualSq));
  }

  /** Updates the mean squared residual (clipped at 10 robust spreads; time constant as the spreads). */
  private trackSquaredResidual(residual: number, robustSpread: number, dtMs: number): void {
    const r = Math.min(Math.abs(residual), HEAVY_TAIL_CLIP_SPREADS * robustSpread);
    const a = Math.max(1 - Math.exp(-dtMs / this.spreadTimeConstantMs), 1 / ++this.residualSqCount);
    this.residualSq += a * (r * r - this.residualSq);
  }

  private pushResidual(residual: number): void {
    this.recent[this.recentNext] = residual;
    this.recentNext = (this.recentNext + 1) % this.recent.length;
    this.recentFill = Math.min(this.recentFill + 1, this.recent.length);
  }

  /** Mean of the recent clipped z-scores; missing entries (after a gap) count as 0. */
  private recentMeanZ(spread: number, limit: number): number {
    let sum = 0;
    for (let k = 0; k < this.recentFill; k++) {
      const i = (this.recentNext - 1 - k + this.recent.length) % this.recent.length;
      sum += clip((this.recent[i] ?? 0) / spread, limit);
    }
    return sum / this.recent.length;
  }

  /**
   * A lasting anomaly becomes the new normal. The shift is the median of the
   * residuals of the last min(counted values since the anomaly opened,
   * `sustainIntervals`) counted values: with the default 1-hour
   * `rebaselineMs` these are the latest 5 values, long after the opening one;
   * with a short `rebaselineMs` the opening value may be among them (the
   * median keeps one overshooting value from dominating). The level moves
   * by the shift whatever its size (a small one is a small correction), and
   * the spread widens to the residuals' spread around the shift when that is
   * larger. Called only with at least two counted values since the opening.
   */
  private rebaseline(spread: number): void {
    const n = Math.min(this.anomalyValues, this.recentFill);
    if (n > 0) {
      const residuals: number[] = [];
      for (let k = 0; k < n; k++) residuals.push(this.recent[(this.recentNext - 1 - k + this.recent.length) % this.recent.length] ?? 0);
      const shift = median(residuals);
      this.level += shift;
      // The profiles' reference moves with it (see `anchor`), once the daily swing is modelled.
      if (this.model >= 1) this.anchor += shift;
      const recentMeanAbs = residuals.reduce((sum, r) => sum + Math.abs(r - shift), 0) / residuals.length;
      if (recentMeanAbs > spread / MEAN_ABS_TO_SIGMA) this.meanAbs = recentMeanAbs;
    }
    this.forgetEvidence();
    this.inBandRun = 0;
  }

  /** An anomaly outlasting `rebaselineMs` without counted values to re-baseline on: it ends, the level stays. */
  private endWithoutRebaseline(): void {
    this.forgetEvidence();
    this.inBandRun = 0;
  }

  /**
   * Tail calibration and the heavy-tail floor describe the residuals of the
   * model in use; after a switch they start over (the old model's residuals,
   * e.g. a daily swing not yet modelled, say nothing about the new one's).
   */
  private resetCalibration(): void {
    this.pointTail = 1;
    this.sustainedTail = 1 / this.options.sustainIntervals;
    this.longTail = this.longBeta / (2 - this.longBeta);
    this.tailCount = 0;
    this.residualSq = 0;
    this.residualSqCount = 0;
  }

  /** Drops the sustained evidence (after a gap, a rebaseline or a model switch). */
  private forgetEvidence(): void {
    this.recentFill = 0;
    this.longMeanZ = 0;
  }

  /**
   * One learning step. The level and the spreads learn only outside
   * anomalies (an anomaly must not teach itself to be normal); the anchor and
   * the seasonal profiles always learn, with clipped steps, so a lasting
   * change of daily shape is eventually learned.
   */
  private learn(
    timeMs: number,
    value: number,
    dtMs: number,
    weight: number,
    dailyPred: number,
    weeklyPred: number,
    season: number,
    spread: number,
  ): void {
    const o = this.options;
    const history = timeMs - this.readyTimeMs;
    const levelDecay = Math.exp(-dtMs / this.levelTimeConstantMs);
    const anchor = this.anchor;
    this.anchorWeight = this.anchorWeight * levelDecay + weight;
    const floor = this.minSpread(anchor);
    // The anchor's steps are clipped against the deseasonalised spread, the profiles' against the total one.
    const anchorSpread = Math.max(MEAN_ABS_TO_SIGMA * this.gainDaily, floor);
    const totalSpread = Math.max(MEAN_ABS_TO_SIGMA * this.gainPlain, floor);
    this.anchor = anchor + (weight / this.anchorWeight) * clip(value - dailyPred - weeklyPred - anchor, LEVEL_CLIP_SPREADS * anchorSpread);
    // Model evidence: each candidate's residual against the anchor.
    const gainDecay = Math.exp(-dtMs / this.spreadTimeConstantMs);
    this.gainWeight = this.gainWeight * gainDecay + weight;
    this.rawAbs += (weight / this.gainWeight) * (Math.abs(value - anchor) - this.rawAbs);
    this.gainPlain = this.updateMeanAbs(this.gainPlain, value - anchor, weight / this.gainWeight, floor);
    if (history < DAY_MS) {
      // The daily model is judged from the second day on, once its profile has seen each slot.
      this.gainDaily = this.gainPlain;
      this.dailyGainWeight = 0;
    } else {
      this.dailyGainWeight = this.dailyGainWeight * gainDecay + weight;
      this.gainDaily = this.updateMeanAbs(this.gainDaily, value - anchor - dailyPred, weight / this.dailyGainWeight, floor);
    }
    if (history < WEEK_MS) {
      this.gainWeekly = this.gainDaily;
      this.weeklyGainWeight = 0;
    } else {
      this.weeklyGainWeight = this.weeklyGainWeight * gainDecay + weight;
      this.gainWeekly = this.updateMeanAbs(this.gainWeekly, value - anchor - dailyPred - weeklyPred, weight / this.weeklyGainWeight, floor);
    }
    if (!this.anomalous) {
      const level = this.level;
      this.levelWeight = this.levelWeight * levelDecay + weight;
      let alpha = weight / this.levelWeight;
      if (weight >= 1 && this.daily !== undefined && this.model === 0 && history < o.dailyMinHistoryMs) {
        // Cold start: a short memory (COLD_START_LEVEL_TIME_CONSTANT_MS), for fully counted values
        // only: a stretch of low-count values moves the level as little as it does later.
        alpha = Math.max(alpha, 1 - Math.exp(-dtMs / COLD_START_LEVEL_TIME_CONSTANT_MS));
      }
      this.level = level + alpha * clip(value - season - level, LEVEL_CLIP_SPREADS * spread);
      this.spreadWeight = this.spreadWeight * gainDecay + weight;
      this.meanAbs = this.updateMeanAbs(this.meanAbs, value - season - level, weight / this.spreadWeight, floor);
    }
    if (this.daily !== undefined) {
      // The daily profile learns the whole time-of-day shape unless the weekly one is in use.
      this.daily.update(timeMs, value - anchor - (this.model === 2 ? weeklyPred : 0), dtMs, weight, SPREAD_CLIP_SPREADS * totalSpread);
      const slot = this.daily.slotOf(timeMs);
      if (slot < this.lastDailySlot) this.recentre();
      this.lastDailySlot = slot;
    }
    // The weekly profile learns what the daily one leaves, once the daily one has seen a whole day.
    if (history >= DAY_MS && this.dailySpread !== undefined) {
      // Time-of-day spread of what the seasonal model leaves, learned from the second day on.
      const slotSpread = Math.max(MEAN_ABS_TO_SIGMA * this.dailySpread.valueAt(timeMs), floor);
      const absResidual = Math.min(Math.abs(value - anchor - dailyPred - (this.model === 2 ? weeklyPred : 0)), DAILY_SPREAD_CLIP_SPREADS * slotSpread);
      this.dailySpread.update(timeMs, absResidual, dtMs, weight, Number.POSITIVE_INFINITY);
    }
    if (history >= DAY_MS) this.weekly?.update(timeMs, value - anchor - dailyPred, dtMs, weight, SPREAD_CLIP_SPREADS * anchorSpread);
  }

  /** One clipped step of a mean-absolute-deviation tracker; `floor` is the least spread (σ) it clips against. */
  private updateMeanAbs(meanAbs: number, residual: number, alpha: number, floor: number): number {
    const limit = SPREAD_CLIP_SPREADS * Math.max(MEAN_ABS_TO_SIGMA * meanAbs, floor);
    return meanAbs + alpha * (Math.min(Math.abs(residual), limit) - meanAbs);
  }

  /**
   * Once a day, move the profiles' mean into the anchor so the decomposition
   * stays identifiable. The anchor is learned against both profiles, so it
   * takes both means; the level takes the mean of each profile the model in
   * use adds to it, so the centre (level + profiles in use) is the same
   * just before and after: a recentre is a change of parameters, not of
   * prediction (it moves the level even while an anomaly freezes it).
   */
  private recentre(): void {
    if (this.daily !== undefined) {
      const m = this.daily.mean();
      this.daily.shift(-m);
      this.anchor += m;
      if (this.model >= 1) this.level += m;
    }
    if (this.weekly !== undefined) {
      const m = this.weekly.mean();
      this.weekly.shift(-m);
      this.anchor += m;
      if (this.model === 2) this.level += m;
    }
  }

  /** The band in the value's own terms (`center` and `spread` in the model's space). */
  private bandAround(center: number, spread: number): ExpectedBand {
    const o = this.options;
    if (!this.logScale) {
      const half = Math.max(o.bandZ * spread, o.minAbsoluteChange, o.minRelativeChange * Math.abs(center));
      return { low: center - half, center, high: center + half };
    }
    const centerValue = Math.exp(center);
    const floor = Math.max(o.minAbsoluteChange, o.minRelativeChange * centerValue);
    return {
      low: Math.min(Math.exp(center - o.bandZ * spread), centerValue - floor),
      center: centerValue,
      high: Math.max(Math.exp(center + o.bandZ * spread), centerValue + floor),
    };
  }

  /** A value in the model's space: itself, or with `scale: 'log'` the log of the value raised to the clamp. */
  private toModel(value: number): number {
    return this.logScale ? Math.max(value > 0 ? Math.log(value) : Number.NEGATIVE_INFINITY, this.logClamp) : value;
  }

  /** A centre in the model's space, back in the value's terms. */
  private toValue(center: number): number {
    return this.logScale ? Math.exp(center) : center;
  }

  /**
   * A deviation in the model's space as a change in the value's unit, for
   * the practical-significance floors: itself, or with `scale: 'log'` the
   * change centre × (e^d − 1) (relative change e^d − 1).
   */
  private valueChange(centerValue: number, deviation: number): number {
    return this.logScale ? centerValue * Math.expm1(deviation) : deviation;
  }

  /** The band at `timeMs` without a new value (used when an update carries no information). */
  private band(timeMs: number): ExpectedBand {
    const season = (this.model >= 1 ? (this.daily?.valueAt(timeMs) ?? 0) : 0) + (this.model === 2 ? (this.weekly?.valueAt(timeMs) ?? 0) : 0);
    const center = this.level + season;
    return this.bandAround(center, this.withHeavyTailFloor(this.robustSpreadAt(timeMs, center)));
  }
}
