import { describe, it, expect, afterEach } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ManualClock } from '../../../src/clock';
import { SloEngine } from '../../../src/engine/slo-engine';
import type { Logger } from '../../../src/logging/logger';
import { SloSpanProcessor } from '../../../processors/slo/slo-span-processor';
import { objectiveSpec } from '../../helpers/objectives';

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) =>
    lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

function counts(engine: SloEngine): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  engine.collect((series, status) => {
    out[`${series.objective.name}/${Object.values(series.labels).join('/')}`] = [status.goodEvents, status.badEvents];
  });
  return out;
}

const providers: BasicTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function setup(engine: SloEngine, logger: Logger, resource = resourceFromAttributes({ 'service.name': 'checkout' })) {
  const processor = new SloSpanProcessor({ engine, logger, evaluationIntervalMs: 60_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  providers.push(provider);
  return { processor, tracer: provider.getTracer('test') };
}

describe('SloSpanProcessor', () => {
  it('maps every API span kind to the OTLP numbering the selectors use', () => {
    const clock = new ManualClock(Date.now());
    const kinds = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
    const engine = new SloEngine(
      kinds.map((k) => objectiveSpec({ name: `kind-${k}`, selector: { spanKind: k, operations: [], attributes: {} } })),
      { clock },
    );
    const { tracer } = setup(engine, memoryLogger());
    const apiKinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
    apiKinds.forEach((kind, i) => {
      for (let n = 0; n <= i; n++) tracer.startSpan('op', { kind }).end();
    });
    expect(counts(engine)).toEqual({
      'kind-internal/checkout': [1, 0],
      'kind-server/checkout': [2, 0],
      'kind-client/checkout': [3, 0],
      'kind-producer/checkout': [4, 0],
      'kind-consumer/checkout': [5, 0],
    });
  });

  it('reads status, HTTP attributes, duration and the service from the resource', () => {
    const clock = new ManualClock(Date.now());
    const engine = new SloEngine(
      [objectiveSpec(), objectiveSpec({ name: 'latency', sli: { kind: 'latency', thresholdMs: 50 }, objective: 0.95, groupBy: ['http.route'] })],
      { clock },
    );
    const { tracer } = setup(engine, memoryLogger());
    const start = Date.now();
    const ok = tracer.startSpan('GET /a', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': '/a', 'http.response.status_code': 200 } });
    ok.end(start + 10);
    const failed = tracer.startSpan('GET /a', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': '/a', 'http.status_code': 503 } });
    failed.end(start + 10);
    const errored = tracer.startSpan('GET /b', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': '/b' } });
    errored.setStatus({ code: SpanStatusCode.ERROR });
    errored.end(start + 80);
    expect(counts(engine)).toEqual({
      'availability/checkout': [1, 2],
      'latency/checkout//a': [2, 0],
      'latency/checkout//b': [0, 1],
    });
  });

  it('never throws into the caller and logs the first failure only', () => {
    const engine = new SloEngine([objectiveSpec()], { clock: new ManualClock(Date.now()) });
    engine.record = () => {
      throw new Error('boom');
    };
    const logger = memoryLogger();
    const { tracer, processor } = setup(engine, logger);
    for (let i = 0; i < 1000; i++) expect(() => tracer.startSpan('x', { kind: SpanKind.SERVER }).end()).not.toThrow();
    expect(processor.failedSpans).toBe(1000);
    expect(logger.lines).toEqual(['error: SLO span processing failed; further failures are counted, not logged: boom']);
  });

  it('picks up resource attributes that settle after the first spans', async () => {
    const engine = new SloEngine(
      [objectiveSpec({ selector: { spanKind: 'server', operations: [], attributes: { 'host.id': 'h-1' } } })],
      { clock: new ManualClock(Date.now()) },
    );
    let settle: (value: string) => void = () => undefined;
    const hostId = new Promise<string>((resolve) => (settle = resolve));
    const resource = resourceFromAttributes({ 'service.name': 'checkout', 'host.id': hostId });
    const { tracer } = setup(engine, memoryLogger(), resource);
    tracer.startSpan('before', { kind: SpanKind.SERVER }).end();
    settle('h-1');
    await resource.waitForAsyncAttributes?.();
    await new Promise((r) => setImmediate(r));
    tracer.startSpan('after', { kind: SpanKind.SERVER }).end();
    expect(counts(engine)).toEqual({ 'availability/checkout': [1, 0] });
  });
});
