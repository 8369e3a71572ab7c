import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { ManualClock } from '../../../src/clock';
import { RegressionEngine } from '../../../src/regression/regression-engine';
import { registerRegressionMetrics, REGRESSION_METRIC_NAMES } from '../../../exporters/prometheus/regression-metrics';
import { MAX_KEYS_LIMIT, MAX_SERVICES_LIMIT } from '../../../processors/regression/config';
import { parsePrometheusText, select, valueOf } from '../../helpers/prometheus-text';
import { meanRatioClassifier, regressionSpec, span } from '../../regression/regression-fixtures';

/*
 * The metrics of exporters/prometheus/regression-metrics.ts in the
 * Prometheus exposition, as the gateway and the agent serve them (the
 * OpenTelemetry SDK with its default cardinality limit, no views).
 */

async function exposition(engine: RegressionEngine): Promise<string> {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [reader] });
  registerRegressionMetrics(provider.getMeter('slowatch'), engine, 'regression');
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return new PrometheusSerializer(undefined, undefined, undefined, undefined, true).serialize(resourceMetrics);
}

describe('deploy regression metrics', () => {
  it('evaluates on collection and exposes the contract names, labels and values', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const engine = new RegressionEngine(regressionSpec({ minSamples: 10 }), { clock, classify: meanRatioClassifier() });
    for (const route of ['/a', '/b']) for (let i = 0; i < 10; i++) engine.record(span({ version: '1.0.0', route, ms: 10 }));
    for (let i = 0; i < 3; i++) engine.record(span({ route: '/a', ms: 10 }));
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) engine.record(span({ version: '1.1.0', route: '/a', ms: 10 }));
    for (let i = 0; i < 10; i++) engine.record(span({ version: '1.1.0', route: '/b', ms: 25 }));

    const text = await exposition(engine);
    const samples = parsePrometheusText(text);
    const b = { service: 'shop', operation: 'GET /b', span_kind: 'server' };
    const verdictB = { ...b, baseline_version: '1.0.0', version: '1.1.0', outcome: 'regression', canary: 'false' };
    expect(select(samples, REGRESSION_METRIC_NAMES.events)).toEqual([{ name: REGRESSION_METRIC_NAMES.events, labels: { ...b, outcome: 'regression' }, value: 1 }]);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.effectSize, verdictB)).toBeCloseTo(2.5, 6);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.pValue, verdictB)).toBe(0.001);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.effectSize, { operation: 'GET /a', outcome: 'pass' })).toBe(1);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.deploys, { service: 'shop' })).toBe(1);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.canaryActive, { service: 'shop' })).toBe(0);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.keys, { processor: 'regression' })).toBe(2);
    expect(valueOf(samples, REGRESSION_METRIC_NAMES.untrackedSpans, { processor: 'regression', reason: 'no_version' })).toBe(3);
    expect(select(samples, REGRESSION_METRIC_NAMES.untrackedSpans).map((s) => s.labels.reason)).toEqual(['no_version', 'service_limit', 'key_limit', 'invalid_duration']);
    expect(text).toContain(`# TYPE ${REGRESSION_METRIC_NAMES.events} counter`);
    expect(text).toContain(`# TYPE ${REGRESSION_METRIC_NAMES.effectSize} gauge`);
    if (spawnSync('promtool', ['--version']).status === 0) {
      const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    }
  });

  it('fits the SDK default cardinality limit at max_keys and max_services, with every key regressed', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const engine = new RegressionEngine(
      regressionSpec({ minSamples: 10, reservoirSize: 20, maxKeys: MAX_KEYS_LIMIT, maxServices: MAX_SERVICES_LIMIT }),
      { clock, classify: meanRatioClassifier(), maxComparisonsPerEvaluation: MAX_KEYS_LIMIT },
    );
    // Every key has a regression and an improvement event: two deploys, slower then much faster.
    const phases: [string, number][] = [
      ['1', 10],
      ['2', 30],
      ['3', 5],
    ];
    for (const [version, ms] of phases) {
      for (let k = 0; k < MAX_KEYS_LIMIT + 5; k++) for (let i = 0; i < 10; i++) engine.record(span({ version, route: `/r${k}`, ms }));
      clock.advance(60_000);
      engine.evaluate();
    }
    // And services up to their limit.
    for (let s = 1; s < MAX_SERVICES_LIMIT; s++) engine.record(span({ service: `svc-${s}`, version: '1', route: '/x', ms: 1 }));
    const samples = parsePrometheusText(await exposition(engine));
    expect(select(samples, REGRESSION_METRIC_NAMES.events)).toHaveLength(2 * MAX_KEYS_LIMIT);
    expect(select(samples, REGRESSION_METRIC_NAMES.effectSize)).toHaveLength(MAX_KEYS_LIMIT);
    expect(select(samples, REGRESSION_METRIC_NAMES.deploys)).toHaveLength(MAX_SERVICES_LIMIT);
    // No series was folded into the SDK's overflow series.
    expect(samples.filter((s) => s.labels.otel_metric_overflow !== undefined)).toEqual([]);
  });
});
