import { commonLanguageEffectSize, meanRatio } from './effect-size';
import type { EffectSizeMeasure } from './effect-size';
import { rankSumZScoreAtShift, wilcoxonRankSumTest } from './rank-sum-test';
import { standardNormalQuantile } from './normal-distribution';
import type { RankSumTestResult } from './rank-sum-test';
import { createSeededRandom, standardNormalDraw } from './seeded-random';
import type { UniformRandom } from './seeded-random';
import type { SortedSample } from './pairwise-differences';

/** Which change of a metric counts: `increase` can only be High, `decrease` only Low. */
export type MetricDirection = 'increase' | 'decrease' | 'either';

/**
 * - `Pass`: no significant shift beyond the tolerance (or not in the watched direction);
 * - `High` / `Low`: the experiment is significantly above / below the control;
 * - `Nodata`: a sample is empty;
 * - `NodataFailure`: a sample is empty and the metric requires data.
 */
export type CanaryClassificationLabel = 'Pass' | 'High' | 'Low' | 'Nodata' | 'NodataFailure';

export interface MannWhitneyClassifierOptions {
  /**
   * How far the confidence interval must clear 0, as a fraction of the
   * estimated shift: High needs CI lower > tolerance·|estimate|, Low needs
   * CI upper < −tolerance·|estimate|. Kayenta's default and Netflix's
   * production value. @default 0.25
   */
  readonly tolerance?: number;
  /** Confidence level of the interval, in (0, 1); Netflix's ACA judge uses 0.98. @default 0.95 */
  readonly confidenceLevel?: number;
  /**
   * [low, high]: High also needs effect size ≥ high, Low effect size ≤ low.
   * An effect size that cannot be computed (a mean of 0) skips this check.
   * @default [1, 1]
   */
  readonly effectSizeThresholds?: readonly [low: number, high: number];
  /**
   * [low, high]: for a critical metric, a High with effect size ≥ high or a
   * Low with effect size ≤ low is critical (fails the whole canary).
   * @default [1, 1]
   */
  readonly criticalThresholds?: readonly [low: number, high: number];
  /** @default 'meanRatio' */
  readonly effectSizeMeasure?: EffectSizeMeasure;
  /** Whether this metric can be critical (Kayenta's isCriticalMetric). @default false */
  readonly criticalMetric?: boolean;
  /** An empty sample is `NodataFailure` instead of `Nodata` (unless the metric is critical). @default false */
  readonly dataRequired?: boolean;
  /**
   * Uniform source for the noise added when both samples are constant.
   * @default a Mulberry32 generator seeded with DEFAULT_NOISE_SEED, fresh on every call, so results are reproducible
   */
  readonly random?: UniformRandom;
}

export interface CanaryClassification {
  readonly classification: CanaryClassificationLabel;
  /** A critical metric classified beyond its critical thresholds (or without data): fails the canary. */
  readonly critical: boolean;
  /** The configured measure (mean ratio or CLES); NaN when it cannot be computed. */
  readonly effectSize: number;
  /**
   * mean(experiment) / mean(control), what a report shows as the change
   * (Kayenta's "deviation"); NaN when a mean is 0, 1 when the samples are identical.
   */
  readonly meanRatio: number;
  /** Two-sided rank-sum p-value (normal approximation, tie-corrected); NaN without data. */
  readonly pValue: number;
  /** Confidence interval of the shift experiment − control; [NaN, NaN] without data. */
  readonly confidenceInterval: readonly [number, number];
  /** Hodges–Lehmann estimate of the shift experiment − control; NaN without data. */
  readonly estimate: number;
  readonly controlCount: number;
  readonly experimentCount: number;
  /** Why, in one sentence, for anything but a plain Pass. */
  readonly reason?: string;
}

/** Seed of the default noise generator. */
export const DEFAULT_NOISE_SEED = 0x5eed;

/** Noise standard deviation relative to a constant sample's value (Kayenta's scaling factor). */
const NOISE_SCALE = 1e-5;

