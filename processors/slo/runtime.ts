import { SloEngine } from '../../src/engine/slo-engine';
import { describeAlert } from '../../src/engine/describe-alert';
import type { ProcessorRuntime } from '../../src/service/runtime-factories';
import { registerSloMetrics } from '../../exporters/prometheus/slo-metrics';
import type { SloProcessorSettings } from './config';
import { startSloEvaluationLoop } from './evaluation-loop';
import { OtlpSloProcessor } from './otlp-slo-processor';
import { FailureCounter } from '../../src/logging/logger';

/**
 * The gateway's `slo` processor: one engine (and its metrics and evaluation
 * loop) per processor id, shared by every traces pipeline that lists it.
 */
export const sloProcessorRuntime: ProcessorRuntime = {
  kind: 'processor',
  type: 'slo',
  create(settings, _signal, next, context, shared) {
    const sloSettings = settings as SloProcessorSettings;
    let owner = false;
    if (shared.sloEngine === undefined) {
      owner = true;
      const listenerFailures = new FailureCounter(context.logger, `${context.id}: an SLO alert listener`);
      shared.sloEngine = new SloEngine(sloSettings.objectives, {
        clock: context.clock,
        onAlert: (event) => context.logger.info(describeAlert(event)),
        onError: (error) => listenerFailures.record(error),
      });
      registerSloMetrics(context.meter, shared.sloEngine);
    }
    const engine = shared.sloEngine;
    // The pipeline that created the engine drives its evaluation.
    const startLoop = owner ? () => startSloEvaluationLoop(engine, sloSettings.evaluationIntervalMs, context.logger) : undefined;
    return new OtlpSloProcessor(engine, next, context.logger, startLoop);
  },
};
