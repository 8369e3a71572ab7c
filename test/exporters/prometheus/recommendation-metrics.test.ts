import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { RECOMMENDATION_METRIC_NAMES, registerRecommendationMetrics } from '../../../exporters/prometheus/recommendation-metrics';
import { forEachTraceSpan } from '../../../processors/recommend/otlp-trace-span-reader';
import { ManualClock } from '../../../src/clock';
import { RecommendEngine } from '../../../src/recommend/recommend-engine';
import type { RecommendationCandidate } from '../../../src/recommend/recommendation-store';
import { parsePrometheusText, select, valueOf } from '../../helpers/prometheus-text';
import { nPlusOneTrace, T0, traceRequest } from '../../processors/recommend/otlp-helpers';

/*
 * The metrics of exporters/prometheus/recommendation-metrics.ts in the
 * Prometheus exposition, as the gateway and the agent serve them (the
 * OpenTelemetry SDK with its default cardinality limit, no views).
 */

async function exposition(engine: RecommendEngine): Promise<string> {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [reader] });
  registerRecommendationMetrics(provider.getMeter('slowatch'), engine, 'recommend');
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return new PrometheusSerializer(undefined, undefined, undefined, undefined, true).serialize(resourceMetrics);
}

/**
 * An engine that analysed four N+1 traces cut at 5 spans each (too short to
 * show the loop) and holds one open event_loop_blocking recommendation (shop).
 */
function engineWithRecommendations(clock: ManualClock): RecommendEngine {
  const engine = new RecommendEngine({ buffer: { decisionWaitMs: 1_000, maxSpansPerTrace: 5 } });
  const spans = [1, 2, 3].flatMap((trace) => nPlusOneTrace({ trace, startMs: clock.now() - 100 }));
  forEachTraceSpan(traceRequest('shop', spans), (span) => engine.addSpan(span, clock.now()));
  forEachTraceSpan(traceRequest('shop', nPlusOneTrace({ trace: 4, startMs: clock.now() - 100 })), (span) => engine.addSpan(span, clock.now()));
  for (const offset of [-120_000, -60_000, 0]) engine.recordEventLoopDelayP99('shop', clock.now() + offset, 250);
  clock.advance(1_001);
  engine.evaluate(clock.now());
  return engine;
}

