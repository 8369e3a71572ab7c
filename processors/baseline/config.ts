import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseDuration } from '../../src/config/duration';
import { durationString, emptyMeansDefaults, expects, strictMapping, uniqueNameList } from '../../src/config/schema-helpers';
import { BASELINE_SIGNALS } from '../../src/baseline/baseline-signal';
import type { BaselineSignal } from '../../src/baseline/baseline-signal';
import { OTLP_SPAN_KIND_OF, SPAN_KIND_NAMES } from '../../src/engine/span-kind-names';
import type { SpanKindName } from '../../src/engine/span-kind-names';
import { DAY_MS, HOUR_MS, SECOND_MS } from '../../src/slo/durations';

/*
 * The `baseline` processor's configuration:
 *
 *   processors:
 *     baseline:
 *       interval: 1m
 *       history: 24h
 *       cold_start: 30m
 *       max_keys: 2000
 *       span_kinds: [server, consumer]
 *       signals: [latency_p50, latency_p90, latency_p95, latency_p99, error_ratio, throughput]
 *       seasonality: [daily, weekly]
 *       exemplars: 3
 *       idle_timeout: 24h
 *       sensitivity:
 *         min_count: 20
 *         sustain_intervals: 5
 *         min_relative_change: 0.1
 *         min_absolute_change: { latency: 1ms, error_ratio: 0.01, throughput: 0.1 }
 *         novelty_window: 0
 *
 * The YAML shape (snake_case, duration strings) is what users write and the
 * schema validates; resolveBaselineProcessorSettings turns it into
 * milliseconds and OTLP span kind numbers. docs/baselines-and-anomalies.md
 * explains every option.
 */

// ---------------------------------------------------------------------------
// YAML shape

export type SeasonalityName = 'daily' | 'weekly';

export interface BaselineProcessorConfig {
  /** Roll-up interval: 10s to 1h, dividing 1h. */
  interval?: string;
  /** Trailing history the baseline level represents: 1h to 7d. */
  history?: string;
  /** No baseline (and no anomaly) before a key has been seen this long: 0 to 7d (at least 3 intervals). */
  cold_start?: string;
  /** Keys tracked; further keys share one overflow key. */
  max_keys?: number;
  span_kinds?: SpanKindName[];
  /** Signals that get a baseline. */
  signals?: BaselineSignal[];
  /** Seasonal profiles learned on top of the level; weekly needs daily. */
  seasonality?: SeasonalityName[];
  /** Trace ids kept per key per interval as evidence. */
  exemplars?: number;
  /** A key without spans for this long is forgotten: 1h to 30d. */
  idle_timeout?: string;
  sensitivity?: SensitivityConfig;
}

export interface SensitivityConfig {
  /** Spans an interval needs before its latency or error ratio may open an anomaly. */
  min_count?: number;
  /** Intervals a moderate deviation must last (an extreme one alerts at once). */
  sustain_intervals?: number;
  /** Deviations smaller than this share of the baseline are never anomalies. */
  min_relative_change?: number;
  /** Deviations smaller than these are never anomalies (the larger floor applies). */
  min_absolute_change?: { latency?: string; error_ratio?: number; throughput?: number };
  /** Values in the distribution-change test (0 = off, else 5 to 128); see docs/anomaly-detection.md. */
  novelty_window?: number;
}

/** What the processor (and the agent) run with. */
export interface BaselineProcessorSettings {
  readonly intervalMs: number;
  readonly historyMs: number;
  readonly coldStartMs: number;
  readonly maxKeys: number;
  /** OTLP span kind numbers (OtlpSpanKind). */
  readonly spanKinds: readonly number[];
  readonly signals: readonly BaselineSignal[];
  readonly dailySeasonality: boolean;
  readonly weeklySeasonality: boolean;
  readonly exemplars: number;
  readonly idleTimeoutMs: number;
  readonly minCount: number;
  readonly sustainIntervals: number;
  readonly minRelativeChange: number;
  readonly minLatencyChangeMs: number;
  readonly minErrorRatioChange: number;
  readonly minThroughputChange: number;
  /** 0 = off. */
  readonly noveltyWindow: number;
}

