import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { ComponentContext } from '../../src/pipeline/component';
import type { ProcessorRuntime, SharedProcessorState } from '../../src/service/runtime-factories';
import { FailureCounter } from '../../src/logging/logger';
import { registerBaselineMetrics } from '../../exporters/prometheus/baseline-metrics';
import type { BaselineProcessorSettings } from './config';
import { createBaselineEngine } from './create-baseline-engine';
import { OtlpBaselineProcessor } from './otlp-baseline-processor';
import { startRollupLoop } from './rollup-loop';

/** The shared state of a `baseline` processor id: its one engine. */
export interface BaselineSharedState extends SharedProcessorState {
  baselineEngine?: BaselineEngine;
}

/**
 * The engine of a `baseline` processor id, created (with its metrics) on
 * first use, by whichever runtime asks first: the baseline's own, or that of
 * the anomaly processor reading it (the service builds a pipeline's
 * processors from last to first).
 */
export function baselineEngineOf(shared: SharedProcessorState, settings: BaselineProcessorSettings, context: ComponentContext): BaselineEngine {
  const state = shared as BaselineSharedState;
  if (state.baselineEngine === undefined) {
    const failures = new FailureCounter(context.logger, `${context.id}: baseline roll-up`);
    state.baselineEngine = createBaselineEngine(settings, { clock: context.clock, onError: (error) => failures.record(error) });
    registerBaselineMetrics(context.meter, state.baselineEngine, context.id);
  }
  return state.baselineEngine;
}

/**
 * The gateway's `baseline` processor: one engine per processor id (a
 * baseline belongs to one pipeline, checked with the config), its metrics,
 * and the timer that closes intervals. Spans are recorded after the rest of
 * the pipeline accepted them.
 */
export const baselineProcessorRuntime: ProcessorRuntime = {
  kind: 'processor',
  type: 'baseline',
  create(settings, _signal, next, context, shared) {
    const engine = baselineEngineOf(shared, settings as BaselineProcessorSettings, context);
    return new OtlpBaselineProcessor(engine, next, context.logger, () => startRollupLoop(engine, context.logger));
  },
};
