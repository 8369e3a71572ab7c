import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createAgentRecommend } from '../../instrumentation/agent-recommend';
import type { AgentRecommend } from '../../instrumentation/agent-recommend';
import { RECOMMENDATION_METRIC_NAMES } from '../../exporters/prometheus/recommendation-metrics';
import { createDefaultConfig, resolveRecommendProcessorSettings } from '../../processors/recommend/config';
import type { RecommendProcessorConfig } from '../../processors/recommend/config';
import { ManualClock } from '../../src/clock';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { Logger } from '../../src/logging/logger';
import type { Recommendation } from '../../src/recommend/recommendation';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import { json, rawRequest } from '../extensions/web/http-client';
import { parsePrometheusText, select } from '../helpers/prometheus-text';

/*
 * The agent's recommend processor as agent.ts starts it, without the rest of
 * the agent: a real SDK tracer feeding its span processor, a ManualClock,
 * runtime samples handed to its engine, the global LoggerProvider catching
 * its log records, and the real inspector profiling a real busy loop. The
 * evaluation and sampling timers run every minute: the test evaluates.
 */

const T0 = Date.UTC(2026, 10, 2, 9);

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) => lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

/** Blocks the event loop for `ms`: the function the profile must name. */
function spinForTheRecommendProfiler(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) x += Math.sqrt(x + i);
  }
  return x;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function settings(profiling: RecommendProcessorConfig['profiling']) {
  return resolveRecommendProcessorSettings({
    ...createDefaultConfig(),
    evaluation_interval: '1m',
    runtime_sampling_interval: '1m',
    decision_wait: '1s',
    profiling,
  });
}

let logExporter: InMemoryLogRecordExporter;
let loggerProvider: LoggerProvider;
const running: AgentRecommend[] = [];
let server: Server | undefined;

beforeEach(() => {
  logExporter = new InMemoryLogRecordExporter();
  loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  logs.setGlobalLoggerProvider(loggerProvider);
});

afterEach(async () => {
  for (const agent of running.splice(0)) await agent.stop();
  const s = server;
  server = undefined;
  if (s !== undefined) await new Promise((resolve) => s.close(resolve));
  await loggerProvider.shutdown();
  logs.disable();
});

function start(profiling: RecommendProcessorConfig['profiling']) {
  const clock = new ManualClock(T0);
  const logger = memoryLogger();
  const changes: RecommendationChange[] = [];
  const agent = createAgentRecommend({ settings: settings(profiling), objectives: [], clock, logger, defaultService: 'unknown_service:node', onRecommendation: (c) => changes.push(c) });
  running.push(agent);
  return { agent, clock, logger, changes };
}

/** Three p99 delays of 250 ms within the event_loop_blocking window: a blocked loop for the detector. */
function blockedLoopSamples(agent: AgentRecommend, service: string, nowMs: number): void {
  for (const ago of [120_000, 60_000, 0]) agent.engine.recordEventLoopDelayP99(service, nowMs - ago, 250);
}

/** What the global LoggerProvider received, as `change type service`. */
function emitted(): string[] {
  return logExporter
    .getFinishedLogRecords()
    .map((r) => ['change', 'type', 'service'].map((key) => r.attributes[`slowatch.recommendation.${key}`] as string).join(' '));
}

