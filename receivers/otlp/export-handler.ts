import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { ExportRequest } from '../../src/otlp/export-request';
import { ITEM_NOUN } from '../../src/otlp/signal';
import type { Signal } from '../../src/otlp/signal';
import type { Consumer } from '../../src/pipeline/consumer';
import { BackpressureError, PermanentError } from '../../src/pipeline/pipeline-errors';
import { countItems, isDecodeError } from './codec';
import type { PartialSuccess } from './codec';
import type { ReceiverMetrics, RequestOutcome, Transport } from './receiver-metrics';

/**
 * What became of one export request, whatever the transport; the HTTP and
 * gRPC servers turn it into a status code and a body.
 */
export type ExportOutcome =
  /** 200 / OK. `partialSuccess` when some items were rejected (see ExportHandler). */
  | { readonly kind: 'success'; readonly partialSuccess?: PartialSuccess }
  /** 400 / INVALID_ARGUMENT: the data cannot be decoded, or the pipeline can never take it. */
  | { readonly kind: 'invalid'; readonly message: string }
  /** 503 + Retry-After / UNAVAILABLE: retry later. */
  | { readonly kind: 'backpressure'; readonly message: string; readonly retryAfterSeconds: number }
  /** 500 / INTERNAL: a fault on our side; the message is generic, the detail is logged (once). */
  | { readonly kind: 'internal'; readonly message: string };

export const TRANSPORT_NAME: Readonly<Record<Transport, string>> = { http: 'OTLP/HTTP', grpc: 'OTLP/gRPC' };

/**
 * Logs each kind of failure once per transport (FailureCounter), so a
 * misbehaving client or a stuck pipeline gives a few lines, not one per request.
 */
export class FailureLog {
  private readonly counters = new Map<string, FailureCounter>();

  constructor(
    private readonly logger: Logger,
    private readonly receiverId: string,
  ) {}

  /** `what` is what was attempted ("decoding a request"); the line reads "<what> failed; …: <error>". */
  record(transport: Transport, what: string, error: unknown): void {
    const key = `${transport} ${what}`;
    let counter = this.counters.get(key);
    if (counter === undefined) {
      counter = new FailureCounter(this.logger, `receiver ${this.receiverId}: ${TRANSPORT_NAME[transport]}: ${what}`);
      this.counters.set(key, counter);
    }
    counter.record(error);
  }

  /** Failures of one kind so far (for tests and diagnostics). */
  failures(transport: Transport, what: string): number {
    return this.counters.get(`${transport} ${what}`)?.failures ?? 0;
  }
}

/** Retry-After for a back-pressure answer: whole seconds, at least 1. */
export function retryAfterSeconds(error: BackpressureError): number {
  const seconds = Math.ceil(error.retryAfterSeconds);
  return Number.isFinite(seconds) && seconds >= 1 ? seconds : 1;
}

/**
 * The transport-independent half of the receiver: decode, count, hand the
 * batch to the signal's pipeline, and classify the result.
 *
 * Decoding is all or nothing, so the receiver itself never rejects part of a
 * request and `partialSuccess` stays absent. The hook for partial rejection
 * is `ExportOutcome.success.partialSuccess`: once a Consumer can report items
 * it dropped, set it from that report here (and count those items as
 * refused); both transports already encode it into the response.
 */
