import type { Meter } from '@opentelemetry/api';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { Clock } from '../../src/clock';
import type { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { baselineMetricViews, registerAnomalyMetrics, registerBaselineMetrics } from '../../exporters/prometheus/baseline-metrics';
import type { AnomalyProcessorSettings } from '../anomaly/config';
import { createAnomalyEngine } from '../anomaly/create-anomaly-engine';
import { logAnomaly } from '../anomaly/runtime';
import { BaselineSpanProcessor } from './baseline-span-processor';
import type { BaselineProcessorSettings } from './config';
import { createBaselineEngine } from './create-baseline-engine';

/** What the agent runs for the `baseline` (and `anomaly`) processors of its config. */
export interface AgentBaseline {
  readonly engine: BaselineEngine;
  readonly anomaly: AnomalyEngine | undefined;
  /** Goes into the SDK's span processors. */
  readonly spanProcessor: BaselineSpanProcessor;
  /** Goes into the MeterProvider's views. */
  readonly views: readonly ViewOptions[];
  /** Publishes the metrics, once the SDK's meter exists. */
  registerMetrics(meter: Meter): void;
}

export interface AgentBaselineOptions {
  readonly baseline: BaselineProcessorSettings;
  readonly anomaly?: AnomalyProcessorSettings | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every anomaly event, besides its log line. */
  readonly onAnomaly?: ((event: AnomalyEvent) => void) | undefined;
}

/**
 * The agent's baseline and anomaly engines, built from the settings the
 * config's traces pipeline gives: an SDK span processor feeds the baseline
 * on every finished span (with its roll-up timer); the anomaly engine, when
 * configured, reports events as log lines and to `onAnomaly`. The agent
 * forwards no spans of its own, so there is no enrichment here.
 */
export function createAgentBaseline(options: AgentBaselineOptions): AgentBaseline {
  const { logger } = options;
  const rollUpFailures = new FailureCounter(logger, 'baseline roll-up');
  const engine = createBaselineEngine(options.baseline, { clock: options.clock, onError: (error) => rollUpFailures.record(error) });
  let anomaly: AnomalyEngine | undefined;
  if (options.anomaly !== undefined) {
    const log = logAnomaly(logger);
    const listenerFailures = new FailureCounter(logger, 'anomaly listener');
    const onAnomaly = options.onAnomaly;
    anomaly = createAnomalyEngine(engine, options.anomaly, {
      onAnomaly: (event) => {
        log(event);
        onAnomaly?.(event);
      },
      onError: (error) => listenerFailures.record(error),
    });
  }
  const spanProcessor = new BaselineSpanProcessor({ engine, logger });
  return {
    engine,
    anomaly,
    spanProcessor,
    views: baselineMetricViews([options.baseline.maxKeys]),
    registerMetrics(meter) {
      registerBaselineMetrics(meter, engine, 'baseline');
      if (anomaly !== undefined) registerAnomalyMetrics(meter, anomaly, engine, 'anomaly');
    },
  };
}
