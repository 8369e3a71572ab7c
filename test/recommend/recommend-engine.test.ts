import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { OtlpSpanKind } from '../../src/engine/span-sample';
import { RecommendEngine } from '../../src/recommend/recommend-engine';
import type { RecommendEngineOptions } from '../../src/recommend/recommend-engine';
import type { Recommendation } from '../../src/recommend/recommendation';
import { recommendationId } from '../../src/recommend/recommendation-id';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import type { TraceSpan } from '../../src/recommend/trace-span';
import type { ObjectiveSpec } from '../../src/slo/objective';
import { objectiveSpec } from '../helpers/objectives';
import { loadTraceFixture } from '../helpers/trace-fixtures';

const T0 = 1_700_000_000_000;
const WAIT = 5000;
const MIB = 1024 * 1024;
const ITEMS = 'SELECT * FROM order_items WHERE order_id = ?';
const N_PLUS_ONE_ID = recommendationId('n_plus_one_db', 'shop', 'GET /orders', ITEMS);

/** A 32-digit trace id from a small number, distinct per number. */
const traceIdOf = (n: number): string => n.toString(16).padStart(32, '0');

/**
 * GET /orders of `shop`: `queries` statements on order_items of 10 ms each,
 * 1 ms apart, from 1 ms on, directly under the server span [0, entryMs].
 * Impact of the N+1 fix: (queries − 1) × 10 ms.
 */
function ordersTrace(traceId: string, queries: number, entryMs: number): TraceSpan[] {
  const spans: TraceSpan[] = [
    {
      traceId,
      spanId: 'a000000000000001',
      parentSpanId: '',
      service: 'shop',
      name: 'GET',
      kind: OtlpSpanKind.SERVER,
      startTimeMs: 0,
      endTimeMs: entryMs,
      statusCode: 0,
      attributes: { 'http.request.method': 'GET', 'http.route': '/orders' },
    },
  ];
  for (let i = 0; i < queries; i++) {
    const start = 1 + i * 11;
    spans.push({
      traceId,
      spanId: `b0000000000000${(i + 1).toString(16).padStart(2, '0')}`,
      parentSpanId: 'a000000000000001',
      service: 'shop',
      name: 'pg.query',
      kind: OtlpSpanKind.CLIENT,
      startTimeMs: start,
      endTimeMs: start + 10,
      statusCode: 0,
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': `SELECT * FROM order_items WHERE order_id = ${100 + i}` },
    });
  }
  return spans;
}

/** A fixture's spans under another trace id. */
const fixture = (name: string, traceId: string): TraceSpan[] => loadTraceFixture(name).map((span) => ({ ...span, traceId }));

function engineWith(options: RecommendEngineOptions = {}): RecommendEngine {
  return new RecommendEngine({ buffer: { decisionWaitMs: WAIT }, ...options, store: { resolveAfterMs: 900_000, ...options.store } });
}

function feed(engine: RecommendEngine, traces: readonly (readonly TraceSpan[])[], nowMs: number): void {
  for (const trace of traces) for (const span of trace) engine.addSpan(span, nowMs);
}

const latencyObjective = (name: string, thresholdMs: number, objective: number, over: Partial<ObjectiveSpec> = {}): ObjectiveSpec =>
  objectiveSpec({ name, sli: { kind: 'latency', thresholdMs }, objective, ...over });

const kinds = (changes: readonly RecommendationChange[]): [string, string][] => changes.map((c) => [c.kind, c.recommendation.type]);

