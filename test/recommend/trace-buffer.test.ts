import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { AssembledTrace } from '../../src/recommend/trace-buffer';
import { TraceBuffer } from '../../src/recommend/trace-buffer';
import type { TraceBufferOptions } from '../../src/recommend/trace-buffer-options';

interface TestSpan {
  readonly id: number;
  readonly name: string;
}

interface LateSpan {
  readonly key: string;
  readonly span: TestSpan;
  readonly nowMs: number;
}

function harness(options: TraceBufferOptions = {}, withLateSpans = false) {
  const decided: AssembledTrace<TestSpan>[] = [];
  const late: LateSpan[] = [];
  const buffer = new TraceBuffer<TestSpan>(
    {
      onTrace: (trace) => decided.push(trace),
      ...(withLateSpans ? { onLateSpan: (key: string, span: TestSpan, nowMs: number) => late.push({ key, span, nowMs }) } : {}),
    },
    options,
  );
  let nextId = 0;
  const span = (name = 'op'): TestSpan => ({ id: nextId++, name });
  return { buffer, decided, late, span };
}

describe('TraceBuffer decisions', () => {
  it('decides a trace once decisionWaitMs has passed since its FIRST span, not before', () => {
    const clock = new ManualClock(1_000_000);
    const { buffer, decided, span } = harness({ decisionWaitMs: 10_000 });
    const a = span();
    const b = span();
    buffer.add('t1', a, clock.now());
    clock.advance(6_000);
    buffer.add('t1', b, clock.now()); // a later span does not extend the wait
    clock.advance(3_999);
    buffer.tick(clock.now());
    expect(decided).toHaveLength(0);
    expect(buffer.tracesInFlight).toBe(1);
    clock.advance(1);
    buffer.tick(clock.now());
    expect(decided).toHaveLength(1);
    const trace = decided[0] as AssembledTrace<TestSpan>;
    expect(trace.key).toBe('t1');
    expect(trace.spans).toEqual([a, b]);
    expect(trace.spans[0]).toBe(a); // the caller's objects, not copies
    expect(trace.firstSpanAtMs).toBe(1_000_000);
    expect(trace.decidedAtMs).toBe(1_010_000);
    expect(trace.truncated).toBeUndefined();
    expect(trace.droppedSpans).toBe(0);
    expect(buffer.stats()).toMatchObject({ tracesDecided: 1, spansDecided: 2, tracesInFlight: 0, spansInFlight: 0 });
  });

  it('uses the 10 s default wait', () => {
    const { buffer, decided, span } = harness();
    buffer.add('t', span(), 0);
    buffer.tick(9_999);
    expect(decided).toHaveLength(0);
    buffer.tick(10_000);
    expect(decided).toHaveLength(1);
  });

  it('decides in first-arrival order, however the spans interleave', () => {
    const { buffer, decided, span } = harness({ decisionWaitMs: 100 });
    buffer.add('b', span(), 0);
    buffer.add('a', span(), 10);
    buffer.add('c', span(), 20);
    buffer.add('a', span(), 30);
    buffer.add('b', span(), 40);
    buffer.tick(115);
    expect(decided.map((t) => t.key)).toEqual(['b', 'a']);
    buffer.tick(1_000);
    expect(decided.map((t) => t.key)).toEqual(['b', 'a', 'c']);
    expect(decided.map((t) => t.spans.length)).toEqual([2, 2, 1]);
  });

  it('decides several due traces in one tick, oldest first, and only those', () => {
    const { buffer, decided, span } = harness({ decisionWaitMs: 50 });
    for (let i = 0; i < 5; i++) buffer.add(`t${i}`, span(), i * 10);
    buffer.tick(80); // t0 (due 50), t1 (60), t2 (70), t3 (80) are due; t4 (90) is not
    expect(decided.map((t) => t.key)).toEqual(['t0', 't1', 't2', 't3']);
    expect(buffer.stats().tracesInFlight).toBe(1);
  });

  it('clamps a clock going backwards to the latest time seen', () => {
    const { buffer, decided, span } = harness({ decisionWaitMs: 100 });
    buffer.add('a', span(), 1_000);
    buffer.add('b', span(), 500); // treated as arriving at 1000
    buffer.tick(1_099);
    expect(decided).toHaveLength(0);
    buffer.tick(1_100);
    expect(decided.map((t) => [t.key, t.firstSpanAtMs])).toEqual([
      ['a', 1_000],
      ['b', 1_000],
    ]);
  });

  it('rejects a time that is not a finite number', () => {
    const { buffer, span } = harness();
    expect(() => buffer.add('a', span(), Number.NaN)).toThrow(RangeError);
    expect(() => buffer.tick(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('with a zero wait, decides at the next tick', () => {
    const { buffer, decided, span } = harness({ decisionWaitMs: 0 });
    buffer.add('a', span(), 5);
    buffer.add('a', span(), 5);
    expect(decided).toHaveLength(0);
    buffer.tick(5);
    expect(decided).toHaveLength(1);
    expect(decided[0]?.spans).toHaveLength(2);
  });

  it('keeps a consistent state when onTrace throws: that trace is released, the rest wait for the next tick', () => {
    const received: string[] = [];
    const buffer = new TraceBuffer<number>(
      {
        onTrace: (trace) => {
          received.push(trace.key);
          if (trace.key === 'boom') throw new Error('analyzer failed');
        },
      },
      { decisionWaitMs: 10 },
    );
    buffer.add('boom', 1, 0);
    buffer.add('next', 2, 1);
    expect(() => buffer.tick(100)).toThrow('analyzer failed');
    expect(buffer.stats()).toMatchObject({ tracesDecided: 1, tracesInFlight: 1, spansInFlight: 1 });
    buffer.tick(100);
    expect(received).toEqual(['boom', 'next']);
    expect(buffer.stats()).toMatchObject({ tracesDecided: 2, tracesInFlight: 0, spansInFlight: 0 });
  });
});

describe('TraceBuffer caps', () => {
  it('a new trace beyond maxTraces decides the OLDEST early, marked evicted', () => {
    const { buffer, decided, span } = harness({ maxTraces: 2, decisionWaitMs: 1_000 });
    buffer.add('a', span(), 0);
    buffer.add('b', span(), 1);
    buffer.add('a', span(), 2);
    expect(decided).toHaveLength(0);
    buffer.add('c', span(), 3);
    expect(decided.map((t) => [t.key, t.truncated, t.spans.length, t.decidedAtMs])).toEqual([['a', 'evicted', 2, 3]]);
    expect(buffer.stats()).toMatchObject({ tracesEvictedEarly: 1, tracesDecided: 1, tracesInFlight: 2, spansInFlight: 2 });
    buffer.tick(1_001);
    expect(decided.map((t) => [t.key, t.truncated])).toEqual([
      ['a', 'evicted'],
      ['b', undefined],
    ]);
    buffer.tick(1_003);
    expect(decided.map((t) => t.key)).toEqual(['a', 'b', 'c']);
    expect(buffer.stats().tracesEvictedEarly).toBe(1);
  });

  it('drops spans beyond maxSpansPerTrace and counts them on the trace and in the stats', () => {
    const { buffer, decided, span } = harness({ maxSpansPerTrace: 3, decisionWaitMs: 10 });
    const kept = [span(), span(), span()];
    for (const s of kept) buffer.add('big', s, 0);
    buffer.add('big', span(), 1);
    buffer.add('big', span(), 2);
    buffer.add('small', span(), 3);
    expect(buffer.stats()).toMatchObject({ spansInFlight: 4, spansDropped: { maxSpansPerTrace: 2, late: 0 } });
    buffer.tick(20);
    expect(decided[0]?.spans).toEqual(kept);
    expect(decided[0]?.droppedSpans).toBe(2);
    expect(decided[0]?.truncated).toBeUndefined();
    expect(decided[1]?.droppedSpans).toBe(0);
  });

  it('going beyond maxSpans evicts the oldest traces until the total fits', () => {
    const { buffer, decided, span } = harness({ maxSpans: 5, maxSpansPerTrace: 5, decisionWaitMs: 1_000 });
    buffer.add('a', span(), 0);
    buffer.add('a', span(), 0);
    buffer.add('b', span(), 1);
    buffer.add('c', span(), 2);
    buffer.add('c', span(), 2);
    expect(decided).toHaveLength(0);
    buffer.add('d', span(), 3); // 6 spans > 5: evict a (2 spans)
    expect(decided.map((t) => [t.key, t.truncated])).toEqual([['a', 'evicted']]);
    expect(buffer.stats()).toMatchObject({ spansInFlight: 4, tracesInFlight: 3, tracesEvictedEarly: 1 });
    buffer.add('d', span(), 4); // 5 spans: fits
    expect(decided).toHaveLength(1);
    buffer.add('d', span(), 4); // 6 > 5: evict b (1 span)
    expect(decided.map((t) => t.key)).toEqual(['a', 'b']);
    expect(buffer.stats()).toMatchObject({ spansInFlight: 5, tracesInFlight: 2, tracesEvictedEarly: 2 });
  });

  it('evicts the span’s own trace, span included, when it is the oldest one and the total is over', () => {
    const { buffer, decided, late, span } = harness({ maxSpans: 3, maxSpansPerTrace: 3, decisionWaitMs: 1_000 }, true);
    buffer.add('a', span(), 0);
    buffer.add('b', span(), 1);
    buffer.add('b', span(), 1);
    const fourth = span();
    buffer.add('a', fourth, 2); // 4 > 3: evict a, the oldest, which now holds `fourth`
    expect(decided.map((t) => [t.key, t.spans.length, t.truncated])).toEqual([['a', 2, 'evicted']]);
    expect(decided[0]?.spans).toContain(fourth);
    buffer.add('a', span(), 3); // a is decided: a late span now
    expect(late.map((l) => l.key)).toEqual(['a']);
    expect(buffer.stats()).toMatchObject({ spansInFlight: 2, tracesInFlight: 1, lateSpansDelivered: 1 });
  });
});

describe('TraceBuffer late spans', () => {
  it('hands spans of an already decided trace to onLateSpan and never starts a new trace for them', () => {
    const { buffer, decided, late, span } = harness({ decisionWaitMs: 10 }, true);
    buffer.add('a', span(), 0);
    buffer.tick(10);
    const straggler = span('late');
    buffer.add('a', straggler, 12);
    expect(late).toEqual([{ key: 'a', span: straggler, nowMs: 12 }]);
    expect(buffer.tracesInFlight).toBe(0);
    buffer.flush(1_000);
    expect(decided).toHaveLength(1);
    expect(buffer.stats()).toMatchObject({ lateSpansDelivered: 1, spansDropped: { late: 0 } });
  });

  it('drops and counts late spans when there is no onLateSpan', () => {
    const { buffer, span } = harness({ decisionWaitMs: 10 });
    buffer.add('a', span(), 0);
    buffer.tick(10);
    buffer.add('a', span(), 11);
    buffer.add('a', span(), 12);
    expect(buffer.stats()).toMatchObject({ lateSpansDelivered: 0, spansDropped: { late: 2, maxSpansPerTrace: 0 }, tracesInFlight: 0 });
  });

  it('treats spans of an evicted trace as late too', () => {
    const { buffer, late, span } = harness({ maxTraces: 1 }, true);
    buffer.add('a', span(), 0);
    buffer.add('b', span(), 1); // evicts a
    buffer.add('a', span(), 2);
    expect(late.map((l) => l.key)).toEqual(['a']);
  });

  it('forgets the oldest decided ids beyond decidedTraceIdsCapacity: a forgotten id starts a new trace', () => {
    const { buffer, decided, late, span } = harness({ decisionWaitMs: 10, decidedTraceIdsCapacity: 2 }, true);
    buffer.add('a', span(), 0);
    buffer.add('b', span(), 0);
    buffer.add('c', span(), 0);
    buffer.tick(10); // decided a, b, c; remembers b and c
    buffer.add('b', span(), 11);
    buffer.add('c', span(), 11);
    expect(late.map((l) => l.key)).toEqual(['b', 'c']);
    buffer.add('a', span(), 11);
    expect(buffer.tracesInFlight).toBe(1);
    buffer.tick(21);
    expect(decided.map((t) => t.key)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('with decidedTraceIdsCapacity 0, every span of a decided id starts a new trace', () => {
    const { buffer, decided, span } = harness({ decisionWaitMs: 10, decidedTraceIdsCapacity: 0 });
    buffer.add('a', span(), 0);
    buffer.tick(10);
    buffer.add('a', span(), 11);
    buffer.tick(21);
    expect(decided.map((t) => t.key)).toEqual(['a', 'a']);
    expect(buffer.stats().spansDropped.late).toBe(0);
  });
});

describe('TraceBuffer flush', () => {
  it('decides everything: due traces as usual, the others marked flushed', () => {
    const { buffer, decided, span } = harness({ decisionWaitMs: 100 });
    buffer.add('old', span(), 0);
    buffer.add('young', span(), 50);
    buffer.add('young', span(), 60);
    buffer.flush(100);
    expect(decided.map((t) => [t.key, t.truncated, t.spans.length, t.decidedAtMs])).toEqual([
      ['old', undefined, 1, 100],
      ['young', 'flushed', 2, 100],
    ]);
    expect(buffer.stats()).toMatchObject({ tracesDecided: 2, tracesFlushed: 1, tracesEvictedEarly: 0, tracesInFlight: 0, spansInFlight: 0 });
    buffer.flush(200);
    expect(decided).toHaveLength(2);
  });
});

type Step = { readonly kind: 'add'; readonly trace: number; readonly advanceMs: number } | { readonly kind: 'tick'; readonly advanceMs: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), trace: fc.integer({ min: 0, max: 12 }), advanceMs: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.integer({ min: 0, max: 60 }) }) },
);

const optionsArbitrary: fc.Arbitrary<TraceBufferOptions> = fc
  .record({
    decisionWaitMs: fc.integer({ min: 0, max: 100 }),
    maxTraces: fc.integer({ min: 1, max: 8 }),
    maxSpans: fc.integer({ min: 1, max: 20 }),
    perTraceShare: fc.double({ min: 0, max: 1, noNaN: true }),
    decidedTraceIdsCapacity: fc.integer({ min: 0, max: 8 }),
  })
  .map(({ perTraceShare, ...rest }) => ({ ...rest, maxSpansPerTrace: Math.max(1, Math.round(perTraceShare * rest.maxSpans)) }));

describe('TraceBuffer conservation (property)', () => {
  it('every span fed is delivered exactly once in a decided trace or to onLateSpan, or counted as dropped', () => {
    fc.assert(
      fc.property(optionsArbitrary, fc.boolean(), fc.array(stepArbitrary, { maxLength: 300, size: 'max' }), (options, withLateSpans, steps) => {
        const { buffer, decided, late, span } = harness(options, withLateSpans);
        const caps = buffer.options;
        expect(caps).toMatchObject(options);
        let now = 0;
        const fed = new Set<number>();
        for (const step of steps) {
          now += step.advanceMs;
          if (step.kind === 'tick') {
            buffer.tick(now);
          } else {
            const s = span();
            fed.add(s.id);
            buffer.add(`trace-${step.trace}`, s, now);
          }
          const st = buffer.stats();
          // Caps hold after every call.
          expect(st.tracesInFlight).toBeLessThanOrEqual(caps.maxTraces);
          expect(st.spansInFlight).toBeLessThanOrEqual(caps.maxSpans);
          // The counters balance at every point.
          expect(st.spansReceived).toBe(st.spansDecided + st.lateSpansDelivered + st.spansDropped.maxSpansPerTrace + st.spansDropped.late + st.spansInFlight);
        }
        buffer.flush(now);
        const st = buffer.stats();
        expect(st.tracesInFlight).toBe(0);
        expect(st.spansInFlight).toBe(0);

        const delivered = new Map<number, number>();
        const count = (id: number): void => {
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
        };
        for (const trace of decided) {
          expect(trace.spans.length).toBeGreaterThan(0);
          expect(trace.spans.length).toBeLessThanOrEqual(caps.maxSpansPerTrace);
          for (const s of trace.spans) count(s.id);
        }
        for (const l of late) count(l.span.id);
        for (const times of delivered.values()) expect(times).toBe(1);
        for (const id of delivered.keys()) expect(fed.has(id)).toBe(true);
        const dropped = st.spansDropped.maxSpansPerTrace + st.spansDropped.late;
        expect(delivered.size + dropped).toBe(fed.size);
        expect(st.spansReceived).toBe(fed.size);
        expect(st.spansDecided).toBe(decided.reduce((n, t) => n + t.spans.length, 0));
        expect(st.lateSpansDelivered).toBe(late.length);
        expect(decided.reduce((n, t) => n + t.droppedSpans, 0)).toBe(st.spansDropped.maxSpansPerTrace);
        if (!withLateSpans) expect(late).toHaveLength(0);

        // Decisions come out in first-arrival order, and only complete traces were held the full wait.
        expect(st.tracesDecided).toBe(decided.length);
        for (let i = 1; i < decided.length; i++) {
          expect((decided[i] as AssembledTrace<TestSpan>).firstSpanAtMs).toBeGreaterThanOrEqual((decided[i - 1] as AssembledTrace<TestSpan>).firstSpanAtMs);
        }
        for (const trace of decided) {
          if (trace.truncated === undefined) expect(trace.decidedAtMs - trace.firstSpanAtMs).toBeGreaterThanOrEqual(caps.decisionWaitMs);
          else expect(trace.decidedAtMs).toBeGreaterThanOrEqual(trace.firstSpanAtMs);
        }
        expect(decided.filter((t) => t.truncated === 'evicted')).toHaveLength(st.tracesEvictedEarly);
        expect(decided.filter((t) => t.truncated === 'flushed')).toHaveLength(st.tracesFlushed);
      }),
      { numRuns: 300 },
    );
  });
});
