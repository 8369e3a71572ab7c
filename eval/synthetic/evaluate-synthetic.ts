import type { AnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { createAnomalyDetector } from '../../src/anomaly/create-anomaly-detector';
import { resolveBaselineProcessorSettings } from '../../processors/baseline/config';
import { detectorOptionsFor } from '../../processors/baseline/create-baseline-engine';
import type { ChangeKind, ChangeSpec, LatencySeries, LatencySeriesSpec, TrafficGap } from './latency-series';
import { generateLatencySeries } from './latency-series';
import { SeededRandom } from './seeded-random';

const INTERVALS_PER_DAY = 1440;
/** Monday 2024-01-01 00:00 UTC. */
const START_MS = Date.UTC(2024, 0, 1);

/** A shift-size bucket, as relative sizes [low, high). */
export interface SizeBucket {
  readonly label: string;
  readonly low: number;
  readonly high: number;
}

export const SHIFT_BUCKETS: readonly SizeBucket[] = [
  { label: '10–20 %', low: 0.1, high: 0.2 },
  { label: '20–50 %', low: 0.2, high: 0.5 },
  { label: '50–100 %', low: 0.5, high: 1.0 },
];

export interface SyntheticEvaluationConfig {
  readonly seed: number;
  /** Series with no change. */
  readonly noChangeSeries: number;
  /** Step-shift series per size bucket. */
  readonly stepSeriesPerBucket: number;
  /** Deploy (temporary) shifts, spikes and drifts, each. */
  readonly otherSeriesPerKind: number;
  /** Days of history before the evaluated day (the detector runs from cold start). */
  readonly burnInDays: number;
  /** The quantiles the series report; series alternate between them. */
  readonly quantiles: readonly number[];
  /** A change counts as detected when an anomaly opens within this many intervals of its start. */
  readonly detectionHorizon: number;
  readonly detectorOptions: AnomalyDetectorOptions;
}

/** Milliseconds per second: the series are generated in seconds, the baseline processor feeds latency in ms. */
const MS_PER_SECOND = 1000;

/**
 * Exactly the options the baseline processor gives a `latency_p99` detector
 * with its default configuration (history 24 h, cold start 30 min, a 1 ms
 * absolute floor, direction up, …), so the figures describe what ships.
 */
export const PROCESSOR_LATENCY_P99_OPTIONS: AnomalyDetectorOptions = detectorOptionsFor('latency_p99', resolveBaselineProcessorSettings({}));

/** The inline defaults, as the baseline processor configures them for latency. */
export const DEFAULT_SYNTHETIC_CONFIG: SyntheticEvaluationConfig = {
  seed: 20_240_101,
  noChangeSeries: 300,
  stepSeriesPerBucket: 150,
  otherSeriesPerKind: 100,
  burnInDays: 3,
  quantiles: [0.5, 0.99],
  detectionHorizon: 60,
  detectorOptions: PROCESSOR_LATENCY_P99_OPTIONS,
};

/** Detection figures for one group of change series. */
export interface DetectionStats {
  readonly label: string;
  readonly series: number;
  readonly detected: number;
  /** detected / series. */
  readonly rate: number;
  /** Detection delays in intervals (from the change's first interval to the anomaly's first). */
  readonly medianDelay: number;
  readonly p90Delay: number;
}

export interface SyntheticReport {
  readonly config: SyntheticEvaluationConfig;
  /** Step shifts, one entry per size bucket. */
  readonly steps: readonly DetectionStats[];
  /** Steps of 20 % and more, all buckets together (the acceptance figure). */
  readonly stepsAtLeast20: DetectionStats;
  readonly deploys: DetectionStats;
  readonly drifts: DetectionStats;
  readonly spikes: DetectionStats;
  /**
   * False-positive rate: the share of no-change series with at least one
   * anomaly opening during the evaluated day (after the burn-in).
   */
  readonly falsePositiveSeriesRate: number;
  /** Anomalies opened per evaluated day across the no-change series. */
  readonly falsePositivesPerDay: number;
  /** Share of evaluated intervals flagged anomalous across the no-change series. */
  readonly falsePositiveIntervalRate: number;
  /** Share of no-change series with an anomaly during the burn-in (cold start, first days). */
  readonly burnInAlertSeriesRate: number;
  /** The same, day by day of the burn-in: the share of no-change series with an anomaly opening on day 1, 2, … */
  readonly burnInAlertSeriesRateByDay: readonly number[];
  /** Per quantile: the no-change false-positive series rate and the ≥ 20 % step detection rate. */
  readonly byQuantile: readonly { quantile: number; falsePositiveSeriesRate: number; stepsAtLeast20Rate: number }[];
}

function logUniform(rng: SeededRandom, low: number, high: number): number {
  return Math.exp(rng.uniform(Math.log(low), Math.log(high)));
}

/**
 * A random but plausible latency series: 0.02–0.3 s median, per-request σ
 * 0.3–0.8, 200–5 000 requests per minute at mean load, a daily traffic swing
 * of ±30–70 % with latency following load by up to ±20 %, 1–5 % shared
 * per-minute noise (AR(1), ρ = 0.7), and up to two low-traffic gaps of 10–60
 * minutes at 0.5–5 % of the traffic.
 */
export function sampleSeriesSpec(rng: SeededRandom, quantile: number, intervals: number, change: ChangeSpec): LatencySeriesSpec {
  const gaps: TrafficGap[] = [];
  const gapCount = rng.integer(0, 2);
  for (let g = 0; g < gapCount; g++) {
    gaps.push({ start: rng.integer(0, intervals - 60), length: rng.integer(10, 60), factor: rng.uniform(0.005, 0.05) });
  }
  return {
    seed: rng.integer(1, 2 ** 31),
    intervals,
    startMs: START_MS,
    quantile,
    medianSeconds: logUniform(rng, 0.02, 0.3),
    requestSigma: rng.uniform(0.3, 0.8),
    requestsPerInterval: logUniform(rng, 200, 5000),
    trafficAmplitude: rng.uniform(0.3, 0.7),
    latencyAmplitude: rng.uniform(0, 0.2),
    sharedSigma: rng.uniform(0.01, 0.05),
    sharedAutocorrelation: 0.7,
    gaps,
    change,
  };
}

/**
 * Runs a fresh detector over a series; returns the anomalous flag per
 * interval. Values are fed in milliseconds, as the baseline processor feeds
 * latency (so `minAbsoluteChange` is in ms).
 */
export function detectAnomalies(series: LatencySeries, options: AnomalyDetectorOptions): Uint8Array {
  const detector = createAnomalyDetector(options);
  const flags = new Uint8Array(series.values.length);
  for (let i = 0; i < series.values.length; i++) {
    const valueMs = (series.values[i] ?? Number.NaN) * MS_PER_SECOND;
    flags[i] = detector.update(series.timesMs[i] ?? 0, valueMs, series.counts[i] ?? 0).anomalous ? 1 : 0;
  }
  return flags;
}

/** Indices where an anomaly opens (rising edges). */
export function anomalyStarts(flags: Uint8Array): number[] {
  const starts: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] === 1 && (i === 0 || flags[i - 1] === 0)) starts.push(i);
  return starts;
}

