import { describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { BaselineSpanProcessor } from '../../../processors/baseline/baseline-span-processor';
import { createAgentBaseline } from '../../../processors/baseline/agent-baseline';
import { resolveBaselineProcessorSettings } from '../../../processors/baseline/config';
import { resolveAnomalyProcessorSettings } from '../../../processors/anomaly/config';
import { BaselineEngine } from '../../../src/engine/baseline-engine';
import type { AnomalyEvent } from '../../../src/engine/anomaly-event';
import { ManualClock } from '../../../src/clock';
import type { Logger } from '../../../src/logging/logger';
import { BASELINE_SIGNALS, SignalIndex } from '../../../src/baseline/baseline-signal';
import { doubleDetectors } from '../../baseline/detector-double';
import { parsePrometheusText, select } from '../../helpers/prometheus-text';

const T0 = Date.UTC(2026, 10, 2, 10);
const MINUTE = 60_000;

function logger(lines: string[] = []): Logger {
  return { error: (m, e) => lines.push(`error ${m}${e === undefined ? '' : `: ${e instanceof Error ? e.message : JSON.stringify(e)}`}`), warn: (m) => lines.push(`warn ${m}`), info: (m) => lines.push(`info ${m}`), debug: () => undefined };
}

/** A tracer whose finished spans go to `processor` (durations as the SDK measures them: a few µs). */
function tracer(processor: BaselineSpanProcessor | { onEnd(span: ReadableSpan): void }) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [{ onStart: () => undefined, onEnd: (s) => processor.onEnd(s), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() }],
  });
  return provider.getTracer('test');
}

describe('BaselineSpanProcessor (the agent)', () => {
  it('feeds SDK spans into the baseline with OTLP kinds, the service, the operation and the trace id', () => {
    const clock = new ManualClock(T0);
    const engine = new BaselineEngine({ clock, model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors() } });
    const processor = new BaselineSpanProcessor({ engine, logger: logger(), rollUpTimer: false });
    const t = tracer(processor);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const span = t.startSpan('GET /cart/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/cart/:id', 'http.response.status_code': i === 0 ? 503 : 200 } });
      ids.push(span.spanContext().traceId);
      span.end();
    }
    t.startSpan('SELECT', { kind: SpanKind.CLIENT }).end(); // client spans are not tracked by default
    const failing = t.startSpan('consume orders', { kind: SpanKind.CONSUMER });
    failing.setStatus({ code: SpanStatusCode.ERROR });
    failing.end();
    clock.advance(MINUTE);
    processor.rollUp();
    const seen: string[] = [];
    engine.forEach((s) => {
      seen.push(`${s.labels.service}|${s.labels.spanKind}|${s.labels.operation}|${s.lastIntervalCount}|${s.observedValue(SignalIndex.error_ratio)}`);
      if (s.labels.spanKind === 'server') expect(ids).toContain(s.slowestTraceIds()[0]);
    });
    expect(seen.sort()).toEqual(['shop|consumer|consume orders|1|1', 'shop|server|GET /cart/:id|4|0.25']);
    expect(processor.failedSpans).toBe(0);
  });

  it('never throws into the host: a failure is counted and logged once', () => {
    const lines: string[] = [];
    const engine = { record: () => { throw new Error('engine down'); }, rollUp: () => undefined, intervalMs: MINUTE } as unknown as BaselineEngine;
    const processor = new BaselineSpanProcessor({ engine, logger: logger(lines), rollUpTimer: false });
    const t = tracer(processor);
    expect(() => {
      t.startSpan('a', { kind: SpanKind.SERVER }).end();
      t.startSpan('b', { kind: SpanKind.SERVER }).end();
    }).not.toThrow();
    expect(processor.failedSpans).toBe(2);
    expect(lines).toEqual(['error baseline span processing failed; further failures are counted, not logged: engine down']);
  });

  it('createAgentBaseline wires the engines, the log lines, onAnomaly and the metrics', async () => {
    const clock = new ManualClock(T0);
    const lines: string[] = [];
    const events: AnomalyEvent[] = [];
    const agent = createAgentBaseline({
      baseline: resolveBaselineProcessorSettings({ cold_start: '0', signals: ['latency_p99', 'throughput'] }),
      anomaly: resolveAnomalyProcessorSettings({ signals: ['latency_p99'] }),
      clock,
      logger: logger(lines),
      onAnomaly: (e) => events.push(e),
    });
    await agent.spanProcessor.shutdown(); // no timer in a unit test: roll up by hand
    const reader = new PrometheusExporter({ withoutScopeInfo: true, preventServerStart: true });
    const meterProvider = new MeterProvider({ readers: [reader], views: [...agent.views] });
    agent.registerMetrics(meterProvider.getMeter('slowatch'));
    const span = { resource: { attributes: { 'service.name': 'shop' } }, kind: 1, name: 'GET /a', status: { code: 0 }, attributes: { 'http.request.method': 'GET', 'http.route': '/a' }, spanContext: () => ({ traceId: 'ab'.repeat(16) }) };
    const feed = (ms: number): void => {
      for (let i = 0; i < 50; i++) agent.spanProcessor.onEnd({ ...span, duration: [0, ms * (0.95 + (i % 10) / 100) * 1e6], endTime: [0, 0] } as unknown as ReadableSpan);
      clock.advance(MINUTE);
      agent.spanProcessor.rollUp();
    };
    for (let i = 0; i < 8; i++) feed(20);
    feed(100);
    expect(events.map((e) => `${e.edge} ${e.signal} ${e.key.operation}`)).toEqual(['start latency_p99 GET /a']);
    expect(lines.filter((l) => l.startsWith('info anomaly started: service=shop operation="GET /a"'))).toHaveLength(1);
    expect(agent.anomaly?.activeKeys).toBe(1);

    const text = await new Promise<string>((resolve) => {
      reader.getMetricsRequestHandler({} as never, { statusCode: 200, setHeader: () => undefined, end: (body: string) => resolve(body) } as never);
    });
    const samples = parsePrometheusText(text);
    expect(select(samples, 'slowatch_baseline_latency_seconds').map((s) => s.labels)).toEqual([{ service: 'shop', operation: 'GET /a', span_kind: 'server', percentile: '99' }]);
    expect(select(samples, 'slowatch_anomaly_active', { signal: 'latency_p99' })[0]?.value).toBe(1);
    await meterProvider.shutdown();
  });
});
