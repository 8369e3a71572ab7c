import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyReservoir } from '../../src/regression/latency-reservoir';
import { createSeededRandom } from '../../src/stats/mann-whitney/seeded-random';

function held(reservoir: LatencyReservoir): number[] {
  const out: number[] = [];
  reservoir.appendTo(out);
  return out;
}

describe('LatencyReservoir (Algorithm R)', () => {
  it('keeps every value until full, then exactly capacity values, all of them offered ones', () => {
    const random = createSeededRandom(1);
    const reservoir = new LatencyReservoir(50);
    for (let i = 0; i < 50; i++) reservoir.add(i, random);
    expect(held(reservoir)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 50; i < 5000; i++) reservoir.add(i, random);
    const values = held(reservoir);
    expect([reservoir.size, reservoir.seen, values.length]).toEqual([50, 5000, 50]);
    expect(new Set(values).size).toBe(50);
    for (const v of values) expect(Number.isInteger(v) && v >= 0 && v < 5000).toBe(true);
  });

  it('holds each offered value with the same probability capacity / n', () => {
    // 4000 reservoirs of 10 out of 100 values: each value should be held in 10 % of them.
    const random = createSeededRandom(42);
    const hits = new Array<number>(100).fill(0);
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const reservoir = new LatencyReservoir(10);
      for (let i = 0; i < 100; i++) reservoir.add(i, random);
      for (const v of held(reservoir)) hits[v] = (hits[v] as number) + 1;
    }
    // Binomial(4000, 0.1): sd ≈ 19; 5 sd either side.
    for (const h of hits) expect(Math.abs(h - 400)).toBeLessThan(95);
    // Early and late values alike: the first and last tenth are held equally often.
    const firstTenth = hits.slice(0, 10).reduce((a, b) => a + b, 0);
    const lastTenth = hits.slice(90).reduce((a, b) => a + b, 0);
    expect(Math.abs(firstTenth - lastTenth)).toBeLessThan(250);
  });

  it('grows its array by doubling up to the capacity, and clear() keeps it', () => {
    const random = createSeededRandom(3);
    const reservoir = new LatencyReservoir(1000);
    expect(reservoir.allocatedBytes).toBe(16 * 4);
    for (let i = 0; i < 17; i++) reservoir.add(i, random);
    expect(reservoir.allocatedBytes).toBe(32 * 4);
    for (let i = 0; i < 5000; i++) reservoir.add(i, random);
    expect(reservoir.allocatedBytes).toBe(1000 * 4);
    reservoir.clear();
    expect([reservoir.size, reservoir.seen, reservoir.allocatedBytes]).toEqual([0, 0, 4000]);
    reservoir.add(7.5, random);
    expect(held(reservoir)).toEqual([7.5]);
  });

  it('returns the sum of what it appends', () => {
    const reservoir = new LatencyReservoir(4);
    const random = createSeededRandom(9);
    [1.5, 2.5, 3, 4].forEach((v) => reservoir.add(v, random));
    const out = [100];
    expect(reservoir.appendTo(out)).toBe(11);
    expect(out).toEqual([100, 1.5, 2.5, 3, 4]);
  });

  it('never holds more than its capacity, whatever is offered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 300 }), fc.integer(), (capacity, values, seed) => {
        const reservoir = new LatencyReservoir(capacity);
        const random = createSeededRandom(seed);
        for (const v of values) reservoir.add(v, random);
        expect(reservoir.size).toBe(Math.min(capacity, values.length));
        expect(reservoir.allocatedBytes).toBeLessThanOrEqual(Math.max(16, capacity) * 4);
        const offered = new Set(values.map((v) => Math.fround(v)));
        for (const v of held(reservoir)) expect(offered.has(v)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a capacity below 1', () => {
    expect(() => new LatencyReservoir(0)).toThrow(RangeError);
    expect(() => new LatencyReservoir(2.5)).toThrow(RangeError);
  });
});