describe('RecommendEngine: n_plus_one_db', () => {
  // Three N+1 traces (6, 7, 8 queries; entries of 80, 90 and 200 ms; impacts
  // 50, 60, 70 ms) and two clean traces of the same operation (20, 120 ms).
  const t1 = ordersTrace(traceIdOf(1), 6, 80);
  const t2 = ordersTrace(traceIdOf(2), 7, 90);
  const t3 = ordersTrace(traceIdOf(3), 8, 200);
  const clean1 = ordersTrace(traceIdOf(11), 1, 20);
  const clean2 = ordersTrace(traceIdOf(12), 1, 120);

  it('three traces make exactly one recommendation, with its evidence, examples and impact', () => {
    const engine = engineWith();
    feed(engine, [t1, clean1, t2, clean2, t3], T0);
    expect(engine.evaluate(T0 + WAIT - 1)).toEqual([]); // not decided yet
    const changes = engine.evaluate(T0 + WAIT);
    expect(kinds(changes)).toEqual([['opened', 'n_plus_one_db']]);
    const list = engine.list();
    expect(list).toHaveLength(1);
    const r = list[0]!;
    expect(changes[0]!.recommendation).toEqual(r);
    expect(r).toMatchObject({
      id: N_PLUS_ONE_ID,
      type: 'n_plus_one_db',
      service: 'shop',
      operation: 'GET /orders',
      title: `N+1 queries in GET /orders: 8 × ${ITEMS}`,
      status: 'open',
      occurrences: 3,
      firstSeenMs: T0 + WAIT,
      lastSeenMs: T0 + WAIT,
      effort: 'medium',
      risk: 'low',
      // latencyShare 0.4865 < 0.5 and no SLO: medium.
      severity: 'medium',
      exampleTraceIds: [traceIdOf(3), traceIdOf(2), traceIdOf(1)],
    });
    // The latest trace's figures, plus the window's.
    expect(r.evidence).toEqual({
      count: 8,
      totalMs: 80,
      longestMs: 10,
      statement: ITEMS,
      dbSystem: 'postgresql',
      parentOperation: 'GET /orders',
      parentSpanId: 'a000000000000001',
      exampleSpanIds: ['b000000000000001', 'b000000000000002', 'b000000000000003'],
      tracesInWindow: 3,
      windowMs: 600_000,
    });
    expect(r.impact).toEqual({
      perRequestMs: 60, // (50 + 60 + 70) / 3: total − longest per trace
      latencyShare: 0.4865, // 180 / (80 + 90 + 200)
      affectedShare: 0.6, // 3 of the 5 GET /orders requests
    });
    // 180 ms saved over the 5 s seen so far, over the medium effort (2).
    expect(r.priority).toBe(18);
    expect(engine.stats()).toMatchObject({ tracesAnalyzed: 5, truncatedTracesSkipped: 0, findingKeys: 1, operations: 1, recommendations: 1, recommendationsOpen: 1 });
  });

  it('one trace fewer than minOccurrences makes none; the third opens it with every occurrence', () => {
    const engine = engineWith();
    feed(engine, [t1, t2], T0);
    expect(engine.evaluate(T0 + WAIT)).toEqual([]);
    expect(engine.list()).toEqual([]);
    expect(engine.stats().findingKeys).toBe(1);
    feed(engine, [t3], T0 + 10_000);
    const changes = engine.evaluate(T0 + 10_000 + WAIT);
    expect(kinds(changes)).toEqual([['opened', 'n_plus_one_db']]);
    expect(changes[0]!.recommendation).toMatchObject({ occurrences: 3, exampleTraceIds: [traceIdOf(3), traceIdOf(2), traceIdOf(1)] });
    // Later evaluations without new traces add nothing.
    expect(engine.evaluate(T0 + 20_000)).toEqual([]);
    expect(engine.list()[0]!.occurrences).toBe(3);
  });

  it('minOccurrences is an option, checked', () => {
    const engine = engineWith({ minOccurrences: 1 });
    feed(engine, [t1], T0);
    expect(kinds(engine.evaluate(T0 + WAIT))).toEqual([['opened', 'n_plus_one_db']]);
    expect(() => new RecommendEngine({ minOccurrences: 0 })).toThrow(/minOccurrences must be a positive integer/);
  });

  it('gives the share of the latency SLO error budget the loop consumes', () => {
    // Threshold 85 ms, objective 95 %: t1 (80 ms) is within it; t2 (90 ms)
    // is over it and 30 ms without the loop, so the fix rescues it; t3
    // (200 ms) stays over it at 130 ms. 1 rescued of 5 requests over a 5 %
    // budget: 0.2 / 0.05 = 4.
    const engine = engineWith({ objectives: [objectiveSpec(), latencyObjective('orders-latency', 85, 0.95, { service: 'shop', selector: { spanKind: 'server', operations: ['GET /orders'], attributes: {} } })] });
    feed(engine, [t1, clean1, t2, clean2, t3], T0);
    engine.evaluate(T0 + WAIT);
    const r = engine.list()[0]!;
    expect(r.impact).toEqual({ perRequestMs: 60, latencyShare: 0.4865, affectedShare: 0.6, errorBudgetShare: 4, slo: 'orders-latency' });
    expect(r.severity).toBe('critical');
  });

  it('a second hand-computed budget share: a looser SLO that every loop trace breaks and the fix rescues', () => {
    // Threshold 70 ms, objective 99 %: t1 80 → 30, t2 90 → 30, t3 200 → 130
    // (not rescued); clean 120 is over but has no loop. 2 / 5 / 0.01 = 40.
    const engine = engineWith({ objectives: [latencyObjective('latency', 70, 0.99)] });
    feed(engine, [t1, clean1, t2, clean2, t3], T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.list()[0]!.impact.errorBudgetShare).toBe(40);
  });

  it('has no budget share when no latency SLO covers the operation', () => {
    const engine = engineWith({
      objectives: [
        objectiveSpec(),
        latencyObjective('other-service', 85, 0.95, { service: 'billing' }),
        latencyObjective('other-operation', 85, 0.95, { selector: { spanKind: 'server', operations: ['GET /users*'], attributes: {} } }),
      ],
    });
    feed(engine, [t1, t2, t3], T0);
    engine.evaluate(T0 + WAIT);
    const r = engine.list()[0]!;
    expect(r.impact.errorBudgetShare).toBeUndefined();
    expect(r.impact.slo).toBeUndefined();
  });

  it('resolves when the loop is gone for resolveAfterMs, and reopens under the same id when it returns', () => {
    const engine = engineWith({ store: { resolveAfterMs: 60_000 } });
    feed(engine, [t1, t2, t3], T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.evaluate(T0 + WAIT + 59_999)).toEqual([]);
    const resolved = engine.evaluate(T0 + WAIT + 60_000);
    expect(kinds(resolved)).toEqual([['resolved', 'n_plus_one_db']]);
    expect(resolved[0]!.recommendation).toMatchObject({ id: N_PLUS_ONE_ID, status: 'resolved', resolvedAtMs: T0 + WAIT + 60_000 });
    const later = T0 + 120_000;
    feed(engine, [ordersTrace(traceIdOf(4), 6, 80)], later);
    const reopened = engine.evaluate(later + WAIT);
    expect(kinds(reopened)).toEqual([['reopened', 'n_plus_one_db']]);
    expect(reopened[0]!.recommendation).toMatchObject({ id: N_PLUS_ONE_ID, status: 'open', occurrences: 4, firstSeenMs: T0 + WAIT });
    expect(reopened[0]!.recommendation.exampleTraceIds[0]).toBe(traceIdOf(4));
  });

  it('counts traces over the window only: old ones age out', () => {
    const engine = engineWith({ windowMs: 600_000 });
    feed(engine, [t1, t2], T0);
    engine.evaluate(T0 + WAIT);
    // Two generations (10 minutes) later, the first two traces have left the window.
    const later = T0 + 1_200_000;
    feed(engine, [t3], later);
    expect(engine.evaluate(later + WAIT)).toEqual([]);
    expect(engine.list()).toEqual([]);
  });

  it('forgets a finding whose traces have all left the window', () => {
    const engine = engineWith({ windowMs: 600_000 });
    feed(engine, [t1, t2], T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.stats().findingKeys).toBe(1);
    engine.evaluate(T0 + 1_200_000);
    expect(engine.stats().findingKeys).toBe(0);
    // Coming back later, it counts from scratch.
    feed(engine, [ordersTrace(traceIdOf(5), 6, 80), ordersTrace(traceIdOf(6), 6, 80), ordersTrace(traceIdOf(7), 6, 80)], T0 + 1_300_000);
    const changes = engine.evaluate(T0 + 1_300_000 + WAIT);
    expect(changes[0]!.recommendation).toMatchObject({ occurrences: 3, exampleTraceIds: [traceIdOf(7), traceIdOf(6), traceIdOf(5)] });
  });

  it('keeps at most five example traces, newest first', () => {
    const engine = engineWith();
    feed(
      engine,
      Array.from({ length: 7 }, (_, i) => ordersTrace(traceIdOf(i + 1), 6, 80)),
      T0,
    );
    engine.evaluate(T0 + WAIT);
    expect(engine.list()[0]!.exampleTraceIds).toEqual([7, 6, 5, 4, 3].map(traceIdOf));
    expect(engine.list()[0]!.occurrences).toBe(7);
  });
});

