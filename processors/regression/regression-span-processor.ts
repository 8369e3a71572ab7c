import type { RegressionEngine } from '../../src/regression/regression-engine';
import { SpanSample } from '../../src/engine/span-sample';
import type { Logger } from '../../src/logging/logger';
import { RecordingSpanProcessor } from '../shared/recording-span-processor';
import { startRegressionEvaluationLoop } from './evaluation-loop';

export interface RegressionSpanProcessorOptions {
  readonly engine: RegressionEngine;
  readonly logger: Logger;
  /** How often due comparisons run between scrapes. @default 10_000 */
  readonly evaluationIntervalMs?: number;
}

/**
 * Feeds finished spans from the OpenTelemetry SDK into the regression
 * engine: the agent's adapter, as SloSpanProcessor is for the SLO engine
 * (both are RecordingSpanProcessors).
 *
 * In-process the agent only sees its own process's service.version, and a
 * deploy replaces the process and its state, so an agent alone cannot see a
 * rolling deploy: this adapter serves processes whose tracer providers carry
 * different versions (test harnesses, plugin hosts). The gateway, which
 * outlives deploys and sees every instance, is the usual home of the
 * regression processor.
 *
 * Comparisons run on the evaluation loop, never in onEnd.
 */
export class RegressionSpanProcessor extends RecordingSpanProcessor<SpanSample> {
  constructor(options: RegressionSpanProcessorOptions) {
    super({
      engine: options.engine,
      sample: new SpanSample(),
      logger: options.logger,
      what: 'deploy regression span processing',
      loop: startRegressionEvaluationLoop(options.engine, options.evaluationIntervalMs ?? 10_000, options.logger),
    });
  }

  /** Runs the due comparisons now instead of waiting for the next tick. */
  evaluate(): void {
    this.loop?.runNow();
  }
}
