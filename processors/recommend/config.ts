import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseComponentId } from '../../src/config/component-id';
import { describeValue } from '../../src/config/describe-value';
import { parseDuration } from '../../src/config/duration';
import { ALWAYS, durationString, emptyMeansDefaults, emptyMeansNone, expects, strictMapping } from '../../src/config/schema-helpers';
import type { RecommendEngineOptions } from '../../src/recommend/recommend-engine';
import { RECOMMENDATION_TYPES } from '../../src/recommend/recommendation-catalog';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../src/slo/durations';

/*
 * The `recommend` processor's configuration (issue 5): trace assembly, the
 * analyzers' thresholds, the recommendations' lifecycle and the agent's
 * CPU profiling.
 *
 *   processors:
 *     recommend:
 *       slo: slo                   # optional: the slo processor whose latency SLOs give budget shares
 *       decision_wait: 10s
 *       n_plus_one: { min_count: 5, min_total: 50ms }
 *       disabled: [dominant_dependency]
 *
 * The same id may be listed in a traces pipeline (spans), a metrics pipeline
 * (runtime metrics: nodejs.eventloop.delay.p99, v8js.gc.duration,
 * v8js.memory.heap.used) and a logs pipeline (where its recommendations
 * leave as log records), at most one pipeline each; they share one engine.
 */

// ---------------------------------------------------------------------------
// YAML shape

export interface NPlusOneConfig {
  /** A run is reported with more than this many repeats (Sentry's default, 5). */
  min_count?: number;
  /** … and more than this much time in total (Sentry's default, 50ms). */
  min_total?: string;
}

export interface SequentialCallsConfig {
  min_calls?: number;
  min_saving?: string;
  max_gap?: string;
}

export interface SlowDbStatementConfig {
  /** p95 above which a normalised statement is slow. */
  threshold?: string;
  min_samples?: number;
}

export interface ErrorProneDependencyConfig {
  max_error_ratio?: number;
  min_calls?: number;
}

export interface DominantDependencyConfig {
  min_share?: number;
  min_mean_latency?: string;
  min_traces?: number;
}

export interface EventLoopBlockingConfig {
  threshold?: string;
  window?: string;
  min_samples?: number;
}

export interface GcPressureConfig {
  max_share?: number;
  window?: string;
  min_span?: string;
}

export interface MemoryLeakConfig {
  window?: string;
  min_span?: string;
  min_samples?: number;
  /** Growth of heap used after GC, in MiB per hour, at least. */
  min_slope_mib_per_hour?: number;
  min_r_squared?: number;
}

export interface ProfilingConfig {
  /** Capture CPU profiles in the agent when event_loop_blocking opens or a latency anomaly starts. */
  enabled?: boolean;
  duration?: string;
  min_interval?: string;
  max_duty_cycle?: number;
  /** Also profile when a latency anomaly starts (needs an anomaly processor). */
  on_latency_anomaly?: boolean;
}

export interface RecommendProcessorConfig {
  /** Id of the slo processor whose latency objectives give the error-budget share. */
  slo?: string;
  evaluation_interval?: string;
  decision_wait?: string;
  max_traces?: number;
  max_spans_per_trace?: number;
  max_spans?: number;
  window?: string;
  min_occurrences?: number;
  resolve_after?: string;
  retain_resolved?: string;
  max_recommendations?: number;
  /** Type ids not to report. */
  disabled?: string[];
  /** How often the agent samples its own runtime (event-loop delay, GC, heap). */
  runtime_sampling_interval?: string;
  n_plus_one?: NPlusOneConfig;
  sequential_calls?: SequentialCallsConfig;
  slow_db_statement?: SlowDbStatementConfig;
  error_prone_dependency?: ErrorProneDependencyConfig;
  dominant_dependency?: DominantDependencyConfig;
  event_loop_blocking?: EventLoopBlockingConfig;
  gc_pressure?: GcPressureConfig;
  memory_leak_suspected?: MemoryLeakConfig;
  profiling?: ProfilingConfig;
}

/** The agent's CPU profiler settings. */
export interface ProfilingSettings {
  readonly enabled: boolean;
  readonly durationMs: number;
  readonly minIntervalMs: number;
  readonly maxDutyCycle: number;
  readonly onLatencyAnomaly: boolean;
}

