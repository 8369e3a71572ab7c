import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  recommendProcessorConfigSchema,
  recommendProcessorFactory,
  resolveRecommendProcessorSettings,
} from '../../../processors/recommend/config';
import type { RecommendProcessorConfig } from '../../../processors/recommend/config';
import { HotSpotProfiler } from '../../../instrumentation/hot-spot-profiler';
import { DEFAULT_HOT_SPOT_DURATION_MS, DEFAULT_HOT_SPOT_MAX_DUTY_CYCLE, DEFAULT_HOT_SPOT_MIN_INTERVAL_MS } from '../../../instrumentation/hot-spot-profiler-options';
import { ManualClock } from '../../../src/clock';
import { formatYamlPath } from '../../../src/config/yaml-path';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import type { Logger } from '../../../src/logging/logger';
import { DEFAULT_N_PLUS_ONE_OPTIONS } from '../../../src/recommend/n-plus-one-options';
import { RecommendEngine } from '../../../src/recommend/recommend-engine';
import { RECOMMENDATION_TYPES } from '../../../src/recommend/recommendation-catalog';
import { DEFAULT_RECOMMENDATION_STORE_OPTIONS } from '../../../src/recommend/recommendation-store';
import { DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS, DEFAULT_GC_PRESSURE_OPTIONS, DEFAULT_MEMORY_LEAK_OPTIONS } from '../../../src/recommend/runtime-signals-options';
import { DEFAULT_SEQUENTIAL_CALLS_OPTIONS } from '../../../src/recommend/sequential-calls-analyzer';
import { DEFAULT_TRACE_BUFFER_OPTIONS } from '../../../src/recommend/trace-buffer-options';
import { DOCUMENTED_RECOMMEND_DEFAULTS } from './fixture-cases';

/** Validates like the loader does and returns `path: message` lines. */
function problems(value: unknown): string[] {
  const result = recommendProcessorConfigSchema.safeParse(value, { error: configErrorMap });
  return result.success ? [] : translateZodIssues(result.error.issues).map((p) => (p.path.length === 0 ? p.message : `${formatYamlPath(p.path)}: ${p.message}`));
}

/** What the loader resolves: the written keys laid over the defaults (see resolve-config.ts). */
function loaded(written: RecommendProcessorConfig) {
  expect(problems(written)).toEqual([]);
  return resolveRecommendProcessorSettings({ ...createDefaultConfig(), ...written });
}

const TYPES = RECOMMENDATION_TYPES.join(', ');
const TOP_LEVEL_KEYS =
  'slo, evaluation_interval, decision_wait, max_traces, max_spans_per_trace, max_spans, window, min_occurrences, resolve_after, retain_resolved, max_recommendations, disabled, runtime_sampling_interval, n_plus_one, sequential_calls, slow_db_statement, error_prone_dependency, dominant_dependency, event_loop_blocking, gc_pressure, memory_leak_suspected, profiling';
const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