/**
 * Kayenta's Mann–Whitney canary judge (spinnaker/kayenta,
 * MannWhitneyClassifier): is the experiment (canary, current) shifted
 * against the control (baseline)?
 *
 * 1. An empty sample: Nodata / NodataFailure.
 * 2. Identical samples (as multisets), or one distinct value overall: Pass.
 * 3. Both samples constant (but different): Gaussian noise with standard
 *    deviation 1e-5·value is added to each, because the interval of a
 *    fully tied pair of samples is degenerate.
 * 4. The Wilcoxon rank-sum confidence interval of the shift and its
 *    Hodges–Lehmann estimate (see `wilcoxonRankSumTest`).
 * 5. High when the direction allows an increase, CI lower > tolerance·|estimate|
 *    and the effect size reaches its high threshold; Low symmetrically; else Pass.
 *    The interval is a set of shifts the test does not reject; a bound equal
 *    to the margin clears it when the test rejects that shift itself. This
 *    settles zero-inflated samples (error counts: both mostly 0, so the
 *    interval and the estimate collapse onto 0), where R and Kayenta land a
 *    root-finder's tolerance to one side of 0 and report High when the
 *    experiment has significantly more non-zero values.
 * 6. A critical metric whose High/Low effect size is beyond the critical
 *    thresholds is critical.
 *
 * Time O((n + m) log(n + m) · log(n·m)), memory O(n + m) — no n·m table, so
 * reservoirs of thousands of values per side are cheap.
 * @throws RangeError on a non-finite value or an option out of range
 */
export function classifyMannWhitney(
  control: readonly number[],
  experiment: readonly number[],
  direction: MetricDirection,
  options: MannWhitneyClassifierOptions = {},
): CanaryClassification {
  const tolerance = options.tolerance ?? 0.25;
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  const [effectLow, effectHigh] = options.effectSizeThresholds ?? [1, 1];
  const [criticalLow, criticalHigh] = options.criticalThresholds ?? [1, 1];
  const measure = options.effectSizeMeasure ?? 'meanRatio';
  const criticalMetric = options.criticalMetric ?? false;
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new RangeError(`tolerance must be a finite number >= 0, got ${tolerance}`);
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new RangeError(`confidenceLevel must be in (0, 1), got ${confidenceLevel}`);
  for (const threshold of [effectLow, effectHigh, criticalLow, criticalHigh]) {
    if (Number.isNaN(threshold)) throw new RangeError('effect-size and critical thresholds must be numbers, got NaN');
  }
  let controlSample = sortedFiniteCopy(control, 'control');
  let experimentSample = sortedFiniteCopy(experiment, 'experiment');
  const counts = { controlCount: controlSample.length, experimentCount: experimentSample.length };

  if (controlSample.length === 0 || experimentSample.length === 0) {
    const which = controlSample.length === 0 ? (experimentSample.length === 0 ? 'both samples are' : 'the control is') : 'the experiment is';
    const failure = options.dataRequired === true && !criticalMetric;
    return {
      classification: failure ? 'NodataFailure' : 'Nodata',
      critical: !failure && criticalMetric,
      effectSize: NaN,
      meanRatio: NaN,
      pValue: NaN,
      confidenceInterval: [NaN, NaN],
      estimate: NaN,
      ...counts,
      reason: `no data: ${which} empty`,
    };
  }

  const identical = sameValues(controlSample, experimentSample);
  const oneValue = controlSample[0] === controlSample[controlSample.length - 1] && experimentSample[0] === experimentSample[experimentSample.length - 1];
  if (identical || (oneValue && controlSample[0] === experimentSample[0])) {
    // Nothing moved. The test is still well defined (σ > 0 unless every value is tied) and reported as is.
    const test = wilcoxonRankSumTest(experimentSample, controlSample, confidenceLevel);
    return {
      classification: 'Pass',
      critical: false,
      effectSize: measure === 'cles' ? 0.5 : 1,
      meanRatio: 1,
      pValue: test.pValue,
      confidenceInterval: test.confidenceInterval,
      estimate: test.estimate,
      ...counts,
      reason: identical ? 'the experiment and control values are identical' : 'every value is the same',
    };
  }
  if (oneValue) {
    const random = options.random ?? createSeededRandom(DEFAULT_NOISE_SEED);
    experimentSample = withGaussianNoise(experimentSample, random);
    controlSample = withGaussianNoise(controlSample, random);
  }

  const test = wilcoxonRankSumTest(experimentSample, controlSample, confidenceLevel);
  const ratio = meanRatio(controlSample, experimentSample);
  const effectSize = measure === 'cles' ? commonLanguageEffectSize(test.uStatistic, experimentSample.length, controlSample.length) : ratio;
  const margin = tolerance * Math.abs(test.estimate);
  const [lower, upper] = test.confidenceInterval;
  const zQuantile = standardNormalQuantile(1 - (1 - confidenceLevel) / 2);
  // A bound is a pairwise difference where the statistic jumps past the quantile. When it lands exactly
  // on the margin (typically 0 = 0 with zero-inflated samples, where most differences are 0), whether the
  // interval clears the margin depends on that very shift: it does when the test rejects it.
  const clearsAbove = lower > margin || (lower === margin && rankSumZScoreAtShift(experimentSample, controlSample, margin) > zQuantile);
  const clearsBelow = upper < -margin || (upper === -margin && rankSumZScoreAtShift(experimentSample, controlSample, -margin) < -zQuantile);
  // An effect size that cannot be computed does not veto (Kayenta: "the effect size comparison is ignored").
  const isHigh = direction !== 'decrease' && clearsAbove && (Number.isNaN(effectSize) || effectSize >= effectHigh);
  const isLow = !isHigh && direction !== 'increase' && clearsBelow && (Number.isNaN(effectSize) || effectSize <= effectLow);
  const critical =
    criticalMetric &&
    ((isHigh && (Number.isNaN(effectSize) || effectSize >= criticalHigh)) || (isLow && (Number.isNaN(effectSize) || effectSize <= criticalLow)));
  const base = { effectSize, meanRatio: ratio, pValue: test.pValue, confidenceInterval: test.confidenceInterval, estimate: test.estimate, ...counts };
  if (isHigh) return { classification: 'High', critical, ...base, reason: describeShift('High', test, confidenceLevel, margin, critical, oneValue) };
  if (isLow) return { classification: 'Low', critical, ...base, reason: describeShift('Low', test, confidenceLevel, margin, critical, oneValue) };
  return { classification: 'Pass', critical: false, ...base };
}

