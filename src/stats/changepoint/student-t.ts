import { regularizedIncompleteBeta } from './incomplete-beta';

/**
 * Two-sided p-value of a Student t statistic: P(|T| ≥ |t|) for T with
 * `degreesOfFreedom` ν > 0, i.e. I_{ν/(ν+t²)}(ν/2, 1/2) (Abramowitz & Stegun
 * 26.7.1 with 26.5.27). Both arguments of the incomplete beta are computed
 * without cancellation, so tiny p-values (1e-60 and below, as a clean
 * performance step gives) keep their relative precision.
 *
 * t = ±∞ (a difference of means with zero spread) gives 0, as scipy does;
 * NaN (no difference and no spread) gives NaN.
 */
export function studentTTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (Number.isNaN(t) || !(degreesOfFreedom > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const tSquared = t * t;
  const denominator = degreesOfFreedom + tSquared;
  return regularizedIncompleteBeta(degreesOfFreedom / denominator, degreesOfFreedom / 2, 0.5, tSquared / denominator);
}
