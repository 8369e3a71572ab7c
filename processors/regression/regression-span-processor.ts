import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { RegressionEngine } from '../../src/regression/regression-engine';
import { SpanSample } from '../../src/engine/span-sample';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { RegressionEvaluationLoop } from './evaluation-loop';

export interface RegressionSpanProcessorOptions {
  readonly engine: RegressionEngine;
  readonly logger: Logger;
  /** How often due comparisons run between scrapes. @default 10_000 */
  readonly evaluationIntervalMs?: number;
}

/**
 * Feeds finished spans from the OpenTelemetry SDK into the regression
 * engine: the agent's adapter, as SloSpanProcessor is for the SLO engine.
 *
 * In-process the agent only sees its own process's service.version, and a
 * deploy replaces the process and its state, so an agent alone cannot see a
 * rolling deploy: this adapter serves processes whose tracer providers carry
 * different versions (test harnesses, plugin hosts). The gateway, which
 * outlives deploys and sees every instance, is the usual home of the
 * regression processor.
 *
 * It copies a few fields into one reused SpanSample, shifts span kinds from
 * the API's numbering (INTERNAL=0) to OTLP's (INTERNAL=1), and never lets a
 * failure reach the host application: failures are counted and the first
 * is logged. Comparisons run on the evaluation loop, never in onEnd.
 */
export class RegressionSpanProcessor implements SpanProcessor {
  private readonly engine: RegressionEngine;
  private readonly sample = new SpanSample();
  private readonly failures: FailureCounter;
  private readonly loop: RegressionEvaluationLoop;
  private lastResource: Resource | undefined;
  private lastService = '';
  private lastResourceAttributes: SpanSample['resourceAttributes'] = {};

  constructor(options: RegressionSpanProcessorOptions) {
    this.engine = options.engine;
    this.failures = new FailureCounter(options.logger, 'deploy regression span processing');
    this.loop = new RegressionEvaluationLoop(options.engine, options.evaluationIntervalMs ?? 10_000, options.logger);
  }

  /** Spans that could not be processed since start. */
  get failedSpans(): number {
    return this.failures.failures;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Latency is known when the span ends.
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
   * filling it in asynchronously: then the attributes known so far are used
   * and read again once they settle.
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

  /** Runs the due comparisons now instead of waiting for the next tick. */
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
