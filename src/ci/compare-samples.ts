import { median } from 'simple-statistics';
import { classifyMannWhitney } from '../stats/mann-whitney/classify';
import type { CanaryClassification } from '../stats/mann-whitney/classify';
import { sampleMean } from '../stats/mann-whitney/effect-size';
import type { MetricSamples } from './samples-input';

/** Which way is good for every compared metric: `lower` for latencies and sizes, `higher` for throughputs. */
export type BetterDirection = 'lower' | 'higher';

/** What a classification means for the metric, given which way is better. */
export type CompareVerdict = 'regression' | 'improvement' | 'ok' | 'no data';

export interface CompareSamplesOptions {
  /** @default 'lower' */
  readonly better?: BetterDirection;
  /** The classifier's tolerance (fraction of the estimated shift the interval must clear). @default 0.25 */
  readonly tolerance?: number;
  /** @default 0.95 */
  readonly confidenceLevel?: number;
  /** Compare only these metrics (those in both files); empty or absent = every metric in both. */
  readonly metrics?: readonly string[];
}

export interface SampleSummary {
  readonly count: number;
  /** NaN for an empty sample. */
  readonly mean: number;
  /** NaN for an empty sample. */
  readonly median: number;
}

export interface MetricComparison {
  readonly metric: string;
  readonly baseline: SampleSummary;
  readonly current: SampleSummary;
  /** (mean current − mean baseline) / |mean baseline| × 100; NaN when the baseline mean is 0 or a sample is empty. */
  readonly changePercent: number;
  /** Current (experiment) against baseline (control), direction `either`. */
  readonly result: CanaryClassification;
  readonly verdict: CompareVerdict;
}

export interface CompareReport {
  readonly better: BetterDirection;
  readonly tolerance: number;
  readonly confidenceLevel: number;
  /** In the baseline file's order. */
  readonly comparisons: readonly MetricComparison[];
  /** Selected metrics present in the baseline only, or in the current file only: reported, not compared. */
  readonly onlyInBaseline: readonly string[];
  readonly onlyInCurrent: readonly string[];
  readonly regressions: number;
  readonly improvements: number;
}

/**
 * Judges every metric present in both sample sets with the Mann–Whitney
 * canary classifier: the current samples are the experiment, the baseline
 * the control. Both directions are classified so that improvements show
 * too; only a move in the bad direction is a regression.
 */
export function compareSamples(baseline: MetricSamples, current: MetricSamples, options: CompareSamplesOptions = {}): CompareReport {
  const better = options.better ?? 'lower';
  const tolerance = options.tolerance ?? 0.25;
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  const selected = options.metrics !== undefined && options.metrics.length > 0 ? new Set(options.metrics) : undefined;
  const wanted = (metric: string): boolean => selected === undefined || selected.has(metric);

  const comparisons: MetricComparison[] = [];
  const onlyInBaseline: string[] = [];
  for (const [metric, baselineValues] of baseline.metrics) {
    if (!wanted(metric)) continue;
    const currentValues = current.metrics.get(metric);
    if (currentValues === undefined) {
      onlyInBaseline.push(metric);
      continue;
    }
    const result = classifyMannWhitney(baselineValues, currentValues, 'either', { tolerance, confidenceLevel });
    const baselineSummary = summarize(baselineValues);
    const currentSummary = summarize(currentValues);
    comparisons.push({
      metric,
      baseline: baselineSummary,
      current: currentSummary,
      changePercent: baselineSummary.mean === 0 ? NaN : ((currentSummary.mean - baselineSummary.mean) / Math.abs(baselineSummary.mean)) * 100,
      result,
      verdict: verdictOf(result, better),
    });
  }
  const onlyInCurrent = [...current.metrics.keys()].filter((metric) => wanted(metric) && !baseline.metrics.has(metric));
  return {
    better,
    tolerance,
    confidenceLevel,
    comparisons,
    onlyInBaseline,
    onlyInCurrent,
    regressions: comparisons.filter((c) => c.verdict === 'regression').length,
    improvements: comparisons.filter((c) => c.verdict === 'improvement').length,
  };
}

function verdictOf(result: CanaryClassification, better: BetterDirection): CompareVerdict {
  switch (result.classification) {
    case 'High':
      return better === 'lower' ? 'regression' : 'improvement';
    case 'Low':
      return better === 'lower' ? 'improvement' : 'regression';
    case 'Pass':
      return 'ok';
    default:
      return 'no data';
  }
}

function summarize(values: readonly number[]): SampleSummary {
  if (values.length === 0) return { count: 0, mean: NaN, median: NaN };
  return { count: values.length, mean: sampleMean(values), median: median([...values]) };
}
