import { expect } from 'vitest';
import type { RecommendProcessorSettings } from '../../../processors/recommend/config';
import type { SlowatchConfig } from '../../../src/config/slowatch-config';

/*
 * Assertions for the recommend processor's valid config fixtures
 * (test/fixtures/config/valid_recommend*.yaml), in the shape of the
 * VALID_CASES table of test/config/config-fixtures.test.ts, which spreads
 * this table into its own.
 */

const recommend = (config: SlowatchConfig, id = 'recommend'): RecommendProcessorSettings => config.processors[id]?.settings as RecommendProcessorSettings;

/** What an empty `recommend:` resolves to, every figure written out. */
export const DOCUMENTED_RECOMMEND_DEFAULTS: RecommendProcessorSettings = {
  sloId: undefined,
  evaluationIntervalMs: 5_000,
  runtimeSamplingIntervalMs: 10_000,
  engine: {
    buffer: { decisionWaitMs: 10_000, maxTraces: 10_000, maxSpansPerTrace: 1_000, maxSpans: 200_000 },
    windowMs: 600_000,
    minOccurrences: 3,
    disabledTypes: [],
    store: { resolveAfterMs: 900_000, retainResolvedMs: 86_400_000, maxRecommendations: 500 },
    // Sentry's N+1 detector: more than 5 repeats, more than 50 ms in total.
    nPlusOne: { minCount: 5, minTotalMs: 50 },
    sequentialCalls: { minCalls: 3, minSavingMs: 50, maxGapMs: 5 },
    dependencyStats: { windowMs: 600_000, slowStatementP95Ms: 100, minSamples: 20, maxErrorRatio: 0.05, minCalls: 50 },
    dominantDependency: { windowMs: 600_000, minShare: 0.6, minMeanLatencyMs: 100, minTraces: 20 },
    eventLoopBlocking: { thresholdMs: 100, windowMs: 300_000, minSamples: 3 },
    gcPressure: { maxShare: 0.1, windowMs: 300_000, minSpanMs: 60_000 },
    memoryLeak: { windowMs: 3_600_000, minSpanMs: 1_800_000, minSamples: 10, minSlopeBytesPerHour: 10 * 1_048_576, minRSquared: 0.8 },
  },
  profiling: { enabled: true, durationMs: 2_000, minIntervalMs: 300_000, maxDutyCycle: 0.02, onLatencyAnomaly: true },
};

export const RECOMMEND_VALID_CASES: Readonly<Record<string, (config: SlowatchConfig) => void>> = {
  'valid_recommend.yaml': (config) => {
    expect(recommend(config)).toEqual({
      sloId: 'slo/checkout',
      evaluationIntervalMs: 2_000,
      runtimeSamplingIntervalMs: 5_000,
      engine: {
        buffer: { decisionWaitMs: 30_000, maxTraces: 5_000, maxSpansPerTrace: 500, maxSpans: 100_000 },
        windowMs: 1_800_000,
        minOccurrences: 5,
        disabledTypes: ['dominant_dependency', 'gc_pressure'],
        store: { resolveAfterMs: 1_800_000, retainResolvedMs: 172_800_000, maxRecommendations: 1_999 },
        nPlusOne: { minCount: 10, minTotalMs: 100 },
        sequentialCalls: { minCalls: 4, minSavingMs: 20, maxGapMs: 2 },
        dependencyStats: { windowMs: 1_800_000, slowStatementP95Ms: 250, minSamples: 50, maxErrorRatio: 0.1, minCalls: 100 },
        dominantDependency: { windowMs: 1_800_000, minShare: 0.75, minMeanLatencyMs: 80, minTraces: 30 },
        eventLoopBlocking: { thresholdMs: 50, windowMs: 600_000, minSamples: 5 },
        gcPressure: { maxShare: 0.2, windowMs: 600_000, minSpanMs: 120_000 },
        memoryLeak: { windowMs: 7_200_000, minSpanMs: 3_600_000, minSamples: 20, minSlopeBytesPerHour: 5 * 1_048_576, minRSquared: 0.9 },
      },
      profiling: { enabled: false, durationMs: 500, minIntervalMs: 600_000, maxDutyCycle: 0.01, onLatencyAnomaly: false },
    });
    // A partial section keeps the other keys of that section at their defaults; a shorter window brings the default min_span down to it.
    const other = recommend(config, 'recommend/other');
    expect(other.engine.nPlusOne).toEqual({ minCount: 2, minTotalMs: 50 });
    expect(other.engine.gcPressure).toEqual({ maxShare: 0.1, windowMs: 30_000, minSpanMs: 30_000 });
    expect(other.engine.buffer).toEqual({ decisionWaitMs: 10_000, maxTraces: 10_000, maxSpansPerTrace: 300, maxSpans: 300 });
    expect(other.profiling).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS.profiling);
    expect(config.service.pipelines.map((p) => [p.id, p.processors])).toEqual([
      ['traces', ['slo/checkout', 'recommend']],
      ['metrics', ['recommend']],
      ['logs', ['recommend']],
      ['traces/other', ['recommend/other']],
    ]);
  },
  'valid_recommend_defaults.yaml': (config) => {
    expect(recommend(config)).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS);
    expect(recommend(config, 'recommend/empty_lists')).toEqual(DOCUMENTED_RECOMMEND_DEFAULTS);
  },
};