function quantileOf(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

function stats(label: string, delays: readonly (number | undefined)[]): DetectionStats {
  const found = delays.filter((d): d is number => d !== undefined).sort((a, b) => a - b);
  return {
    label,
    series: delays.length,
    detected: found.length,
    rate: delays.length === 0 ? Number.NaN : found.length / delays.length,
    medianDelay: quantileOf(found, 0.5),
    p90Delay: quantileOf(found, 0.9),
  };
}

/** Delay to the first anomalous interval in [start, start + horizon), or undefined. */
function detectionDelay(flags: Uint8Array, start: number, horizon: number): number | undefined {
  for (let i = start; i < Math.min(flags.length, start + horizon); i++) if (flags[i] === 1) return i - start;
  return undefined;
}

/**
 * The whole evaluation: generates the series (seeded), runs the detector on
 * each from cold start, and measures detection and false positives on the
 * day after the burn-in.
 */
export function runSyntheticEvaluation(config: SyntheticEvaluationConfig): SyntheticReport {
  const rng = new SeededRandom(config.seed);
  const evalStart = config.burnInDays * INTERVALS_PER_DAY;
  const intervals = evalStart + INTERVALS_PER_DAY;
  const latestChangeStart = intervals - 3 * 60;
  let serial = 0;
  const nextQuantile = (): number => config.quantiles[serial++ % config.quantiles.length] ?? 0.5;
  const run = (kind: ChangeKind, size: number, length: number, q: number): { series: LatencySeries; flags: Uint8Array } => {
    const start = rng.integer(evalStart, latestChangeStart);
    const spec = sampleSeriesSpec(rng, q, intervals, { kind, start, length, size });
    const series = generateLatencySeries(spec);
    return { series, flags: detectAnomalies(series, config.detectorOptions) };
  };

  // No change.
  let fpSeries = 0;
  let fpEvents = 0;
  let fpIntervals = 0;
  let burnInAlerts = 0;
  const burnInAlertsByDay = new Array<number>(config.burnInDays).fill(0);
  const fpByQuantile = new Map<number, { n: number; fp: number }>();
  for (let s = 0; s < config.noChangeSeries; s++) {
    const q = nextQuantile();
    const { flags } = run('none', 0, 0, q);
    const starts = anomalyStarts(flags);
    const late = starts.filter((i) => i >= evalStart).length;
    if (late > 0) fpSeries++;
    if (starts.some((i) => i < evalStart)) burnInAlerts++;
    for (let day = 0; day < config.burnInDays; day++) {
      if (starts.some((i) => i >= day * INTERVALS_PER_DAY && i < (day + 1) * INTERVALS_PER_DAY)) burnInAlertsByDay[day] = (burnInAlertsByDay[day] ?? 0) + 1;
    }
    fpEvents += late;
    for (let i = evalStart; i < flags.length; i++) fpIntervals += flags[i] ?? 0;
    const entry = fpByQuantile.get(q) ?? { n: 0, fp: 0 };
    entry.n++;
    if (late > 0) entry.fp++;
    fpByQuantile.set(q, entry);
  }

  // Sustained steps by size bucket.
  const stepsByQuantile = new Map<number, { n: number; found: number }>();
  const atLeast20: (number | undefined)[] = [];
  const steps = SHIFT_BUCKETS.map((bucket) => {
    const delays: (number | undefined)[] = [];
    for (let s = 0; s < config.stepSeriesPerBucket; s++) {
      const q = nextQuantile();
      const size = rng.uniform(bucket.low, bucket.high);
      const { series, flags } = run('step', size, 0, q);
      const delay = detectionDelay(flags, series.spec.change.start, config.detectionHorizon);
      delays.push(delay);
      if (bucket.low >= 0.2) {
        atLeast20.push(delay);
        const entry = stepsByQuantile.get(q) ?? { n: 0, found: 0 };
        entry.n++;
        if (delay !== undefined) entry.found++;
        stepsByQuantile.set(q, entry);
      }
    }
    return stats(bucket.label, delays);
  });

  const other = (kind: ChangeKind, label: string, sizeLow: number, sizeHigh: number, lengthLow: number, lengthHigh: number, horizon: number) => {
    const delays: (number | undefined)[] = [];
    for (let s = 0; s < config.otherSeriesPerKind; s++) {
      const { series, flags } = run(kind, rng.uniform(sizeLow, sizeHigh), rng.integer(lengthLow, lengthHigh), nextQuantile());
      delays.push(detectionDelay(flags, series.spec.change.start, horizon));
    }
    return stats(label, delays);
  };
  const deploys = other('deploy', 'deploy shift +20–100 % for 30–180 min', 0.2, 1.0, 30, 180, config.detectionHorizon);
  const drifts = other('drift', 'drift to +30–100 % over 6–24 h', 0.3, 1.0, 360, 1440, 3 * 60);
  const spikes = other('spike', 'one-interval spike ×2–6', 1, 5, 1, 1, 1);

  const quantiles = [...new Set(config.quantiles)];
  return {
    config,
    steps,
    stepsAtLeast20: stats('steps ≥ 20 %', atLeast20),
    deploys,
    drifts,
    spikes,
    falsePositiveSeriesRate: config.noChangeSeries === 0 ? Number.NaN : fpSeries / config.noChangeSeries,
    falsePositivesPerDay: config.noChangeSeries === 0 ? Number.NaN : fpEvents / config.noChangeSeries,
    falsePositiveIntervalRate: config.noChangeSeries === 0 ? Number.NaN : fpIntervals / (config.noChangeSeries * INTERVALS_PER_DAY),
    burnInAlertSeriesRate: config.noChangeSeries === 0 ? Number.NaN : burnInAlerts / config.noChangeSeries,
    burnInAlertSeriesRateByDay: burnInAlertsByDay.map((n) => (config.noChangeSeries === 0 ? Number.NaN : n / config.noChangeSeries)),
    byQuantile: quantiles.map((quantile) => {
      const fp = fpByQuantile.get(quantile) ?? { n: 0, fp: 0 };
      const st = stepsByQuantile.get(quantile) ?? { n: 0, found: 0 };
      return { quantile, falsePositiveSeriesRate: fp.fp / Math.max(1, fp.n), stepsAtLeast20Rate: st.found / Math.max(1, st.n) };
    }),
  };
}