// ---------------------------------------------------------------------------
// Defaults: everything a config may leave out is decided here.

/** The processor's defaults; an empty `baseline:` means exactly this. */
export function createDefaultConfig(): Required<BaselineProcessorConfig> & { sensitivity: SensitivityDefaults } {
  return {
    interval: '1m',
    // The level's memory: 24h follows a deploy's lasting change within the
    // day, while time-of-day and day-of-week patterns live in the seasonal
    // profiles (3 days / 3 weeks of memory), not in the level.
    history: '24h',
    cold_start: '30m',
    max_keys: 2000,
    span_kinds: ['server', 'consumer'],
    signals: [...BASELINE_SIGNALS],
    seasonality: ['daily', 'weekly'],
    exemplars: 3,
    idle_timeout: '24h',
    sensitivity: createSensitivityDefaults(),
  };
}

/** Every sensitivity key, nested ones included. */
export type SensitivityDefaults = Required<SensitivityConfig> & { min_absolute_change: Required<NonNullable<SensitivityConfig['min_absolute_change']>> };

export function createSensitivityDefaults(): SensitivityDefaults {
  return {
    min_count: 20,
    sustain_intervals: 5,
    min_relative_change: 0.1,
    min_absolute_change: { latency: '1ms', error_ratio: 0.01, throughput: 0.1 },
    // Off: on one-minute latency quantiles the distribution-change test
    // raised the synthetic false-positive rate from 2.3 % to about 34 %.
    novelty_window: 0,
  };
}

// ---------------------------------------------------------------------------
// Validation

/** Upper bound on max_keys (see docs/baselines-and-anomalies.md for the memory per key). */
export const MAX_KEYS_LIMIT = 10_000;

const SEASONALITY_NAMES = ['daily', 'weekly'] as const satisfies readonly SeasonalityName[];

const INTERVAL_DESCRIPTION = 'a duration from 10s to 1h that divides 1h (e.g. 10s, 30s, 1m, 5m, 15m)';

const absoluteChangeSchema = strictMapping(
  {
    latency: durationString({ description: 'a duration from 0 to 1m', accepts: (ms) => ms <= 60 * SECOND_MS }).optional(),
    error_ratio: z.number({ error: expects('a ratio from 0 to 1') }).min(0).max(1).optional(),
    throughput: z.number({ error: expects('a number of spans per second >= 0') }).min(0).optional(),
  },
  'a mapping with latency, error_ratio and throughput',
);

const sensitivitySchema = strictMapping(
  {
    min_count: z.number({ error: expects('an integer from 0 to 1000000') }).int().min(0).max(1_000_000).optional(),
    sustain_intervals: z.number({ error: expects('an integer from 1 to 64') }).int().min(1).max(64).optional(),
    min_relative_change: z.number({ error: expects('a ratio from 0 to 10 (0.1 = 10 %)') }).min(0).max(10).optional(),
    min_absolute_change: emptyMeansDefaults(absoluteChangeSchema).optional(),
    novelty_window: z
      .number({ error: expects('0 (off) or an integer from 5 to 128') })
      .int()
      .refine((n) => n === 0 || (n >= 5 && n <= 128), { error: (issue) => `must be 0 (off) or an integer from 5 to 128, got ${String(issue.input)}` })
      .optional(),
  },
  'a mapping with min_count, sustain_intervals, min_relative_change, min_absolute_change and novelty_window',
);

