import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { RollupLoop } from './rollup-loop';

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
 * A thin adapter like SloSpanProcessor: it copies a few fields into one
 * reused sample, reads the resource's service.name once per Resource, and
 * never lets a failure reach the host application (counted, first one
 * logged). Span kinds are shifted from the API's numbering (INTERNAL=0) to
 * OTLP's (INTERNAL=1), which the engine uses. The trace id is the SDK's hex
 * string, kept by reference for the slowest spans only.
 */
export class BaselineSpanProcessor implements SpanProcessor {
  private readonly engine: BaselineEngine;
  private readonly sample = new BaselineSpanSample();
  private readonly failures: FailureCounter;
  private readonly loop: RollupLoop | undefined;
  private lastResource: Resource | undefined;
  private lastService = '';

  constructor(options: BaselineSpanProcessorOptions) {
    this.engine = options.engine;
    this.failures = new FailureCounter(options.logger, 'baseline span processing');
    this.loop = options.rollUpTimer === false ? undefined : new RollupLoop(options.engine, options.logger);
  }

  /** Spans that could not be processed since start. */
  get failedSpans(): number {
    return this.failures.failures;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Everything is decided when the span ends.
  }

  onEnd(span: ReadableSpan): void {
    try {
      const sample = this.sample;
      if (span.resource !== this.lastResource) this.readResource(span.resource);
      sample.service = this.lastService;
      sample.kind = span.kind + 1;
      sample.name = span.name;
      sample.statusCode = span.status.code;
      sample.durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
      sample.endTimeMs = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
      sample.attributes = span.attributes;
      sample.traceId = span.spanContext().traceId;
      this.engine.record(sample);
    } catch (error) {
      this.failures.record(error);
    }
  }

  /**
   * service.name of a Resource, read once per Resource. Attributes still
   * being detected asynchronously are not waited for: service.name comes
   * from OTEL_SERVICE_NAME or the SDK's default, which are synchronous.
   */
  private readResource(resource: Resource): void {
    this.lastResource = resource;
    const name = resource.attributes['service.name'];
    this.lastService = typeof name === 'string' ? name : '';
  }

  /** Closes the intervals that are due now instead of waiting for the timer. */
  rollUp(): void {
    try {
      this.engine.rollUp();
    } catch (error) {
      this.failures.record(error);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.loop?.stop();
    return Promise.resolve();
  }
}
