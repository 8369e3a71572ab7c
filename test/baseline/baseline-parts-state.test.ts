import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencySketch } from '../../src/baseline/latency-sketch';
import { ExemplarSet } from '../../src/baseline/exemplar-set';
import { RollupRing } from '../../src/baseline/rollup-ring';
import { SIGNAL_COUNT } from '../../src/baseline/baseline-signal';

const roundTrip = <T>(value: T): unknown => deserialize(serialize(value));
const QUANTILES = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];
const trace = (n: number): string => n.toString(16).padStart(32, '0');

describe('LatencySketch state', () => {
  it('a restored sketch holds the same bins: every quantile and max agree before and after more values (collapsing included)', () => {
    const duration = fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0.001, max: 60_000, noNaN: true }), fc.constant(0));
    fc.assert(
      fc.property(fc.array(duration, { minLength: 0, maxLength: 300 }), fc.array(duration, { maxLength: 300 }), (first, second) => {
        const a = new LatencySketch();
        for (const v of first) a.add(v);
        const b = new LatencySketch();
        b.restoreState(roundTrip(a.exportState()));
        expect(QUANTILES.map((q) => b.quantile(q))).toEqual(QUANTILES.map((q) => a.quantile(q)));
        for (const v of second) {
          a.add(v);
          b.add(v);
        }
        expect(b.count).toBe(a.count);
        expect(b.max).toEqual(a.max);
        expect(QUANTILES.map((q) => b.quantile(q))).toEqual(QUANTILES.map((q) => a.quantile(q)));
      }),
      { numRuns: 200 },
    );
  });

  it('collapses the same way after a restore when the range outgrows 512 bins', () => {
    const a = new LatencySketch();
    for (let i = 0; i < 400; i++) a.add(1.5 ** (i % 40));
    const b = new LatencySketch();
    b.restoreState(roundTrip(a.exportState()));
    for (let i = 0; i < 400; i++) {
      a.add(1e-4 * 1.7 ** (i % 60));
      b.add(1e-4 * 1.7 ** (i % 60));
    }
    expect(QUANTILES.map((q) => b.quantile(q))).toEqual(QUANTILES.map((q) => a.quantile(q)));
  });

  it('an empty sketch exports null and restores empty; malformed bins are named', () => {
    const empty = new LatencySketch();
    expect(empty.exportState()).toBeNull();
    const filled = new LatencySketch();
    filled.add(3);
    filled.restoreState(null);
    expect(filled.count).toBe(0);
    expect(filled.exportState()).toBeNull();
    filled.add(7);
    const state = filled.exportState() as NonNullable<ReturnType<LatencySketch['exportState']>>;
    expect(() => new LatencySketch().restoreState({ ...state, bins: new Float64Array(600) })).toThrow(/^sketch\.bins: expected a Float64Array of at most 512 entries, got 600/);
    expect(() => new LatencySketch().restoreState({ ...state, bins: Float64Array.of(1, -1) })).toThrow(/^sketch\.bins\[1\]: expected a count >= 0/);
    expect(() => new LatencySketch().restoreState({ ...state, minKey: 1.5 })).toThrow(/^sketch\.minKey/);
  });
});

describe('ExemplarSet state', () => {
  it('keeps the same trace ids in the same order, and keeps choosing the same ones after a restore', () => {
    const a = new ExemplarSet(3);
    const durations = [5, 9, 1, 7, 3];
    durations.forEach((d, i) => a.offer(d, i % 2 === 0 ? trace(i + 1) : Uint8Array.from({ length: 16 }, (_, b) => (b === 15 ? i + 1 : 0))));
    const b = new ExemplarSet(3);
    b.restoreState(roundTrip(a.exportState()));
    expect(b.traceIds()).toEqual(a.traceIds());
    for (const [d, n] of [[8, 20], [2, 21], [10, 22]] as const) {
      a.offer(d, trace(n));
      b.offer(d, trace(n));
    }
    expect(b.traceIds()).toEqual(a.traceIds());
    const smaller = new ExemplarSet(2);
    smaller.restoreState(a.exportState());
    expect(smaller.traceIds()).toEqual(a.traceIds().slice(0, 2));
    expect(() => new ExemplarSet(3).restoreState({ durations: new Float64Array(2), traceIds: ['a'] })).toThrow(/^exemplars\.traceIds: expected 2 trace ids/);
  });
});

describe('RollupRing state', () => {
  it('restores the held intervals in order; a shorter ring keeps the newest', () => {
    const a = new RollupRing(5);
    for (let i = 0; i < 8; i++) a.push(1000 * i, i, Array.from({ length: SIGNAL_COUNT }, (_, s) => (s === 2 ? Number.NaN : i + s / 10)));
    const b = new RollupRing(5);
    b.restoreState(roundTrip(a.exportState()));
    for (let s = 0; s < SIGNAL_COUNT; s++) expect(b.recent(s, 5)).toEqual(a.recent(s, 5));
    expect([b.endTimeAt(0), b.countAt(4), b.size]).toEqual([a.endTimeAt(0), a.countAt(4), a.size]);
    const short = new RollupRing(2);
    short.restoreState(a.exportState());
    expect(short.recent(0, 5)).toEqual(a.recent(0, 2));
    expect(() => new RollupRing(5).restoreState({ ...a.exportState(), counts: [1, 2] })).toThrow(/^ring\.counts: expected a Uint32Array of 5 entries, got Array/);
  });
});