describe('RecommendEngine: deduplication across analyzers', () => {
  // Identical shapes: 60 ms of queries in 80 ms, a 0.75 database share.
  const loop = (n: number): TraceSpan[] => ordersTrace(traceIdOf(n), 6, 80);
  // The fixtures' operations take tens of milliseconds: the latency floor is lowered for them.
  const dominantOptions = { dominantDependency: { minTraces: 1, minMeanLatencyMs: 10 } } as const;

  it('dominant_dependency is reported on its own (the check can fail)', () => {
    const engine = engineWith({ ...dominantOptions, disabledTypes: ['n_plus_one_db'] });
    feed(engine, [loop(1), loop(2), loop(3)], T0);
    expect(kinds(engine.evaluate(T0 + WAIT))).toEqual([['opened', 'dominant_dependency']]);
    const r = engine.list()[0]!;
    expect(r.operation).toBe('GET /orders');
    expect(r.evidence['share']).toBe(0.75);
  });

  it('dominant_dependency is superseded by N+1 on the same operation', () => {
    const engine = engineWith(dominantOptions);
    feed(engine, [loop(1), loop(2), loop(3)], T0);
    expect(kinds(engine.evaluate(T0 + WAIT))).toEqual([['opened', 'n_plus_one_db']]);
    expect(engine.list().map((r) => r.type)).toEqual(['n_plus_one_db']);
  });

  it('an open dominant_dependency resolves at once when the specific finding appears', () => {
    const engine = engineWith(dominantOptions);
    feed(engine, [loop(1)], T0);
    expect(kinds(engine.evaluate(T0 + WAIT))).toEqual([['opened', 'dominant_dependency']]);
    const dominantId = engine.list()[0]!.id;
    feed(engine, [loop(2), loop(3)], T0 + 10_000);
    const changes = engine.evaluate(T0 + 10_000 + WAIT);
    expect(kinds(changes)).toEqual([
      ['opened', 'n_plus_one_db'],
      ['resolved', 'dominant_dependency'],
    ]);
    expect(engine.store.get(dominantId)).toMatchObject({ status: 'resolved', resolvedAtMs: T0 + 10_000 + WAIT });
    // It stays resolved while the N+1 explains it.
    expect(engine.evaluate(T0 + 30_000)).toEqual([]);
    expect(engine.list({ status: 'open' }).map((r) => r.type)).toEqual(['n_plus_one_db']);
  });

  it("a 'self' dominant_dependency gives way to event_loop_blocking of the same service only", () => {
    const blockedService = (service: string): RecommendEngine => {
      const engine = engineWith(dominantOptions);
      for (const [i, p99] of [310, 320, 300].entries()) engine.recordEventLoopDelayP99(service, T0 - 20_000 + i * 10_000, p99);
      feed(engine, [fixture('dominant-self.json', traceIdOf(1))], T0);
      engine.evaluate(T0 + WAIT);
      return engine;
    };
    expect(blockedService('shop').list().map((r) => r.type)).toEqual(['event_loop_blocking']);
    const elsewhere = blockedService('billing').list();
    expect(elsewhere.map((r) => [r.type, r.service]).sort()).toEqual([
      ['dominant_dependency', 'shop'],
      ['event_loop_blocking', 'billing'],
    ]);
    expect(elsewhere.find((r) => r.type === 'dominant_dependency')!.evidence['kind']).toBe('self');
  });

  it('a database dominant_dependency is not superseded by event_loop_blocking', () => {
    const engine = engineWith({ ...dominantOptions, disabledTypes: ['n_plus_one_db'] });
    for (const [i, p99] of [310, 320, 300].entries()) engine.recordEventLoopDelayP99('shop', T0 - 20_000 + i * 10_000, p99);
    feed(engine, [loop(1)], T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.list().map((r) => r.type).sort()).toEqual(['dominant_dependency', 'event_loop_blocking']);
  });

  it('an N+1 loop followed by one other call is N+1 only, not sequential_calls', () => {
    const engine = engineWith();
    feed(engine, [1, 2, 3].map((n) => fixture('sequential-n-plus-one-then-other.json', traceIdOf(n))), T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.list().map((r) => [r.type, r.operation])).toEqual([['n_plus_one_db', 'GET /orders']]);
  });

  it('independent different calls are sequential_calls (the check can fail)', () => {
    const engine = engineWith();
    feed(engine, [1, 2, 3].map((n) => fixture('sequential-positive.json', traceIdOf(n))), T0);
    engine.evaluate(T0 + WAIT);
    const list = engine.list();
    expect(list.map((r) => [r.type, r.operation])).toEqual([['sequential_calls', 'GET /checkout']]);
    expect(list[0]!.impact.perRequestMs).toBe(80);
  });
});