describe('recommend processor config: defaults', () => {
  it('createDefaultConfig passes its own schema and holds every key but the optional slo link', () => {
    expect(problems(createDefaultConfig())).toEqual([]);
    expect(Object.keys(createDefaultConfig())).toEqual(TOP_LEVEL_KEYS.split(', ').filter((key) => key !== 'slo'));
    const sections = createDefaultConfig();
    expect(Object.keys(sections.n_plus_one)).toEqual(['min_count', 'min_total']);
    expect(Object.keys(sections.sequential_calls)).toEqual(['min_calls', 'min_saving', 'max_gap']);
    expect(Object.keys(sections.slow_db_statement)).toEqual(['threshold', 'min_samples']);
    expect(Object.keys(sections.error_prone_dependency)).toEqual(['max_error_ratio', 'min_calls']);
    expect(Object.keys(sections.dominant_dependency)).toEqual(['min_share', 'min_mean_latency', 'min_traces']);
    expect(Object.keys(sections.event_loop_blocking)).toEqual(['threshold', 'window', 'min_samples']);
    expect(Object.keys(sections.gc_pressure)).toEqual(['max_share', 'window', 'min_span']);
    expect(Object.keys(sections.memory_leak_suspected)).toEqual(['window', 'min_span', 'min_samples', 'min_slope_mib_per_hour', 'min_r_squared']);
    expect(Object.keys(sections.profiling)).toEqual(['enabled', 'duration', 'min_interval', 'max_duty_cycle', 'on_latency_anomaly']);
  });

  it('resolves to the documented defaults, the same from {} and from createDefaultConfig()', () => {
    expect(resolveRecommendProcessorSettings(createDefaultConfig())).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS);
    expect(resolveRecommendProcessorSettings({})).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS);
    expect(recommendProcessorFactory.resolve({}, { env: {} })).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS);
  });

  it('agrees with the defaults of the engine parts it configures', () => {
    const { engine, profiling } = DOCUMENTED_RECOMMEND_DEFAULTS;
    expect(engine.buffer).toEqual({
      decisionWaitMs: DEFAULT_TRACE_BUFFER_OPTIONS.decisionWaitMs,
      maxTraces: DEFAULT_TRACE_BUFFER_OPTIONS.maxTraces,
      maxSpansPerTrace: DEFAULT_TRACE_BUFFER_OPTIONS.maxSpansPerTrace,
      maxSpans: DEFAULT_TRACE_BUFFER_OPTIONS.maxSpans,
    });
    expect(engine.nPlusOne).toEqual({ minCount: DEFAULT_N_PLUS_ONE_OPTIONS.minCount, minTotalMs: DEFAULT_N_PLUS_ONE_OPTIONS.minTotalMs });
    expect(engine.sequentialCalls).toEqual({
      minCalls: DEFAULT_SEQUENTIAL_CALLS_OPTIONS.minCalls,
      minSavingMs: DEFAULT_SEQUENTIAL_CALLS_OPTIONS.minSavingMs,
      maxGapMs: DEFAULT_SEQUENTIAL_CALLS_OPTIONS.maxGapMs,
    });
    expect(engine.store).toEqual(DEFAULT_RECOMMENDATION_STORE_OPTIONS);
    expect(engine.eventLoopBlocking).toEqual({
      thresholdMs: DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS.thresholdMs,
      windowMs: DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS.windowMs,
      minSamples: DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS.minSamples,
    });
    expect(engine.gcPressure).toEqual({ maxShare: DEFAULT_GC_PRESSURE_OPTIONS.maxShare, windowMs: DEFAULT_GC_PRESSURE_OPTIONS.windowMs, minSpanMs: DEFAULT_GC_PRESSURE_OPTIONS.minSpanMs });
    expect(engine.memoryLeak).toEqual({
      windowMs: DEFAULT_MEMORY_LEAK_OPTIONS.windowMs,
      minSpanMs: DEFAULT_MEMORY_LEAK_OPTIONS.minSpanMs,
      minSamples: DEFAULT_MEMORY_LEAK_OPTIONS.minSamples,
      minSlopeBytesPerHour: DEFAULT_MEMORY_LEAK_OPTIONS.minSlopeBytesPerHour,
      minRSquared: DEFAULT_MEMORY_LEAK_OPTIONS.minRSquared,
    });
    expect([profiling.durationMs, profiling.minIntervalMs, profiling.maxDutyCycle]).toEqual([
      DEFAULT_HOT_SPOT_DURATION_MS,
      DEFAULT_HOT_SPOT_MIN_INTERVAL_MS,
      DEFAULT_HOT_SPOT_MAX_DUTY_CYCLE,
    ]);
  });

  it('is a processor of type recommend for traces (spans in), metrics (runtime metrics in) and logs (recommendations out)', () => {
    expect([recommendProcessorFactory.kind, recommendProcessorFactory.type, recommendProcessorFactory.signals]).toEqual(['processor', 'recommend', ['traces', 'metrics', 'logs']]);
    expect(recommendProcessorFactory.schema).toBe(recommendProcessorConfigSchema);
  });
});

