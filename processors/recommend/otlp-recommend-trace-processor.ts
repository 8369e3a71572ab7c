import type { Clock } from '../../src/clock';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { forEachTraceSpan } from './otlp-trace-span-reader';
import type { RecommendHub } from './recommend-hub';

/**
 * The gateway's `recommend` processor in a traces pipeline: once the rest of
 * the pipeline has accepted a batch (a batch refused downstream is sent
 * again and must not be assembled twice), its spans go into the engine's
 * trace buffer. Read failures are counted and logged once; the batch is
 * never held back by them.
 */
export class OtlpRecommendTraceProcessor implements Consumer, Component {
  private readonly failures: FailureCounter;

  constructor(
    private readonly hub: RecommendHub,
    private readonly next: Consumer,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'recommend processing of OTLP spans');
  }

  start(): Promise<void> {
    this.hub.start();
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.hub.stop();
    return Promise.resolve();
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    await this.next.consume(batch);
    try {
      const engine = this.hub.engine;
      const now = this.clock.now();
      forEachTraceSpan(batch.request, (span) => engine.addSpan(span, now));
    } catch (error) {
      this.failures.record(error);
    }
  }
}
