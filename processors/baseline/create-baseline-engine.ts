import type { Clock } from '../../src/clock';
import { DEFAULT_ANOMALY_DETECTOR_OPTIONS } from '../../src/anomaly/anomaly-detector-options';
import type { AnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { createAnomalyDetector } from '../../src/anomaly/create-anomaly-detector';
import type { DetectorFactory } from '../../src/baseline/baseline-model';
import type { BaselineSignal } from '../../src/baseline/baseline-signal';
import { SIGNAL_INFO, SignalIndex } from '../../src/baseline/baseline-signal';
import { BaselineEngine } from '../../src/engine/baseline-engine';
import type { BaselineProcessorSettings } from './config';

/** The detector can only start from a median of at least this many values. */
const MIN_WARMUP_INTERVALS = 3;

/**
 * The detector options of one signal: the processor's settings, plus what
 * depends on the signal (its direction, its unit's absolute floor, whether
 * the span count backs the value).
 */
export function detectorOptionsFor(signal: BaselineSignal, settings: BaselineProcessorSettings): AnomalyDetectorOptions {
  const info = SIGNAL_INFO[SignalIndex[signal]]!;
  const minAbsoluteChange = info.unit === 'ms' ? settings.minLatencyChangeMs : info.unit === 'ratio' ? settings.minErrorRatioChange : settings.minThroughputChange;
  return {
    intervalMs: settings.intervalMs,
    historyMs: settings.historyMs,
    warmupIntervals: Math.max(MIN_WARMUP_INTERVALS, Math.ceil(settings.coldStartMs / settings.intervalMs)),
    warmupMs: settings.coldStartMs,
    sustainIntervals: settings.sustainIntervals,
    minCount: settings.minCount,
    minRelativeChange: settings.minRelativeChange,
    minAbsoluteChange,
    direction: info.direction,
    dailySeasonality: settings.dailySeasonality,
    weeklySeasonality: settings.weeklySeasonality,
    noveltyWindow: settings.noveltyWindow,
    // Ratios backed by n spans carry binomial sampling noise: one failure in
    // 50 spans on an operation that never fails is not an anomaly.
    valueKind: info.unit === 'ratio' ? 'ratio' : 'level',
    // Latency and throughput scale multiplicatively (a +30 % shift also widens the daily swing by 30 %):
    // modelled in log space they re-baseline once instead of re-alerting later in the day. Ratios stay linear.
    scale: info.unit === 'ratio' ? 'linear' : 'log',
  };
}

/** createAnomalyDetector with each signal's options, decided once per signal (not per key). */
export function detectorFactoryFor(settings: BaselineProcessorSettings): DetectorFactory {
  const bySignal = new Map(settings.signals.map((signal) => [signal, detectorOptionsFor(signal, settings)] as const));
  return (signal) => createAnomalyDetector(bySignal.get(signal) ?? detectorOptionsFor(signal, settings));
}

export interface CreateBaselineEngineOptions {
  readonly clock: Clock;
  /** Failures inside the roll-up. */
  readonly onError?: (error: unknown) => void;
  /** @default detectorFactoryFor(settings) */
  readonly createDetector?: DetectorFactory;
}

/** The engine a `baseline` processor runs, from its settings: the one place settings become engine options. */
export function createBaselineEngine(settings: BaselineProcessorSettings, options: CreateBaselineEngineOptions): BaselineEngine {
  return new BaselineEngine({
    clock: options.clock,
    intervalMs: settings.intervalMs,
    maxKeys: settings.maxKeys,
    spanKinds: settings.spanKinds,
    idleMs: settings.idleTimeoutMs,
    model: {
      modelledSignals: settings.signals,
      createDetector: options.createDetector ?? detectorFactoryFor(settings),
      exemplars: settings.exemplars,
      // The detectors run with the default clearIntervals (detectorOptionsFor sets none): a silent key's anomaly ends after as many empty intervals.
      emptyIntervalsToEndAnomaly: DEFAULT_ANOMALY_DETECTOR_OPTIONS.clearIntervals,
    },
    ...(options.onError !== undefined && { onError: options.onError }),
  });
}
