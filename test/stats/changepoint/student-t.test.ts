import { describe, expect, it } from 'vitest';
import { regularizedIncompleteBeta } from '../../../src/stats/changepoint/incomplete-beta';
import { logGamma } from '../../../src/stats/changepoint/log-gamma';
import { studentTTwoSidedPValue } from '../../../src/stats/changepoint/student-t';
import { studentTTest } from '../../../src/stats/changepoint/two-sample-t-test';

/** Reference values from scipy 1.17 (stats.t.sf, special.betainc, math.lgamma, ttest_ind_from_stats). */
function expectRelative(actual: number, expected: number, relative: number): void {
  if (expected === 0) {
    expect(Math.abs(actual)).toBeLessThan(relative);
    return;
  }
  expect(Math.abs(actual - expected) / Math.abs(expected), `got ${actual}, expected ${expected}`).toBeLessThan(relative);
}

describe('logGamma', () => {
  it.each([
    [0.5, 0.5723649429247004],
    [1.5, -0.12078223763524543],
    [3.7, 1.4280723266653883],
    [10, 12.801827480081467],
    [171.3, 708.114947038997],
    [1e5, 1051287.7089736566],
  ])('ln Γ(%f)', (x, expected) => expectRelative(logGamma(x), expected, 1e-13));

  it('is 0 at 1 and 2 and NaN outside its domain', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-14);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-14);
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1)).toBeNaN();
  });

  it('handles x < 0.5 by reflection', () => {
    // Γ(0.25) = 3.625609908221908
    expectRelative(logGamma(0.25), Math.log(3.625609908221908), 1e-13);
  });
});

describe('regularizedIncompleteBeta', () => {
  it.each([
    [0.3, 2, 3, 0.34829999999999994],
    [0.9, 0.5, 0.5, 0.7951672353008665],
    [0.01, 50, 0.5, 7.998227417904836e-102],
    [0.999, 200, 0.5, 0.5272441070252349],
    [0.5, 10, 10, 0.5],
  ])('I_%f(%f, %f)', (x, a, b, expected) => expectRelative(regularizedIncompleteBeta(x, a, b), expected, 1e-12));

  it('is 0 at x = 0, 1 at x = 1, NaN for bad parameters', () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(regularizedIncompleteBeta(0.5, 0, 3)).toBeNaN();
    expect(regularizedIncompleteBeta(1.5, 2, 3)).toBeNaN();
  });
});

describe('studentTTwoSidedPValue', () => {
  it.each([
    [0, 5, 1],
    [0.5, 1, 0.7048327646991335],
    [1.2, 3, 0.31626211469810517],
    [2.5, 10, 0.03144684423660882],
    [-3.1, 28, 0.004379740598972063],
    [10, 58, 3.1040899884616043e-14],
    [40, 120, 3.1336483986165005e-71],
    [1e-3, 1000, 0.9992023150184528],
    [5, 2, 0.037749551350623724],
    [17.3, 3000, 5.422695103462736e-64],
  ])('t = %f, ν = %f', (t, df, expected) => expectRelative(studentTTwoSidedPValue(t, df), expected, 1e-10));

  it('gives 0 for an infinite t and NaN for NaN or no degrees of freedom', () => {
    expect(studentTTwoSidedPValue(Infinity, 4)).toBe(0);
    expect(studentTTwoSidedPValue(-Infinity, 4)).toBe(0);
    expect(studentTTwoSidedPValue(NaN, 4)).toBeNaN();
    expect(studentTTwoSidedPValue(1, 0)).toBeNaN();
  });
});

describe('studentTTest', () => {
  it('matches scipy ttest_ind_from_stats (equal variances)', () => {
    const result = studentTTest({ count: 5, mean: 10, stdDev: 1 }, { count: 7, mean: 12, stdDev: 2 });
    expect(result.degreesOfFreedom).toBe(10);
    expectRelative(result.tStatistic, -2.041241452319315, 1e-13);
    expectRelative(result.pValue, 0.06850496203423924, 1e-10);
  });

  it('says nothing (p = 1) without degrees of freedom', () => {
    expect(studentTTest({ count: 1, mean: 1, stdDev: 0 }, { count: 1, mean: 5, stdDev: 0 })).toEqual({
      tStatistic: 0,
      degreesOfFreedom: 0,
      pValue: 1,
    });
  });

  it('gives p = 0 for different constant sides and NaN for identical ones', () => {
    expect(studentTTest({ count: 3, mean: 1, stdDev: 0 }, { count: 3, mean: 2, stdDev: 0 }).pValue).toBe(0);
    expect(studentTTest({ count: 3, mean: 1, stdDev: 0 }, { count: 3, mean: 1, stdDev: 0 }).pValue).toBeNaN();
  });
});
