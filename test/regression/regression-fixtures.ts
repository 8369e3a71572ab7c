import { SpanSample, OtlpSpanKind } from '../../src/engine/span-sample';
import type { ComparisonDirection, LatencyClassifier, LatencyComparison } from '../../src/regression/latency-classifier';
import type { RegressionSpec } from '../../src/regression/regression-spec';

/** A spec with small numbers, so tests stay short; override what a test is about. */
export function regressionSpec(overrides: Partial<RegressionSpec> = {}): RegressionSpec {
  return {
    spanKinds: ['server'],
    services: [],
    minSamples: 20,
    reservoirSize: 100,
    windowMs: 30 * 60_000,
    warmupMs: 0,
    canaryWindowMs: 60_000,
    maxKeys: 100,
    maxServices: 10,
    maxVersions: 3,
    reportImprovements: true,
    ...overrides,
  };
}

export interface SpanShape {
  readonly service?: string;
  /** Absent: no service.version attribute. */
  readonly version?: string | number;
  readonly name?: string;
  readonly route?: string;
  readonly method?: string;
  readonly kind?: number;
  readonly ms: number;
}

/** A fresh SpanSample (the adapters reuse one; the engine must not care). */
export function span(shape: SpanShape): SpanSample {
  const sample = new SpanSample();
  sample.service = shape.service ?? 'shop';
  sample.kind = shape.kind ?? OtlpSpanKind.SERVER;
  sample.name = shape.name ?? 'GET';
  sample.durationMs = shape.ms;
  const attributes: Record<string, unknown> = {};
  if (shape.route !== undefined) {
    attributes['http.route'] = shape.route;
    attributes['http.request.method'] = shape.method ?? 'GET';
  }
  sample.attributes = attributes;
  sample.resourceAttributes = shape.version === undefined ? { 'service.name': sample.service } : { 'service.name': sample.service, 'service.version': shape.version };
  return sample;
}

export interface ClassifierCall {
  readonly control: readonly number[];
  readonly experiment: readonly number[];
  readonly direction: ComparisonDirection;
}

/**
 * A test double of the Mann-Whitney classifier: High when the experiment's
 * mean is more than 20 % above the control's, Low when more than 20 % below,
 * else Pass. Records every call (copies of the samples).
 */
export function meanRatioClassifier(): LatencyClassifier & { calls: ClassifierCall[] } {
  const calls: ClassifierCall[] = [];
  const classify = (control: readonly number[], experiment: readonly number[], direction: ComparisonDirection): LatencyComparison => {
    calls.push({ control: [...control], experiment: [...experiment], direction });
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(experiment) / mean(control);
    const classification = ratio > 1.2 && direction !== 'decrease' ? 'High' : ratio < 0.8 && direction !== 'increase' ? 'Low' : 'Pass';
    return {
      classification,
      critical: ratio > 2,
      effectSize: ratio,
      pValue: classification === 'Pass' ? 0.5 : 0.001,
      confidenceInterval: [mean(experiment) - mean(control) - 1, mean(experiment) - mean(control) + 1],
      estimate: mean(experiment) - mean(control),
      controlCount: control.length,
      experimentCount: experiment.length,
    };
  };
  return Object.assign(classify, { calls });
}
