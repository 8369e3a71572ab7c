import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { ManualClock } from '../../../src/clock';
import { SloEngine } from '../../../src/engine/slo-engine';
import { SpanSample, OtlpSpanKind } from '../../../src/engine/span-sample';
import { registerSloMetrics, POINTS_PER_SERIES_PER_INSTRUMENT, sloCardinalityLimit } from '../../../exporters/prometheus/slo-metrics';
import { objectiveSpec } from '../../helpers/objectives';
import { parsePrometheusText, select, valueOf } from '../../helpers/prometheus-text';

async function exposition(engine: SloEngine, cardinalityLimit = 2000): Promise<string> {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    readers: [reader],
    views: [{ instrumentName: 'slowatch_slo_*', aggregationCardinalityLimit: cardinalityLimit }],
  });
  registerSloMetrics(provider.getMeter('slowatch'), engine);
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return new PrometheusSerializer().serialize(resourceMetrics);
}

function span(clock: ManualClock, route: string, status: number): SpanSample {
  const s = new SpanSample();
  s.service = 'checkout';
  s.kind = OtlpSpanKind.SERVER;
  s.endTimeMs = clock.now();
  s.attributes = { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': status };
  return s;
}

describe('SLO metrics in Prometheus exposition', () => {
  it('exposes the contract names, labels and values', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const engine = new SloEngine([objectiveSpec({ name: 'checkout-availability', groupBy: ['http.route'] })], { clock });
    for (let i = 0; i < 90; i++) engine.record(span(clock, '/cart', 200));
    for (let i = 0; i < 10; i++) engine.record(span(clock, '/cart', 500));
    const samples = parsePrometheusText(await exposition(engine));
    const labels = { slo: 'checkout-availability', service: 'checkout', http_route: '/cart' };
    expect(valueOf(samples, 'slowatch_slo_events_total', { ...labels, outcome: 'good' })).toBe(90);
    expect(valueOf(samples, 'slowatch_slo_events_total', { ...labels, outcome: 'bad' })).toBe(10);
    expect(valueOf(samples, 'slowatch_slo_objective_ratio', labels)).toBeCloseTo(0.999, 12);
    const windows = select(samples, 'slowatch_slo_burn_rate', labels).map((s) => s.labels.window);
    expect(windows).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
    expect(valueOf(samples, 'slowatch_slo_burn_rate', { ...labels, window: '30d' })).toBeCloseTo(0.1 / 0.001, 6);
    expect(valueOf(samples, 'slowatch_slo_error_budget_remaining_ratio', labels)).toBeCloseTo(1 - 100, 6);
    expect(valueOf(samples, 'slowatch_slo_budget_exhaustion_seconds', labels)).toBe(0);
    expect(valueOf(samples, 'slowatch_slo_alert_firing', { ...labels, severity: 'page' })).toBe(1);
  });

  it('keeps 100 000 routes at the cap plus one overflow series in every metric', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const cap = 300;
    const spec = objectiveSpec({ groupBy: ['http.route'], maxSeries: cap });
    const engine = new SloEngine([spec], { clock });
    for (let i = 0; i < 100_000; i++) engine.record(span(clock, `/items/${i}`, 200));
    // Above the SDK's default limit of 2000 points per instrument, so the limit must come from the engine's cap.
    const samples = parsePrometheusText(await exposition(engine, sloCardinalityLimit([spec])));
    expect(select(samples, 'slowatch_slo_objective_ratio')).toHaveLength(cap + 1);
    expect(select(samples, 'slowatch_slo_burn_rate')).toHaveLength((cap + 1) * POINTS_PER_SERIES_PER_INSTRUMENT);
    expect(select(samples, 'slowatch_slo_objective_ratio', { http_route: '__overflow__' })).toHaveLength(1);
    // No event is lost to the cap: the overflow series holds everything beyond it.
    expect(valueOf(samples, 'slowatch_slo_events_total', { http_route: '__overflow__', service: '__overflow__', outcome: 'good' })).toBe(100_000 - cap);
    expect(select(samples, 'slowatch_slo_events_total').reduce((n, s) => n + s.value, 0)).toBe(100_000);
    expect(samples.some((s) => s.labels.otel_metric_overflow !== undefined)).toBe(false);
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0 || process.env.CI === 'true';
  if (!promtool) console.warn('promtool not found: skipping the exposition lint (CI installs Debian\'s prometheus package)');
  it.runIf(promtool)('is clean under promtool check metrics', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const engine = new SloEngine([objectiveSpec({ groupBy: ['http.route'] })], { clock });
    engine.record(span(clock, '/cart', 200));
    const result = spawnSync('promtool', ['check', 'metrics'], { input: await exposition(engine), encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
