import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import type { Logger } from '../../src/logging/logger';
import { RecordingSpanProcessor } from '../shared/recording-span-processor';
import { startRollupLoop } from './rollup-loop';

export interface BaselineSpanProcessorOptions {
  readonly engine: BaselineEngine;
  readonly logger: Logger;
  /** Start the timer that closes intervals on time. @default true */
  readonly rollUpTimer?: boolean;
}

/**
 * Feeds finished spans from the OpenTelemetry SDK into the baseline engine
 * (the agent's adapter; the gateway's is OtlpBaselineProcessor).
 *
 * A thin adapter like SloSpanProcessor (both are RecordingSpanProcessors),
 * which also passes the trace id: the SDK's hex string, kept by reference
 * for the slowest spans only.
 */
export class BaselineSpanProcessor extends RecordingSpanProcessor<BaselineSpanSample> {
  private readonly baselineEngine: BaselineEngine;

  constructor(options: BaselineSpanProcessorOptions) {
    super({
      engine: options.engine,
      sample: new BaselineSpanSample(),
      logger: options.logger,
      what: 'baseline span processing',
      loop: options.rollUpTimer === false ? undefined : startRollupLoop(options.engine, options.logger),
    });
    this.baselineEngine = options.engine;
  }

  protected override fillMore(sample: BaselineSpanSample, span: ReadableSpan): void {
    sample.traceId = span.spanContext().traceId;
  }

  /** Closes the intervals that are due now instead of waiting for the timer. */
  rollUp(): void {
    try {
      this.baselineEngine.rollUp();
    } catch (error) {
      this.failures.record(error);
    }
  }
}