/** What the processor runs with. */
export interface RecommendProcessorSettings {
  readonly sloId: string | undefined;
  readonly evaluationIntervalMs: number;
  readonly runtimeSamplingIntervalMs: number;
  /** The engine's options, but for what the service adds (objectives, operation namer). */
  readonly engine: Omit<RecommendEngineOptions, 'objectives' | 'operationNamer'>;
  readonly profiling: ProfilingSettings;
}

type Defaults = Required<Omit<RecommendProcessorConfig, 'slo'>> & {
  n_plus_one: Required<NPlusOneConfig>;
  sequential_calls: Required<SequentialCallsConfig>;
  slow_db_statement: Required<SlowDbStatementConfig>;
  error_prone_dependency: Required<ErrorProneDependencyConfig>;
  dominant_dependency: Required<DominantDependencyConfig>;
  event_loop_blocking: Required<EventLoopBlockingConfig>;
  gc_pressure: Required<GcPressureConfig>;
  memory_leak_suspected: Required<MemoryLeakConfig>;
  profiling: Required<ProfilingConfig>;
};

// ---------------------------------------------------------------------------
// Defaults: everything a config may leave out is decided here.

/** The processor's defaults; an empty `recommend:` means exactly this (no `slo` link). */
export function createDefaultConfig(): Defaults {
  return {
    evaluation_interval: '5s',
    decision_wait: '10s',
    max_traces: 10_000,
    max_spans_per_trace: 1_000,
    max_spans: 200_000,
    window: '10m',
    min_occurrences: 3,
    resolve_after: '15m',
    retain_resolved: '24h',
    max_recommendations: 500,
    disabled: [],
    runtime_sampling_interval: '10s',
    // Sentry's N+1 detector defaults.
    n_plus_one: { min_count: 5, min_total: '50ms' },
    sequential_calls: { min_calls: 3, min_saving: '50ms', max_gap: '5ms' },
    slow_db_statement: { threshold: '100ms', min_samples: 20 },
    error_prone_dependency: { max_error_ratio: 0.05, min_calls: 50 },
    dominant_dependency: { min_share: 0.6, min_mean_latency: '100ms', min_traces: 20 },
    event_loop_blocking: { threshold: '100ms', window: '5m', min_samples: 3 },
    gc_pressure: { max_share: 0.1, window: '5m', min_span: '1m' },
    memory_leak_suspected: { window: '1h', min_span: '30m', min_samples: 10, min_slope_mib_per_hour: 10, min_r_squared: 0.8 },
    profiling: { enabled: true, duration: '2s', min_interval: '5m', max_duty_cycle: 0.02, on_latency_anomaly: true },
  };
}

// ---------------------------------------------------------------------------
// Validation

const integerFrom = (low: number, high: number) =>
  z
    .number({ error: expects(`an integer from ${low} to ${high}`) })
    .int()
    .min(low)
    .max(high);

const numberFrom = (low: number, high: number, description: string) =>
  z
    .number({ error: expects(description) })
    .min(low)
    .max(high);

const duration = (description: string, low: number, high: number) => durationString({ description, accepts: (ms) => ms >= low && ms <= high });

const sloIdSchema = z.string({ error: expects('the id of an slo processor, e.g. slo or slo/checkout') }).superRefine((text, ctx) => {
  const parsed = parseComponentId(text);
  if (!parsed.ok || parsed.id.type !== 'slo') {
    ctx.addIssue({ code: 'custom', input: text, message: `must be the id of an slo processor, e.g. slo or slo/checkout, got ${describeValue(text)}` });
  }
});

const typeList = z
  .array(z.enum(RECOMMENDATION_TYPES as [string, ...string[]], { error: expects(`one of ${RECOMMENDATION_TYPES.join(', ')}`) }), {
    error: expects(`a list of recommendation types (${RECOMMENDATION_TYPES.join(', ')})`),
  })
  .superRefine((items, ctx) => {
    // ALWAYS: a duplicate is reported beside an unknown type, as the other lists do.
    if (!Array.isArray(items)) return;
    items.forEach((item, index) => {
      const first = items.indexOf(item);
      if (first !== index) ctx.addIssue({ code: 'custom', input: item, path: [index], message: `duplicate ${describeValue(item)}, already listed at [${first}]` });
    });
  }, ALWAYS);

