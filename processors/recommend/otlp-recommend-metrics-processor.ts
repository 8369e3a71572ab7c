import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { OtlpRuntimeMetricsReader } from './otlp-runtime-metrics-reader';
import type { RecommendHub } from './recommend-hub';

/**
 * The gateway's `recommend` processor in a metrics pipeline: reads the
 * Node.js runtime metrics (event-loop delay, GC time, heap used) of accepted
 * batches into the engine's runtime detectors, and forwards every batch
 * unchanged.
 */
export class OtlpRecommendMetricsProcessor implements Consumer, Component {
  private readonly reader: OtlpRuntimeMetricsReader;
  private readonly failures: FailureCounter;

  constructor(
    private readonly hub: RecommendHub,
    private readonly next: Consumer,
    logger: Logger,
  ) {
    this.reader = new OtlpRuntimeMetricsReader(hub.engine);
    this.failures = new FailureCounter(logger, 'recommend processing of OTLP runtime metrics');
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
      this.reader.read(batch.request);
    } catch (error) {
      this.failures.record(error);
    }
  }
}
