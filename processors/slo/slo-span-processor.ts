import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { SloEngine } from '../../src/engine/slo-engine';
import { SpanSample } from '../../src/engine/span-sample';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { EvaluationLoop } from './evaluation-loop';

export interface SloSpanProcessorOptions {
  readonly engine: SloEngine;
  readonly logger: Logger;
  /** How often alerts are evaluated between scrapes. @default 10_000 */
  readonly evaluationIntervalMs?: number;
}

/**
 * Feeds finished spans from the OpenTelemetry SDK into the SLO engine.
 *
 * A thin adapter: it copies a few fields into one reused SpanSample and never
 * lets a failure reach the host application; failures are counted and the
 * first is logged. Span kinds are shifted from the API's numbering (INTERNAL=0)
 * to OTLP's (INTERNAL=1), which the engine uses.
 */
export class SloSpanProcessor implements SpanProcessor {
  private readonly engine: SloEngine;
  private readonly sample = new SpanSample();
  private readonly failures: FailureCounter;
  private readonly loop: EvaluationLoop;
  private lastResource: Resource | undefined;
  private lastService = '';
  private lastResourceAttributes: SpanSample['resourceAttributes'] = {};

  constructor(options: SloSpanProcessorOptions) {
    this.engine = options.engine;
    this.failures = new FailureCounter(options.logger, 'SLO span processing');
    this.loop = new EvaluationLoop(options.engine, options.evaluationIntervalMs ?? 10_000, options.logger);
  }

  /** Spans that could not be processed since start. */
  get failedSpans(): number {
    return this.failures.failures;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // SLIs are decided when the span ends.
  }

  onEnd(span: ReadableSpan): void {
    try {
      const sample = this.sample;
      if (span.resource !== this.lastResource) this.adoptResource(span.resource);
      sample.service = this.lastService;
      sample.kind = span.kind + 1;
      sample.name = span.name;
      sample.statusCode = span.status.code;
      sample.durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
      sample.endTimeMs = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
      sample.attributes = span.attributes;
      sample.resourceAttributes = this.lastResourceAttributes;
      this.engine.record(sample);
    } catch (error) {
      this.failures.record(error);
    }
  }

  /**
   * Reads a Resource's attributes once, not per span. Detectors may still be
   * filling it in asynchronously (host.id, cloud.*): then the attributes
   * known so far are used and read again once they settle.
   */
  private adoptResource(resource: Resource): void {
    this.lastResource = resource;
    this.readResource(resource);
    if (resource.asyncAttributesPending === true && resource.waitForAsyncAttributes !== undefined) {
      resource.waitForAsyncAttributes().then(
        () => {
          if (this.lastResource === resource) this.readResource(resource);
        },
        () => undefined,
      );
    }
  }

  private readResource(resource: Resource): void {
    const attributes = resource.attributes;
    const name = attributes['service.name'];
    this.lastService = typeof name === 'string' ? name : '';
    this.lastResourceAttributes = attributes;
  }

  /** Evaluates alerts now instead of waiting for the next tick. */
  evaluate(): void {
    this.loop.evaluateNow();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.loop.stop();
    return Promise.resolve();
  }
}
