import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { forEachTraceSpan } from '../../../processors/recommend/otlp-trace-span-reader';
import { RecommendSpanProcessor } from '../../../processors/recommend/recommend-span-processor';
import { ManualClock } from '../../../src/clock';
import { decodeProtobufRequest } from '../../../src/otlp/codec';
import { RecommendEngine } from '../../../src/recommend/recommend-engine';
import type { TraceSpan } from '../../../src/recommend/trace-span';
import { memoryLogger, T0 } from './otlp-helpers';

/** The engine, writing down every span handed to it. */
class RecordingEngine extends RecommendEngine {
  readonly spans: TraceSpan[] = [];

  override addSpan(span: TraceSpan, nowMs: number): void {
    this.spans.push(span);
    super.addSpan(span, nowMs);
  }
}

const ENGINE_OPTIONS = { buffer: { decisionWaitMs: 1_000 } };

/** An HrTime `ms` milliseconds and `extraNs` nanoseconds after T0 (sub-microsecond parts on purpose). */
function hr(ms: number, extraNs = 0): HrTime {
  const totalNs = BigInt(T0 + ms) * 1_000_000n + BigInt(extraNs);
  return [Number(totalNs / 1_000_000_000n), Number(totalNs % 1_000_000_000n)];
}

/**
 * A real SDK pipeline: BasicTracerProvider (sdk-trace-base 2.x) with the
 * agent's RecommendSpanProcessor, and an in-memory exporter keeping the same
 * ReadableSpans for the OTLP side of the comparison.
 */
function sdk(processor: RecommendSpanProcessor) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': '1.0.0' }),
    spanProcessors: [processor, new SimpleSpanProcessor(memory)],
  });
  return { tracer: provider.getTracer('test'), memory, provider };
}

/**
 * `GET /orders/:id` with `queries` sequential postgresql queries under a
 * controller span, times with nanosecond parts that no millisecond can hold.
 */
function nPlusOneRequest(tracer: ReturnType<typeof sdk>['tracer'], offsetMs: number, queries = 7): void {
  const root = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER,
    startTime: hr(offsetMs, 123_456),
    attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200, 'user.id': 'u-1', 'enduser.role': 'admin' },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const controller = tracer.startSpan('orders.load', { kind: SpanKind.INTERNAL, startTime: hr(offsetMs + 1, 999) }, inRoot);
  const inController = trace.setSpan(context.active(), controller);
  for (let i = 0; i < queries; i++) {
    const query = tracer.startSpan(
      'SELECT shop.items',
      { kind: SpanKind.CLIENT, startTime: hr(offsetMs + 2 + i * 12, 789), attributes: { 'db.system': 'postgresql', 'db.statement': `SELECT * FROM items WHERE id = ${i + 1}`, 'db.user': 'app' } },
      inController,
    );
    if (i === 3) query.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock' });
    query.end(hr(offsetMs + 2 + i * 12 + 11, 555_555));
  }
  controller.end(hr(offsetMs + 3 + queries * 12, 1));
  root.end(hr(offsetMs + 4 + queries * 12, 999_999));
}

