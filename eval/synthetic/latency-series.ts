import { probit } from 'simple-statistics';
import { SeededRandom } from './seeded-random';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** What, if anything, changes in a series. */
export type ChangeKind = 'none' | 'step' | 'deploy' | 'spike' | 'drift';

/** The injected change and where it is (interval indices, inclusive start, exclusive end). */
export interface ChangeSpec {
  readonly kind: ChangeKind;
  /** First interval affected. */
  readonly start: number;
  /**
   * Intervals affected: a step lasts to the end of the series, a deploy
   * shift reverts after this many intervals, a spike is 1 interval, a drift
   * ramps linearly over this many intervals and then stays.
   */
  readonly length: number;
  /** Relative size: +0.3 multiplies latency by 1.3 (a drift reaches it at its end). */
  readonly size: number;
}

/** A low-traffic stretch: traffic × `factor` for `length` intervals. */
export interface TrafficGap {
  readonly start: number;
  readonly length: number;
  readonly factor: number;
}

/**
 * A latency-like series: per interval, `count` requests with log-normal
 * latencies, summarised by one quantile. Every field is explicit so a series
 * is reproducible from its spec alone.
 */
export interface LatencySeriesSpec {
  readonly seed: number;
  readonly intervals: number;
  /** @default 60000 */
  readonly intervalMs?: number;
  /** Start of the first interval (Unix ms). */
  readonly startMs: number;
  /** The quantile reported per interval, e.g. 0.5 or 0.99. */
  readonly quantile: number;
  /** Median request latency at the daily mean load, in seconds. */
  readonly medianSeconds: number;
  /** σ of log(latency) across requests. */
  readonly requestSigma: number;
  /** Mean requests per interval at the daily mean load. */
  readonly requestsPerInterval: number;
  /** Traffic swings by ±this share over the day (peak 15:00 UTC). */
  readonly trafficAmplitude: number;
  /** Median latency swings by ±this share with the load. */
  readonly latencyAmplitude: number;
  /** σ of the per-interval multiplicative AR(1) noise every request of an interval shares. */
  readonly sharedSigma: number;
  /** AR(1) coefficient of that shared noise, interval to interval. */
  readonly sharedAutocorrelation: number;
  readonly gaps: readonly TrafficGap[];
  readonly change: ChangeSpec;
}

/** A generated series with its ground truth. */
export interface LatencySeries {
  readonly spec: LatencySeriesSpec;
  /** End of each interval (Unix ms). */
  readonly timesMs: Float64Array;
  /** The quantile of the interval's request latencies; NaN when it had no request. */
  readonly values: Float64Array;
  /** Requests in the interval. */
  readonly counts: Float64Array;
  /** 1 where the injected change is in effect (the truth), 0 elsewhere. */
  readonly labels: Uint8Array;
}

/** The latency multiplier the change applies at interval `i`. */
export function changeMultiplier(change: ChangeSpec, i: number): number {
  const offset = i - change.start;
  if (change.kind === 'none' || offset < 0) return 1;
  switch (change.kind) {
    case 'step':
      return 1 + change.size;
    case 'deploy':
      return offset < change.length ? 1 + change.size : 1;
    case 'spike':
      return offset === 0 ? 1 + change.size : 1;
    case 'drift':
      return 1 + change.size * Math.min(1, (offset + 1) / change.length);
  }
}

/**
 * Generates a series. Per interval i (ending at `startMs + (i + 1) · interval`):
 * - load f = 1 + trafficAmplitude · cos(2π (hour − 15) / 24), times the gap
 *   factor inside a low-traffic gap;
 * - requests n ~ Poisson(requestsPerInterval · f);
 * - request latencies are log-normal with log-median
 *   log(medianSeconds · (1 + latencyAmplitude · (f − 1) / trafficAmplitude)) + s_i + log(change),
 *   σ = requestSigma, where s_i is the shared AR(1) noise of the interval;
 * - the reported value is the empirical quantile of the n latencies: the
 *   k-th smallest, k = ⌈quantile · n⌉. It is drawn exactly, without
 *   simulating n requests: the k-th order statistic of n uniforms is
 *   Beta(k, n − k + 1), mapped through the log-normal's quantile function.
 *   So the noise of a p99 at 50 requests is that of the real thing.
 */
export function generateLatencySeries(spec: LatencySeriesSpec): LatencySeries {
  const rng = new SeededRandom(spec.seed);
  const intervalMs = spec.intervalMs ?? MINUTE_MS;
  const n = spec.intervals;
  const timesMs = new Float64Array(n);
  const values = new Float64Array(n);
  const counts = new Float64Array(n);
  const labels = new Uint8Array(n);
  const innovation = spec.sharedSigma * Math.sqrt(1 - spec.sharedAutocorrelation * spec.sharedAutocorrelation);
  let shared = spec.sharedSigma * rng.normal();
  for (let i = 0; i < n; i++) {
    const endMs = spec.startMs + (i + 1) * intervalMs;
    timesMs[i] = endMs;
    const midMs = endMs - intervalMs / 2;
    const hour = (((midMs % DAY_MS) + DAY_MS) % DAY_MS) / (60 * MINUTE_MS);
    const season = Math.cos((2 * Math.PI * (hour - 15)) / 24);
    let load = 1 + spec.trafficAmplitude * season;
    for (const gap of spec.gaps) if (i >= gap.start && i < gap.start + gap.length) load *= gap.factor;
    const requests = rng.poisson(spec.requestsPerInterval * load);
    shared = spec.sharedAutocorrelation * shared + innovation * rng.normal();
    const multiplier = changeMultiplier(spec.change, i);
    labels[i] = multiplier !== 1 ? 1 : 0;
    counts[i] = requests;
    if (requests === 0) {
      values[i] = Number.NaN;
      continue;
    }
    const logMedian = Math.log(spec.medianSeconds * (1 + spec.latencyAmplitude * season)) + shared + Math.log(multiplier);
    const k = Math.max(1, Math.ceil(spec.quantile * requests));
    const u = requests === 1 ? rng.next() : rng.beta(k, requests - k + 1);
    const clamped = Math.min(1 - 1e-12, Math.max(1e-12, u));
    values[i] = Math.exp(logMedian + spec.requestSigma * probit(clamped));
  }
  return { spec, timesMs, values, counts, labels };
}
