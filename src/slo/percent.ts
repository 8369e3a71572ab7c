/**
 * Conversions between the percent users write (99.9) and the ratio the
 * engine uses (0.999), exact as if written so: the decimal exponent is
 * shifted instead of dividing (99.9 / 100 is 0.9990000000000001).
 */
export function percentToRatio(percent: number): number {
  const [mantissa, exponent] = percent.toExponential().split('e');
  return Number(`${mantissa}e${Number(exponent) - 2}`);
}

/** 0.999 → 99.9 as written (0.999 × 100 may not be): the inverse of percentToRatio. */
export function ratioToPercent(ratio: number): number {
  const [mantissa, exponent] = ratio.toExponential().split('e');
  return Number(`${mantissa}e${Number(exponent) + 2}`);
}