export const baselineProcessorConfigSchema: z.ZodType<BaselineProcessorConfig> = strictMapping(
  {
    interval: durationString({
      description: INTERVAL_DESCRIPTION,
      accepts: (ms) => ms >= 10 * SECOND_MS && ms <= HOUR_MS && HOUR_MS % ms === 0,
    }).optional(),
    history: durationString({ description: 'a duration from 1h to 7d', accepts: (ms) => ms >= HOUR_MS && ms <= 7 * DAY_MS }).optional(),
    cold_start: durationString({ description: 'a duration from 0 to 7d', accepts: (ms) => ms <= 7 * DAY_MS }).optional(),
    max_keys: z.number({ error: expects(`an integer from 1 to ${MAX_KEYS_LIMIT}`) }).int().min(1).max(MAX_KEYS_LIMIT).optional(),
    span_kinds: uniqueNameList(SPAN_KIND_NAMES, 'span kinds', false).optional(),
    signals: uniqueNameList(BASELINE_SIGNALS, 'signals', false).optional(),
    seasonality: uniqueNameList(SEASONALITY_NAMES, 'seasonal profiles (daily, weekly)', true)
      .superRefine((items, ctx) => {
        if (Array.isArray(items) && items.includes('weekly') && !items.includes('daily')) {
          ctx.addIssue({ code: 'custom', input: items, message: `must include daily when it includes weekly (the weekly profile refines the daily one), got [${items.join(', ')}]` });
        }
      })
      .optional(),
    exemplars: z.number({ error: expects('an integer from 0 to 10') }).int().min(0).max(10).optional(),
    idle_timeout: durationString({ description: 'a duration from 1h to 30d', accepts: (ms) => ms >= HOUR_MS && ms <= 30 * DAY_MS }).optional(),
    sensitivity: emptyMeansDefaults(sensitivitySchema).optional(),
  },
  'a mapping with interval, history, cold_start, max_keys, span_kinds, signals, seasonality, exemplars, idle_timeout and sensitivity',
);

// ---------------------------------------------------------------------------
// Resolution: YAML shape → runtime settings. The input has passed the schema.

export function resolveBaselineProcessorSettings(config: BaselineProcessorConfig): BaselineProcessorSettings {
  const defaults = createDefaultConfig();
  const sensitivity = config.sensitivity ?? {};
  const absolute = sensitivity.min_absolute_change ?? {};
  const defaultSensitivity = defaults.sensitivity;
  const defaultAbsolute = defaultSensitivity.min_absolute_change;
  const seasonality = config.seasonality ?? defaults.seasonality;
  const signals = config.signals ?? defaults.signals;
  return {
    intervalMs: parseDuration(config.interval ?? defaults.interval),
    historyMs: parseDuration(config.history ?? defaults.history),
    coldStartMs: parseDuration(config.cold_start ?? defaults.cold_start),
    maxKeys: config.max_keys ?? defaults.max_keys,
    spanKinds: (config.span_kinds ?? defaults.span_kinds).map((name) => OTLP_SPAN_KIND_OF[name]),
    // In BASELINE_SIGNALS order whatever the order written.
    signals: BASELINE_SIGNALS.filter((s) => signals.includes(s)),
    dailySeasonality: seasonality.includes('daily'),
    weeklySeasonality: seasonality.includes('weekly'),
    exemplars: config.exemplars ?? defaults.exemplars,
    idleTimeoutMs: parseDuration(config.idle_timeout ?? defaults.idle_timeout),
    minCount: sensitivity.min_count ?? defaultSensitivity.min_count,
    sustainIntervals: sensitivity.sustain_intervals ?? defaultSensitivity.sustain_intervals,
    minRelativeChange: sensitivity.min_relative_change ?? defaultSensitivity.min_relative_change,
    minLatencyChangeMs: parseDuration(absolute.latency ?? defaultAbsolute.latency),
    minErrorRatioChange: absolute.error_ratio ?? defaultAbsolute.error_ratio,
    minThroughputChange: absolute.throughput ?? defaultAbsolute.throughput,
    noveltyWindow: sensitivity.novelty_window ?? defaultSensitivity.novelty_window,
  };
}

export const baselineProcessorFactory: ComponentFactory<BaselineProcessorConfig, BaselineProcessorSettings> = {
  kind: 'processor',
  type: 'baseline',
  signals: ['traces'],
  schema: baselineProcessorConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveBaselineProcessorSettings(config),
};
