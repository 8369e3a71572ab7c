import { afterEach, describe, expect, it, vi } from 'vitest';
import { OtlpSpanKind } from '../../../src/engine/span-sample';
import type { Logger } from '../../../src/logging/logger';
import { RecommendEngine } from '../../../src/recommend/recommend-engine';
import type { RecommendationChange } from '../../../src/recommend/recommendation-store';
import type { TraceSpan } from '../../../src/recommend/trace-span';
import { RecommendLoop, SPANS_PER_SLICE } from '../../../processors/recommend/recommend-loop';

const T0 = 1_700_000_000_000;
const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function trace(n: number, spans: number): TraceSpan[] {
  const traceId = n.toString(16).padStart(32, '0');
  const out: TraceSpan[] = [
    { traceId, spanId: 'a000000000000001', parentSpanId: '', service: 'shop', name: 'GET', kind: OtlpSpanKind.SERVER, startTimeMs: 0, endTimeMs: 400, statusCode: 0, attributes: { 'http.request.method': 'GET', 'http.route': '/orders' } },
  ];
  for (let i = 1; i < spans; i++) {
    out.push({
      traceId,
      spanId: `b${i.toString(16).padStart(15, '0')}`,
      parentSpanId: 'a000000000000001',
      service: 'shop',
      name: 'pg.query',
      kind: OtlpSpanKind.CLIENT,
      startTimeMs: i * 3,
      endTimeMs: i * 3 + 2,
      statusCode: 0,
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': `SELECT * FROM order_items WHERE order_id = ${i}` },
    });
  }
  return out;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RecommendLoop', () => {
  it('analyses a backlog in slices of about SPANS_PER_SLICE spans, giving the event loop a turn between them, then publishes once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = T0;
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: 1000 } });
    for (let n = 1; n <= 30; n++) for (const span of trace(n, 200)) engine.addSpan(span, now);
    const published: RecommendationChange[][] = [];
    const loop = new RecommendLoop(engine, { now: () => now }, 1000, silent, (changes) => published.push([...changes]));
    const slices = vi.spyOn(engine, 'analyzePending');
    now += 1000;
    vi.advanceTimersByTime(1000);
    // The first slice ran synchronously in the tick: about SPANS_PER_SLICE spans (200 per trace), not the 30 traces.
    expect(engine.stats().tracesAnalyzed).toBe(SPANS_PER_SLICE / 200);
    expect(published).toEqual([]);
    while (engine.pendingTraces > 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(slices.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(engine.stats().tracesAnalyzed).toBe(30);
    expect(published.flat().map((c) => [c.kind, c.recommendation.type])).toEqual([['opened', 'n_plus_one_db']]);
    loop.stop();
  });

  it('ends every tick with an update, even when traces keep arriving faster than they are analysed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = T0;
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: 1000 } });
    const updates = vi.spyOn(engine, 'update');
    const loop = new RecommendLoop(engine, { now: () => now }, 1000, silent, () => undefined);
    let n = 0;
    for (let tick = 0; tick < 3; tick++) {
      for (let i = 0; i < 40; i++) for (const span of trace(++n, 200)) engine.addSpan(span, now);
      now += 1000;
      vi.advanceTimersByTime(1000);
      // While this tick slices, more traces arrive; they wait for the next tick.
      for (let i = 0; i < 40; i++) for (const span of trace(++n, 200)) engine.addSpan(span, now - 1000);
      engine.decideDue(now);
      for (let turn = 0; turn < 50 && updates.mock.calls.length <= tick; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(updates.mock.calls.length).toBe(tick + 1);
    }
    loop.stop();
  });

  it('does nothing more once stopped; runNow analyses everything and publishes', () => {
    let now = T0;
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: 1000 } });
    for (let t = 1; t <= 3; t++) for (const span of trace(t, 40)) engine.addSpan(span, now);
    const published: RecommendationChange[] = [];
    const loop = new RecommendLoop(engine, { now: () => now }, 60_000, silent, (changes) => published.push(...changes));
    now += 1000;
    loop.runNow();
    loop.stop();
    expect(engine.pendingTraces).toBe(0);
    expect(published.map((c) => c.recommendation.type)).toEqual(['n_plus_one_db']);
  });
});
