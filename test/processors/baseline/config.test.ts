import { describe, expect, it } from 'vitest';
import {
  baselineProcessorConfigSchema,
  baselineProcessorFactory,
  createDefaultConfig,
  resolveBaselineProcessorSettings,
} from '../../../processors/baseline/config';
import { detectorOptionsFor, detectorFactoryFor, createBaselineEngine } from '../../../processors/baseline/create-baseline-engine';
import { resolveAnomalyDetectorOptions } from '../../../src/anomaly/anomaly-detector-options';
import { BASELINE_SIGNALS } from '../../../src/baseline/baseline-signal';
import { ManualClock } from '../../../src/clock';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import { formatYamlPath } from '../../../src/config/yaml-path';
import { DEFAULT_BASELINE_SETTINGS } from './fixture-cases';

function problems(value: unknown): string[] {
  const result = baselineProcessorConfigSchema.safeParse(value, { error: configErrorMap });
  return result.success ? [] : translateZodIssues(result.error.issues).map((p) => `${formatYamlPath(p.path)}: ${p.message}`);
}

describe('baseline processor config', () => {
  it('createDefaultConfig has every key, passes its own schema and resolves to the documented defaults', () => {
    const defaults = createDefaultConfig();
    expect(Object.keys(defaults).sort()).toEqual(Object.keys((baselineProcessorConfigSchema as unknown as { shape: object }).shape).sort());
    expect(problems(defaults)).toEqual([]);
    expect(resolveBaselineProcessorSettings(defaults)).toEqual(DEFAULT_BASELINE_SETTINGS);
    expect(resolveBaselineProcessorSettings({})).toEqual(DEFAULT_BASELINE_SETTINGS);
    expect(baselineProcessorFactory).toMatchObject({ kind: 'processor', type: 'baseline', signals: ['traces'] });
  });

  it('accepts the edges of every range', () => {
    for (const value of [
      { interval: '10s', history: '1h', cold_start: '0', max_keys: 1, exemplars: 0, idle_timeout: '1h' },
      { interval: '1h', history: '7d', cold_start: '7d', max_keys: 10_000, exemplars: 10, idle_timeout: '30d' },
      { seasonality: [] },
      { sensitivity: { min_count: 0, sustain_intervals: 64, min_relative_change: 0, min_absolute_change: { latency: '0', error_ratio: 1, throughput: 0 } } },
    ]) {
      expect(problems(value)).toEqual([]);
    }
  });

  it('refuses an interval that does not divide an hour, so intervals line up with the clock', () => {
    expect(problems({ interval: '70s' })).toEqual(['interval: must be a duration from 10s to 1h that divides 1h (e.g. 10s, 30s, 1m, 5m, 15m), got "70s"']);
  });

  it('gives each signal its own detector options: direction, absolute floor in its unit, span-count backing', () => {
    const settings = resolveBaselineProcessorSettings({ sensitivity: { min_absolute_change: { latency: '3ms', error_ratio: 0.05, throughput: 2 } } });
    const options = Object.fromEntries(BASELINE_SIGNALS.map((s) => [s, detectorOptionsFor(s, settings)]));
    expect(options.latency_p99).toEqual({
      intervalMs: 60_000,
      historyMs: 86_400_000,
      warmupIntervals: 30,
      warmupMs: 1_800_000,
      sustainIntervals: 5,
      minCount: 20,
      minRelativeChange: 0.1,
      minAbsoluteChange: 3,
      direction: 'up',
      dailySeasonality: true,
      weeklySeasonality: true,
      noveltyWindow: 0,
      valueKind: 'level',
      scale: 'log',
    });
    expect(options.error_ratio).toMatchObject({ direction: 'up', minAbsoluteChange: 0.05, valueKind: 'ratio', scale: 'linear' });
    expect(options.throughput).toMatchObject({ direction: 'both', minAbsoluteChange: 2, scale: 'log' });
    // Every option set is one the detector accepts.
    for (const o of Object.values(options)) expect(() => resolveAnomalyDetectorOptions(o)).not.toThrow();
  });

  it('turns cold_start into warm-up intervals, at least the 3 a median needs', () => {
    const at = (config: Parameters<typeof resolveBaselineProcessorSettings>[0]) => detectorOptionsFor('latency_p99', resolveBaselineProcessorSettings(config));
    expect(at({ cold_start: '0' })).toMatchObject({ warmupIntervals: 3, warmupMs: 0 });
    expect(at({ cold_start: '10m', interval: '30s' })).toMatchObject({ warmupIntervals: 20, warmupMs: 600_000 });
    expect(at({ seasonality: [] })).toMatchObject({ dailySeasonality: false, weeklySeasonality: false });
    expect(at({ sensitivity: { novelty_window: 52 } })).toMatchObject({ noveltyWindow: 52 });
  });

  it('builds an engine from the settings with the real detector', () => {
    const settings = resolveBaselineProcessorSettings({ max_keys: 7, interval: '30s', signals: ['latency_p99'] });
    const engine = createBaselineEngine(settings, { clock: new ManualClock(0) });
    expect(engine.maxKeys).toBe(7);
    expect(engine.intervalMs).toBe(30_000);
    expect(engine.model.modelled).toEqual([3]);
    expect(detectorFactoryFor(settings)('latency_p99').update(30_000, 12, 100)).toEqual({ score: 0, anomalous: false, expected: undefined });
  });
});
