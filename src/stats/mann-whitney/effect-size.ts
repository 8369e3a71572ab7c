/**
 * How big a shift is, next to whether it is significant. Kayenta's
 * `EffectSizes` offers the same two measures.
 */

/** Which effect size the classifier compares with its thresholds. */
export type EffectSizeMeasure = 'meanRatio' | 'cles';

/** Arithmetic mean; NaN for an empty sample. */
export function sampleMean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index] as number;
  return sum / values.length;
}

/**
 * mean(experiment) / mean(control): 1.2 means the experiment is 20 % higher
 * on average. NaN when either mean is 0, where a ratio says nothing (a
 * classifier then ignores the effect-size condition, as Kayenta does).
 */
export function meanRatio(control: ArrayLike<number>, experiment: ArrayLike<number>): number {
  const controlMean = sampleMean(control);
  const experimentMean = sampleMean(experiment);
  if (controlMean === 0 || experimentMean === 0) return NaN;
  return experimentMean / controlMean;
}

/**
 * The common language effect size, P(E > C) + ½·P(E = C) for a random
 * experiment value E and control value C (McGraw & Wong, 1992; with ties as
 * in A. Vargha & H. D. Delaney, 2000, "A critique and improvement of the CL
 * common language effect size statistics of McGraw and Wong", J. Educ.
 * Behav. Stat. 25(2)): the Mann–Whitney U of the experiment over n·m.
 * 0.5 = no effect, 1 = every experiment value is above every control value.
 */
export function commonLanguageEffectSize(experimentU: number, experimentCount: number, controlCount: number): number {
  return experimentU / (experimentCount * controlCount);
}