describe('recommend processor config: resolution', () => {
  it('lays a partial section over that section\'s defaults and converts units', () => {
    const settings = loaded({ n_plus_one: { min_total: '1s' }, memory_leak_suspected: { min_slope_mib_per_hour: 2.5 }, slo: 'slo/checkout' });
    expect(settings.engine.nPlusOne).toEqual({ minCount: 5, minTotalMs: 1000 });
    expect(settings.engine.memoryLeak).toEqual({ ...DOCUMENTED_RECOMMEND_DEFAULTS.engine.memoryLeak, minSlopeBytesPerHour: 2.5 * 1_048_576 });
    expect(settings.sloId).toBe('slo/checkout');
  });

  it('gives the one window to the per-trace findings, the dependency statistics and the dominant dependency', () => {
    const settings = loaded({ window: '1h' });
    expect([settings.engine.windowMs, settings.engine.dependencyStats?.windowMs, settings.engine.dominantDependency?.windowMs]).toEqual([3_600_000, 3_600_000, 3_600_000]);
  });

  it('keeps defaults that depend on another key within it (what the engine requires)', () => {
    // Unwritten min_span follows a shorter window; unwritten max_spans_per_trace follows a smaller max_spans.
    expect(loaded({ gc_pressure: { window: '20s' } }).engine.gcPressure).toEqual({ maxShare: 0.1, windowMs: 20_000, minSpanMs: 20_000 });
    expect(loaded({ memory_leak_suspected: { window: '10m' } }).engine.memoryLeak?.minSpanMs).toBe(600_000);
    expect(loaded({ max_spans: 200 }).engine.buffer).toEqual({ decisionWaitMs: 10_000, maxTraces: 10_000, maxSpansPerTrace: 200, maxSpans: 200 });
    expect(() => new RecommendEngine(loaded({ max_spans: 200, gc_pressure: { window: '20s' } }).engine)).not.toThrow();
  });

  it('takes empty values for sections and lists as their defaults', () => {
    expect(loaded({ disabled: null, n_plus_one: null } as unknown as RecommendProcessorConfig)).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS);
    expect(loaded({ disabled: ['gc_pressure', 'n_plus_one_http'] }).engine.disabledTypes).toEqual(['gc_pressure', 'n_plus_one_http']);
  });
});