describe('createAgentRecommend', () => {
  it('without profiling: spans and runtime samples in, recommendations out as changes, log records, metrics and the API', async () => {
    const { agent, clock, logger, changes } = start({ enabled: false });
    expect(agent.profiler).toBeUndefined();

    // An SDK tracer with the agent's span processor: a loop of 7 queries in 3 requests.
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), spanProcessors: [agent.spanProcessor] });
    const tracer = provider.getTracer('test');
    for (let request = 0; request < 3; request++) {
      const start = T0 - 1_000 + request * 100;
      const root = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id' } });
      const parent = trace.setSpan(context.active(), root);
      for (let i = 0; i < 7; i++) {
        tracer.startSpan('SELECT', { kind: SpanKind.CLIENT, startTime: start + 1 + i * 10, attributes: { 'db.system': 'postgresql', 'db.statement': `SELECT * FROM items WHERE id = ${i}` } }, parent).end(start + 11 + i * 10);
      }
      root.end(start + 80);
    }
    await provider.shutdown();
    blockedLoopSamples(agent, 'shop', T0);

    clock.advance(1_001);
    agent.evaluate();
    expect(changes.map((c) => `${c.kind} ${c.recommendation.type} ${c.recommendation.service}`).sort()).toEqual(['opened event_loop_blocking shop', 'opened n_plus_one_db shop']);
    expect(emitted().sort()).toEqual(['opened event_loop_blocking shop', 'opened n_plus_one_db shop']);
    const record = logExporter.getFinishedLogRecords().find((r) => r.attributes['slowatch.recommendation.type'] === 'n_plus_one_db')!;
    const nPlusOne = agent.engine.list({ type: 'n_plus_one_db' })[0]!;
    expect(record.eventName).toBe('slowatch.recommendation');
    expect(record.instrumentationScope.name).toBe('slowatch.recommend');
    expect(record.attributes).toMatchObject({
      'slowatch.recommendation.id': nPlusOne.id,
      'slowatch.recommendation.operation': 'GET /orders/:id',
      'slowatch.recommendation.impact.per_request_ms': 60,
      'slowatch.recommendation.example_trace_ids': nPlusOne.exampleTraceIds,
      'slowatch.recommendation.evidence': expect.objectContaining({ count: 7, statement: 'SELECT * FROM items WHERE id = ?' }) as unknown,
    });
    expect(logger.lines.filter((l) => l.startsWith('info: recommendation opened')).length).toBe(2);
    // The profiler is off: nothing attached.
    expect(agent.engine.list({ type: 'event_loop_blocking' })[0]!.hotFunctions).toBeUndefined();

    // The metrics, on the agent's meter.
    const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    const meters = new MeterProvider({ readers: [reader] });
    agent.registerMetrics(meters.getMeter('slowatch'));
    const { resourceMetrics } = await reader.collect();
    const samples = parsePrometheusText(new PrometheusSerializer(undefined, undefined, undefined, undefined, true).serialize(resourceMetrics));
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.info).map((s) => s.labels.type).sort()).toEqual(['event_loop_blocking', 'n_plus_one_db']);
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.tracesAnalyzed)).toEqual([{ name: RECOMMENDATION_METRIC_NAMES.tracesAnalyzed, labels: { processor: 'recommend' }, value: 3 }]);
    await meters.shutdown();

    // The API, as mounted beside /metrics.
    server = createServer((request, response) => {
      if (!agent.api(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const answer = await rawRequest(port, '/api/v1/recommendations?type=n_plus_one_db');
    expect(answer.status).toBe(200);
    expect(json<{ recommendations: Recommendation[] }>(answer).recommendations.map((r) => r.id)).toEqual([nPlusOne.id]);
  });

  it('samples its own runtime into the engine, under the service of the latest span, or the default service before any', async () => {
    const clock = new ManualClock(T0);
    // 30 ms between samples: below what the config allows (1s), to see a few in a test.
    const fast = { ...settings({ enabled: false }), runtimeSamplingIntervalMs: 30 };
    const agent = createAgentRecommend({ settings: fast, objectives: [], clock, logger: memoryLogger(), defaultService: 'unknown_service:node' });
    running.push(agent);
    const gc = vi.spyOn(agent.engine, 'recordGcDurationSum');
    const heap = vi.spyOn(agent.engine, 'recordHeapUsed');
    await vi.waitFor(() => expect(gc).toHaveBeenCalled(), { timeout: 2_000, interval: 10 });
    expect(gc.mock.calls[0]!.slice(0, 2)).toEqual(['unknown_service:node', T0]);
    expect(heap.mock.calls[0]![0]).toBe('unknown_service:node');
    expect(agent.engine.stats().runtimeServices).toBe(1);

    // Spans name the service.
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'billing' }), spanProcessors: [agent.spanProcessor] });
    provider.getTracer('t').startSpan('GET /').end();
    await provider.shutdown();
    const before = gc.mock.calls.length;
    await vi.waitFor(() => expect(gc.mock.calls.length).toBeGreaterThan(before), { timeout: 2_000, interval: 10 });
    expect(gc.mock.calls.at(-1)![0]).toBe('billing');
    expect(agent.engine.stats().runtimeServices).toBe(2);

    // Stopped: no more samples.
    await agent.stop();
    running.splice(running.indexOf(agent), 1);
    const stoppedAt = gc.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gc.mock.calls.length).toBe(stoppedAt);
  });

  it('with profiling: when event_loop_blocking opens, profiles the busy process and attaches its hot functions', async () => {
    const { agent, clock, logger } = start({ enabled: true, duration: '300ms', min_interval: '1s' });
    expect(agent.profiler).toBeDefined();
    blockedLoopSamples(agent, 'shop', T0);
    agent.evaluate();
    const opened = agent.engine.list({ type: 'event_loop_blocking' })[0]!;
    expect(opened.hotFunctions).toBeUndefined();

    // Block the loop in slices, giving it a turn between them, until the profile is attached.
    const deadline = Date.now() + 10_000;
    while (agent.engine.list({ type: 'event_loop_blocking' })[0]!.hotFunctions === undefined && Date.now() < deadline) {
      spinForTheRecommendProfiler(40);
      await nextTurn();
    }
    const profiled = agent.engine.list({ type: 'event_loop_blocking' })[0]!;
    expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(profiled.id).toBe(opened.id);
    expect(profiled.hotFunctions).toBeDefined();
    const hot = profiled.hotFunctions!;
    expect(hot.map((f) => f.function)).toContain('spinForTheRecommendProfiler');
    // Most of the self time is this file's busy loop: the spinning function, or its caller when V8 inlined it there.
    const ours = hot.filter((f) => f.file.endsWith('agent-recommend.test.ts'));
    expect(ours.reduce((sum, f) => sum + f.selfShare, 0)).toBeGreaterThan(0.5);
    expect(hot.every((f) => f.selfMs >= 0 && f.selfShare >= 0 && f.selfShare <= 1)).toBe(true);
    expect(agent.profiler!.stats()).toMatchObject({ captures: 1, failures: 0 });

    // The next evaluation leaves it open and profiled; no second capture for the same opening.
    clock.advance(1_000);
    agent.evaluate();
    expect(agent.engine.list({ type: 'event_loop_blocking' })[0]!.hotFunctions).toEqual(profiled.hotFunctions);
    expect(agent.profiler!.stats().captures).toBe(1);
  });

  it('profiles on a latency anomaly start only when on_latency_anomaly is set, and stop() ends a capture in progress', async () => {
    const anomaly = (edge: 'start' | 'end', signal: AnomalyEvent['signal']): AnomalyEvent => ({
      edge,
      key: { service: 'shop', operation: 'GET /cart', spanKind: 'server' },
      signal,
      unit: 'ms',
      atMs: T0,
      startedAtMs: T0,
      endedAtMs: undefined,
      observed: 900,
      expected: undefined,
      score: 1,
      spanCount: 50,
      traceIds: [],
      recent: [],
    });
    const off = start({ enabled: true, duration: '2s', on_latency_anomaly: false });
    off.agent.onAnomaly(anomaly('start', 'latency_p99'));
    const on = start({ enabled: true, duration: '2s', on_latency_anomaly: true });
    on.agent.onAnomaly(anomaly('end', 'latency_p99'));
    on.agent.onAnomaly(anomaly('start', 'error_ratio'));
    on.agent.onAnomaly(anomaly('start', 'latency_p95'));
    // A second start while the first capture runs is refused as busy.
    on.agent.onAnomaly(anomaly('start', 'latency_p99'));
    await vi.waitFor(() => expect(on.agent.profiler!.stats().skippedBusy).toBe(1));
    await on.agent.stop();
    running.splice(running.indexOf(on.agent), 1);
    expect(on.agent.profiler!.stats()).toEqual({ captures: 0, skippedRateLimited: 0, skippedBusy: 1, failures: 0 });
    expect(off.agent.profiler!.stats()).toEqual({ captures: 0, skippedRateLimited: 0, skippedBusy: 0, failures: 0 });
  });

  it('stop() runs a last evaluation, so what was decided is not lost', async () => {
    const { agent, changes } = start({ enabled: false });
    blockedLoopSamples(agent, 'shop', T0);
    await agent.stop();
    running.splice(running.indexOf(agent), 1);
    expect(changes.map((c) => `${c.kind} ${c.recommendation.type}`)).toEqual(['opened event_loop_blocking']);
    expect(emitted()).toEqual(['opened event_loop_blocking shop']);
    // Stopped: evaluate() does nothing any more.
    agent.evaluate();
    expect(changes).toHaveLength(1);
  });
});
