import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { EMPTY_ATTRIBUTES } from '../../src/engine/span-sample';
import type { AttributeMap, SpanSample, SpanSampleRecorder } from '../../src/engine/span-sample';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { IntervalLoop } from './interval-loop';
import { boundedLabelValue } from '../../src/engine/label-value';

export interface RecordingSpanProcessorOptions<S extends SpanSample> {
  /** The engine every finished span goes to. */
  readonly engine: SpanSampleRecorder<S>;
  /** The one sample reused for every span. */
  readonly sample: S;
  readonly logger: Logger;
  /** Names the work in the one failure line (`SLO span processing`). */
  readonly what: string;
  /** The engine's timer, already started; stopped at shutdown. */
  readonly loop?: IntervalLoop | undefined;
}

/**
 * The agent's adapter from the OpenTelemetry SDK to an engine, which the
 * SLO, baseline and regression span processors specialise: on every
 * finished span it copies what the engines read into one reused sample and
 * records it.
 *
 * Span kinds are shifted from the API's numbering (INTERNAL=0) to OTLP's
 * (INTERNAL=1), which the engines use; times become milliseconds; attribute
 * maps are referenced, never copied. A Resource's attributes are read once,
 * not per span (the SDK hands every span of a provider the same Resource),
 * so a span allocates nothing here. The copying stays in onEnd itself rather
 * than in a helper object: bench:processors measured that extra call costing
 * up to a tenth of the SLO path's throughput (it changes what V8 inlines
 * into onEnd, the engine's record included).
 *
 * It never lets a failure reach the host application: failures are counted
 * and the first is logged. Nothing is decided when a span starts, and it
 * holds no spans, so there is nothing to flush.
 */
export class RecordingSpanProcessor<S extends SpanSample> implements SpanProcessor {
  protected readonly sample: S;
  protected readonly failures: FailureCounter;
  protected readonly loop: IntervalLoop | undefined;
  private readonly engine: SpanSampleRecorder<S>;
  private lastResource: Resource | undefined;
  private lastService = '';
  private lastResourceAttributes: AttributeMap = EMPTY_ATTRIBUTES;

  constructor(options: RecordingSpanProcessorOptions<S>) {
    this.engine = options.engine;
    this.sample = options.sample;
    this.failures = new FailureCounter(options.logger, options.what);
    this.loop = options.loop;
  }

  /** Spans that could not be processed since start. */
  get failedSpans(): number {
    return this.failures.failures;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Everything is read when the span ends.
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
      this.fillMore(sample, span);
      this.engine.record(sample);
    } catch (error) {
      this.failures.record(error);
    }
  }

  /** Fills what a subclass's sample has beyond SpanSample (the baseline's trace id). */
  protected fillMore(_sample: S, _span: ReadableSpan): void {
    // A plain SpanSample has nothing more.
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.loop?.stop();
    return Promise.resolve();
  }

  /**
   * Detectors may still be filling a Resource in asynchronously (host.id,
   * cloud.*): then the attributes known so far are used and read again once
   * they settle.
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
    this.lastService = typeof name === 'string' ? boundedLabelValue(name) : '';
    this.lastResourceAttributes = attributes;
  }
}