describe('RecommendEngine: disabledTypes', () => {
  it('reports nothing of a disabled type and tracks none of its findings', () => {
    const engine = engineWith({ disabledTypes: ['n_plus_one_db'] });
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    expect(engine.evaluate(T0 + WAIT)).toEqual([]);
    expect(engine.stats().findingKeys).toBe(0);
    expect(engine.stats().tracesAnalyzed).toBe(3);
  });

  it('disables runtime types too', () => {
    const engine = engineWith({ disabledTypes: ['event_loop_blocking'] });
    for (const [i, p99] of [310, 320, 300].entries()) engine.recordEventLoopDelayP99('shop', T0 + i * 10_000, p99);
    expect(engine.evaluate(T0 + 30_000)).toEqual([]);
  });

  it('disables sequential_calls', () => {
    const engine = engineWith({ disabledTypes: ['sequential_calls'] });
    feed(engine, [1, 2, 3].map((n) => fixture('sequential-positive.json', traceIdOf(n))), T0);
    expect(engine.evaluate(T0 + WAIT)).toEqual([]);
  });

  it('refuses an unknown type, listing the known ones', () => {
    expect(() => new RecommendEngine({ disabledTypes: ['n_plus_two'] })).toThrow(/unknown type "n_plus_two".*n_plus_one_db, n_plus_one_http/);
  });
});

