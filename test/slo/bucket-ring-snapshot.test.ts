import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, serialize } from 'node:v8';
import { BucketRing } from '../../src/slo/bucket-ring';
import type { CountSums } from '../../src/slo/bucket-ring';
import { parseBucketRingSnapshot } from '../../src/slo/bucket-ring-snapshot';
import type { BucketRingSnapshot } from '../../src/slo/bucket-ring-snapshot';
import { thrownBy } from '../helpers/thrown';

const RES = 60_000;

/** Through v8.serialize and back, as the storage extension stores it. */
function throughV8<T>(value: T): unknown {
  return deserialize(serialize(value));
}

function sums(ring: BucketRing, nowMs: number): CountSums[] {
  const out: CountSums[] = [];
  for (let count = 1; count <= ring.length + 1; count++) {
    const s: CountSums = { total: -1, bad: -1 };
    ring.sum(nowMs, count, s);
    out.push(s);
  }
  return out;
}

interface Add {
  gap: number;
  late: number;
  total: number;
  bad: number;
}

function apply(ring: BucketRing, start: number, adds: readonly Add[]): number {
  let t = start;
  for (const a of adds) {
    t += a.gap;
    ring.add(Math.max(0, t - a.late), a.total, Math.min(a.bad, a.total));
  }
  return t;
}

describe('BucketRing export/restore', () => {
  it('property: a restored ring answers every sum exactly as the original, before and after more adds', () => {
    const add = fc.record({
      gap: fc.oneof(fc.integer({ min: 0, max: RES }), fc.integer({ min: 0, max: 20 * RES })),
      late: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15 * RES })),
      total: fc.integer({ min: 0, max: 5 }),
      bad: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(add, { maxLength: 60 }),
        fc.array(add, { maxLength: 60 }),
        (length, start, before, after) => {
          const original = new BucketRing(RES, length);
          const t = apply(original, start, before);
          const restored = new BucketRing(RES, length);
          restored.restoreState(parseBucketRingSnapshot(throughV8(original.exportState()), 'ring'));
          expect(restored.exportState()).toEqual(original.exportState());
          expect(sums(restored, t)).toEqual(sums(original, t));
          const end = apply(original, t, after);
          apply(restored, t, after);
          for (const now of [t, end, end + 3 * RES, end + length * RES]) expect(sums(restored, now)).toEqual(sums(original, now));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an empty ring round-trips as empty (newest -1), and the first add after restore behaves as on a fresh ring', () => {
    const restored = new BucketRing(RES, 4);
    restored.add(10 * RES, 3, 1);
    const snapshot = new BucketRing(RES, 4).exportState();
    expect(snapshot.newest).toBe(-1);
    restored.restoreState(snapshot);
    expect(sums(restored, 10 * RES)[3]).toEqual({ total: 0, bad: 0 });
    expect(restored.add(0, 1, 0)).toBe(true);
    expect(sums(restored, 0)[0]).toEqual({ total: 1, bad: 0 });
  });

  it('exports copies: adds after the export do not change the snapshot, nor does changing the snapshot change the ring', () => {
    const ring = new BucketRing(RES, 3);
    ring.add(0, 2, 1);
    const snapshot = ring.exportState();
    ring.add(0, 5, 5);
    expect(Array.from(snapshot.totals)).toEqual([2, 0, 0]);
    const restored = new BucketRing(RES, 3);
    restored.restoreState(snapshot);
    snapshot.totals[0] = 99;
    expect(sums(restored, 0)[0]).toEqual({ total: 2, bad: 1 });
  });

  it('states its serialised size: the two arrays (16 B per bucket) plus a small header', () => {
    const bytes = serialize(new BucketRing(RES, 360).exportState()).length;
    expect(bytes).toBeGreaterThanOrEqual(5_760);
    expect(bytes).toBeLessThan(5_760 + 200);
  });

  it('refuses a snapshot of another geometry with a reason, changing nothing', () => {
    const ring = new BucketRing(RES, 5);
    ring.add(2 * RES, 4, 1);
    const before = ring.exportState();
    const other = new BucketRing(RES, 6).exportState();
    expect(ring.stateMismatch(other)).toBe('bucket ring of 6 × 60000 ms saved, 5 × 60000 ms expected');
    expect(thrownBy(RangeError, () => ring.restoreState(other)).message).toContain('6 × 60000 ms saved');
    expect(ring.stateMismatch(new BucketRing(2 * RES, 5).exportState())).toContain('5 × 120000 ms saved');
    expect(ring.exportState()).toEqual(before);
  });

  describe('parseBucketRingSnapshot', () => {
    const good = (): Record<string, unknown> => {
      const ring = new BucketRing(RES, 3);
      ring.add(RES, 2, 1);
      return { ...ring.exportState() };
    };

    it('accepts an exported snapshot', () => {
      const parsed: BucketRingSnapshot = parseBucketRingSnapshot(good(), 'ring');
      expect(parsed.newest).toBe(1);
    });

    it.each([
      ['not an object', () => null, 'ring: expected an object, got null'],
      ['missing newest', (s: Record<string, unknown>) => ({ ...s, newest: undefined }), 'ring.newest: expected an integer >= -1, got undefined'],
      ['fractional length', (s: Record<string, unknown>) => ({ ...s, length: 2.5 }), 'ring.length: expected an integer >= 1'],
      ['plain array', (s: Record<string, unknown>) => ({ ...s, totals: [0, 2, 0] }), 'ring.totals: expected a Float64Array of 3 numbers, got Array'],
      ['other typed array', (s: Record<string, unknown>) => ({ ...s, bads: new Float32Array(3) }), 'got Float32Array'],
      ['short array', (s: Record<string, unknown>) => ({ ...s, bads: new Float64Array(2) }), 'ring.bads: expected 3 numbers, got 2'],
      ['NaN count', (s: Record<string, unknown>) => ({ ...s, totals: new Float64Array([0, NaN, 0]) }), 'ring.totals[1]: expected a finite count >= 0, got NaN'],
      ['bad above total', (s: Record<string, unknown>) => ({ ...s, bads: new Float64Array([0, 3, 0]) }), 'ring.bads[1]: expected a count in [0, totals[1] = 2], got 3'],
      ['newest beyond time', (s: Record<string, unknown>) => ({ ...s, newest: 2 ** 52 }), 'ring.newest: bucket'],
    ])('throws a TypeError naming the field: %s', (_name, mutate, message) => {
      const value = mutate(good());
      expect(thrownBy(TypeError, () => parseBucketRingSnapshot(value, 'ring')).message).toContain(message);
    });
  });
});
