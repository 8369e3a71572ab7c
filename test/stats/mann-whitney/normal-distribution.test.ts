import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { standardNormalCdf, standardNormalQuantile } from '../../../src/stats/mann-whitney/normal-distribution';

describe('standardNormalCdf (Hart 5666 / West 2005)', () => {
  it('matches tabulated values to 1e-15 absolute', () => {
    // Reference values: Φ(z) = erfc(−z/√2)/2, to 17 significant digits.
    expect(standardNormalCdf(0)).toBe(0.5);
    expect(standardNormalCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    expect(standardNormalCdf(1.96)).toBeCloseTo(0.9750021048517795, 15);
    expect(standardNormalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 15);
    expect(standardNormalCdf(-3)).toBeCloseTo(0.0013498980316300933, 15);
    expect(standardNormalCdf(2.5)).toBeCloseTo(0.9937903346742238, 15);
  });

  it('keeps relative accuracy in the far tail (no 1 − Φ cancellation)', () => {
    expect(standardNormalCdf(-5) / 2.866515718791933e-7).toBeCloseTo(1, 9);
    expect(standardNormalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 7);
    expect(standardNormalCdf(-30) / 4.906713927147908e-198).toBeCloseTo(1, 10);
    expect(standardNormalCdf(-40)).toBe(0);
    expect(standardNormalCdf(40)).toBe(1);
    expect(standardNormalCdf(Number.NaN)).toBeNaN();
  });

  it('is symmetric: Φ(z) + Φ(−z) = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (z) => {
        expect(standardNormalCdf(z) + standardNormalCdf(-z)).toBeCloseTo(1, 14);
      }),
    );
  });
});

describe('standardNormalQuantile (Wichura AS 241)', () => {
  it('matches tabulated quantiles to a few ulps', () => {
    expect(standardNormalQuantile(0.5)).toBe(0);
    expect(standardNormalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(standardNormalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 14);
    expect(standardNormalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 14);
    expect(standardNormalQuantile(0.75)).toBeCloseTo(0.6744897501960817, 15);
    expect(standardNormalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 13);
    expect(standardNormalQuantile(1e-300)).toBeCloseTo(-37.0470962993612, 12);
  });

  it('handles the ends and invalid input', () => {
    expect(standardNormalQuantile(0)).toBe(-Infinity);
    expect(standardNormalQuantile(1)).toBe(Infinity);
    expect(standardNormalQuantile(-0.1)).toBeNaN();
    expect(standardNormalQuantile(1.1)).toBeNaN();
    expect(standardNormalQuantile(Number.NaN)).toBeNaN();
  });

  it('inverts the CDF across all three regions of the approximation', () => {
    fc.assert(
      // Up to z = 3 only: above, Φ(z) is 1 − (a tail smaller than 1e-3) and rounding to 1 dominates.
      fc.property(fc.double({ min: -8, max: 3, noNaN: true }), (z) => {
        const p = standardNormalCdf(z);
        // Below z = −5 Φ's relative error (≤ 1e-8) limits the round trip.
        expect(standardNormalQuantile(p)).toBeCloseTo(z, z < -5 ? 6 : 10);
      }),
    );
  });
});
