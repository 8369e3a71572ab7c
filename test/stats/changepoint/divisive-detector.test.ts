import { describe, expect, it } from 'vitest';
import { divisiveChangePoints } from '../../../src/stats/changepoint/divisive-detector';
import { permutationSignificance } from '../../../src/stats/changepoint/permutation-significance';
import { tTestSignificance } from '../../../src/stats/changepoint/t-test-significance';
import { numpyDefaultRng } from './numpy-pcg64';

const threeLevels = [1, 2, 1.5, 1.2, 0.8, 50, 51, 50.5, 49.6, 100, 101, 100.2, 100.5, 99.1];

describe('divisiveChangePoints', () => {
  it('finds each level with the t-test, keeping the statistics it was accepted with', () => {
    const found = divisiveChangePoints(threeLevels, { significance: tTestSignificance, maxPValue: 0.01 });
    expect(found.map((point) => point.index)).toEqual([5, 9]);
    // The first split (9, the strongest) was tested on the whole series: [0, 9) against [9, 14).
    const first = found.find((point) => point.index === 9)!;
    expect(first.statistics.before.count).toBe(9);
    expect(first.statistics.after.count).toBe(5);
    // The second split was tested inside [0, 9): [0, 5) against [5, 9).
    const second = found.find((point) => point.index === 5)!;
    expect(second.statistics.before.count).toBe(5);
    expect(second.statistics.after.count).toBe(4);
    expect(second.qhat).toBeGreaterThan(0);
  });

  it('stops at the first candidate that fails', () => {
    expect(divisiveChangePoints([1, 1.1, 0.9, 1, 1.05, 0.95], { significance: tTestSignificance, maxPValue: 0.01 })).toEqual([]);
    expect(divisiveChangePoints([], { significance: tTestSignificance, maxPValue: 0.01 })).toEqual([]);
    expect(divisiveChangePoints([5], { significance: tTestSignificance, maxPValue: 1 })).toEqual([]);
  });

  it('finds the same levels with the permutation test, repeatably for one seed', () => {
    const run = (seed: number) => {
      const generator = numpyDefaultRng(seed);
      const significance = permutationSignificance({ permutations: 100, randomIndex: (max) => generator.interval(max) });
      return divisiveChangePoints(threeLevels, { significance, maxPValue: 0.05 });
    };
    const first = run(5);
    expect(first.map((point) => point.index)).toEqual([5, 9]);
    expect(run(5)).toEqual(first);
    for (const point of first) expect(point.statistics.pValue).toBeLessThanOrEqual(0.05);
  });
});

describe('permutationSignificance', () => {
  it('gives p = count / (permutations + 1)', () => {
    const generator = numpyDefaultRng(11);
    const significance = permutationSignificance({ permutations: 9, randomIndex: (max) => generator.interval(max) });
    const segments = [{ start: 0, stop: 6 }];
    // An impossible Q̂ is never reached by a shuffle; a Q̂ of -1 always is.
    expect(significance([1, 2, 3, 4, 5, 6], { index: 3, qhat: 1e9 }, segments).pValue).toBe(0);
    expect(significance([1, 2, 3, 4, 5, 6], { index: 3, qhat: -1 }, segments).pValue).toBe(0.9);
  });

  it('refuses a non-positive number of permutations', () => {
    expect(() => permutationSignificance({ permutations: 0, randomIndex: () => 0 })).toThrow(RangeError);
  });
});
