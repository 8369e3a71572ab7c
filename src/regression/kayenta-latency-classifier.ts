import { classifyMannWhitney } from '../stats/mann-whitney/classify';
import type { MannWhitneyClassifierOptions } from '../stats/mann-whitney/classify';
import type { LatencyClassifier } from './latency-classifier';

/**
 * Kayenta's Mann-Whitney U classifier (src/stats/mann-whitney/classify.ts)
 * as the regression engine calls it: the effect size is the mean ratio, and
 * latency is a critical metric, so a verdict beyond the critical thresholds
 * is marked critical. The options are bound once, at construction.
 */
export function kayentaLatencyClassifier(
  options: Pick<MannWhitneyClassifierOptions, 'tolerance' | 'confidenceLevel' | 'effectSizeThresholds' | 'criticalThresholds'>,
): LatencyClassifier {
  const bound: MannWhitneyClassifierOptions = { ...options, effectSizeMeasure: 'meanRatio', criticalMetric: true };
  return (control, experiment, direction) => classifyMannWhitney(control, experiment, direction, bound);
}
