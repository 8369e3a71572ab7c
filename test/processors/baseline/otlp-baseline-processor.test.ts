import { describe, expect, it } from 'vitest';
import { OtlpBaselineProcessor } from '../../../processors/baseline/otlp-baseline-processor';
import { OtlpBaselineSpanReader } from '../../../processors/baseline/otlp-baseline-span-reader';
import { BaselineEngine } from '../../../src/engine/baseline-engine';
import { ManualClock } from '../../../src/clock';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { Logger } from '../../../src/logging/logger';
import { BASELINE_SIGNALS, SignalIndex } from '../../../src/baseline/baseline-signal';
import { doubleDetectors } from '../../baseline/detector-double';
import { batchOf, otlpRequest, traceIdOf } from './otlp-helpers';

const T0 = Date.UTC(2026, 10, 2, 10);
const MINUTE = 60_000;

function silentLogger(lines: string[] = []): Logger {
  return { error: (m, e) => lines.push(`${m}: ${String(e)}`), warn: () => undefined, info: () => undefined, debug: () => undefined };
}

function setup(next: Consumer = { consume: () => Promise.resolve() }) {
  const clock = new ManualClock(T0);
  const engine = new BaselineEngine({ clock, model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors() } });
  const lines: string[] = [];
  return { clock, engine, lines, processor: new OtlpBaselineProcessor(engine, next, silentLogger(lines)) };
}

function observed(engine: BaselineEngine): Record<string, { count: number; p99: number; errors: number }> {
  const out: Record<string, { count: number; p99: number; errors: number }> = {};
  engine.forEach((s) => {
    out[`${s.labels.service} ${s.labels.operation}`] = {
      count: s.lastIntervalCount,
      p99: Math.round(s.observedValue(SignalIndex.latency_p99)),
      errors: s.observedValue(SignalIndex.error_ratio),
    };
  });
  return out;
}

describe('OtlpBaselineSpanReader', () => {
  it('reads the fields the baseline needs from an OTLP span, attributes of both HTTP conventions', () => {
    const reader = new OtlpBaselineSpanReader();
    const request = otlpRequest('cart', [{ route: '/x', ms: 12.5, status: 503, code: 2 }]);
    reader.useResource(request.resourceSpans![0]!.resource);
    const span = request.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
    const sample = reader.read(span);
    expect(sample).toMatchObject({ service: 'cart', kind: 2, name: 'GET /x', statusCode: 2, durationMs: 12.5 });
    expect(sample.attributes).toEqual({ 'http.request.method': 'GET', 'http.method': undefined, 'http.route': '/x', 'http.response.status_code': 503, 'http.status_code': undefined });
    expect(sample.traceId).toBe(span.traceId);
    const old = reader.read({ ...span, attributes: [{ key: 'http.method', value: { stringValue: 'PUT' } }, { key: 'http.status_code', value: { stringValue: '500' } }] });
    expect(old.attributes).toEqual({ 'http.request.method': undefined, 'http.method': 'PUT', 'http.route': undefined, 'http.response.status_code': undefined, 'http.status_code': '500' });
  });
});

describe('OtlpBaselineProcessor', () => {
  it('records every span of an accepted batch by service and operation, with durations from nanoseconds and 5xx as errors', async () => {
    const { clock, engine, processor } = setup();
    await processor.consume(batchOf(otlpRequest('cart', [{ route: '/a', ms: 10 }, { route: '/a', ms: 30, status: 500 }, { route: '/b', ms: 250 }])));
    await processor.consume(batchOf(otlpRequest('search', [{ route: '/a', ms: 5 }])));
    clock.advance(MINUTE);
    engine.rollUp();
    // DDSketch's rank for q is q × (n − 1): the p99 of two spans is the faster one; 250 ms reads as 252 (within 1 %).
    expect(observed(engine)).toEqual({
      'cart GET /a': { count: 2, p99: 10, errors: 0.5 },
      'cart GET /b': { count: 1, p99: 252, errors: 0 },
      'search GET /a': { count: 1, p99: 5, errors: 0 },
    });
  });

  it('records a batch only once it is accepted downstream, so a client retry after 503 is not counted twice', async () => {
    let refuse = 2;
    const { clock, engine, processor } = setup({ consume: () => (refuse-- > 0 ? Promise.reject(new BackpressureError('queue full')) : Promise.resolve()) });
    const batch = batchOf(otlpRequest('cart', [{ route: '/a', ms: 10 }, { route: '/a', ms: 20 }]));
    await expect(processor.consume(batch)).rejects.toBeInstanceOf(BackpressureError);
    await expect(processor.consume(batch)).rejects.toBeInstanceOf(BackpressureError);
    await processor.consume(batch);
    clock.advance(MINUTE);
    engine.rollUp();
    expect(observed(engine)['cart GET /a']?.count).toBe(2);
  });

  it('copies the trace ids it keeps: the decoded request can be freed or reused', async () => {
    const { clock, engine, processor } = setup();
    const id = traceIdOf(0xfeed);
    await processor.consume(batchOf(otlpRequest('cart', [{ route: '/a', ms: 99, traceId: id }])));
    id.fill(0);
    clock.advance(MINUTE);
    engine.rollUp();
    engine.forEach((s) => expect(s.slowestTraceIds()).toEqual(['0000000000000000000000000000feed']));
  });

  it('never fails a batch on a recording error: counted and logged once', async () => {
    const { processor, lines } = setup();
    const request = otlpRequest('cart', [{ route: '/a', ms: 1 }]);
    const broken = batchOf(request);
    Object.defineProperty(request.resourceSpans![0]!, 'scopeSpans', {
      get() {
        throw new Error('unreadable');
      },
    });
    await processor.consume(broken);
    await processor.consume(broken);
    expect(processor.failedBatches).toBe(2);
    expect(lines).toEqual(['baseline processing of OTLP spans failed; further failures are counted, not logged: Error: unreadable']);
  });
});