describe('recommendation metrics', () => {
  it('shows each open recommendation as an info series (1) and its per-request impact in seconds', async () => {
    const clock = new ManualClock(T0);
    // The per-trace cap would cut the N+1 traces: keep them whole here.
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: 1_000 } });
    const spans = [1, 2, 3].flatMap((trace) => nPlusOneTrace({ trace, startMs: T0 - 100 }));
    forEachTraceSpan(traceRequest('shop', spans), (span) => engine.addSpan(span, clock.now()));
    for (const offset of [-120_000, -60_000, 0]) engine.recordEventLoopDelayP99('shop', T0 + offset, 250);
    clock.advance(1_001);
    engine.evaluate(clock.now());
    const [nPlusOne, eventLoop] = ['n_plus_one_db', 'event_loop_blocking'].map((type) => engine.list().find((r) => r.type === type)!);
    expect(nPlusOne).toBeDefined();
    expect(eventLoop).toBeDefined();

    const text = await exposition(engine);
    const samples = parsePrometheusText(text);
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.info).sort((a, b) => a.labels.type!.localeCompare(b.labels.type!))).toEqual([
      { name: RECOMMENDATION_METRIC_NAMES.info, labels: { id: eventLoop!.id, type: 'event_loop_blocking', service: 'shop', operation: '', severity: eventLoop!.severity }, value: 1 },
      { name: RECOMMENDATION_METRIC_NAMES.info, labels: { id: nPlusOne!.id, type: 'n_plus_one_db', service: 'shop', operation: 'GET /orders/:id', severity: nPlusOne!.severity }, value: 1 },
    ]);
    // 8 queries of 10 ms batched into one: 70 ms saved per request; a blocked loop: its median p99 of 250 ms.
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.impact, { id: nPlusOne!.id, type: 'n_plus_one_db', service: 'shop', operation: 'GET /orders/:id' })).toBeCloseTo(0.07, 9);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.impact, { id: eventLoop!.id, type: 'event_loop_blocking' })).toBeCloseTo(0.25, 9);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.open, { processor: 'recommend', type: 'n_plus_one_db' })).toBe(1);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.open, { processor: 'recommend', type: 'event_loop_blocking' })).toBe(1);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.tracesAnalyzed, { processor: 'recommend' })).toBe(3);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.bufferTraces, { processor: 'recommend' })).toBe(0);
    expect(text).toContain(`# TYPE ${RECOMMENDATION_METRIC_NAMES.info} gauge`);
    expect(text).toContain(`# TYPE ${RECOMMENDATION_METRIC_NAMES.tracesAnalyzed} counter`);
    expect(text).toContain(`# TYPE ${RECOMMENDATION_METRIC_NAMES.spansDropped} counter`);
  });

  it('counts the buffer: spans in flight, traces evicted, spans dropped by reason', async () => {
    const clock = new ManualClock(T0);
    const engine = engineWithRecommendations(clock);
    // One trace still waiting for its decision.
    forEachTraceSpan(traceRequest('shop', nPlusOneTrace({ trace: 9, startMs: clock.now(), queries: 2 })), (span) => engine.addSpan(span, clock.now()));
    const samples = parsePrometheusText(await exposition(engine));
    const processor = { processor: 'recommend' };
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.bufferSpans, processor)).toBe(3);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.bufferTraces, processor)).toBe(1);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.tracesAnalyzed, processor)).toBe(4);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.tracesEvicted, processor)).toBe(0);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.spansDropped, { ...processor, reason: 'trace_cap' })).toBe(4 * 4);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.spansDropped, { ...processor, reason: 'late' })).toBe(0);
    // Traces cut at 5 spans still show a loop of 4 queries: not more than 5, so no N+1; the event loop is blocked.
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.info).map((s) => s.labels.type)).toEqual(['event_loop_blocking']);
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.analyzerErrors)).toEqual([]);
  });

  it('drops the series of a recommendation once it resolves', async () => {
    const clock = new ManualClock(T0);
    const engine = engineWithRecommendations(clock);
    expect(select(parsePrometheusText(await exposition(engine)), RECOMMENDATION_METRIC_NAMES.info)).toHaveLength(1);
    // No new evidence for longer than resolve_after (15 min by default), and the event-loop samples left its window.
    clock.advance(20 * 60_000);
    const changes = engine.evaluate(clock.now());
    expect(changes.map((c) => `${c.kind} ${c.recommendation.type}`)).toEqual(['resolved event_loop_blocking']);
    const samples = parsePrometheusText(await exposition(engine));
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.info)).toEqual([]);
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.impact)).toEqual([]);
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.open)).toEqual([]);
    // The engine still knows it, resolved.
    expect(engine.list().map((r) => [r.type, r.status])).toEqual([['event_loop_blocking', 'resolved']]);
  });

  it('lets every recommendation through at max_recommendations (1999), within the SDK default cardinality limit', async () => {
    const clock = new ManualClock(T0);
    const engine = new RecommendEngine({ store: { maxRecommendations: 1999 } });
    const candidates: RecommendationCandidate[] = Array.from({ length: 1999 }, (_, i) => ({
      type: 'slow_db_statement',
      service: 'shop',
      operation: '',
      groupKey: `SELECT ${i}`,
      evidence: { statement: `SELECT ${i}`, p95Ms: 150 },
      exampleTraceIds: [],
      impact: { perRequestMs: 50, latencyShare: 0.5, affectedShare: 0.1 },
      savedMsPerSecond: 1,
      lastSeenMs: T0,
      occurrences: 1,
    }));
    engine.store.update(candidates, clock.now(), new Set());
    const samples = parsePrometheusText(await exposition(engine));
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.info)).toHaveLength(1999);
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.impact)).toHaveLength(1999);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.open, { type: 'slow_db_statement' })).toBe(1999);
    expect(samples.some((s) => s.labels.otel_metric_overflow !== undefined)).toBe(false);
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0 || process.env.CI === 'true';
  if (!promtool) console.warn('promtool not found: skipping the exposition lint (CI installs Debian\'s prometheus package)');
  it.runIf(promtool)('is clean under promtool check metrics', async () => {
    const engine = engineWithRecommendations(new ManualClock(T0));
    const text = await exposition(engine);
    expect(select(parsePrometheusText(text), RECOMMENDATION_METRIC_NAMES.info)).toHaveLength(1);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