describe('recommend processor config: validation', () => {
  it.each([
    [{ slo: 'baseline' }, 'slo: must be the id of an slo processor, e.g. slo or slo/checkout, got "baseline"'],
    [{ slo: 'slo/' }, 'slo: must be the id of an slo processor, e.g. slo or slo/checkout, got "slo/"'],
    [{ slo: 5 }, 'slo: must be the id of an slo processor, e.g. slo or slo/checkout, got 5'],
    [{ evaluation_interval: '500ms' }, 'evaluation_interval: must be a duration from 1s to 1m, got "500ms"'],
    [{ evaluation_interval: 5 }, 'evaluation_interval: must be a duration from 1s to 1m, got 5: a duration needs a unit (ms, s, m, h, d, w), e.g. 5ms or 5s'],
    [{ decision_wait: '10m' }, 'decision_wait: must be a duration from 1s to 5m, got "10m"'],
    [{ max_traces: 0 }, 'max_traces: must be an integer from 1 to 1000000, got 0'],
    [{ max_spans_per_trace: 100_001 }, 'max_spans_per_trace: must be an integer from 1 to 100000, got 100001'],
    [{ max_spans: 1.5 }, 'max_spans: must be an integer from 1 to 10000000, got 1.5'],
    [{ window: '30s' }, 'window: must be a duration from 1m to 1d, got "30s"'],
    [{ min_occurrences: 0 }, 'min_occurrences: must be an integer from 1 to 1000000, got 0'],
    [{ resolve_after: '5s' }, 'resolve_after: must be a duration from 10s to 7d, got "5s"'],
    [{ retain_resolved: '31d' }, 'retain_resolved: must be a duration from 1m to 30d, got "31d"'],
    [{ max_recommendations: 2000 }, 'max_recommendations: must be an integer from 1 to 1999, got 2000'],
    [{ runtime_sampling_interval: '2m' }, 'runtime_sampling_interval: must be a duration from 1s to 1m, got "2m"'],
    [{ disabled: 'gc_pressure' }, `disabled: must be a list of recommendation types (${TYPES}), got "gc_pressure"`],
    [{ disabled: ['n_plus_one'] }, `disabled[0]: must be one of ${TYPES}, got "n_plus_one"`],
    [{ disabled: ['gc_pressure', 'gc_pressure'] }, 'disabled[1]: duplicate "gc_pressure", already listed at [0]'],
    [{ n_plus_one: 5 }, 'n_plus_one: must be a mapping with min_count and min_total, got 5'],
    [{ n_plus_one: { min_count: 0 } }, 'n_plus_one.min_count: must be an integer from 1 to 1000000, got 0'],
    [{ n_plus_one: { min_total: '2h' } }, 'n_plus_one.min_total: must be a duration from 0s to 1h, got "2h"'],
    [{ n_plus_one: { min_calls: 3 } }, 'n_plus_one.min_calls: unknown key; valid keys: min_count, min_total'],
    [{ sequential_calls: { min_calls: 1 } }, 'sequential_calls.min_calls: must be an integer from 2 to 10000, got 1'],
    [{ sequential_calls: { max_gap: '-1ms' } }, 'sequential_calls.max_gap: must be a duration from 0s to 1h, got "-1ms": durations cannot be negative'],
    [{ slow_db_statement: { threshold: '0s' } }, 'slow_db_statement.threshold: must be a duration from 1ms to 1h, got "0s"'],
    [{ slow_db_statement: { p95: '100ms' } }, 'slow_db_statement.p95: unknown key; valid keys: threshold, min_samples'],
    [{ error_prone_dependency: { max_error_ratio: 1 } }, 'error_prone_dependency.max_error_ratio: must be a ratio >= 0 and < 1, e.g. 0.05, got 1'],
    [{ error_prone_dependency: { max_error_ratio: -0.1 } }, 'error_prone_dependency.max_error_ratio: must be a ratio >= 0 and < 1, e.g. 0.05, got -0.1'],
    [{ error_prone_dependency: { max_error_ratio: '5%' } }, 'error_prone_dependency.max_error_ratio: must be a ratio >= 0 and < 1, e.g. 0.05, got "5%"'],
    [{ dominant_dependency: { min_share: 0 } }, 'dominant_dependency.min_share: must be a share > 0 and <= 1, e.g. 0.6, got 0'],
    [{ dominant_dependency: { min_share: 1.5 } }, 'dominant_dependency.min_share: must be a share > 0 and <= 1, e.g. 0.6, got 1.5'],
    [{ dominant_dependency: { min_traces: 0 } }, 'dominant_dependency.min_traces: must be an integer from 1 to 1000000, got 0'],
    [{ event_loop_blocking: '100ms' }, 'event_loop_blocking: must be a mapping with threshold, window and min_samples, got "100ms"'],
    [{ event_loop_blocking: { threshold: '2m' } }, 'event_loop_blocking.threshold: must be a duration from 1ms to 1m, got "2m"'],
    [{ event_loop_blocking: { min_samples: 513 } }, 'event_loop_blocking.min_samples: must be an integer from 1 to 512, got 513'],
    [{ gc_pressure: { max_share: 2 } }, 'gc_pressure.max_share: must be a share from 0 to 1, e.g. 0.1, got 2'],
    [{ gc_pressure: { window: '5s' } }, 'gc_pressure.window: must be a duration from 10s to 1d, got "5s"'],
    [{ memory_leak_suspected: { min_samples: 2 } }, 'memory_leak_suspected.min_samples: must be an integer from 3 to 512, got 2'],
    [{ memory_leak_suspected: { min_slope_mib_per_hour: -1 } }, 'memory_leak_suspected.min_slope_mib_per_hour: must be a number of MiB per hour >= 0, e.g. 10, got -1'],
    [{ memory_leak_suspected: { min_r_squared: 1.1 } }, 'memory_leak_suspected.min_r_squared: must be a number from 0 to 1, e.g. 0.8, got 1.1'],
    [{ profiling: { enabled: 'yes' } }, 'profiling.enabled: must be true or false, got "yes"'],
    [{ profiling: { duration: '50ms' } }, 'profiling.duration: must be a duration from 100ms to 30s, got "50ms"'],
    [{ profiling: { min_interval: '500ms' } }, 'profiling.min_interval: must be a duration from 1s to 1d, got "500ms"'],
    [{ profiling: { max_duty_cycle: 0 } }, 'profiling.max_duty_cycle: must be a share > 0 and <= 0.25, e.g. 0.02, got 0'],
    [{ profiling: { max_duty_cycle: 0.3 } }, 'profiling.max_duty_cycle: must be a share > 0 and <= 0.25, e.g. 0.02, got 0.3'],
    [{ profiling: { on_latency_anomaly: 1 } }, 'profiling.on_latency_anomaly: must be true or false, got 1'],
    [{ profiling: { sampling_interval: '1ms' } }, 'profiling.sampling_interval: unknown key; valid keys: enabled, duration, min_interval, max_duty_cycle, on_latency_anomaly'],
    [{ decision_window: '10s' }, `decision_window: unknown key; valid keys: ${TOP_LEVEL_KEYS}`],
    ['fast', 'must be a mapping of recommend settings (slo, decision_wait, window, n_plus_one, … see processors/recommend/README.md), got "fast"'],
  ])('%j', (value, expected) => {
    expect(problems(value)).toEqual([expected]);
  });

  it('reports an unknown type and a duplicate in disabled together, naming the valid types', () => {
    expect(problems({ disabled: ['gc_pressure', 'leak', 'gc_pressure'] })).toEqual([
      `disabled[1]: must be one of ${TYPES}, got "leak"`,
      'disabled[2]: duplicate "gc_pressure", already listed at [0]',
    ]);
  });

  it('checks keys that depend on one another, blaming the one written', () => {
    expect(problems({ max_spans: 500, max_spans_per_trace: 501 })).toEqual(['max_spans_per_trace: must be <= max_spans (500), got 501']);
    expect(problems({ max_spans: 500, max_spans_per_trace: 500 })).toEqual([]);
    expect(problems({ gc_pressure: { min_span: '6m' } })).toEqual(['gc_pressure.min_span: must be <= window (5m), got "6m"']);
    expect(problems({ gc_pressure: { window: '10m', min_span: '10m' } })).toEqual([]);
    expect(problems({ memory_leak_suspected: { window: '20m', min_span: '21m' } })).toEqual(['memory_leak_suspected.min_span: must be <= window (20m), got "21m"']);
    // 2 s per hour is a share of 0.000556 (rounded up).
    expect(problems({ profiling: { max_duty_cycle: 0.0005 } })).toEqual([
      'profiling.max_duty_cycle: must leave room for one capture of duration (2s) per hour, i.e. >= 0.000556, got 0.0005',
    ]);
    expect(problems({ profiling: { max_duty_cycle: 0.0005, duration: '1s' } })).toEqual([]);
    // With one of the two keys itself wrong, only that one is reported.
    expect(problems({ max_spans: 0, max_spans_per_trace: 10 })).toEqual(['max_spans: must be an integer from 1 to 10000000, got 0']);
    expect(problems({ gc_pressure: { window: '1x', min_span: '6m' } })).toEqual([
      'gc_pressure.window: must be a duration from 10s to 1d, got "1x": unknown unit "x"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w',
    ]);
  });

  it('never lets zod wording through, whatever the input', () => {
    const yamlValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, 0, -1, 0.5, 1, 3, 1e9, '', '5m', '0s', 'slo', 'slo/x', 'gc_pressure', 'x'),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('min_count', 'window', 'min_span', 'max_duty_cycle', 'zzz'), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const keys = TOP_LEVEL_KEYS.split(', ');
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), yamlValue, { maxKeys: 5 }), (value) => {
        for (const line of problems(value)) {
          expect(line).not.toMatch(/Invalid input|Invalid option|Unrecognized key|Too (small|big)|received|expected/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accepts nothing that the engine, its runtime detectors or the agent\'s profiler would refuse', () => {
    // Every bound of every key, in any combination the schema lets through.
    const durations = (...values: string[]) => fc.constantFrom(undefined, ...values);
    const numbers = (...values: number[]) => fc.constantFrom(undefined, ...values);
    const section = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T) => fc.option(fc.record(shape, { requiredKeys: [] }), { nil: undefined });
    const written = fc.record(
      {
        decision_wait: durations('1s', '5m'),
        max_traces: numbers(1, 1_000_000),
        max_spans_per_trace: numbers(1, 1000, 100_000),
        max_spans: numbers(1, 999, 10_000_000),
        window: durations('1m', '1d'),
        min_occurrences: numbers(1, 1_000_000),
        resolve_after: durations('10s', '7d'),
        retain_resolved: durations('1m', '30d'),
        max_recommendations: numbers(1, 1999),
        disabled: fc.subarray([...RECOMMENDATION_TYPES]),
        n_plus_one: section({ min_count: numbers(1, 1_000_000), min_total: durations('0s', '1h') }),
        sequential_calls: section({ min_calls: numbers(2, 10_000), min_saving: durations('0s', '1h'), max_gap: durations('0s', '1h') }),
        slow_db_statement: section({ threshold: durations('1ms', '1h'), min_samples: numbers(1, 1_000_000) }),
        error_prone_dependency: section({ max_error_ratio: numbers(0, 0.999), min_calls: numbers(1, 1_000_000) }),
        dominant_dependency: section({ min_share: numbers(0.001, 1), min_mean_latency: durations('0s', '1h'), min_traces: numbers(1, 1_000_000) }),
        event_loop_blocking: section({ threshold: durations('1ms', '1m'), window: durations('10s', '1d'), min_samples: numbers(1, 512) }),
        gc_pressure: section({ max_share: numbers(0, 1), window: durations('10s', '1d'), min_span: durations('1s', '1d') }),
        memory_leak_suspected: section({
          window: durations('1m', '7d'),
          min_span: durations('10s', '7d'),
          min_samples: numbers(3, 512),
          min_slope_mib_per_hour: numbers(0, 1_000_000),
          min_r_squared: numbers(0, 1),
        }),
        profiling: section({ duration: durations('100ms', '30s'), min_interval: durations('1s', '1d'), max_duty_cycle: numbers(0.0001, 0.001, 0.25) }),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(written, (value) => {
        const config = JSON.parse(JSON.stringify(value)) as RecommendProcessorConfig; // drops the undefined keys, as YAML has none
        if (problems(config).length > 0) return;
        accepted++;
        const settings = resolveRecommendProcessorSettings({ ...createDefaultConfig(), ...config });
        const engine = new RecommendEngine(settings.engine);
        // The runtime detectors are built on a service's first sample.
        engine.recordEventLoopDelayP99('svc', 1_000, 5);
        engine.recordGcDurationSum('svc', 1_000, 0.1, 0);
        engine.recordHeapUsed('svc', 1_000, 1e6);
        expect(engine.stats().runtimeServices).toBe(1);
        const { durationMs, minIntervalMs, maxDutyCycle } = settings.profiling;
        expect(() => new HotSpotProfiler({ durationMs, minIntervalMs, maxDutyCycle, clock: new ManualClock(0), logger: silent })).not.toThrow();
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
