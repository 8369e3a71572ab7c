import { expect } from 'vitest';
import type { RegressionProcessorSettings } from '../../../processors/regression/config';
import type { SlowatchConfig } from '../../../src/config/slowatch-config';

/*
 * Assertions for the regression processor's valid config fixtures
 * (test/fixtures/config/valid_regression*.yaml), in the shape of the
 * VALID_CASES table of test/config/config-fixtures.test.ts, which spreads
 * this table into its own.
 */

const regression = (config: SlowatchConfig, id = 'regression'): RegressionProcessorSettings =>
  config.processors[id]?.settings as RegressionProcessorSettings;

const DEFAULT_CLASSIFIER: RegressionProcessorSettings['classifier'] = { tolerance: 0.25, confidenceLevel: 0.95, effectSizeThresholds: [0.9, 1.1], criticalThresholds: [0.5, 2] };

/** What an empty `regression:` resolves to: the defaults docs/deploy-regressions.md documents. */
export const DOCUMENTED_REGRESSION_DEFAULTS: RegressionProcessorSettings = {
  evaluationIntervalMs: 10_000,
  spec: {
    spanKinds: ['server'],
    services: [],
    minSamples: 100,
    reservoirSize: 1000,
    windowMs: 30 * 60_000,
    warmupMs: 60_000,
    canaryWindowMs: 60_000,
    maxKeys: 500,
    maxServices: 100,
    maxVersions: 3,
    reportImprovements: true,
  },
  classifier: DEFAULT_CLASSIFIER,
};

export const REGRESSION_VALID_CASES: Readonly<Record<string, (config: SlowatchConfig) => void>> = {
  'valid_regression.yaml': (config) => {
    expect(regression(config)).toEqual({
      evaluationIntervalMs: 30_000,
      spec: {
        spanKinds: ['server', 'consumer'],
        services: ['shop', 'checkout'],
        minSamples: 200,
        reservoirSize: 2000,
        windowMs: 3_600_000,
        warmupMs: 120_000,
        canaryWindowMs: 300_000,
        maxKeys: 999,
        maxServices: 20,
        maxVersions: 4,
        reportImprovements: false,
      },
      classifier: { tolerance: 0.1, confidenceLevel: 0.99, effectSizeThresholds: [0.8, 1.25], criticalThresholds: [0.5, 3] },
    });
    // A partial classifier mapping keeps the other classifier defaults.
    expect(regression(config, 'regression/canary').classifier).toEqual({ ...DEFAULT_CLASSIFIER, confidenceLevel: 0.98 });
    expect(config.service.pipelines.map((p) => [p.id, p.processors])).toEqual([
      ['traces', ['slo', 'regression']],
      ['traces/canary', ['regression/canary']],
      ['metrics', []],
    ]);
  },
  'valid_regression_defaults.yaml': (config) => {
    expect(regression(config)).toEqual(DOCUMENTED_REGRESSION_DEFAULTS);
  },
};
