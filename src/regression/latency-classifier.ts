import type { CanaryClassification, MetricDirection } from '../stats/mann-whitney/classify';

/**
 * What the regression engine needs from a two-sample classifier: the
 * Mann-Whitney U classifier of Netflix's Kayenta (src/stats/mann-whitney/
 * classify.ts) fits it, with its options bound by the caller. The engine
 * depends on this contract, not on the classifier, so tests can pass a
 * double.
 *
 * Kayenta's semantics: `High` means the experiment is significantly higher
 * than the control beyond the tolerance, `Low` significantly lower, `Pass`
 * neither; for latency, High is a regression and Low an improvement. With
 * direction `increase`, a significant decrease is folded into Pass.
 */
export type ComparisonDirection = MetricDirection;

/** The part of the classifier's verdict the engine records and reports. */
export type LatencyComparison = Pick<
  CanaryClassification,
  'classification' | 'critical' | 'effectSize' | 'pValue' | 'confidenceInterval' | 'estimate' | 'controlCount' | 'experimentCount' | 'reason'
>;

/** Compares two samples of latencies (milliseconds). May be O(n log n); never called from a span callback. */
export type LatencyClassifier = (control: readonly number[], experiment: readonly number[], direction: ComparisonDirection) => LatencyComparison;
