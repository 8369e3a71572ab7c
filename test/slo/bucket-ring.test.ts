import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BucketRing } from '../../src/slo/bucket-ring';
import type { CountSums } from '../../src/slo/bucket-ring';

const RES = 60_000;

function sumOf(ring: BucketRing, nowMs: number, count: number): CountSums {
  const out: CountSums = { total: -1, bad: -1 };
  ring.sum(nowMs, count, out);
  return out;
}

describe('BucketRing', () => {
  it('aligns buckets to multiples of the resolution since the epoch', () => {
    const ring = new BucketRing(RES, 10);
    expect(ring.add(59_999, 1, 1)).toBe(true); // bucket 0
    expect(ring.add(60_000, 2, 0)).toBe(true); // bucket 1
    expect(sumOf(ring, 60_000, 1)).toEqual({ total: 2, bad: 0 });
    expect(sumOf(ring, 119_999, 1)).toEqual({ total: 2, bad: 0 });
    expect(sumOf(ring, 60_000, 2)).toEqual({ total: 3, bad: 1 });
    expect(sumOf(ring, 59_999, 1)).toEqual({ total: 1, bad: 1 });
  });

  it('includes the partial bucket holding now', () => {
    const ring = new BucketRing(RES, 10);
    ring.add(120_000, 1, 0);
    ring.add(150_000, 1, 1);
    // now = 150 s is in bucket 2, which only covers 120..150 s so far.
    expect(sumOf(ring, 150_000, 1)).toEqual({ total: 2, bad: 1 });
    // Three buckets at 150 s: buckets 0..2, i.e. between 2 and 3 minutes of history.
    ring.add(0, 5, 5);
    expect(sumOf(ring, 150_000, 3)).toEqual({ total: 7, bad: 6 });
    expect(sumOf(ring, 150_000, 2)).toEqual({ total: 2, bad: 1 });
  });

  it('clears the buckets skipped over when time jumps forward', () => {
    const ring = new BucketRing(RES, 5);
    for (let b = 0; b < 5; b++) ring.add(b * RES, 1, 0);
    ring.add(7 * RES, 1, 1); // skips buckets 5 and 6 (slots 0 and 1), overwrites slot 2
    expect(sumOf(ring, 7 * RES, 5)).toEqual({ total: 3, bad: 1 }); // buckets 3, 4, 7
    expect(sumOf(ring, 6 * RES, 2)).toEqual({ total: 0, bad: 0 }); // buckets 5, 6: cleared
    expect(sumOf(ring, 4 * RES, 2)).toEqual({ total: 2, bad: 0 }); // buckets 3, 4 still held
    expect(sumOf(ring, 2 * RES, 1)).toEqual({ total: 0, bad: 0 }); // bucket 2 is gone (slot reused)
  });

  it('wraps around correctly after many lengths', () => {
    const length = 7;
    const ring = new BucketRing(RES, length);
    for (let b = 0; b < 50 * length; b++) {
      ring.add(b * RES + 123, 2, b % 2);
      const s = sumOf(ring, b * RES + 500, length);
      const held = Math.min(b + 1, length);
      expect(s.total).toBe(2 * held);
    }
    // A jump over more than a whole ring clears everything.
    ring.add(10_000 * RES, 1, 0);
    expect(sumOf(ring, 10_000 * RES, length)).toEqual({ total: 1, bad: 0 });
  });

  it('puts late events within range into their own bucket and drops older ones', () => {
    const ring = new BucketRing(RES, 5);
    ring.add(10 * RES, 1, 0); // newest bucket 10; held: 6..10
    expect(ring.add(6 * RES + 1, 1, 1)).toBe(true); // oldest held bucket
    expect(ring.add(5 * RES + 59_999, 1, 1)).toBe(false); // bucket 5: beyond range
    expect(sumOf(ring, 10 * RES, 5)).toEqual({ total: 2, bad: 1 });
    expect(sumOf(ring, 6 * RES, 1)).toEqual({ total: 1, bad: 1 });
    expect(sumOf(ring, 10 * RES, 1)).toEqual({ total: 1, bad: 0 });
  });

  it('returns 0 for a now far after the last add, and for a now before what it holds', () => {
    const ring = new BucketRing(RES, 5);
    ring.add(10 * RES, 3, 1);
    expect(sumOf(ring, 14 * RES, 5)).toEqual({ total: 3, bad: 1 });
    expect(sumOf(ring, 15 * RES, 5)).toEqual({ total: 0, bad: 0 });
    expect(sumOf(ring, 1e12, 5)).toEqual({ total: 0, bad: 0 });
    expect(sumOf(ring, 3 * RES, 5)).toEqual({ total: 0, bad: 0 });
  });

  it('caps the bucket count at the length and treats odd counts safely', () => {
    const ring = new BucketRing(RES, 3);
    for (let b = 0; b < 3; b++) ring.add(b * RES, 1, 0);
    expect(sumOf(ring, 2 * RES, 1000).total).toBe(3);
    expect(sumOf(ring, 2 * RES, 0).total).toBe(0);
    expect(sumOf(ring, 2 * RES, -4).total).toBe(0);
    expect(sumOf(ring, 2 * RES, NaN).total).toBe(0);
  });

  it('ignores invalid input without throwing', () => {
    const ring = new BucketRing(RES, 3);
    for (const t of [NaN, -1, -Infinity, Infinity, 1e300]) expect(ring.add(t, 1, 0)).toBe(false);
    expect(ring.add(0, NaN, 0)).toBe(false);
    expect(ring.add(0, 1, 2)).toBe(false);
    expect(ring.add(0, -1, 0)).toBe(false);
    expect(ring.add(0, Infinity, 0)).toBe(false);
    expect(sumOf(ring, NaN, 3)).toEqual({ total: 0, bad: 0 });
    expect(sumOf(ring, -5, 3)).toEqual({ total: 0, bad: 0 });
    expect(sumOf(ring, 0, 3)).toEqual({ total: 0, bad: 0 });
  });

  it('reset forgets everything', () => {
    const ring = new BucketRing(RES, 3);
    ring.add(100 * RES, 4, 2);
    ring.reset();
    expect(sumOf(ring, 100 * RES, 3)).toEqual({ total: 0, bad: 0 });
    expect(ring.add(0, 1, 0)).toBe(true); // no longer "too old"
  });

  it('states its memory honestly and validates its shape', () => {
    expect(new BucketRing(RES, 360).bytes).toBe(5760);
    expect(new BucketRing(15 * RES, 288).bytes).toBe(4608);
    expect(() => new BucketRing(0, 3)).toThrow(RangeError);
    expect(() => new BucketRing(1.5, 3)).toThrow(RangeError);
    expect(() => new BucketRing(RES, 0)).toThrow(RangeError);
    expect(() => new BucketRing(RES, 2.5)).toThrow(RangeError);
  });

  it('property: with non-decreasing times, every sum equals a brute-force count', () => {
    const event = fc.record({
      gap: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 20 * RES })),
      total: fc.integer({ min: 1, max: 5 }),
      bad: fc.integer({ min: 0, max: 5 }),
      query: fc.option(
        fc.record({ ahead: fc.integer({ min: 0, max: 15 * RES }), count: fc.integer({ min: 1, max: 14 }) }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(event, { maxLength: 120 }),
        (length, start, events) => {
          const ring = new BucketRing(RES, length);
          const seen: { t: number; total: number; bad: number }[] = [];
          let t = start;
          for (const e of events) {
            t += e.gap;
            const bad = Math.min(e.bad, e.total);
            expect(ring.add(t, e.total, bad)).toBe(true);
            seen.push({ t, total: e.total, bad });
            if (e.query === undefined) continue;
            const now = t + e.query.ahead;
            const nowBucket = Math.floor(now / RES);
            const n = Math.min(e.query.count, length);
            let total = 0;
            let badSum = 0;
            for (const s of seen) {
              const b = Math.floor(s.t / RES);
              if (b > nowBucket - n && b <= nowBucket) {
                total += s.total;
                badSum += s.bad;
              }
            }
            expect(sumOf(ring, now, e.query.count)).toEqual({ total, bad: badSum });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: late events count exactly when within the ring at arrival and still held', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 30 * RES }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 10 }),
        (length, times, count) => {
          const ring = new BucketRing(RES, length);
          const kept: number[] = [];
          let newest = -Infinity;
          for (const t of times) {
            const b = Math.floor(t / RES);
            const accepted = b > newest - length;
            expect(ring.add(t, 1, 0)).toBe(accepted);
            if (accepted) kept.push(b);
            newest = Math.max(newest, b);
          }
          const nowBucket = newest;
          const n = Math.min(count, length);
          const expected = kept.filter((b) => b > nowBucket - n && b <= nowBucket && b > newest - length).length;
          expect(sumOf(ring, nowBucket * RES, count).total).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
