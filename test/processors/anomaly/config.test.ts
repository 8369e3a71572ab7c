import { describe, expect, it } from 'vitest';
import { anomalyProcessorConfigSchema, anomalyProcessorFactory, createDefaultConfig, resolveAnomalyProcessorSettings } from '../../../processors/anomaly/config';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import { formatYamlPath } from '../../../src/config/yaml-path';

function problems(value: unknown): string[] {
  const result = anomalyProcessorConfigSchema.safeParse(value, { error: configErrorMap });
  return result.success ? [] : translateZodIssues(result.error.issues).map((p) => `${formatYamlPath(p.path)}: ${p.message}`);
}

describe('anomaly processor config', () => {
  it('createDefaultConfig has every key, passes its own schema and resolves to the documented defaults', () => {
    const defaults = createDefaultConfig();
    expect(Object.keys(defaults).sort()).toEqual(Object.keys((anomalyProcessorConfigSchema as unknown as { shape: object }).shape).sort());
    expect(problems(defaults)).toEqual([]);
    expect(resolveAnomalyProcessorSettings({})).toEqual({ baselineId: 'baseline', signals: ['latency_p99', 'error_ratio', 'throughput'], maxRecentEvents: 100, enrichSpans: true });
    expect(anomalyProcessorFactory).toMatchObject({ kind: 'processor', type: 'anomaly', signals: ['traces'] });
  });

  it('names its baseline by component id', () => {
    expect(problems({ baseline: 'baseline/checkout' })).toEqual([]);
    expect(problems({ baseline: 'baseline/' })).toEqual(['baseline: must be the id of a baseline processor, e.g. baseline or baseline/checkout, got "baseline/"']);
    expect(problems({ baseline: 3 })).toEqual(['baseline: must be the id of a baseline processor, e.g. baseline or baseline/checkout, got 3']);
  });

  it('refuses an empty or repeated signal list', () => {
    expect(problems({ signals: [] })).toEqual([
      'signals: must list at least one of latency_p50, latency_p90, latency_p95, latency_p99, error_ratio, throughput, got []',
    ]);
    expect(problems({ signals: ['throughput', 'throughput'] })).toEqual(['signals[1]: duplicate "throughput", already listed at [0]']);
  });

  it('orders the signals as the baseline does, whatever the order written', () => {
    expect(resolveAnomalyProcessorSettings({ signals: ['throughput', 'latency_p50'] }).signals).toEqual(['latency_p50', 'throughput']);
  });
});
