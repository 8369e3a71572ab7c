import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LATENCY_RELATIVE_ACCURACY, LatencySketch } from '../../src/baseline/latency-sketch';

/** The value of rank q·(n−1) (lower), which DDSketch approximates within its relative accuracy. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('LatencySketch', () => {
  it('is empty until the first value and after reset', () => {
    const sketch = new LatencySketch();
    expect(sketch.count).toBe(0);
    expect(sketch.quantile(0.5)).toBeNaN();
    sketch.add(12);
    expect(sketch.count).toBe(1);
    sketch.reset();
    expect(sketch.count).toBe(0);
    expect(sketch.max).toBeNaN();
  });

  it('reads quantiles within 1 % of the exact ones over four decades of latency (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 400 }), (durations) => {
        const sketch = new LatencySketch();
        for (const d of durations) sketch.add(d);
        const sorted = [...durations].sort((a, b) => a - b);
        for (const q of [0.5, 0.9, 0.95, 0.99]) {
          const exact = exactQuantile(sorted, q);
          const rankAbove = sorted[Math.ceil(q * (sorted.length - 1))]!;
          const got = sketch.quantile(q);
          // Between the two values around the rank, each widened by the sketch's relative accuracy.
          expect(got).toBeGreaterThanOrEqual(exact * (1 - LATENCY_RELATIVE_ACCURACY) - 1e-9);
          expect(got).toBeLessThanOrEqual(rankAbove * (1 + LATENCY_RELATIVE_ACCURACY) + 1e-9);
        }
      }),
    );
  });

  it('merges another sketch: quantiles of the union, an empty one changes nothing', () => {
    const fast = new LatencySketch();
    const slow = new LatencySketch();
    for (let i = 1; i <= 100; i++) fast.add(i);
    for (let i = 1; i <= 100; i++) slow.add(1000 + i);
    const union = new LatencySketch();
    union.merge(new LatencySketch());
    expect(union.count).toBe(0);
    union.merge(fast);
    union.merge(slow);
    expect(union.count).toBe(200);
    expect(Math.abs(union.quantile(0.25) / 50 - 1)).toBeLessThan(0.021);
    expect(Math.abs(union.quantile(0.95) / 1090 - 1)).toBeLessThan(0.021);
    expect(union.max).toBe(1100);
    expect(fast.count).toBe(100);
  });

  it('counts negative and NaN durations as 0', () => {
    const sketch = new LatencySketch();
    sketch.add(-5);
    sketch.add(Number.NaN);
    expect(sketch.count).toBe(2);
    expect(sketch.quantile(0.99)).toBe(0);
  });

  it('keeps the tail accurate when the bins are collapsed from below (binLimit)', () => {
    const sketch = new LatencySketch();
    for (let i = 0; i < 1000; i++) sketch.add(0.001 * 1.05 ** (i % 400)); // 1 µs .. ~300 s: far wider than 512 bins
    sketch.add(300_000);
    const sorted = Array.from({ length: 1000 }, (_, i) => 0.001 * 1.05 ** (i % 400)).concat([300_000]).sort((a, b) => a - b);
    expect(Math.abs(sketch.quantile(0.99) / exactQuantile(sorted, 0.99) - 1)).toBeLessThanOrEqual(LATENCY_RELATIVE_ACCURACY);
  });
});
