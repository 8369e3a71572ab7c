import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { baselineMetricViews, registerAnomalyMetrics, registerBaselineMetrics } from '../../../exporters/prometheus/baseline-metrics';
import { AnomalyEngine } from '../../../src/engine/anomaly-engine';
import { BaselineEngine } from '../../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../../src/engine/baseline-span-sample';
import { ManualClock } from '../../../src/clock';
import { BASELINE_SIGNALS } from '../../../src/baseline/baseline-signal';
import { doubleDetectors } from '../../baseline/detector-double';
import { parsePrometheusText, select, valueOf } from '../../helpers/prometheus-text';

const T0 = Date.UTC(2026, 10, 2, 10);
const MINUTE = 60_000;

async function exposition(baseline: BaselineEngine, anomaly: AnomalyEngine, maxKeys: number): Promise<string> {
  const reader = new PrometheusExporter({ withoutScopeInfo: true, preventServerStart: true });
  const provider = new MeterProvider({ readers: [reader], views: baselineMetricViews([maxKeys]) });
  registerBaselineMetrics(provider.getMeter('slowatch'), baseline, 'baseline');
  registerAnomalyMetrics(provider.getMeter('slowatch'), anomaly, baseline, 'anomaly');
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return new PrometheusSerializer(undefined, true).serialize(resourceMetrics);
}

function setup(maxKeys = 2000) {
  const clock = new ManualClock(T0);
  const baseline = new BaselineEngine({ clock, maxKeys, model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors([], 3, 1.5) } });
  const anomaly = new AnomalyEngine(baseline, { signals: ['latency_p99', 'error_ratio'] });
  const sample = new BaselineSpanSample();
  sample.service = 'shop';
  sample.kind = 2;
  const interval = (routes: readonly string[], ms: (route: string) => number): void => {
    for (const route of routes) {
      sample.attributes = { 'http.request.method': 'GET', 'http.route': route };
      sample.durationMs = ms(route);
      for (let i = 0; i < 10; i++) baseline.record(sample);
    }
    clock.advance(MINUTE);
    // What the roll-up timer does at the boundary: spans never close an interval.
    baseline.rollUp();
  };
  return { clock, baseline, anomaly, interval };
}

describe('baseline and anomaly metrics in Prometheus exposition', () => {
  it('exposes the contract: baselines in seconds per quantile, error ratio, throughput, scores, active anomalies and event counts', async () => {
    const t = setup();
    t.interval(['/a', '/b'], () => 250);
    // Keys in cold start publish no baseline series, only the learning count (a scrape closes the due interval first).
    let samples = parsePrometheusText(await exposition(t.baseline, t.anomaly, 2000));
    expect(select(samples, 'slowatch_baseline_latency_seconds')).toEqual([]);
    expect(valueOf(samples, 'slowatch_baseline_keys', { processor: 'baseline', state: 'learning' })).toBe(2);

    for (let i = 0; i < 3; i++) t.interval(['/a', '/b'], () => 250);
    t.interval(['/a', '/b'], (route) => (route === '/a' ? 1000 : 250));
    samples = parsePrometheusText(await exposition(t.baseline, t.anomaly, 2000));
    const a = { service: 'shop', operation: 'GET /a', span_kind: 'server' };
    const latency = select(samples, 'slowatch_baseline_latency_seconds', a);
    expect(latency.map((s) => s.labels.percentile)).toEqual(['50', '90', '95', '99']);
    for (const s of latency) expect(Math.abs(s.value / 0.25 - 1)).toBeLessThanOrEqual(0.01); // 250 ms, in seconds, within the sketch's 1 %
    expect(valueOf(samples, 'slowatch_baseline_error_ratio', a)).toBe(0);
    expect(valueOf(samples, 'slowatch_baseline_spans_per_second', a)).toBeCloseTo(10 / 60, 9);
    expect(valueOf(samples, 'slowatch_baseline_keys', { state: 'ready' })).toBe(2);
    expect(valueOf(samples, 'slowatch_anomaly_active', { ...a, signal: 'latency_p99' })).toBe(1);
    expect(valueOf(samples, 'slowatch_anomaly_active', { ...a, signal: 'error_ratio' })).toBe(0);
    expect(valueOf(samples, 'slowatch_anomaly_active', { operation: 'GET /b', signal: 'latency_p99' })).toBe(0);
    expect(valueOf(samples, 'slowatch_anomaly_score', { ...a, signal: 'latency_p99' })).toBe(0.9);
    expect(select(samples, 'slowatch_anomaly_score', { signal: 'throughput' })).toEqual([]); // not watched
    expect(valueOf(samples, 'slowatch_anomaly_events_total', { processor: 'anomaly', signal: 'latency_p99', edge: 'start' })).toBe(1);
    expect(valueOf(samples, 'slowatch_anomaly_events_total', { signal: 'latency_p99', edge: 'end' })).toBe(0);
  });

  it('lets every key through at 3000 keys (above the SDK default of 2000 points per instrument)', async () => {
    const t = setup(3000);
    const routes = Array.from({ length: 3001 }, (_, i) => `/r${i}`);
    for (let i = 0; i < 4; i++) t.interval(routes, () => 5);
    const samples = parsePrometheusText(await exposition(t.baseline, t.anomaly, 3000));
    expect(select(samples, 'slowatch_baseline_latency_seconds', { percentile: '99' })).toHaveLength(3001); // 3000 keys + the overflow key
    expect(select(samples, 'slowatch_baseline_latency_seconds', { percentile: '99', service: '__overflow__', operation: '__overflow__', span_kind: '__overflow__' })).toHaveLength(1);
  });

  it.runIf(spawnSync('promtool', ['--version']).status === 0 || process.env.CI === 'true')('is clean under promtool check metrics', async () => {
    const t = setup();
    for (let i = 0; i < 4; i++) t.interval(['/a', '/b "quoted"'], () => 250);
    t.interval(['/a'], () => 1000);
    const text = await exposition(t.baseline, t.anomaly, 2000);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
