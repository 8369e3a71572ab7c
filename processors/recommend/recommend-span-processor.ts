import type { Context, HrTime } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { Clock } from '../../src/clock';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { RecommendEngine } from '../../src/recommend/recommend-engine';
import { pickRecommendAttributes } from '../../src/recommend/trace-span-attributes';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { boundedLabelValue } from '../../src/engine/label-value';

/**
 * Milliseconds of an HrTime, keeping whole microseconds: exactly the number
 * the gateway's OTLP reader computes from the same time in nanoseconds
 * (integer microseconds, below 2^53, divided once by 1000), so a trace gives
 * the same TraceSpans, hence the same findings, through both.
 */
function toMs(time: HrTime): number {
  return (time[0] * 1e6 + Math.trunc(time[1] / 1e3)) / 1e3;
}

export interface RecommendSpanProcessorOptions {
  readonly engine: RecommendEngine;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The agent's adapter from the OpenTelemetry SDK to the recommend engine:
 * each finished span becomes one compact TraceSpan (ids in the SDK's
 * lower-case hex, times in milliseconds, kinds and statuses in OTLP's
 * numbering, only the attributes the analyzers read) and goes into the
 * engine's trace buffer, an O(1) step. Analysis runs on the processor's
 * evaluation timer, never here. A failure never reaches the application:
 * it is counted and the first one logged.
 */
export class RecommendSpanProcessor implements SpanProcessor {
  private readonly engine: RecommendEngine;
  private readonly clock: Clock;
  private readonly failures: FailureCounter;
  private lastResource: Resource | undefined;
  private lastService = '';

  constructor(options: RecommendSpanProcessorOptions) {
    this.engine = options.engine;
    this.clock = options.clock;
    this.failures = new FailureCounter(options.logger, 'recommend span processing');
  }

  /** service.name of the latest span's resource; undefined before the first span. */
  get lastServiceName(): string | undefined {
    return this.lastResource === undefined ? undefined : this.lastService;
  }

  get failedSpans(): number {
    return this.failures.failures;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Everything is read when the span ends.
  }

  onEnd(span: ReadableSpan): void {
    try {
      if (span.resource !== this.lastResource) {
        this.lastResource = span.resource;
        const name = span.resource.attributes['service.name'];
        this.lastService = typeof name === 'string' ? boundedLabelValue(name) : '';
      }
      const context = span.spanContext();
      const traceSpan: TraceSpan = {
        traceId: context.traceId,
        spanId: context.spanId,
        parentSpanId: span.parentSpanContext?.spanId ?? '',
        service: this.lastService,
        name: span.name,
        // The API numbers kinds from INTERNAL = 0; OTLP from UNSPECIFIED = 0.
        kind: span.kind + 1,
        startTimeMs: toMs(span.startTime),
        endTimeMs: toMs(span.endTime),
        statusCode: span.status.code,
        attributes: pickRecommendAttributes(span.attributes),
      };
      this.engine.addSpan(traceSpan, this.clock.now());
    } catch (error) {
      this.failures.record(error);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
