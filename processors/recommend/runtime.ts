import type { ProcessorRuntime } from '../../src/service/runtime-factories';
import type { ObjectiveSpec } from '../../src/slo/objective';
import { registerRecommendationMetrics } from '../../exporters/prometheus/recommendation-metrics';
import { packageVersion } from '../../exporters/otlp/user-agent';
import type { SloProcessorSettings } from '../slo/config';
import type { RecommendProcessorSettings } from './config';
import { createRecommendEngine } from './create-recommend-engine';
import { OtlpRecommendMetricsProcessor } from './otlp-recommend-metrics-processor';
import { OtlpRecommendTraceProcessor } from './otlp-recommend-trace-processor';
import { RecommendHub } from './recommend-hub';
import type { RecommendSharedState } from './recommend-hub';
import { RecommendationLogEmitter } from './recommendation-log-emitter';

/**
 * The gateway's `recommend` processor: one engine (with its metrics and
 * evaluation loop) per processor id, shared by the pipelines that list it:
 * spans in a traces pipeline, runtime metrics in a metrics pipeline, and the
 * recommendations out as log records in a logs pipeline. The optional `slo`
 * link (checked at config time) brings that processor's latency objectives
 * for the error-budget share.
 */
export const recommendProcessorRuntime: ProcessorRuntime = {
  kind: 'processor',
  type: 'recommend',
  create(settings, signal, next, context, shared, peers) {
    const recommendSettings = settings as RecommendProcessorSettings;
    const state = shared as RecommendSharedState;
    if (state.recommendHub === undefined) {
      const slo = recommendSettings.sloId === undefined ? undefined : peers(recommendSettings.sloId);
      const objectives: readonly ObjectiveSpec[] = slo?.type === 'slo' ? (slo.settings as SloProcessorSettings).objectives : [];
      const engine = createRecommendEngine(recommendSettings, objectives, context.logger);
      registerRecommendationMetrics(context.meter, engine, context.id);
      state.recommendHub = new RecommendHub(engine, context.clock, recommendSettings.evaluationIntervalMs, context.logger);
    }
    const hub = state.recommendHub;
    switch (signal) {
      case 'traces':
        return new OtlpRecommendTraceProcessor(hub, next, context.clock, context.logger);
      case 'metrics':
        return new OtlpRecommendMetricsProcessor(hub, next, context.logger);
      case 'logs':
        return new RecommendationLogEmitter(hub, next, context.logger, packageVersion());
    }
  },
};
