import type { SpanSample, SpanSampleRecorder } from '../../src/engine/span-sample';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { ExportTraceServiceRequest } from '../../src/otlp/model/trace';
import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { IntervalLoop } from './interval-loop';
import type { OtlpSpanReader } from './otlp-span-reader';

export interface OtlpRecordingProcessorOptions<S extends SpanSample> {
  /** Fills the one reused sample from each span. */
  readonly reader: OtlpSpanReader<S>;
  /** The engine every span of an accepted batch goes to. */
  readonly engine: SpanSampleRecorder<S>;
  /** The rest of the pipeline. */
  readonly next: Consumer;
  readonly logger: Logger;
  /** Names the work in the one failure line (`SLO processing of OTLP spans`). */
  readonly what: string;
  /** Starts the engine's timer, which runs from start to shutdown; none when omitted. */
  readonly startLoop?: (() => IntervalLoop) | undefined;
}

/**
 * The gateway's adapter from decoded OTLP traces to an engine, which the
 * SLO, baseline and regression processors specialise: the same engines as
 * the agent's span processors, fed from ExportTraceServiceRequest instead
 * of SDK spans.
 *
 * Spans are recorded only once the rest of the pipeline has accepted the
 * batch: a batch refused downstream (a full queue, an outage) is answered
 * 503 and sent again by the client, and recording it before would count its
 * spans twice, inflating the figures exactly during the outages they
 * measure. A failure to read never stops the batch; it is counted and the
 * first one logged.
 */
export class OtlpRecordingProcessor<S extends SpanSample> implements Consumer, Component {
  private readonly reader: OtlpSpanReader<S>;
  private readonly engine: SpanSampleRecorder<S>;
  private readonly next: Consumer;
  private readonly failures: FailureCounter;
  private readonly startLoop: (() => IntervalLoop) | undefined;
  private loop: IntervalLoop | undefined;

  constructor(options: OtlpRecordingProcessorOptions<S>) {
    this.reader = options.reader;
    this.engine = options.engine;
    this.next = options.next;
    this.failures = new FailureCounter(options.logger, options.what);
    this.startLoop = options.startLoop;
  }

  /** Batches whose spans could not all be recorded. */
  get failedBatches(): number {
    return this.failures.failures;
  }

  start(): Promise<void> {
    this.loop?.stop();
    this.loop = this.startLoop?.();
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.loop?.stop();
    this.loop = undefined;
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
    const engine = this.engine;
    for (const resourceSpans of request.resourceSpans ?? []) {
      reader.useResource(resourceSpans.resource);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) engine.record(reader.read(span));
      }
    }
  }
}