describe('RecommendEngine: runtime signals', () => {
  function blocked(p99s: readonly number[], service = 'shop', instance = ''): RecommendEngine {
    const engine = engineWith();
    for (const [i, p99] of p99s.entries()) engine.recordEventLoopDelayP99(service, T0 + i * 10_000, p99, instance);
    return engine;
  }

  it('event_loop_blocking above the threshold for minSamples: service-wide, severity by the p99', () => {
    const engine = blocked([300, 320, 310]);
    const now = T0 + 30_000;
    const changes = engine.evaluate(now);
    expect(kinds(changes)).toEqual([['opened', 'event_loop_blocking']]);
    const r = engine.list()[0]!;
    expect(r).toMatchObject({
      id: recommendationId('event_loop_blocking', 'shop', '', ''),
      service: 'shop',
      operation: '',
      severity: 'high',
      title: 'Event loop blocked: p99 delay 310 ms',
      exampleTraceIds: [],
      impact: { perRequestMs: 310, latencyShare: 0, affectedShare: 0 },
      occurrences: 1,
      lastSeenMs: now,
    });
    expect(r.evidence).toMatchObject({ medianP99DelayMs: 310, maxP99DelayMs: 320, sampleCount: 3, windowStartMs: T0, windowEndMs: T0 + 20_000 });
    expect(typeof r.evidence['impactDescription']).toBe('string');
    // 310 ms × 1 % of turns × at least one request per second, over the high effort (3).
    expect(r.priority).toBe(1.033);
    // Another evaluation while it lasts adds an occurrence.
    engine.evaluate(now + 1000);
    expect(engine.list()[0]!.occurrences).toBe(2);
  });

  it('severity follows the p99: critical from a second, medium below a quarter second', () => {
    expect(blocked([1200, 1300, 1100]).evaluate(T0 + 30_000)[0]!.recommendation.severity).toBe('critical');
    expect(blocked([150, 160, 170]).evaluate(T0 + 30_000)[0]!.recommendation.severity).toBe('medium');
  });

  it('needs minSamples samples and a median above the threshold', () => {
    expect(blocked([300, 320]).evaluate(T0 + 30_000)).toEqual([]);
    expect(blocked([300, 50, 60]).evaluate(T0 + 30_000)).toEqual([]);
  });

  it('resolves once the blocking stops and its samples leave the window', () => {
    const engine = engineWith({ store: { resolveAfterMs: 60_000 }, eventLoopBlocking: { windowMs: 60_000 } });
    for (const [i, p99] of [300, 320, 310].entries()) engine.recordEventLoopDelayP99('shop', T0 + i * 10_000, p99);
    engine.evaluate(T0 + 20_000);
    for (let t = T0 + 30_000; t <= T0 + 200_000; t += 10_000) engine.recordEventLoopDelayP99('shop', t, 5);
    const resolvedAt: number[] = [];
    for (let t = T0 + 30_000; t <= T0 + 200_000; t += 10_000) {
      for (const c of engine.evaluate(t)) if (c.kind === 'resolved') resolvedAt.push(t);
    }
    expect(resolvedAt).toHaveLength(1);
    expect(engine.list()[0]!.status).toBe('resolved');
  });

  it('gc_pressure from the cumulative GC time', () => {
    const engine = engineWith();
    engine.recordGcDurationSum('shop', T0, 100);
    engine.recordGcDurationSum('shop', T0 + 30_000, 106);
    engine.recordGcDurationSum('shop', T0 + 60_000, 115); // 15 s of GC in 60 s: 25 %
    expect(kinds(engine.evaluate(T0 + 60_000))).toEqual([['opened', 'gc_pressure']]);
    const r = engine.list()[0]!;
    expect(r).toMatchObject({ operation: '', severity: 'high', title: 'Garbage collection takes 25 % of wall time' });
    expect(r.evidence['gcTimeShare']).toBeCloseTo(0.25, 12);
    expect(r.priority).toBeCloseTo(125, 3); // 250 ms/s over the medium effort
    const mild = engineWith();
    mild.recordGcDurationSum('shop', T0, 0);
    mild.recordGcDurationSum('shop', T0 + 60_000, 9); // 15 %
    expect(mild.evaluate(T0 + 60_000)[0]!.recommendation.severity).toBe('medium');
  });

  it('memory_leak_suspected on a steady linear growth over 36 minutes', () => {
    // 100 MiB growing 60 MiB/h, sampled every 3 minutes: 13 samples over 36 min.
    const feedHeap = (engine: RecommendEngine, minutes: number): number => {
      let t = T0;
      for (let m = 0; m <= minutes; m += 3) {
        t = T0 + m * 60_000;
        engine.recordHeapUsed('shop', t, 100 * MIB + (60 * MIB * m) / 60);
      }
      return t;
    };
    const unlimited = engineWith();
    const end = feedHeap(unlimited, 36);
    expect(kinds(unlimited.evaluate(end))).toEqual([['opened', 'memory_leak_suspected']]);
    const r = unlimited.list()[0]!;
    expect(r).toMatchObject({ operation: '', severity: 'medium', title: 'Heap grows 60.0 MiB/h after GC', impact: { perRequestMs: 0 }, priority: 0 });
    expect(r.evidence['slopeBytesPerHour']).toBeCloseTo(60 * MIB, 0);
    expect(r.evidence['rSquared']).toBeCloseTo(1, 9);

    // With a 400 MiB limit: 136 MiB now, 264 MiB to go at 60 MiB/h = 4.4 h: critical.
    const limited = engineWith({ memoryLeak: { heapLimitBytes: 400 * MIB } });
    feedHeap(limited, 36);
    limited.evaluate(end);
    const critical = limited.list()[0]!;
    expect(critical.severity).toBe('critical');
    expect(critical.evidence['projectedMsToLimit']).toBeCloseTo(4.4 * 3_600_000, -2);

    // 24 minutes is too short a span.
    const short = engineWith();
    expect(short.evaluate(feedHeap(short, 24))).toEqual([]);
  });

  it('two instances of one service share one recommendation id', () => {
    const engine = engineWith();
    for (const instance of ['pod-a', 'pod-b']) {
      for (const [i, p99] of [300, 320, 310].entries()) engine.recordEventLoopDelayP99('shop', T0 + i * 10_000, p99, instance);
    }
    const changes = engine.evaluate(T0 + 30_000);
    expect(kinds(changes)).toEqual([['opened', 'event_loop_blocking']]);
    const list = engine.list();
    expect(list).toHaveLength(1);
    expect(list[0]!.id).toBe(recommendationId('event_loop_blocking', 'shop', '', ''));
    // One aggregate finding per evaluation, however many instances show it.
    expect(list[0]!.occurrences).toBe(1);
    expect(engine.stats().runtimeServices).toBe(2);
  });

  it('instances of one service in different states: the worst one speaks, with no escalation flapping', () => {
    const engine = engineWith();
    for (const [instance, p99] of [
      ['pod-a', 1200],
      ['pod-b', 300],
    ] as const) {
      for (let i = 0; i < 3; i++) engine.recordEventLoopDelayP99('shop', T0 + i * 10_000, p99, instance);
    }
    const first = engine.evaluate(T0 + 30_000);
    expect(kinds(first)).toEqual([['opened', 'event_loop_blocking']]);
    expect(first[0]!.recommendation.severity).toBe('critical');
    expect(engine.list()[0]).toMatchObject({ severity: 'critical', occurrences: 1 });
    expect(engine.list()[0]!.evidence['medianP99DelayMs']).toBe(1200);
    for (let t = T0 + 31_000; t < T0 + 40_000; t += 1000) expect(engine.evaluate(t)).toEqual([]);
    expect(engine.list()[0]!.severity).toBe('critical');
  });

  it('drops and counts the samples of services beyond maxServices', () => {
    const engine = engineWith({ maxServices: 1 });
    engine.recordEventLoopDelayP99('shop', T0, 300);
    engine.recordEventLoopDelayP99('billing', T0, 300);
    engine.recordGcDurationSum('billing', T0, 1);
    engine.recordHeapUsed('billing', T0, 1);
    expect(engine.stats()).toMatchObject({ runtimeServices: 1, runtimeSamplesDropped: 3 });
  });

  it('attaches a CPU profile to the event_loop_blocking recommendation of that service', () => {
    const engine = blocked([300, 320, 310]);
    engine.evaluate(T0 + 30_000);
    engine.attachProfile('shop', [{ function: 'renderPdf', file: '/app/r.js', line: 3, selfShare: 0.7, selfMs: 700 }], 'blocked', T0 + 31_000);
    const r = engine.list()[0]!;
    expect(r.hotFunctions).toHaveLength(1);
    expect(r.evidence['hottestFunction']).toBe('renderPdf (/app/r.js:3)');
  });
});

