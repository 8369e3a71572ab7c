import { expect } from 'vitest';
import type { BaselineProcessorSettings } from '../../../processors/baseline/config';
import type { AnomalyProcessorSettings } from '../../../processors/anomaly/config';
import type { SlowatchConfig } from '../../../src/config/slowatch-config';
import { BASELINE_SIGNALS } from '../../../src/baseline/baseline-signal';

/*
 * Assertions for the baseline and anomaly processors' valid config fixtures
 * (test/fixtures/config/valid_baseline*.yaml), in the shape of the
 * VALID_CASES table of test/config/config-fixtures.test.ts, which spreads
 * this table into its own.
 */

const baseline = (config: SlowatchConfig, id = 'baseline'): BaselineProcessorSettings => config.processors[id]?.settings as BaselineProcessorSettings;
const anomaly = (config: SlowatchConfig, id = 'anomaly'): AnomalyProcessorSettings => config.processors[id]?.settings as AnomalyProcessorSettings;

/** Every default of the baseline processor, resolved. */
export const DEFAULT_BASELINE_SETTINGS: BaselineProcessorSettings = {
  intervalMs: 60_000,
  historyMs: 86_400_000,
  coldStartMs: 1_800_000,
  maxKeys: 2000,
  spanKinds: [2, 5],
  signals: [...BASELINE_SIGNALS],
  dailySeasonality: true,
  weeklySeasonality: true,
  exemplars: 3,
  idleTimeoutMs: 86_400_000,
  minCount: 20,
  sustainIntervals: 5,
  minRelativeChange: 0.1,
  minLatencyChangeMs: 1,
  minErrorRatioChange: 0.01,
  minThroughputChange: 0.1,
  noveltyWindow: 0,
};

export const BASELINE_VALID_CASES: Readonly<Record<string, (config: SlowatchConfig) => void>> = {
  'valid_baseline.yaml': (config) => {
    expect(baseline(config, 'baseline/checkout')).toEqual({
      intervalMs: 30_000,
      historyMs: 3 * 86_400_000,
      coldStartMs: 3_600_000,
      maxKeys: 500,
      spanKinds: [2, 3],
      signals: ['latency_p50', 'latency_p99', 'error_ratio', 'throughput'], // in signal order
      dailySeasonality: true,
      weeklySeasonality: false,
      exemplars: 5,
      idleTimeoutMs: 2 * 86_400_000,
      minCount: 50,
      sustainIntervals: 10,
      minRelativeChange: 0.25,
      minLatencyChangeMs: 20,
      minErrorRatioChange: 0.02,
      minThroughputChange: 1.5,
      noveltyWindow: 52,
    });
    expect(anomaly(config, 'anomaly/checkout')).toEqual({ baselineId: 'baseline/checkout', signals: ['latency_p50', 'error_ratio'], maxRecentEvents: 20, enrichSpans: false });
    expect(config.processors['anomaly/checkout']).toMatchObject({ kind: 'processor', type: 'anomaly', name: 'checkout' });
  },
  'valid_baseline_defaults.yaml': (config) => {
    expect(baseline(config)).toEqual(DEFAULT_BASELINE_SETTINGS);
    expect(anomaly(config)).toEqual({ baselineId: 'baseline', signals: ['latency_p99', 'error_ratio', 'throughput'], maxRecentEvents: 100, enrichSpans: true });
    expect(baseline(config, 'baseline/partial')).toEqual({ ...DEFAULT_BASELINE_SETTINGS, minLatencyChangeMs: 5 });
  },
};
