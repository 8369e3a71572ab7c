import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { RegressionEngine } from '../../src/regression/regression-engine';
import { SpanSample, EMPTY_ATTRIBUTES } from '../../src/engine/span-sample';
import type { AttributeMap } from '../../src/engine/span-sample';
import type { ExportTraceServiceRequest } from '../../src/otlp/model/trace';
import type { KeyValue } from '../../src/otlp/model/common';
import { attributesToRecord } from '../../src/otlp/attributes';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';

/** Nanoseconds per millisecond, for OTLP's nanosecond timestamps. */
const NS_PER_MS = 1_000_000;

/**
 * The gateway's adapter from decoded OTLP traces to the regression engine:
 * the same engine as the agent's RegressionSpanProcessor, fed from
 * ExportTraceServiceRequest instead of SDK spans.
 *
 * Spans are sampled only once the rest of the pipeline has accepted the
 * batch: a batch refused downstream is answered 503 and sent again by the
 * client, and sampling it before would count its spans twice. A failure to
 * read never stops the batch; it is counted and the first one logged.
 */
export class OtlpRegressionProcessor implements Consumer, Component {
  private readonly sample = new SpanSample();
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: RegressionEngine,
    private readonly next: Consumer,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'deploy regression processing of OTLP spans');
  }

  /** Batches that could not be read since start. */
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
    const sample = this.sample;
    for (const resourceSpans of request.resourceSpans ?? []) {
      // Resource attributes (service.name, service.version) are converted once per resource, not per span.
      const resourceAttributes = toAttributeMap(resourceSpans.resource?.attributes);
      const service = resourceAttributes['service.name'];
      sample.service = typeof service === 'string' ? service : '';
      sample.resourceAttributes = resourceAttributes;
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          const start = span.startTimeUnixNano ?? 0n;
          const end = span.endTimeUnixNano ?? 0n;
          sample.kind = span.kind ?? 0;
          sample.name = span.name ?? '';
          sample.statusCode = span.status?.code ?? 0;
          sample.durationMs = end > start ? Number(end - start) / NS_PER_MS : 0;
          sample.endTimeMs = Number(end / 1000n) / 1000;
          sample.attributes = toAttributeMap(span.attributes);
          this.engine.record(sample);
        }
      }
    }
  }
}

/** OTLP attributes as the plain map the engine reads; no allocation for none. */
function toAttributeMap(attributes: readonly KeyValue[] | undefined): AttributeMap {
  return attributes === undefined || attributes.length === 0 ? EMPTY_ATTRIBUTES : attributesToRecord(attributes);
}
