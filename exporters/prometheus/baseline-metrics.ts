import type { Attributes, Meter } from '@opentelemetry/api';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { BASELINE_SIGNALS, LATENCY_SIGNALS, SIGNAL_COUNT, SIGNAL_INFO, SignalIndex } from '../../src/baseline/baseline-signal';
import type { BaselineSeries } from '../../src/baseline/baseline-series';
import type { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { counter, gauge, registerBatchObservables } from './batch-observables';

/**
 * The baseline and anomaly metrics contract, as Prometheus shows it. Names
 * carry their unit (seconds, ratio, per second) and `_total` already, so
 * the OpenTelemetry Prometheus exporter leaves them as they are.
 *
 * Per-key series carry `service`, `operation` and `span_kind`; anomaly
 * series add `signal`. Latency baselines are told apart by `percentile`
 * (`50`, `90`, `95`, `99`), not `quantile`: Prometheus reserves that label
 * for summaries, and promtool refuses it on a gauge. A series appears once its key has a baseline for
 * that signal (after the cold start). Engine-wide series carry `processor`,
 * the component id.
 */
export const BASELINE_METRIC_NAMES = {
  latency: 'slowatch_baseline_latency_seconds',
  errorRatio: 'slowatch_baseline_error_ratio',
  throughput: 'slowatch_baseline_spans_per_second',
  keys: 'slowatch_baseline_keys',
} as const;

export const ANOMALY_METRIC_NAMES = {
  score: 'slowatch_anomaly_score',
  active: 'slowatch_anomaly_active',
  events: 'slowatch_anomaly_events_total',
} as const;

/**
 * Views that let every key's series through the OpenTelemetry SDK (its
 * default cardinality limit is 2000 points per instrument): the engines'
 * own key caps bound them. The largest instrument has one point per key and
 * signal (six signals), plus the SDK's own overflow slot. Never below the
 * SDK's default.
 *
 * @param maxKeys max_keys of every baseline processor in use
 */
export function baselineMetricViews(maxKeys: readonly number[]): ViewOptions[] {
  const points = maxKeys.reduce((n, keys) => n + (keys + 1) * SIGNAL_COUNT, 0);
  const aggregationCardinalityLimit = Math.max(2000, points + 1);
  return [
    { instrumentName: 'slowatch_baseline_*', aggregationCardinalityLimit },
    { instrumentName: 'slowatch_anomaly_*', aggregationCardinalityLimit },
  ];
}

function keyLabels(series: BaselineSeries): Attributes {
  const { service, operation, spanKind } = series.labels;
  return { service, operation, span_kind: spanKind };
}

const MS_PER_SECOND = 1000;

/**
 * Publishes a baseline engine's baselines: each latency quantile's baseline
 * in seconds (`percentile` = 50, 90, 95, 99), the error ratio's and the
 * throughput's, and the number of keys learning or ready.
 *
 * @param processor the component id (`baseline`, `baseline/checkout`)
 */
export function registerBaselineMetrics(meter: Meter, engine: BaselineEngine, processor: string): void {
  const specs = {
    latency: gauge(BASELINE_METRIC_NAMES.latency, 'Baseline (expected value) of a latency quantile of the operation, in seconds.'),
    errorRatio: gauge(BASELINE_METRIC_NAMES.errorRatio, 'Baseline (expected value) of the share of failed spans of the operation.'),
    throughput: gauge(BASELINE_METRIC_NAMES.throughput, 'Baseline (expected value) of the spans per second of the operation.'),
    keys: gauge(BASELINE_METRIC_NAMES.keys, 'Keys (service, operation, span kind) tracked, by state: learning (cold start) or ready (has a baseline).'),
  };
  const percentileLabel = LATENCY_SIGNALS.map((s) => String(Math.round((SIGNAL_INFO[SignalIndex[s]]?.quantile ?? 0) * 100)));

  registerBatchObservables(meter, specs, (result, m) => {
    // A scrape sees the intervals that are due, as the SLO metrics evaluate first.
    engine.rollUp();
    let ready = 0;
    let learning = 0;
    engine.forEach((series) => {
      if (!series.hasAnyBaseline) {
        learning++;
        return;
      }
      ready++;
      const base = keyLabels(series);
      for (let q = 0; q < LATENCY_SIGNALS.length; q++) {
        const s = SignalIndex[LATENCY_SIGNALS[q]!];
        if (series.hasBaseline(s)) result.observe(m.latency, series.baseline(s) / MS_PER_SECOND, { ...base, percentile: percentileLabel[q] });
      }
      if (series.hasBaseline(SignalIndex.error_ratio)) result.observe(m.errorRatio, series.baseline(SignalIndex.error_ratio), base);
      if (series.hasBaseline(SignalIndex.throughput)) result.observe(m.throughput, series.baseline(SignalIndex.throughput), base);
    });
    result.observe(m.keys, learning, { processor, state: 'learning' });
    result.observe(m.keys, ready, { processor, state: 'ready' });
  });
}

/**
 * Publishes an anomaly engine's state: the latest score and whether an
 * anomaly is open, per key and watched signal, and the events counted.
 *
 * @param processor the component id (`anomaly`, `anomaly/checkout`)
 */
export function registerAnomalyMetrics(meter: Meter, engine: AnomalyEngine, baseline: BaselineEngine, processor: string): void {
  const specs = {
    score: gauge(ANOMALY_METRIC_NAMES.score, 'Latest anomaly score of the signal of the operation, 0 (normal) to 1; 0.5 and above is anomalous evidence.'),
    active: gauge(ANOMALY_METRIC_NAMES.active, '1 while an anomaly is open on the signal of the operation, else 0.'),
    events: counter(ANOMALY_METRIC_NAMES.events, 'Anomaly events reported, by signal and edge (start or end).'),
  };
  const watched = BASELINE_SIGNALS.map((_, s) => engine.watches(s));

  registerBatchObservables(meter, specs, (result, m) => {
    baseline.rollUp();
    baseline.forEach((series) => {
      if (!series.hasAnyBaseline) return;
      const base = keyLabels(series);
      for (let s = 0; s < SIGNAL_COUNT; s++) {
        if (watched[s] !== true || !series.hasBaseline(s)) continue;
        const labels: Attributes = { ...base, signal: BASELINE_SIGNALS[s] };
        result.observe(m.score, series.score(s), labels);
        result.observe(m.active, engine.isActiveOn(series, s) ? 1 : 0, labels);
      }
    });
    for (const signal of engine.signals) {
      result.observe(m.events, engine.startCount(signal), { processor, signal, edge: 'start' });
      result.observe(m.events, engine.endCount(signal), { processor, signal, edge: 'end' });
    }
  });
}
