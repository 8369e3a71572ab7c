import { describe, expect, it } from 'vitest';
import { createSeededRandom, standardNormalDraw } from '../../../src/stats/mann-whitney/seeded-random';

describe('createSeededRandom (Mulberry32)', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const first = createSeededRandom(1);
    const again = createSeededRandom(1);
    const other = createSeededRandom(2);
    const a = Array.from({ length: 5 }, first);
    expect(Array.from({ length: 5 }, again)).toEqual(a);
    expect(Array.from({ length: 5 }, other)).not.toEqual(a);
  });

  it('stays in [0, 1) with a uniform mean and variance', () => {
    const random = createSeededRandom(0x5eed);
    let sum = 0;
    let sumSquares = 0;
    const count = 100_000;
    for (let i = 0; i < count; i++) {
      const u = random();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSquares += u * u;
    }
    // Uniform(0, 1): mean 1/2, variance 1/12; standard errors about 0.001 and 0.0003.
    expect(sum / count).toBeCloseTo(0.5, 2);
    expect(sumSquares / count - (sum / count) ** 2).toBeCloseTo(1 / 12, 2);
  });
});

describe('standardNormalDraw (Box–Muller)', () => {
  it('draws N(0, 1): mean 0, variance 1, about 95 % within ±1.96', () => {
    const random = createSeededRandom(99);
    const count = 50_000;
    const draws = Array.from({ length: count }, () => standardNormalDraw(random));
    const mean = draws.reduce((a, b) => a + b, 0) / count;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / count;
    const inside = draws.filter((z) => Math.abs(z) < 1.959964).length / count;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1, 1);
    expect(inside).toBeCloseTo(0.95, 2);
    expect(draws.every(Number.isFinite)).toBe(true);
  });

  it('never takes log(0), even when the generator returns 0', () => {
    expect(Number.isFinite(standardNormalDraw(() => 0))).toBe(true);
  });
});
