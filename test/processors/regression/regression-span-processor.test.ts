import { describe, it, expect, afterEach } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import { ManualClock } from '../../../src/clock';
import { RegressionEngine } from '../../../src/regression/regression-engine';
import type { RegressionKey } from '../../../src/regression/regression-key';
import type { Logger } from '../../../src/logging/logger';
import { RegressionSpanProcessor } from '../../../processors/regression/regression-span-processor';
import { meanRatioClassifier, regressionSpec } from '../../regression/regression-fixtures';

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) => lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

const providers: BasicTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function tracerFor(processor: RegressionSpanProcessor, resource: Resource) {
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  providers.push(provider);
  return provider.getTracer('test');
}

function keys(engine: RegressionEngine): string[] {
  const out: string[] = [];
  engine.forEachKey((k: RegressionKey) => out.push(`${k.service}|${k.operation}|${k.spanKind}|${k.spans}`));
  return out;
}

describe('RegressionSpanProcessor', () => {
  it('maps API span kinds to the OTLP numbering and reads service and version from the resource', () => {
    const engine = new RegressionEngine(regressionSpec({ spanKinds: ['server', 'client', 'internal', 'producer', 'consumer'] }), {
      clock: new ManualClock(Date.now()),
      classify: meanRatioClassifier(),
    });
    const processor = new RegressionSpanProcessor({ engine, logger: memoryLogger(), evaluationIntervalMs: 60_000 });
    const tracer = tracerFor(processor, resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '2.0.0' }));
    [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER].forEach((kind, i) => {
      for (let n = 0; n <= i; n++) tracer.startSpan('op', { kind }).end();
    });
    expect(keys(engine)).toEqual(['checkout|op|internal|1', 'checkout|op|server|2', 'checkout|op|client|3', 'checkout|op|producer|4', 'checkout|op|consumer|5']);
    let versions: string[] = [];
    engine.forEachService((s) => (versions = s.versions.map((v) => v.version)));
    expect(versions).toEqual(['2.0.0']);
  });

  it('sees a deploy across tracer providers of two versions, and compares on evaluate(), never in onEnd', () => {
    const classify = meanRatioClassifier();
    const engine = new RegressionEngine(regressionSpec({ minSamples: 10 }), { clock: new ManualClock(Date.now()), classify });
    const processor = new RegressionSpanProcessor({ engine, logger: memoryLogger(), evaluationIntervalMs: 60_000 });
    const start = Date.now();
    for (const [version, ms] of [
      ['1', 10],
      ['2', 40],
    ] as const) {
      const tracer = tracerFor(processor, resourceFromAttributes({ 'service.name': 'checkout', 'service.version': version }));
      for (let i = 0; i < 10; i++) {
        tracer.startSpan('GET /a', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': '/a', 'http.request.method': 'GET' } }).end(start + ms);
      }
    }
    expect(classify.calls).toHaveLength(0);
    processor.evaluate();
    expect(classify.calls.map((c) => [c.control, c.experiment])).toEqual([[new Array(10).fill(10), new Array(10).fill(40)]]);
    expect(engine.recentEvents().map((e) => [e.operation, e.outcome])).toEqual([['GET /a', 'regression']]);
  });

  it('never throws into the caller and logs the first failure only', () => {
    const engine = new RegressionEngine(regressionSpec(), { clock: new ManualClock(Date.now()), classify: meanRatioClassifier() });
    engine.record = () => {
      throw new Error('boom');
    };
    const logger = memoryLogger();
    const processor = new RegressionSpanProcessor({ engine, logger });
    const tracer = tracerFor(processor, resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1' }));
    for (let i = 0; i < 100; i++) expect(() => tracer.startSpan('x', { kind: SpanKind.SERVER }).end()).not.toThrow();
    expect(processor.failedSpans).toBe(100);
    expect(logger.lines).toEqual(['error: deploy regression span processing failed; further failures are counted, not logged: boom']);
  });
});