// Keys that another key's rule compares with (see checkRelatedKeys): defined once, here.
const maxSpansField = integerFrom(1, 10_000_000);
const maxSpansPerTraceField = integerFrom(1, 100_000);
const gcWindowField = duration('a duration from 10s to 1d', 10 * SECOND_MS, DAY_MS);
const gcMinSpanField = duration('a duration from 1s to 1d', SECOND_MS, DAY_MS);
const leakWindowField = duration('a duration from 10s to 7d', 10 * SECOND_MS, 7 * DAY_MS);
const leakMinSpanField = duration('a duration from 10s to 7d', 10 * SECOND_MS, 7 * DAY_MS);
const profilingDurationField = duration('a duration from 100ms to 30s', 100, 30 * SECOND_MS);
// The HotSpotProfiler's own bounds: (0, 0.25].
const maxDutyCycleField = z.number({ error: expects('a share > 0 and <= 0.25, e.g. 0.02') }).gt(0).max(0.25);

const section = <Shape extends z.ZodRawShape>(shape: Shape, keys: string) => emptyMeansDefaults(strictMapping(shape, `a mapping with ${keys}`)).optional();

export const recommendProcessorConfigSchema: z.ZodType<RecommendProcessorConfig> = strictMapping(
  {
    slo: sloIdSchema.optional(),
    evaluation_interval: duration('a duration from 1s to 1m', SECOND_MS, MINUTE_MS).optional(),
    decision_wait: duration('a duration from 1s to 5m', SECOND_MS, 5 * MINUTE_MS).optional(),
    max_traces: integerFrom(1, 1_000_000).optional(),
    max_spans_per_trace: maxSpansPerTraceField.optional(),
    max_spans: maxSpansField.optional(),
    window: duration('a duration from 1m to 1d', MINUTE_MS, DAY_MS).optional(),
    min_occurrences: integerFrom(1, 1_000_000).optional(),
    resolve_after: duration('a duration from 10s to 7d', 10 * SECOND_MS, 7 * DAY_MS).optional(),
    retain_resolved: duration('a duration from 1m to 30d', MINUTE_MS, 30 * DAY_MS).optional(),
    // Two series per open recommendation stay within the OpenTelemetry SDK's default cardinality limit of 2000.
    max_recommendations: integerFrom(1, 1999).optional(),
    disabled: emptyMeansNone(typeList).optional(),
    runtime_sampling_interval: duration('a duration from 1s to 1m', SECOND_MS, MINUTE_MS).optional(),
    n_plus_one: section(
      { min_count: integerFrom(1, 1_000_000).optional(), min_total: duration('a duration from 0s to 1h', 0, HOUR_MS).optional() },
      'min_count and min_total',
    ),
    sequential_calls: section(
      {
        min_calls: integerFrom(2, 10_000).optional(),
        min_saving: duration('a duration from 0s to 1h', 0, HOUR_MS).optional(),
        max_gap: duration('a duration from 0s to 1h', 0, HOUR_MS).optional(),
      },
      'min_calls, min_saving and max_gap',
    ),
    slow_db_statement: section(
      { threshold: duration('a duration from 1ms to 1h', 1, HOUR_MS).optional(), min_samples: integerFrom(1, 1_000_000).optional() },
      'threshold and min_samples',
    ),
    error_prone_dependency: section(
      {
        // Below 1: a ratio of 1 could never be exceeded (DependencyStats refuses it).
        max_error_ratio: z.number({ error: expects('a ratio >= 0 and < 1, e.g. 0.05') }).min(0).lt(1).optional(),
        min_calls: integerFrom(1, 1_000_000).optional(),
      },
      'max_error_ratio and min_calls',
    ),
    dominant_dependency: section(
      {
        // Above 0: a finding must name a part that took some time (DominantDependencyStats refuses 0).
        min_share: z.number({ error: expects('a share > 0 and <= 1, e.g. 0.6') }).gt(0).max(1).optional(),
        min_mean_latency: duration('a duration from 0s to 1h', 0, HOUR_MS).optional(),
        min_traces: integerFrom(1, 1_000_000).optional(),
      },
      'min_share, min_mean_latency and min_traces',
    ),
    event_loop_blocking: section(
      {
        threshold: duration('a duration from 1ms to 1m', 1, MINUTE_MS).optional(),
        window: duration('a duration from 10s to 1d', 10 * SECOND_MS, DAY_MS).optional(),
        min_samples: integerFrom(1, 512).optional(),
      },
      'threshold, window and min_samples',
    ),
    gc_pressure: section(
      {
        max_share: numberFrom(0, 1, 'a share from 0 to 1, e.g. 0.1').optional(),
        window: gcWindowField.optional(),
        min_span: gcMinSpanField.optional(),
      },
      'max_share, window and min_span',
    ),
    memory_leak_suspected: section(
      {
        window: leakWindowField.optional(),
        min_span: leakMinSpanField.optional(),
        min_samples: integerFrom(3, 512).optional(),
        min_slope_mib_per_hour: numberFrom(0, 1_000_000, 'a number of MiB per hour >= 0, e.g. 10').optional(),
        min_r_squared: numberFrom(0, 1, 'a number from 0 to 1, e.g. 0.8').optional(),
      },
      'window, min_span, min_samples, min_slope_mib_per_hour and min_r_squared',
    ),
    profiling: section(
      {
        enabled: z.boolean({ error: expects('true or false') }).optional(),
        duration: profilingDurationField.optional(),
        min_interval: duration('a duration from 1s to 1d', SECOND_MS, DAY_MS).optional(),
        max_duty_cycle: maxDutyCycleField.optional(),
        on_latency_anomaly: z.boolean({ error: expects('true or false') }).optional(),
      },
      'enabled, duration, min_interval, max_duty_cycle and on_latency_anomaly',
    ),
  },
  'a mapping of recommend settings (slo, decision_wait, window, n_plus_one, … see processors/recommend/README.md)',
).superRefine((config, ctx) => checkRelatedKeys(config, ctx), ALWAYS);

