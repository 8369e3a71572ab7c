import type { SloEngine } from '../../src/engine/slo-engine';
import { SpanSample } from '../../src/engine/span-sample';
import type { Logger } from '../../src/logging/logger';
import { RecordingSpanProcessor } from '../shared/recording-span-processor';
import { startSloEvaluationLoop } from './evaluation-loop';

export interface SloSpanProcessorOptions {
  readonly engine: SloEngine;
  readonly logger: Logger;
  /** How often alerts are evaluated between scrapes. @default 10_000 */
  readonly evaluationIntervalMs?: number;
}

/**
 * Feeds finished spans from the OpenTelemetry SDK into the SLO engine (the
 * agent's adapter; the gateway's is OtlpSloProcessor), and evaluates alerts
 * on a timer.
 *
 * A thin adapter (RecordingSpanProcessor): it copies a few fields into one
 * reused SpanSample and never lets a failure reach the host application;
 * failures are counted and the first is logged.
 */
export class SloSpanProcessor extends RecordingSpanProcessor<SpanSample> {
  constructor(options: SloSpanProcessorOptions) {
    super({
      engine: options.engine,
      sample: new SpanSample(),
      logger: options.logger,
      what: 'SLO span processing',
      loop: startSloEvaluationLoop(options.engine, options.evaluationIntervalMs ?? 10_000, options.logger),
    });
  }

  /** Evaluates alerts now instead of waiting for the next tick. */
  evaluate(): void {
    this.loop?.runNow();
  }
}
