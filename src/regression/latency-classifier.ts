/**
 * What the regression engine needs from a two-sample classifier: the
 * Mann-Whitney U classifier of Netflix's Kayenta (src/stats/mann-whitney/
 * classify.ts) fits it, with its options bound by the caller. Declared here
 * structurally so the engine depends on the contract, and tests can pass a
 * double.
 *
 * Kayenta's semantics: `High` means the experiment is significantly higher
 * than the control beyond the tolerance, `Low` significantly lower, `Pass`
 * neither; for latency, High is a regression and Low an improvement. With
 * direction `increase`, a significant decrease is folded into Pass.
 */
export type ComparisonDirection = 'increase' | 'decrease' | 'either';

export interface LatencyComparison {
  /** `High`, `Low` or `Pass`; anything else is recorded as a pass. */
  readonly classification: string;
  /** Past the classifier's critical thresholds. */
  readonly critical: boolean;
  /** Experiment mean / control mean (Kayenta's mean ratio). */
  readonly effectSize: number;
  readonly pValue: number;
  /** Confidence interval of the location shift (experiment − control), in the samples' unit. */
  readonly confidenceInterval: readonly [number, number];
  /** Hodges–Lehmann estimate of the location shift. */
  readonly estimate: number;
  readonly controlCount: number;
  readonly experimentCount: number;
  readonly reason?: string;
}

/** Compares two samples of latencies (milliseconds). May be O(n log n); never called from a span callback. */
export type LatencyClassifier = (control: readonly number[], experiment: readonly number[], direction: ComparisonDirection) => LatencyComparison;