function sortedFiniteCopy(values: readonly number[], sampleName: string): SortedSample {
  const sample = new Float64Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as number;
    if (!Number.isFinite(value)) throw new RangeError(`${sampleName}[${index}] must be a finite number, got ${value}`);
    // −0 and +0 are the same value; typed-array sort would order them apart.
    sample[index] = value === 0 ? 0 : value;
  }
  return sample.sort();
}

function sameValues(left: SortedSample, right: SortedSample): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** A constant sample plus N(0, (1e-5·value)²) noise, sorted again. A sample of zeros stays zeros. */
function withGaussianNoise(sample: SortedSample, random: UniformRandom): SortedSample {
  const deviation = Math.abs(sample[0] as number) * NOISE_SCALE;
  return sample.map((value) => value + deviation * standardNormalDraw(random)).sort();
}

function describeShift(
  label: 'High' | 'Low',
  test: RankSumTestResult,
  confidenceLevel: number,
  margin: number,
  critical: boolean,
  noiseAdded: boolean,
): string {
  const [lower, upper] = test.confidenceInterval;
  const side = label === 'High' ? `above +${formatNumber(margin)}` : `below −${formatNumber(margin)}`;
  return (
    `${label}${critical ? ' (critical)' : ''}: the ${formatNumber(confidenceLevel * 100)}% confidence interval of the shift ` +
    `[${formatNumber(lower)}, ${formatNumber(upper)}] lies ${side} (tolerance × |estimate ${formatNumber(test.estimate)}|)` +
    (noiseAdded ? '; both samples were constant, tiny noise was added' : '')
  );
}

function formatNumber(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
