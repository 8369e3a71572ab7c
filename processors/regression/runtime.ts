import type { RegressionEngine } from '../../src/regression/regression-engine';
import type { ProcessorRuntime, SharedProcessorState } from '../../src/service/runtime-factories';
import { registerRegressionMetrics } from '../../exporters/prometheus/regression-metrics';
import type { RegressionProcessorSettings } from './config';
import { createRegressionEngine } from './create-regression-engine';
import { startRegressionEvaluationLoop } from './evaluation-loop';
import { OtlpRegressionProcessor } from './otlp-regression-processor';

/** The shared state of a `regression` processor id: its one engine. */
export interface RegressionSharedState extends SharedProcessorState {
  regressionEngine?: RegressionEngine;
}

/**
 * The gateway's `regression` processor: one engine (with its metrics and
 * evaluation loop) per processor id; checkGatewayConfig keeps each id in
 * one pipeline. Spans are sampled after the rest of the pipeline accepted them.
 */
export const regressionProcessorRuntime: ProcessorRuntime = {
  kind: 'processor',
  type: 'regression',
  create(settings, _signal, next, context, shared) {
    const regressionSettings = settings as RegressionProcessorSettings;
    const state = shared as RegressionSharedState;
    let owner = false;
    if (state.regressionEngine === undefined) {
      owner = true;
      state.regressionEngine = createRegressionEngine(regressionSettings, { clock: context.clock, logger: context.logger });
      registerRegressionMetrics(context.meter, state.regressionEngine, context.id);
    }
    const engine = state.regressionEngine;
    // The pipeline that created the engine drives its evaluation.
    const startLoop = owner ? () => startRegressionEvaluationLoop(engine, regressionSettings.evaluationIntervalMs, context.logger) : undefined;
    return new OtlpRegressionProcessor(engine, next, context.logger, startLoop);
  },
};
