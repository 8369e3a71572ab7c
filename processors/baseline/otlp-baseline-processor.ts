import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { ExportTraceServiceRequest } from '../../src/otlp/model/trace';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { OtlpSpanReader } from './otlp-span-reader';

/**
 * The gateway's adapter from decoded OTLP traces to the baseline engine.
 *
 * Spans are recorded only once the rest of the pipeline (the anomaly
 * processor's enrichment, the exporters) has accepted the batch, as the
 * SLO processor does: a batch refused downstream is answered 503 and sent
 * again by the client, and recording it before would count its spans twice,
 * inflating throughput exactly during the outages worth seeing. A failure to
 * read never stops the batch; it is counted and logged once.
 */
export class OtlpBaselineProcessor implements Consumer, Component {
  private readonly reader = new OtlpSpanReader();
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: BaselineEngine,
    private readonly next: Consumer,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'baseline processing of OTLP spans');
  }

  /** Batches whose spans could not all be recorded. */
  get failedBatches(): number {
    return this.failures.failures;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    await this.next.consume(batch);
    try {
      this.record(batch.request);
    } catch (error) {
      this.failures.record(error);
    }
  }

  private record(request: ExportTraceServiceRequest): void {
    const reader = this.reader;
    for (const resourceSpans of request.resourceSpans ?? []) {
      reader.useResource(resourceSpans.resource);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) this.engine.record(reader.read(span));
      }
    }
  }
}
