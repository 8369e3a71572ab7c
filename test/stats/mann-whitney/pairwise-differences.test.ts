import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hodgesLehmannShift, kthSmallestPairwiseDifference } from '../../../src/stats/mann-whitney/pairwise-differences';

const sorted = (values: readonly number[]): Float64Array => Float64Array.from(values).sort();

/** Every experiment − control difference, sorted: the O(n·m) definition the selection must agree with. */
function allDifferences(experiment: readonly number[], control: readonly number[]): Float64Array {
  return Float64Array.from(experiment.flatMap((e) => control.map((c) => e - c))).sort();
}

describe('kthSmallestPairwiseDifference', () => {
  it('selects from a small example by hand', () => {
    // 4,5,6 − 1,2,3 → 3 2 1 | 4 3 2 | 5 4 3 → sorted 1 2 2 3 3 3 4 4 5.
    const experiment = sorted([6, 4, 5]);
    const control = sorted([3, 1, 2]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => kthSmallestPairwiseDifference(experiment, control, k))).toEqual([1, 2, 2, 3, 3, 3, 4, 4, 5]);
  });

  it('rejects k outside 1 … n·m', () => {
    const one = sorted([1]);
    expect(() => kthSmallestPairwiseDifference(one, one, 0)).toThrow(RangeError);
    expect(() => kthSmallestPairwiseDifference(one, one, 2)).toThrow(RangeError);
    expect(() => kthSmallestPairwiseDifference(one, one, 1.5)).toThrow(RangeError);
  });

  it('agrees with sorting all n·m differences (heavy ties, small integers)', () => {
    const sample = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (experiment, control, position) => {
        const expected = allDifferences(experiment, control);
        const k = 1 + Math.floor(position * expected.length);
        expect(kthSmallestPairwiseDifference(sorted(experiment), sorted(control), k)).toBe(expected[k - 1]);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with sorting all n·m differences (continuous values, more rounds than the gather limit)', () => {
    const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 30, maxLength: 120 });
    fc.assert(
      fc.property(sample, sample, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (experiment, control, position) => {
        const expected = allDifferences(experiment, control);
        const k = 1 + Math.floor(position * expected.length);
        expect(kthSmallestPairwiseDifference(sorted(experiment), sorted(control), k)).toBe(expected[k - 1]);
      }),
      { numRuns: 100 },
    );
  });

  it('handles 2000 × 2000 values (4 million differences) without materializing them', () => {
    const experiment = sorted(Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 2000) / 10 + 3));
    const control = sorted(Array.from({ length: 2000 }, (_, i) => ((i * 104729) % 2000) / 10));
    // Both are {0, 0.1, …, 199.9} (+3 for the experiment): differences are 3 + (i − j)/10, and the median
    // of i − j over a 2000 × 2000 grid is 0, so the middle differences are 3.
    expect(kthSmallestPairwiseDifference(experiment, control, 2_000_000)).toBeCloseTo(3, 9);
    expect(kthSmallestPairwiseDifference(experiment, control, 1)).toBeCloseTo(3 - 199.9, 9);
    expect(kthSmallestPairwiseDifference(experiment, control, 4_000_000)).toBeCloseTo(3 + 199.9, 9);
  });
});

describe('hodgesLehmannShift', () => {
  it('is the median pairwise difference, the mean of the middle two when n·m is even', () => {
    // 1 2 2 3 3 3 4 4 5: the 5th of 9.
    expect(hodgesLehmannShift(sorted([4, 5, 6]), sorted([1, 2, 3]))).toBe(3);
    // 10 − {1, 4} = 9, 6 and 20 − {1, 4} = 19, 16 → 6 9 16 19 → (9 + 16) / 2.
    expect(hodgesLehmannShift(sorted([10, 20]), sorted([1, 4]))).toBe(12.5);
  });

  it('is equivariant: shifting the experiment by s shifts the estimate by s', () => {
    const sample = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -1000, max: 1000 }), (experiment, control, shift) => {
        const base = hodgesLehmannShift(sorted(experiment), sorted(control));
        expect(hodgesLehmannShift(sorted(experiment.map((v) => v + shift)), sorted(control))).toBe(base + shift);
      }),
    );
  });
});