/** Whether `value` passes `field` on its own (related keys compare only valid values). */
const valid = (field: z.ZodType, value: unknown): boolean => field.safeParse(value).success;

/**
 * The rules between keys that the engine's parts check when they are built
 * (a config passing here must never fail there), in YAML terms. Runs even
 * when other keys failed (ALWAYS): compares only what is valid, and blames
 * the key that was written.
 */
function checkRelatedKeys(config: RecommendProcessorConfig, ctx: z.RefinementCtx): void {
  if (typeof config !== 'object' || config === null) return;
  const d = createDefaultConfig();
  // The trace buffer evicts whole traces to stay under max_spans: one trace must fit.
  const perTrace = config.max_spans_per_trace;
  const maxSpans = config.max_spans ?? d.max_spans;
  if (valid(maxSpansPerTraceField, perTrace) && valid(maxSpansField, maxSpans) && (perTrace as number) > maxSpans) {
    ctx.addIssue({ code: 'custom', input: perTrace, path: ['max_spans_per_trace'], message: `must be <= max_spans (${maxSpans}), got ${perTrace}` });
  }
  // A detector's min_span longer than its window could never be reached.
  const spans = [
    ['gc_pressure', gcWindowField, gcMinSpanField],
    ['memory_leak_suspected', leakWindowField, leakMinSpanField],
  ] as const;
  for (const [name, windowField, minSpanField] of spans) {
    const written = config[name];
    if (typeof written !== 'object' || written === null) continue;
    const window = written.window ?? d[name].window;
    if (valid(windowField, window) && valid(minSpanField, written.min_span) && parseDuration(written.min_span as string) > parseDuration(window)) {
      ctx.addIssue({ code: 'custom', input: written.min_span, path: [name, 'min_span'], message: `must be <= window (${window}), got ${describeValue(written.min_span)}` });
    }
  }
  // The profiler refuses a duty cycle that leaves no room for one capture per hour.
  const profiling = config.profiling;
  if (typeof profiling !== 'object' || profiling === null) return;
  const dutyCycle = profiling.max_duty_cycle;
  const captureDuration = profiling.duration ?? d.profiling.duration;
  if (valid(maxDutyCycleField, dutyCycle) && valid(profilingDurationField, captureDuration)) {
    const durationMs = parseDuration(captureDuration);
    if ((dutyCycle as number) * HOUR_MS < durationMs) {
      const least = Math.ceil((durationMs / HOUR_MS) * 1e6) / 1e6;
      ctx.addIssue({
        code: 'custom',
        input: dutyCycle,
        path: ['profiling', 'max_duty_cycle'],
        message: `must leave room for one capture of duration (${captureDuration}) per hour, i.e. >= ${least}, got ${dutyCycle}`,
      });
    }
  }
}

// ---------------------------------------------------------------------------
// Resolution: YAML shape → runtime settings. The input has passed the schema.