/**
 * Request bytes (as received, after decompression) one receiver decodes and
 * holds in its pipelines at once. Decoded OTLP takes about 8–9 times its
 * wire size in the heap, so this bounds a receiver's working set to about
 * 300 MB whatever the number of clients; past it, requests are answered
 * 503 / UNAVAILABLE with Retry-After, and clients back off.
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 32 * 1024 * 1024;

export class ExportHandler {
  private inflightBytes = 0;

  constructor(
    private readonly consumers: Partial<Record<Signal, Consumer>>,
    private readonly metrics: ReceiverMetrics,
    private readonly failures: FailureLog,
    private readonly maxInflightBytes = DEFAULT_MAX_INFLIGHT_BYTES,
  ) {}

  /** Whether a pipeline takes this signal from this receiver. */
  accepts(signal: Signal): boolean {
    return this.consumers[signal] !== undefined;
  }

  /**
   * Never rejects. `decode` turns the received `bodyBytes` bytes into a
   * request; it throws OtlpDecodeError for data that is not valid OTLP.
   * One request is always admitted, so a body within the size limit can
   * never be refused for good.
   */
  async export(transport: Transport, signal: Signal, bodyBytes: number, decode: () => ExportRequest): Promise<ExportOutcome> {
    if (this.inflightBytes > 0 && this.inflightBytes + bodyBytes > this.maxInflightBytes) {
      const error = new BackpressureError(`${this.inflightBytes} bytes of requests are being processed, the limit is ${this.maxInflightBytes}`, 1);
      this.failures.record(transport, `admitting a ${signal} request (memory bound; clients are told to retry)`, error);
      return this.finish(transport, signal, 'backpressure', {
        kind: 'backpressure',
        message: `the receiver is at its memory bound (${error.message}); retry after 1s`,
        retryAfterSeconds: 1,
      });
    }
    this.inflightBytes += bodyBytes;
    try {
      return await this.admitted(transport, signal, decode);
    } finally {
      this.inflightBytes -= bodyBytes;
    }
  }

  private async admitted(transport: Transport, signal: Signal, decode: () => ExportRequest): Promise<ExportOutcome> {
    const consumer = this.consumers[signal];
    if (consumer === undefined) {
      // The servers check accepts() first; this is a guard, not a path.
      this.metrics.countRequest(transport, signal, 'unsupported');
      return { kind: 'invalid', message: `no ${signal} pipeline uses this receiver` };
    }

    let request: ExportRequest;
    let itemCount: number;
    try {
      request = decode();
    } catch (error) {
      if (isDecodeError(error)) {
        this.failures.record(transport, `decoding a ${signal} request`, error);
        return this.finish(transport, signal, 'invalid', { kind: 'invalid', message: error.message });
      }
      return this.internal(transport, signal, `decoding a ${signal} request`, error);
    }
    try {
      itemCount = countItems(signal, request);
    } catch (error) {
      return this.internal(transport, signal, `counting the ${ITEM_NOUN[signal].many} of a request`, error);
    }

    // As the Collector does, an empty request is answered without bothering the pipeline.
    if (itemCount === 0) return this.finish(transport, signal, 'success', { kind: 'success' });

    try {
      await consumer.consume({ signal, request, itemCount });
    } catch (error) {
      this.metrics.countRefused(transport, signal, itemCount);
      if (error instanceof BackpressureError) {
        this.failures.record(transport, `passing ${signal} to the pipeline (back-pressure; clients are told to retry)`, error);
        const seconds = retryAfterSeconds(error);
        return this.finish(transport, signal, 'backpressure', {
          kind: 'backpressure',
          message: `the pipeline cannot take more ${signal} now (${error.message}); retry after ${seconds}s`,
          retryAfterSeconds: seconds,
        });
      }
      if (error instanceof PermanentError) {
        this.failures.record(transport, `passing ${signal} to the pipeline (the data is refused for good)`, error);
        return this.finish(transport, signal, 'invalid', { kind: 'invalid', message: error.message });
      }
      return this.internal(transport, signal, `passing ${signal} to the pipeline`, error);
    }
    this.metrics.countAccepted(transport, signal, itemCount);
    return this.finish(transport, signal, 'success', { kind: 'success' });
  }

  private internal(transport: Transport, signal: Signal, what: string, error: unknown): ExportOutcome {
    this.failures.record(transport, what, error);
    return this.finish(transport, signal, 'internal_error', {
      kind: 'internal',
      message: `internal error while ${what}; the receiver logged the details`,
    });
  }

  private finish(transport: Transport, signal: Signal, outcome: RequestOutcome, result: ExportOutcome): ExportOutcome {
    this.metrics.countRequest(transport, signal, outcome);
    return result;
  }
}
