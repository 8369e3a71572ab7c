import type { AnomalyEngine } from '../../src/engine/anomaly-engine';
import { describeAnomaly } from '../../src/engine/anomaly-event';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { ProcessorRuntime, SharedProcessorState } from '../../src/service/runtime-factories';
import { registerAnomalyMetrics } from '../../exporters/prometheus/baseline-metrics';
import { baselineEngineOf } from '../baseline/runtime';
import type { BaselineProcessorSettings } from '../baseline/config';
import { createAnomalyEngine } from './create-anomaly-engine';
import type { AnomalyProcessorSettings } from './config';
import { OtlpAnomalyProcessor } from './otlp-anomaly-processor';
import { SpanEnricher } from './span-enrichment';

/** The shared state of an `anomaly` processor id: its one engine. */
export interface AnomalySharedState extends SharedProcessorState {
  anomalyEngine?: AnomalyEngine;
}

/** Each event as one log line (start and end), as the SLO alerts are. */
export function logAnomaly(logger: Logger): (event: AnomalyEvent) => void {
  return (event) => logger.info(describeAnomaly(event));
}

/**
 * The gateway's `anomaly` processor: reads the engine of the baseline
 * processor its config names (found through the service's peers; the config
 * check guarantees it is a baseline listed before this processor in the same
 * pipeline), reports anomalies as log lines, metrics and recent events, and
 * stamps forwarded spans.
 */
export const anomalyProcessorRuntime: ProcessorRuntime = {
  kind: 'processor',
  type: 'anomaly',
  create(settings, _signal, next, context, shared, peers) {
    const anomalySettings = settings as AnomalyProcessorSettings;
    const peer = peers(anomalySettings.baselineId);
    if (peer === undefined || peer.type !== 'baseline') {
      throw new Error(`${context.id}: baseline processor "${anomalySettings.baselineId}" is not defined`);
    }
    const baseline: BaselineEngine = baselineEngineOf(peer.shared, peer.settings as BaselineProcessorSettings, peer.context);
    const state = shared as AnomalySharedState;
    if (state.anomalyEngine === undefined) {
      const failures = new FailureCounter(context.logger, `${context.id}: anomaly listener`);
      state.anomalyEngine = createAnomalyEngine(baseline, anomalySettings, {
        onAnomaly: logAnomaly(context.logger),
        onError: (error) => failures.record(error),
      });
      registerAnomalyMetrics(context.meter, state.anomalyEngine, baseline, context.id);
    }
    const enricher = anomalySettings.enrichSpans ? new SpanEnricher(baseline, state.anomalyEngine) : undefined;
    return new OtlpAnomalyProcessor(enricher, next, context.logger);
  },
};