export function resolveRecommendProcessorSettings(config: RecommendProcessorConfig): RecommendProcessorSettings {
  const d = createDefaultConfig();
  const nPlusOne = { ...d.n_plus_one, ...config.n_plus_one };
  const sequential = { ...d.sequential_calls, ...config.sequential_calls };
  const slow = { ...d.slow_db_statement, ...config.slow_db_statement };
  const errorProne = { ...d.error_prone_dependency, ...config.error_prone_dependency };
  const dominant = { ...d.dominant_dependency, ...config.dominant_dependency };
  const eventLoop = { ...d.event_loop_blocking, ...config.event_loop_blocking };
  const gc = { ...d.gc_pressure, ...config.gc_pressure };
  const leak = { ...d.memory_leak_suspected, ...config.memory_leak_suspected };
  const profiling = { ...d.profiling, ...config.profiling };
  const windowMs = parseDuration(config.window ?? d.window);
  const maxSpans = config.max_spans ?? d.max_spans;
  const gcWindowMs = parseDuration(gc.window);
  const leakWindowMs = parseDuration(leak.window);
  return {
    sloId: config.slo,
    evaluationIntervalMs: parseDuration(config.evaluation_interval ?? d.evaluation_interval),
    runtimeSamplingIntervalMs: parseDuration(config.runtime_sampling_interval ?? d.runtime_sampling_interval),
    engine: {
      buffer: {
        decisionWaitMs: parseDuration(config.decision_wait ?? d.decision_wait),
        maxTraces: config.max_traces ?? d.max_traces,
        // The buffer requires per trace <= total: the default per-trace cap (the loader lays the
        // defaults under what was written) follows a smaller max_spans; a written one was checked.
        maxSpansPerTrace: Math.min(config.max_spans_per_trace ?? d.max_spans_per_trace, maxSpans),
        maxSpans,
      },
      windowMs,
      minOccurrences: config.min_occurrences ?? d.min_occurrences,
      disabledTypes: [...(config.disabled ?? d.disabled)],
      store: {
        resolveAfterMs: parseDuration(config.resolve_after ?? d.resolve_after),
        retainResolvedMs: parseDuration(config.retain_resolved ?? d.retain_resolved),
        maxRecommendations: config.max_recommendations ?? d.max_recommendations,
      },
      nPlusOne: { minCount: nPlusOne.min_count, minTotalMs: parseDuration(nPlusOne.min_total) },
      sequentialCalls: { minCalls: sequential.min_calls, minSavingMs: parseDuration(sequential.min_saving), maxGapMs: parseDuration(sequential.max_gap) },
      dependencyStats: {
        windowMs,
        slowStatementP95Ms: parseDuration(slow.threshold),
        minSamples: slow.min_samples,
        maxErrorRatio: errorProne.max_error_ratio,
        minCalls: errorProne.min_calls,
      },
      dominantDependency: { windowMs, minShare: dominant.min_share, minMeanLatencyMs: parseDuration(dominant.min_mean_latency), minTraces: dominant.min_traces },
      eventLoopBlocking: { thresholdMs: parseDuration(eventLoop.threshold), windowMs: parseDuration(eventLoop.window), minSamples: eventLoop.min_samples },
      // Unwritten, min_span follows a shorter window (the detectors require min_span <= window).
      gcPressure: { maxShare: gc.max_share, windowMs: gcWindowMs, minSpanMs: spanWithin(config.gc_pressure?.min_span, d.gc_pressure.min_span, gcWindowMs) },
      memoryLeak: {
        windowMs: leakWindowMs,
        minSpanMs: spanWithin(config.memory_leak_suspected?.min_span, d.memory_leak_suspected.min_span, leakWindowMs),
        minSamples: leak.min_samples,
        minSlopeBytesPerHour: leak.min_slope_mib_per_hour * 1_048_576,
        minRSquared: leak.min_r_squared,
      },
    },
    profiling: {
      enabled: profiling.enabled,
      durationMs: parseDuration(profiling.duration),
      minIntervalMs: parseDuration(profiling.min_interval),
      maxDutyCycle: profiling.max_duty_cycle,
      onLatencyAnomaly: profiling.on_latency_anomaly,
    },
  };
}

/** A written min_span as written; the default one capped at the window. */
function spanWithin(written: string | undefined, fallback: string, windowMs: number): number {
  return written !== undefined ? parseDuration(written) : Math.min(parseDuration(fallback), windowMs);
}

// ---------------------------------------------------------------------------

export const recommendProcessorFactory: ComponentFactory<RecommendProcessorConfig, RecommendProcessorSettings> = {
  kind: 'processor',
  type: 'recommend',
  // Spans in, runtime metrics in, recommendations out as log records.
  signals: ['traces', 'metrics', 'logs'],
  schema: recommendProcessorConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveRecommendProcessorSettings(config),
};
