import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { SpanEnricher } from './span-enrichment';

/**
 * The gateway's `anomaly` processor in the pipeline: it stamps spans with
 * their operation's baseline and anomaly state (when enrichment is on) and
 * forwards them. Anomalies themselves are decided at interval close by the
 * AnomalyEngine, not here. A failure to enrich never stops the batch: it is
 * forwarded as it came, and the failure counted and logged once.
 */
export class OtlpAnomalyProcessor implements Consumer, Component {
  private readonly failures: FailureCounter;

  constructor(
    private readonly enricher: SpanEnricher | undefined,
    private readonly next: Consumer,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'anomaly enrichment of OTLP spans');
  }

  /** Batches forwarded unenriched after a failure. */
  get failedBatches(): number {
    return this.failures.failures;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    return this.next.consume(this.enrich(batch));
  }

  private enrich(batch: TelemetryBatch): TelemetryBatch {
    if (this.enricher === undefined) return batch;
    try {
      const request = this.enricher.enrich(batch.request);
      return request === batch.request ? batch : { ...batch, request };
    } catch (error) {
      this.failures.record(error);
      return batch;
    }
  }
}
