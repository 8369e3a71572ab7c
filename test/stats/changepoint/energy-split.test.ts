import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestEnergySplit, bestEnergySplitAcross } from '../../../src/stats/changepoint/energy-split';

/** Q̂(τ, κ) of Matteson & James evaluated term by term, for checking the running-sum version. */
function directQ(values: readonly number[], start: number, tau: number, kappa: number): number {
  const n = tau - start;
  const m = kappa - tau;
  let between = 0;
  for (let i = start; i < tau; i++) for (let j = tau; j < kappa; j++) between += Math.abs(values[i]! - values[j]!);
  let withinLeft = 0;
  for (let i = start; i < tau; i++) for (let k = i + 1; k < tau; k++) withinLeft += Math.abs(values[i]! - values[k]!);
  let withinRight = 0;
  for (let j = tau; j < kappa; j++) for (let k = j + 1; k < kappa; k++) withinRight += Math.abs(values[j]! - values[k]!);
  const total = n + m;
  return (
    (2 / total) * between - (n > 1 ? ((2 * m) / (total * (n - 1))) * withinLeft : 0) - (m > 1 ? ((2 * n) / (total * (m - 1))) * withinRight : 0)
  );
}

function bruteForce(values: readonly number[], start: number, stop: number): { index: number; qhat: number } {
  let best = { index: -1, qhat: -Infinity };
  for (let tau = start + 1; tau < stop; tau++) {
    for (let kappa = tau + 1; kappa <= stop; kappa++) {
      const q = directQ(values, start, tau, kappa);
      if (q > best.qhat) best = { index: tau, qhat: q };
    }
  }
  return best;
}

describe('bestEnergySplit', () => {
  it('has no candidate in a segment of fewer than two points', () => {
    expect(bestEnergySplit([1, 2, 3], { start: 1, stop: 2 })).toBeUndefined();
    expect(bestEnergySplit([], { start: 0, stop: 0 })).toBeUndefined();
  });

  it('splits two points between them with Q̂ = |difference|', () => {
    expect(bestEnergySplit([3, 7.5], { start: 0, stop: 2 })).toEqual({ index: 1, qhat: 4.5 });
  });

  it('finds the step of a two-level series', () => {
    const values = [1, 1.1, 0.9, 1, 5, 5.1, 4.9, 5];
    expect(bestEnergySplit(values, { start: 0, stop: values.length })?.index).toBe(4);
  });

  it('only looks inside its segment, and reports absolute indexes', () => {
    const values = [100, -100, 1, 1, 1, 9, 9, 9, -50];
    expect(bestEnergySplit(values, { start: 2, stop: 8 })?.index).toBe(5);
  });

  it('prefers the smallest τ on ties (a constant segment gives its first inner index)', () => {
    expect(bestEnergySplit([4, 4, 4, 4], { start: 0, stop: 4 })).toEqual({ index: 1, qhat: 0 });
  });

  it('equals the term-by-term maximization of Q̂ (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 18 }).chain((values) =>
          fc.tuple(fc.constant(values), fc.integer({ min: 0, max: values.length - 2 })),
        ),
        ([values, start]) => {
          const stop = values.length;
          const fast = bestEnergySplit(values, { start, stop });
          const slow = bruteForce(values, start, stop);
          expect(fast).toBeDefined();
          expect(Math.abs(fast!.qhat - slow.qhat)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(slow.qhat)));
          // Exact ties may round differently; the chosen split must still reach the maximum.
          let bestAtChosen = -Infinity;
          for (let kappa = fast!.index + 1; kappa <= stop; kappa++) bestAtChosen = Math.max(bestAtChosen, directQ(values, start, fast!.index, kappa));
          expect(Math.abs(bestAtChosen - slow.qhat)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(slow.qhat)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('bestEnergySplitAcross', () => {
  it('takes the strongest candidate over the segments, the earliest on ties', () => {
    const values = [1, 1, 1, 1, 2, 2, 0, 0, 0, 10, 10, 10];
    const segments = [
      { start: 0, stop: 6 },
      { start: 6, stop: 12 },
    ];
    expect(bestEnergySplitAcross(values, segments)?.index).toBe(9);
    expect(bestEnergySplitAcross([5, 5, 5, 5], [{ start: 0, stop: 2 }, { start: 2, stop: 4 }])).toEqual({ index: 1, qhat: 0 });
  });

  it('has no candidate when every segment is a single point', () => {
    expect(bestEnergySplitAcross([1, 2], [{ start: 0, stop: 1 }, { start: 1, stop: 2 }])).toBeUndefined();
  });
});