describe('RecommendEngine: robustness', () => {
  it('an analyzer that throws is counted per trace and reported once; the others still run', () => {
    const engine = engineWith();
    const failure = new Error('boom');
    vi.spyOn(engine['nPlusOne'], 'analyze').mockImplementation(() => {
      throw failure;
    });
    const onAnalyzerError = vi.fn();
    engine.onAnalyzerError = onAnalyzerError;
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    expect(() => engine.evaluate(T0 + WAIT)).not.toThrow();
    const stats = engine.stats();
    expect(stats.analyzerErrors).toEqual({ n_plus_one: 3 });
    expect(stats.tracesAnalyzed).toBe(3);
    expect(stats.operations).toBe(1);
    expect(onAnalyzerError).toHaveBeenCalledTimes(1);
    expect(onAnalyzerError).toHaveBeenCalledWith('n_plus_one', failure);
    expect(engine.list()).toEqual([]);
  });

  it('an evaluation-time analyzer failure is counted per evaluation and reported once per analyzer', () => {
    const engine = engineWith({ dominantDependency: { minTraces: 1, minMeanLatencyMs: 10 } });
    vi.spyOn(engine['dependencies'], 'slowDbStatements').mockImplementation(() => {
      throw new Error('slow');
    });
    vi.spyOn(engine['dominant'], 'findings').mockImplementation(() => {
      throw new TypeError('dominant');
    });
    const onAnalyzerError = vi.fn();
    engine.onAnalyzerError = onAnalyzerError;
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    engine.evaluate(T0 + WAIT);
    engine.evaluate(T0 + WAIT + 1000);
    expect(engine.stats().analyzerErrors).toEqual({ slow_db_statement: 2, dominant_dependency: 2 });
    expect(onAnalyzerError.mock.calls.map((call) => call[0] as string).sort()).toEqual(['dominant_dependency', 'slow_db_statement']);
    // The per-trace findings are unaffected.
    expect(engine.list().map((r) => r.type)).toEqual(['n_plus_one_db']);
  });

  it('malformed spans (parent cycles, duplicate ids, negative durations) neither throw nor corrupt the others', () => {
    const engine = engineWith();
    const id = traceIdOf(99);
    const span = (spanId: string, parentSpanId: string, start: number, end: number): TraceSpan => ({
      traceId: id,
      spanId,
      parentSpanId,
      service: 'shop',
      name: 'x',
      kind: OtlpSpanKind.SERVER,
      startTimeMs: start,
      endTimeMs: end,
      statusCode: 0,
      attributes: {},
    });
    feed(engine, [[span('a', 'b', 0, 10), span('b', 'a', 5, 1), span('a', '', 0, 3)]], T0);
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    expect(() => engine.evaluate(T0 + WAIT)).not.toThrow();
    expect(engine.list().map((r) => r.type)).toEqual(['n_plus_one_db']);
    expect(engine.stats().tracesAnalyzed).toBe(4);
    expect(engine.stats().analyzerErrors).toEqual({});
  });

  it('per-trace analyzers skip traces decided early at flush; traffic is still counted', () => {
    const engine = engineWith();
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    expect(engine.flush(T0 + 1)).toEqual([]);
    expect(engine.stats()).toMatchObject({ tracesAnalyzed: 3, truncatedTracesSkipped: 3, findingKeys: 0, operations: 1 });
    expect(engine.list()).toEqual([]);
  });

  it('per-trace analyzers skip traces evicted early by the buffer caps', () => {
    const engine = engineWith({ buffer: { decisionWaitMs: WAIT, maxTraces: 1 } });
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    engine.evaluate(T0 + WAIT);
    const stats = engine.stats();
    expect(stats.buffer.tracesEvictedEarly).toBe(2);
    expect(stats.truncatedTracesSkipped).toBe(2);
    expect(stats.tracesAnalyzed).toBe(3);
    expect(engine.list()).toEqual([]);
  });

  it('flush decides the traces whose wait is over as complete ones', () => {
    const engine = engineWith();
    feed(engine, [1, 2, 3].map((n) => ordersTrace(traceIdOf(n), 6, 80)), T0);
    expect(kinds(engine.flush(T0 + WAIT))).toEqual([['opened', 'n_plus_one_db']]);
    expect(engine.stats().truncatedTracesSkipped).toBe(0);
  });

  it('bounds the finding keys and counts the overflow', () => {
    const engine = engineWith({ maxFindingKeys: 1, minOccurrences: 1 });
    const other = (n: number): TraceSpan[] =>
      ordersTrace(traceIdOf(n), 6, 80).map((s) => (s.kind === OtlpSpanKind.CLIENT ? { ...s, attributes: { ...s.attributes, 'db.query.text': `SELECT * FROM refunds WHERE id = ${s.spanId.length}` } } : s));
    feed(engine, [ordersTrace(traceIdOf(1), 6, 80), other(2)], T0);
    engine.evaluate(T0 + WAIT);
    expect(engine.stats()).toMatchObject({ findingKeys: 1, findingKeysOverflow: 1 });
    expect(engine.list().map((r) => r.evidence['statement'])).toEqual([ITEMS]);
  });

  it('bounds the operations and counts the overflow', () => {
    const engine = engineWith({ maxOperations: 1 });
    feed(engine, [ordersTrace(traceIdOf(1), 1, 20), fixture('sequential-positive.json', traceIdOf(2))], T0);
    engine.evaluate(T0 + WAIT);
    // GET /orders fills the table; GET /checkout and payments' GET /v1/quotes/:id overflow.
    expect(engine.stats()).toMatchObject({ operations: 1, operationsOverflow: 2 });
  });
});

