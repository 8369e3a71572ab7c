import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankSumZScoreAtShift, wilcoxonRankSumTest } from '../../../src/stats/mann-whitney/rank-sum-test';
import { standardNormalCdf } from '../../../src/stats/mann-whitney/normal-distribution';

const sorted = (values: readonly number[]): Float64Array => Float64Array.from(values).sort();
/** −0 and +0 are the same shift; `toBe` tells them apart. */
const plusZero = (value: number): number => value + 0;

/*
 * Expected numbers below are derived by hand from the definitions R's
 * wilcox.test(x, y, conf.int = TRUE, exact = FALSE) uses (x = experiment):
 *   U = #{x > y} + ½·#{x = y},  σ² = n·m/12 · ((N + 1) − Σ(t³ − t)/(N(N − 1))),
 *   z = (U − n·m/2 − ½·sign(U − n·m/2)) / σ,  p = 2·Φ(−|z|);
 *   a bound is the shift d where (U(d) − n·m/2 ∓ ½)/σ₀ crosses ±z_q, U(d)
 *   counting the pairwise differences above d and σ₀ holding only the ties
 *   within each sample. Such a d is always a pairwise difference.
 */
describe('wilcoxonRankSumTest: hand-computed examples', () => {
  it('x = 4 5 6, y = 1 2 3: U = 9, p = 0.0809, and at 95 % the interval spans every difference', () => {
    // Differences: 1 2 2 3 3 3 4 4 5 (n·m = 9). No ties inside a sample: σ₀² = 9/12 · 7 = 5.25.
    // Every x beats every y: U = 9, U − 4.5 = 4.5, z = 4 / √5.25 = 1.74574, p = 2Φ(−1.74574) = 0.080856.
    // Lower bound at 95 % (z_q = 1.959964): needs c − 5 > 1.959964 · 2.291288 = 4.4909, c ≥ 10 > 9 pairs,
    // so f is never positive and the bound is the smallest difference, 1; symmetrically the upper is 5.
    const result = wilcoxonRankSumTest(sorted([4, 5, 6]), sorted([1, 2, 3]), 0.95);
    expect(result.uStatistic).toBe(9);
    expect(result.zScore).toBeCloseTo(4 / Math.sqrt(5.25), 14);
    expect(result.pValue).toBeCloseTo(0.0808555983700522, 12);
    expect(result.confidenceInterval).toEqual([1, 5]);
    expect(result.estimate).toBe(3);
  });

  it('x = 4 5 6, y = 1 2 3 at 50 %: the interval is [2, 4]', () => {
    // z_q = Φ⁻¹(0.75) = 0.674490; z_q·σ₀ = 0.674490 · 2.291288 = 1.54545.
    // Lower: smallest c with c − 4.5 − 0.5 > 1.54545 is c = 7 (c = 6 gives 1), i.e. 7 differences above d:
    //   the bound is the (9 − 7 + 1) = 3rd smallest difference, 2.
    // Upper: smallest c with c − 4.5 + 0.5 > −1.54545 is c = 3 (c = 2 gives −2): the 7th smallest, 4.
    const result = wilcoxonRankSumTest(sorted([4, 5, 6]), sorted([1, 2, 3]), 0.5);
    expect(result.confidenceInterval).toEqual([2, 4]);
  });

  it('x = 3 3 5 6, y = 1 2 2 4 at 80 %: ties inside each sample shrink σ₀, interval [1, 4]', () => {
    // Differences (16): −1 −1 1 1 1 1 1 2 2 2 3 3 4 4 4 5. Estimate: mean of the 8th and 9th = 2.
    // Ties: {3, 3} in x and {2, 2} in y, Σ(t³ − t) = 6 + 6 = 12, N = 8:
    //   σ₀² = 16/12 · (9 − 12/56) = 11.714286, σ₀ = 3.422614; z_q = Φ⁻¹(0.9) = 1.281552, z_q·σ₀ = 4.38625.
    // Lower: c − 8.5 > 4.38625 → c = 13 → the (16 − 13 + 1) = 4th smallest = 1.
    // Upper: c − 7.5 > −4.38625 → c = 4 → the 13th smallest = 4.
    // p: U = 3 + 3 + 4 + 4 = 14; pooled ties {2, 2}, {3, 3} give the same σ; z = 5.5 / 3.422614 = 1.606959.
    const result = wilcoxonRankSumTest(sorted([3, 3, 5, 6]), sorted([1, 2, 2, 4]), 0.8);
    expect(result.confidenceInterval).toEqual([1, 4]);
    expect(result.estimate).toBe(2);
    expect(result.uStatistic).toBe(14);
    expect(result.zScore).toBeCloseTo(5.5 / Math.sqrt((16 / 12) * (9 - 12 / 56)), 14);
    expect(result.pValue).toBeCloseTo(2 * standardNormalCdf(-1.606959), 6);
    expect(result.pValue).toBeCloseTo(0.1080634, 6);
    // At 95 % (z_q·σ₀ = 6.70821): lower c = 16 → 1st smallest −1; upper c = 1 → the 16th, 5.
    expect(wilcoxonRankSumTest(sorted([3, 3, 5, 6]), sorted([1, 2, 2, 4]), 0.95).confidenceInterval).toEqual([-1, 5]);
  });

  it('reports p = 1 and z = 0 when every value is tied', () => {
    const result = wilcoxonRankSumTest(sorted([7, 7]), sorted([7, 7, 7]), 0.95);
    expect(result.pValue).toBe(1);
    expect(result.zScore).toBe(0);
    expect(result.confidenceInterval).toEqual([0, 0]);
    expect(result.estimate).toBe(0);
  });

  it('rejects empty samples and confidence levels outside (0, 1)', () => {
    expect(() => wilcoxonRankSumTest(sorted([]), sorted([1]), 0.95)).toThrow(RangeError);
    expect(() => wilcoxonRankSumTest(sorted([1]), sorted([2]), 1)).toThrow(RangeError);
    expect(() => wilcoxonRankSumTest(sorted([1]), sorted([2]), 0)).toThrow(RangeError);
  });
});

