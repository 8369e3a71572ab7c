// The soak run's verdict: is memory still growing once the process has warmed up?
//
// Pure: no I/O, no clock; times are parameters (seconds since the run started).
//
// Method: ordinary least squares of the value (RSS, MB) on time over the
// second half of the samples taken after the warm-up, the slope's standard
// error from the residuals (the textbook simple-regression formula,
// se(b) = sqrt(SSR / (n − 2) / Sxx)), and a two-sided confidence interval
// b ± t(1 − α/2, n − 2) · se(b). The Student t quantile comes from the
// Cornish–Fisher expansion of t in the normal quantile (Abramowitz & Stegun
// 26.7.5), accurate to about 1e-3 for 3 or more degrees of freedom, which is
// plenty for a tolerance check. The normal quantile is Acklam's rational
// approximation (relative error about 1e-9; simple-statistics' probit is off
// by about 3e-3 at 0.975, too coarse for the t table's second decimal).
//
// The verdict passes ("no upward trend") when even the interval's upper bound,
// sustained over the whole measured run (post warm-up), would add less than
// the tolerance: max(tolerancePercent % of the window's mean, toleranceMb).
// A flat but noisy series passes only when it is long or quiet enough for the
// interval to be narrow; a leak of a few MB per minute fails because its
// slope's lower bound alone is already above zero and the upper bound times
// the run length exceeds the tolerance. The verdict can therefore fail for
// lack of evidence ("inconclusive" runs fail too): a short run proves less.
// A pass whose interval lies wholly above zero is labelled "growth within
// tolerance": the growth is real but, over a run this long, smaller than the
// tolerance; a longer soak is what would tell whether it levels off.
import { linearRegression, mean } from 'simple-statistics';

// Acklam's coefficients for the normal quantile.
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Standard normal quantile for p in (0, 1). */
export function normalQuantile(p) {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const tail = (q) => (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  if (p < P_LOW) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - P_LOW) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** @typedef {{ tSec: number, value: number }} TrendSample */

/** Two-sided t quantile for probability p (e.g. 0.975) and `df` degrees of freedom (df ≥ 1). */
export function studentTQuantile(p, df) {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(df >= 1)) throw new RangeError(`df must be >= 1, got ${df}`);
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z2 + 1) * z / 4;
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/**
 * Least-squares slope of `samples` (value per second) with its confidence
 * interval. Needs at least 4 samples at 2 or more distinct times; returns
 * undefined otherwise.
 * @param {readonly TrendSample[]} samples
 * @param {number} [confidence=0.95]
 */
export function slopeWithInterval(samples, confidence = 0.95) {
  const n = samples.length;
  if (n < 4) return undefined;
  const meanT = mean(samples.map((s) => s.tSec));
  let sxx = 0;
  for (const s of samples) sxx += (s.tSec - meanT) ** 2;
  if (sxx === 0) return undefined;
  const { m: slope, b: intercept } = linearRegression(samples.map((s) => [s.tSec, s.value]));
  let ssr = 0;
  for (const s of samples) ssr += (s.value - (intercept + slope * s.tSec)) ** 2;
  const df = n - 2;
  const standardError = Math.sqrt(ssr / df / sxx);
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  return { n, slope, intercept, standardError, t, lower: slope - t * standardError, upper: slope + t * standardError, confidence };
}

/**
 * The verdict on one series.
 * @param {readonly TrendSample[]} samples every sample of the run, in time order
 * @param {{ warmupSec: number, tolerancePercent?: number, toleranceMb?: number, confidence?: number }} options
 *   warmupSec: samples before it are left out; tolerancePercent (default 5) of the
 *   window's mean; toleranceMb (default 5): the tolerance is the larger of the two.
 */
export function memoryTrendVerdict(samples, { warmupSec, tolerancePercent = 5, toleranceMb = 5, confidence = 0.95 }) {
  const measured = samples.filter((s) => s.tSec >= warmupSec && Number.isFinite(s.value));
  const base = { warmupSec, measuredSamples: measured.length, tolerancePercent, toleranceMb, confidence };
  if (measured.length < 8) return { ...base, verdict: 'too few samples', pass: false };
  const first = measured[0].tSec;
  const last = measured[measured.length - 1].tSec;
  const runSec = last - first;
  const midSec = first + runSec / 2;
  const window = measured.filter((s) => s.tSec >= midSec);
  const fit = slopeWithInterval(window, confidence);
  if (fit === undefined) return { ...base, verdict: 'too few samples', pass: false };
  const windowMean = mean(window.map((s) => s.value));
  const tolerance = Math.max((tolerancePercent / 100) * windowMean, toleranceMb);
  const projectedUpper = fit.upper * runSec;
  const pass = projectedUpper < tolerance;
  return {
    ...base,
    runSec,
    windowFromSec: midSec,
    windowToSec: last,
    windowSamples: window.length,
    windowMean,
    slopePerMin: fit.slope * 60,
    slopePerMinLower: fit.lower * 60,
    slopePerMinUpper: fit.upper * 60,
    projectedGrowthOverRun: fit.slope * runSec,
    projectedGrowthUpperOverRun: projectedUpper,
    tolerance,
    // A pass whose interval lies above zero is growth too small to matter over this run, and says so.
    verdict: pass ? (fit.lower > 0 ? 'growth within tolerance' : 'no upward trend') : fit.lower > 0 ? 'upward trend' : 'inconclusive (interval too wide)',
    pass,
  };
}
