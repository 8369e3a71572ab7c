import { logGamma } from './log-gamma';

/** Continued-fraction terms are summed until they change the result by less than this. */
const RELATIVE_EPSILON = 1e-16;
/** Below this a Lentz denominator counts as zero and is nudged (Numerical Recipes' FPMIN). */
const TINY = 1e-300;
/**
 * The fraction converges in O(√max(a, b)) terms (Numerical Recipes §6.4); 10 000
 * covers a, b up to ~1e7, i.e. Student t degrees of freedom far beyond any
 * benchmark history.
 */
const MAX_TERMS = 10_000;

/**
 * The regularized incomplete beta function I_x(a, b) for 0 ≤ x ≤ 1 and a, b > 0.
 *
 * Evaluated as in Numerical Recipes (3rd ed., §6.4 "Incomplete Beta Function"):
 * the prefactor x^a (1−x)^b / (a B(a, b)) times the continued fraction for
 * I_x(a, b), summed with the modified Lentz algorithm (Lentz 1976; Thompson &
 * Barnett 1986). The fraction converges fast for x < (a+1)/(a+b+2); above
 * that, the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) is used instead.
 *
 * `complement` is 1 − x supplied by the caller when it can compute it without
 * cancellation (e.g. t²/(ν+t²) for the Student t distribution): the tail
 * near x = 1 keeps its relative precision that way.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, complement: number = 1 - x): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return NaN;
  if (x === 0) return 0;
  if (complement <= 0) return 1;
  const logPrefactor = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(complement);
  const prefactor = Math.exp(logPrefactor);
  if (x < (a + 1) / (a + b + 2)) return (prefactor * betaContinuedFraction(x, a, b)) / a;
  return 1 - (prefactor * betaContinuedFraction(complement, b, a)) / b;
}

/**
 * The continued fraction 1/(1+ d1/(1+ d2/(1+ …))) of the incomplete beta
 * function, with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
 * d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)), by modified Lentz.
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const sum = a + b;
  const aPlusOne = a + 1;
  const aMinusOne = a - 1;
  let c = 1;
  let d = 1 - (sum * x) / aPlusOne;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let fraction = d;
  for (let m = 1; m <= MAX_TERMS; m++) {
    const twoM = 2 * m;
    // Even step: d_{2m}.
    let term = (m * (b - m) * x) / ((aMinusOne + twoM) * (a + twoM));
    d = 1 + term * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + term / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    fraction *= d * c;
    // Odd step: d_{2m+1}.
    term = (-(a + m) * (sum + m) * x) / ((a + twoM) * (aPlusOne + twoM));
    d = 1 + term * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + term / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < RELATIVE_EPSILON) return fraction;
  }
  return fraction;
}