describe('RecommendEngine: arrival order does not matter', () => {
  /** Three N+1 traces, three sequential-call traces and two clean ones, plus a dominant self operation. */
  function corpus(): TraceSpan[][] {
    return [
      ordersTrace(traceIdOf(1), 6, 80),
      ordersTrace(traceIdOf(2), 6, 80),
      ordersTrace(traceIdOf(3), 6, 80),
      ordersTrace(traceIdOf(4), 1, 20),
      ordersTrace(traceIdOf(5), 1, 20),
      fixture('sequential-positive.json', traceIdOf(6)),
      fixture('sequential-positive.json', traceIdOf(7)),
      fixture('sequential-positive.json', traceIdOf(8)),
      fixture('dominant-self.json', traceIdOf(9)),
      fixture('n-plus-one-http-positive.json', traceIdOf(10)),
    ];
  }

  function run(spans: readonly TraceSpan[]): { changes: RecommendationChange[]; list: Recommendation[] } {
    const engine = engineWith({ minOccurrences: 1, dominantDependency: { minTraces: 1, minShare: 0.3 } });
    for (const span of spans) engine.addSpan(span, T0);
    const changes = engine.evaluate(T0 + WAIT);
    return { changes, list: engine.list() };
  }

  /** Example lists sorted: which traces come first depends on which was analysed last. */
  function normalised(list: readonly Recommendation[]): unknown[] {
    return list.map((r) => {
      const examples = r.evidence['exampleTraceIds'];
      return {
        ...r,
        exampleTraceIds: [...r.exampleTraceIds].sort(),
        evidence: Array.isArray(examples) ? { ...r.evidence, exampleTraceIds: [...(examples as string[])].sort() } : r.evidence,
      };
    });
  }

  const reference = run(corpus().flat());

  it('the corpus makes several kinds of recommendation', () => {
    expect(new Set(reference.list.map((r) => r.type))).toEqual(new Set(['n_plus_one_db', 'n_plus_one_http', 'sequential_calls', 'dominant_dependency']));
  });

  it('shuffling the spans within each trace gives the same changes and recommendations', () => {
    const permutations = corpus().map((trace) => fc.shuffledSubarray(trace, { minLength: trace.length, maxLength: trace.length }));
    fc.assert(
      fc.property(fc.tuple(...permutations), (traces) => {
        const result = run(traces.flat());
        expect(result.changes).toEqual(reference.changes);
        expect(result.list).toEqual(reference.list);
      }),
      { numRuns: 30 },
    );
  });

  it('interleaving all spans in any order gives the same ids, figures and example sets', () => {
    const all = corpus().flat();
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (spans) => {
        const result = run(spans);
        expect(result.list.map((r) => r.id)).toEqual(reference.list.map((r) => r.id));
        expect(normalised(result.list)).toEqual(normalised(reference.list));
        // Changes come in the order the fingerprints were first seen: compared as a set.
        const changeSet = (changes: readonly RecommendationChange[]): string[] => changes.map((c) => `${c.kind} ${c.recommendation.id}`).sort();
        expect(changeSet(result.changes)).toEqual(changeSet(reference.changes));
      }),
      { numRuns: 50 },
    );
  });
});