describe('wilcoxonRankSumTest: properties', () => {
  const sample = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40 });

  it('the interval holds the estimate, widens with the confidence level, and mirrors when the samples swap', () => {
    fc.assert(
      fc.property(sample, sample, (experiment, control) => {
        const forward = wilcoxonRankSumTest(sorted(experiment), sorted(control), 0.9);
        const wider = wilcoxonRankSumTest(sorted(experiment), sorted(control), 0.99);
        const backward = wilcoxonRankSumTest(sorted(control), sorted(experiment), 0.9);
        const [lower, upper] = forward.confidenceInterval;
        expect(lower).toBeLessThanOrEqual(forward.estimate);
        expect(upper).toBeGreaterThanOrEqual(forward.estimate);
        expect(wider.confidenceInterval[0]).toBeLessThanOrEqual(lower);
        expect(wider.confidenceInterval[1]).toBeGreaterThanOrEqual(upper);
        expect(plusZero(backward.confidenceInterval[0])).toBe(plusZero(-upper));
        expect(plusZero(backward.confidenceInterval[1])).toBe(plusZero(-lower));
        expect(plusZero(backward.estimate)).toBe(plusZero(-forward.estimate));
        expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
        expect(backward.uStatistic).toBe(experiment.length * control.length - forward.uStatistic);
      }),
    );
  });

  it('rankSumZScoreAtShift(…, 0) is the test’s z and decreases as the shift grows', () => {
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -10, max: 10 }), (experiment, control, shift) => {
        const e = sorted(experiment);
        const c = sorted(control);
        expect(rankSumZScoreAtShift(e, c, 0)).toBeCloseTo(wilcoxonRankSumTest(e, c, 0.95).zScore, 12);
        expect(rankSumZScoreAtShift(e, c, shift + 1)).toBeLessThanOrEqual(rankSumZScoreAtShift(e, c, shift) + 1e-12);
      }),
    );
  });
});
