import { describe, expect, it } from 'vitest';
import { loadTraceFixture } from '../helpers/trace-fixtures';
import { SELF_KEY, criticalPath, criticalPathShares } from '../../src/recommend/critical-path';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree } from '../../src/recommend/trace-tree';

const loadTrace = loadTraceFixture;

function span(spanId: string, parentSpanId: string, startTimeMs: number, endTimeMs: number): TraceSpan {
  return { traceId: 't', spanId, parentSpanId, service: 's', name: spanId, kind: 1, startTimeMs, endTimeMs, statusCode: 0, attributes: {} };
}

function rootOf(spans: readonly TraceSpan[]): TraceSpan {
  return spans.find((s) => s.parentSpanId === '')!;
}

/** [spanId, startMs, endMs] per segment. */
function shape(spans: readonly TraceSpan[], root = rootOf(spans)): Array<[string, number, number]> {
  return criticalPath(new TraceTree(spans), root).map((s) => [s.span.spanId, s.startMs, s.endMs]);
}

function selfTimes(spans: readonly TraceSpan[]): Map<string, number> {
  return criticalPathShares(new TraceTree(spans), rootOf(spans), (s) => s.spanId);
}

describe('criticalPath', () => {
  it('follows a simple chain, each span keeping the time outside its child', () => {
    expect(shape(loadTrace('critical-path-chain.json'))).toEqual([
      ['r1', 0, 10], ['a1', 10, 20], ['b1', 20, 50], ['a1', 50, 60], ['r1', 60, 100],
    ]);
  });

  it('keeps only the child that ends last among parallel children', () => {
    const segments = criticalPath(new TraceTree(loadTrace('critical-path-parallel.json')), rootOf(loadTrace('critical-path-parallel.json')));
    expect(segments.map((s) => [s.span.spanId, s.selfTimeMs])).toEqual([['r1', 10], ['b1', 80], ['r1', 10]]);
  });

  it('counts gaps between sequential children as the parent\'s self time', () => {
    const spans = loadTrace('critical-path-gaps.json');
    expect(shape(spans)).toEqual([
      ['a1', 0, 30], ['r1', 30, 40], ['b1', 40, 70], ['r1', 70, 80], ['c1', 80, 90], ['r1', 90, 100],
    ]);
    expect(Object.fromEntries(selfTimes(spans))).toEqual({ r1: 30, a1: 30, b1: 30, c1: 10 });
  });

  it('clamps skewed children into the parent and ignores orphans', () => {
    const spans = loadTrace('critical-path-skew.json');
    expect(shape(spans)).toEqual([['a1', 100, 150], ['r1', 150, 180], ['b1', 180, 200]]);
    const times = selfTimes(spans);
    expect(times.has('o1')).toBe(false);
    expect([...times.values()].reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('walks a sub-tree from any span, not only the trace root', () => {
    const spans = loadTrace('critical-path-chain.json');
    const a = spans.find((s) => s.spanId === 'a1')!;
    expect(shape(spans, a)).toEqual([['a1', 10, 20], ['b1', 20, 50], ['a1', 50, 60]]);
  });

  it('takes back-to-back and zero-duration children once and terminates', () => {
    const spans = [
      span('r', '', 0, 30), span('x', 'r', 0, 10), span('y', 'r', 10, 20), span('z0', 'r', 20, 20), span('z1', 'r', 20, 20), span('w', 'r', 20, 30),
    ];
    expect(shape(spans)).toEqual([['x', 0, 10], ['y', 10, 20], ['w', 20, 30]]);
  });

  it('prefers the child that started first when two end together', () => {
    expect(shape([span('r', '', 0, 10), span('late', 'r', 6, 10), span('early', 'r', 2, 10)])).toEqual([['r', 0, 2], ['early', 2, 10]]);
  });

  it('treats a span with an end before its start as zero-length', () => {
    expect(shape([span('r', '', 0, 10), span('bad', 'r', 8, 3)])).toEqual([['r', 0, 10]]);
    expect(shape([span('r', '', 5, 1)])).toEqual([]);
  });

  it('terminates on a parent cycle made with a duplicate span id', () => {
    // x (under r) -> y -> x again (a second span with id x): a cycle through the id.
    const spans = [span('r', '', 0, 100), span('x', 'r', 10, 90), span('y', 'x', 20, 80), span('x', 'y', 30, 70)];
    const times = selfTimes(spans);
    expect([...times.values()].reduce((a, b) => a + b, 0)).toBe(100);
    expect(times.get('r')).toBe(20);
  });
});

describe('criticalPathShares', () => {
  const keyOf = (s: TraceSpan): string | undefined => {
    if (s.kind !== 3 || s.service !== 'shop') return undefined; // downstream spans inherit the caller's key
    if (typeof s.attributes['db.system.name'] === 'string' || typeof s.attributes['db.system'] === 'string') return `db:${s.service}`;
    return 'http:inventory';
  };

  it('charges downstream spans to the HTTP call and the rest to self; shares sum to the root duration', () => {
    const spans = loadTrace('critical-path-dependencies.json');
    const shares = criticalPathShares(new TraceTree(spans), rootOf(spans), keyOf);
    expect(Object.fromEntries(shares)).toEqual({ [SELF_KEY]: 30, 'db:shop': 30, 'http:inventory': 40 });
  });

  it('uses keyOf(root) when it names the root', () => {
    const spans = loadTrace('critical-path-chain.json');
    const shares = criticalPathShares(new TraceTree(spans), rootOf(spans), (s) => (s.spanId === 'r1' ? 'GET /x' : undefined));
    expect(Object.fromEntries(shares)).toEqual({ 'GET /x': 100 });
  });

  it('sums to the root duration on random trees (clamped at 0)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 200; trial++) {
      const spans: TraceSpan[] = [span('s0', '', random() * 10, 50 + random() * 100)];
      const count = 1 + Math.floor(random() * 30);
      for (let i = 1; i <= count; i++) {
        const parent = `s${Math.floor(random() * i)}`;
        const start = random() * 200 - 20; // may lie outside the parent (skew)
        spans.push(span(`s${i}`, parent, start, start + (random() < 0.1 ? 0 : random() * 60)));
      }
      const root = spans[0]!;
      const total = [...criticalPathShares(new TraceTree(spans), root, (s) => s.spanId).values()].reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(Math.max(0, root.endTimeMs - root.startTimeMs), 9);
    }
  });
});
