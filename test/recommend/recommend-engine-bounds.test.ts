/**
 * The engine's bounds and its figures under the conditions a review found
 * wrong: a backlog of decided traces, huge traces, one N+1 loop split over
 * two parents, operations and processes that come and go.
 */
import { describe, expect, it } from 'vitest';
import { OtlpSpanKind } from '../../src/engine/span-sample';
import { RecommendEngine } from '../../src/recommend/recommend-engine';
import type { TraceSpan } from '../../src/recommend/trace-span';

const T0 = 1_700_000_000_000;
const WAIT = 1000;
const traceIdOf = (n: number): string => n.toString(16).padStart(32, '0');

function entry(traceId: string, route: string, durationMs: number, spanId = 'a000000000000001', parentSpanId = ''): TraceSpan {
  return {
    traceId,
    spanId,
    parentSpanId,
    service: 'shop',
    name: 'GET',
    kind: OtlpSpanKind.SERVER,
    startTimeMs: 0,
    endTimeMs: durationMs,
    statusCode: 0,
    attributes: { 'http.request.method': 'GET', 'http.route': route },
  };
}

function query(traceId: string, index: number, parent: string, startMs: number, durationMs: number): TraceSpan {
  return {
    traceId,
    spanId: `b${index.toString(16).padStart(15, '0')}`,
    parentSpanId: parent,
    service: 'shop',
    name: 'pg.query',
    kind: OtlpSpanKind.CLIENT,
    startTimeMs: startMs,
    endTimeMs: startMs + durationMs,
    statusCode: 0,
    attributes: { 'db.system.name': 'postgresql', 'db.query.text': `SELECT * FROM order_items WHERE order_id = ${index}` },
  };
}

function internal(traceId: string, spanId: string, startMs: number, endMs: number): TraceSpan {
  return { ...entry(traceId, '/x', 0, spanId, 'a000000000000001'), name: 'resolver', kind: OtlpSpanKind.INTERNAL, startTimeMs: startMs, endTimeMs: endMs, attributes: {} };
}

describe('RecommendEngine: the analysis queue', () => {
  it('analyses at most about maxSpans per call (at least one trace), oldest first', () => {
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: WAIT } });
    for (let t = 0; t < 3; t++) {
      const id = traceIdOf(t + 1);
      engine.addSpan(entry(id, '/big', 500), T0);
      for (let i = 0; i < 99; i++) engine.addSpan(query(id, i + 1, 'a000000000000001', 1 + i * 5, 4), T0);
    }
    engine.decideDue(T0 + WAIT);
    expect(engine.pendingTraces).toBe(3);
    expect(engine.analyzePending(T0 + WAIT, 10, 150)).toBe(1); // 100 spans, then 200 ≥ 150: two traces
    expect(engine.stats().tracesAnalyzed).toBe(2);
    expect(engine.analyzePending(T0 + WAIT, 10, 1)).toBe(0); // one trace even past the span budget
  });

  it('keeps its array within about twice what is queued when traces are dropped faster than analysed', () => {
    // A queue of at most 20 spans: every new trace of 10 spans pushes the oldest out.
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: WAIT, maxSpans: 20, maxTraces: 10_000 } });
    for (let t = 0; t < 20_000; t++) {
      const id = traceIdOf(t + 1);
      for (let i = 0; i < 10; i++) engine.addSpan(i === 0 ? entry(id, '/a', 50) : query(id, i, 'a000000000000001', i * 4, 3), T0 + t);
      if (t % 100 === 0) engine.decideDue(T0 + t);
    }
    const stats = engine.stats();
    expect(stats.tracesPending).toBeLessThanOrEqual(2);
    expect(stats.tracesDroppedUnanalyzed).toBeGreaterThan(10_000);
    // The queue's backing array is compacted: reach into it only to check the bound.
    const internals = engine as unknown as { pending: unknown[] };
    expect(internals.pending.length).toBeLessThan(3000);
  });
});

describe('RecommendEngine: one finding per trace and fingerprint', () => {
  it('counts an N+1 loop split over two parents as one trace, with both runs saved', () => {
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: WAIT }, minOccurrences: 2 });
    for (let t = 0; t < 2; t++) {
      const id = traceIdOf(t + 1);
      engine.addSpan(entry(id, '/orders', 200), T0);
      engine.addSpan(internal(id, 'c000000000000001', 1, 90), T0);
      engine.addSpan(internal(id, 'c000000000000002', 100, 190), T0);
      for (let i = 0; i < 6; i++) {
        engine.addSpan(query(id, i + 1, 'c000000000000001', 2 + i * 12, 11), T0);
        engine.addSpan(query(id, i + 11, 'c000000000000002', 101 + i * 12, 11), T0);
      }
    }
    const [change] = engine.evaluate(T0 + WAIT);
    expect(change?.recommendation.type).toBe('n_plus_one_db');
    expect(change!.recommendation.evidence['tracesInWindow']).toBe(2);
    // Each run saves 5 × 11 ms; the trace saves both: 110 ms of its 200 ms.
    expect(change!.recommendation.impact.perRequestMs).toBeCloseTo(110, 6);
    expect(change!.recommendation.impact.latencyShare).toBeCloseTo(0.55, 4);
  });
});

describe('RecommendEngine: bounded maps make room for newcomers', () => {
  it('forgets operations with nothing left in the window, so a new one is counted', () => {
    const engine = new RecommendEngine({ buffer: { decisionWaitMs: WAIT }, maxOperations: 1, windowMs: 60_000 });
    engine.addSpan(entry(traceIdOf(1), '/old', 10), T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.stats().operations).toBe(1);
    const later = T0 + 10 * 60_000;
    engine.evaluate(later); // the old operation's window is empty now
    engine.addSpan(entry(traceIdOf(2), '/new', 10), later);
    engine.evaluate(later + WAIT);
    expect(engine.stats()).toMatchObject({ operations: 1, operationsOverflow: 0 });
  });

  it('lets a new process replace one that stopped reporting longer ago than the detectors look back', () => {
    const engine = new RecommendEngine({ maxServices: 2, eventLoopBlocking: { windowMs: 60_000, minSamples: 3 }, gcPressure: { windowMs: 60_000, minSpanMs: 10_000 }, memoryLeak: { windowMs: 120_000, minSpanMs: 60_000 } });
    for (const pod of ['pod-1', 'pod-2']) engine.recordEventLoopDelayP99('shop', T0, 1, pod);
    engine.recordEventLoopDelayP99('shop', T0 + 60_000, 1, 'pod-3'); // the others are still within the windows
    expect(engine.stats().runtimeSamplesDropped).toBe(1);
    const later = T0 + 3_600_000;
    for (let i = 0; i < 3; i++) engine.recordEventLoopDelayP99('shop', later + i * 1000, 900, 'pod-4');
    const changes = engine.evaluate(later + 3000);
    expect(changes.map((c) => c.recommendation.type)).toEqual(['event_loop_blocking']);
    expect(engine.stats().runtimeSamplesDropped).toBe(1);
  });
});