describe('RecommendSpanProcessor (the agent)', () => {
  it('turns finished SDK spans into TraceSpans: hex ids, parent ids, OTLP kinds, milliseconds, status, picked attributes', async () => {
    const clock = new ManualClock(T0);
    const engine = new RecordingEngine(ENGINE_OPTIONS);
    const processor = new RecommendSpanProcessor({ engine, clock, logger: memoryLogger() });
    const { tracer, memory, provider } = sdk(processor);
    expect(processor.lastServiceName).toBeUndefined();
    nPlusOneRequest(tracer, 0, 2);
    const finished = memory.getFinishedSpans();
    const byName = (name: string) => finished.find((s) => s.name === name)!;
    const root = byName('GET /orders/:id');
    const controller = byName('orders.load');
    // Finished order: the two queries, the controller, the root.
    expect(engine.spans.map((s) => s.name)).toEqual(['SELECT shop.items', 'SELECT shop.items', 'orders.load', 'GET /orders/:id']);
    const [query] = engine.spans;
    expect(query).toEqual({
      traceId: root.spanContext().traceId,
      spanId: finished[0]!.spanContext().spanId,
      parentSpanId: controller.spanContext().spanId,
      service: 'shop',
      name: 'SELECT shop.items',
      kind: 3, // CLIENT: the API's 2, plus one
      startTimeMs: T0 + 2, // 789 ns do not make a microsecond
      endTimeMs: T0 + 13.555,
      statusCode: 0,
      attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM items WHERE id = 1' },
    });
    expect(query!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(query!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(engine.spans[3]).toMatchObject({ parentSpanId: '', kind: 2, startTimeMs: T0 + 0.123, endTimeMs: T0 + 28.999 });
    expect(engine.spans[3]!.attributes).toEqual({ 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200 });
    expect(engine.spans[2]).toMatchObject({ kind: 1, parentSpanId: root.spanContext().spanId, attributes: {} });
    expect(processor.lastServiceName).toBe('shop');
    expect(engine.stats().buffer.spansReceived).toBe(4);
    expect(processor.failedSpans).toBe(0);
    await provider.shutdown();
  });

  it('never throws into the application: failures are counted and the first one logged', () => {
    const logger = memoryLogger();
    const engine = new RecommendEngine();
    engine.addSpan = () => {
      throw new Error('buffer exploded');
    };
    const processor = new RecommendSpanProcessor({ engine, clock: new ManualClock(T0), logger });
    const { tracer } = sdk(processor);
    expect(() => {
      for (let i = 0; i < 3; i++) tracer.startSpan('GET /').end();
    }).not.toThrow();
    expect(processor.failedSpans).toBe(3);
    expect(logger.lines).toEqual(['error: recommend span processing failed; further failures are counted, not logged: buffer exploded']);
  });

  it('gives the same TraceSpans and the same recommendations as the gateway reading the same spans over OTLP', async () => {
    const clock = new ManualClock(T0);
    const agentEngine = new RecordingEngine(ENGINE_OPTIONS);
    const processor = new RecommendSpanProcessor({ engine: agentEngine, clock, logger: memoryLogger() });
    const { tracer, memory, provider } = sdk(processor);
    for (let i = 0; i < 4; i++) nPlusOneRequest(tracer, i * 100);

    // The gateway's side: the SDK's own OTLP/protobuf encoding, decoded by slowatch's codec.
    const request = decodeProtobufRequest('traces', ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!);
    const gatewayEngine = new RecordingEngine(ENGINE_OPTIONS);
    forEachTraceSpan(request, (span) => gatewayEngine.addSpan(span, clock.now()));

    expect(agentEngine.spans).toHaveLength(4 * 9);
    expect(gatewayEngine.spans).toEqual(agentEngine.spans);
    // toEqual treats a missing key like an undefined one: compare the serialised forms as well.
    expect(JSON.stringify(gatewayEngine.spans)).toBe(JSON.stringify(agentEngine.spans));

    clock.advance(2_000);
    const agentChanges = agentEngine.evaluate(clock.now());
    const gatewayChanges = gatewayEngine.evaluate(clock.now());
    const agentIds = agentChanges.map((c) => `${c.kind} ${c.recommendation.type} ${c.recommendation.id}`);
    expect(agentIds).toEqual(gatewayChanges.map((c) => `${c.kind} ${c.recommendation.type} ${c.recommendation.id}`));
    expect(agentEngine.list().map((r) => [r.type, r.service, r.operation])).toEqual([['n_plus_one_db', 'shop', 'GET /orders/:id']]);
    expect(gatewayEngine.list()).toEqual(agentEngine.list());
    await provider.shutdown();
  });
});
