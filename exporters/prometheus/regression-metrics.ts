import type { Attributes, Meter } from '@opentelemetry/api';
import type { RegressionEngine } from '../../src/regression/regression-engine';
import { counter, gauge, registerBatchObservables } from './batch-observables';

/**
 * The deploy-regression metrics contract, as Prometheus shows it. Names
 * carry their unit and `_total` already, so the OpenTelemetry Prometheus
 * exporter leaves them as they are.
 *
 * Cardinality: at most one effect-size and one p-value series per key
 * (its latest verdict), at most two event series per key, one deploy and one
 * canary series per service; `max_keys` (at most 999) and `max_services`
 * (at most 1000) keep every instrument within the OpenTelemetry SDK's
 * default limit of 2000 series.
 */
export const REGRESSION_METRIC_NAMES = {
  events: 'slowatch_regression_events_total',
  effectSize: 'slowatch_regression_effect_size_ratio',
  pValue: 'slowatch_regression_p_value',
  deploys: 'slowatch_regression_deploys_total',
  canaryActive: 'slowatch_regression_canary_active',
  keys: 'slowatch_regression_keys',
  untrackedSpans: 'slowatch_regression_untracked_spans_total',
} as const;

/**
 * Publishes a regression engine through an OpenTelemetry Meter. Each
 * collection first runs the engine's evaluation (as the SLO metrics do), so
 * a scrape sees verdicts that are due, then observes every instrument from
 * one batch callback.
 *
 * @param processor the component id (`regression`, `regression/checkout`), the `processor` label of the engine-wide series
 */
export function registerRegressionMetrics(meter: Meter, engine: RegressionEngine, processor: string): void {
  const specs = {
    events: counter(REGRESSION_METRIC_NAMES.events, 'Deploy regressions and improvements of an operation latency, by outcome (regression or improvement).'),
    effectSize: gauge(REGRESSION_METRIC_NAMES.effectSize, 'Latest verdict per operation: mean latency of the new version divided by that of its baseline version.'),
    pValue: gauge(REGRESSION_METRIC_NAMES.pValue, 'Latest verdict per operation: p-value of the Mann-Whitney U test between baseline and new version latencies.'),
    deploys: counter(REGRESSION_METRIC_NAMES.deploys, 'New service.version values seen after the first one of a service.'),
    canaryActive: gauge(REGRESSION_METRIC_NAMES.canaryActive, '1 while the newest version of the service and the version it replaced both receive traffic, else 0.'),
    keys: gauge(REGRESSION_METRIC_NAMES.keys, 'Keys (service, operation, span kind) tracked by the regression processor, the overflow key excluded.'),
    untrackedSpans: counter(
      REGRESSION_METRIC_NAMES.untrackedSpans,
      'Spans not compared: no service.version (no_version), past max_services (service_limit) or max_keys (key_limit), or a negative duration (invalid_duration).',
    ),
  };
  registerBatchObservables(meter, specs, (result, m) => {
    engine.evaluate();
    engine.forEachKey((key) => {
      const base: Attributes = { service: key.service, operation: key.operation, span_kind: key.spanKind };
      if (key.regressions > 0) result.observe(m.events, key.regressions, { ...base, outcome: 'regression' });
      if (key.improvements > 0) result.observe(m.events, key.improvements, { ...base, outcome: 'improvement' });
      const verdict = key.latest;
      if (verdict === undefined) return;
      const labels: Attributes = {
        ...base,
        baseline_version: verdict.baselineVersion,
        version: verdict.version,
        outcome: verdict.outcome,
        canary: verdict.canary ? 'true' : 'false',
      };
      result.observe(m.effectSize, verdict.effectSize, labels);
      result.observe(m.pValue, verdict.pValue, labels);
    });
    engine.forEachService((service, concurrent) => {
      result.observe(m.deploys, service.deploys, { service: service.service });
      result.observe(m.canaryActive, concurrent ? 1 : 0, { service: service.service });
    });
    result.observe(m.keys, engine.keyCount, { processor });
    const untracked = engine.untracked;
    result.observe(m.untrackedSpans, untracked.noVersion, { processor, reason: 'no_version' });
    result.observe(m.untrackedSpans, untracked.serviceLimit, { processor, reason: 'service_limit' });
    result.observe(m.untrackedSpans, untracked.keyLimit, { processor, reason: 'key_limit' });
    result.observe(m.untrackedSpans, untracked.invalidDuration, { processor, reason: 'invalid_duration' });
  });
}
