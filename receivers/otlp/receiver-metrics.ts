import type { Counter, Meter } from '@opentelemetry/api';
import { ITEM_NOUN, SIGNALS } from '../../src/otlp/signal';
import type { Signal } from '../../src/otlp/signal';

export type Transport = 'http' | 'grpc';

/**
 * How a request to the receiver ended, the `outcome` label of
 * `slowatch_receiver_requests_total`:
 * - `success`: answered 200 / OK (partial_success included);
 * - `invalid`: 400 / INVALID_ARGUMENT: undecodable data, a bad compressed
 *   body, or a PermanentError from the pipeline;
 * - `too_large`: 413 / RESOURCE_EXHAUSTED (over max_request_body_size or max_recv_msg_size);
 * - `unsupported`: 415 (content type) or a signal no pipeline takes (404 / UNIMPLEMENTED);
 * - `unauthenticated`: 401 / UNAUTHENTICATED;
 * - `backpressure`: 503 / UNAVAILABLE, the pipeline could not take the data now;
 * - `internal_error`: 500 / INTERNAL.
 */
export type RequestOutcome = 'success' | 'invalid' | 'too_large' | 'unsupported' | 'unauthenticated' | 'backpressure' | 'internal_error';

/**
 * Why the receiver closed a connection without serving a request on it, the
 * `reason` label of `slowatch_receiver_refused_connections_total` (OTLP/HTTP):
 * - `header_timeout`: the request headers were not complete within read_header_timeout (408);
 * - `request_timeout`: the headers were, the body was not complete within read_timeout (408);
 * - `connection_limit`: max_connections were open; closed right after accept;
 * - `headers_too_large`: headers over Node's 16 KiB limit (431);
 * - `malformed`: bytes that are not HTTP/1.1 (400).
 * Idle keep-alive connections closed after idle_timeout are not refusals and are not counted.
 */
export type RefusedConnectionReason = 'header_timeout' | 'request_timeout' | 'connection_limit' | 'headers_too_large' | 'malformed';

export const RECEIVER_REFUSED_CONNECTIONS_METRIC = 'slowatch_receiver_refused_connections_total';

/** Metric names, exactly as the Prometheus exporter shows them. */
export function receiverMetricNames(signal: Signal): { readonly accepted: string; readonly refused: string } {
  const noun = ITEM_NOUN[signal].metricName;
  return { accepted: `slowatch_receiver_accepted_${noun}_total`, refused: `slowatch_receiver_refused_${noun}_total` };
}

export const RECEIVER_REQUESTS_METRIC = 'slowatch_receiver_requests_total';

/**
 * The receiver's own counters, Collector-style, on the component's meter:
 *
 *   slowatch_receiver_accepted_{spans,metric_points,log_records}_total{receiver,transport}
 *     items the pipeline took;
 *   slowatch_receiver_refused_{spans,metric_points,log_records}_total{receiver,transport}
 *     items of decoded requests the pipeline refused (back-pressure, a
 *     PermanentError, or an internal error): the client was told so;
 *   slowatch_receiver_requests_total{receiver,transport,signal,outcome}
 *     every request to an OTLP endpoint (see RequestOutcome): the only count of
 *     requests whose items cannot be counted because they never decoded;
 *   slowatch_receiver_refused_connections_total{receiver,transport,reason}
 *     connections closed before a request on them could be answered (see
 *     RefusedConnectionReason): timeouts, the connection cap, bad HTTP.
 *
 * Requests to unknown paths and with wrong methods are not OTLP requests and are not counted.
 */
export class ReceiverMetrics {
  private readonly accepted: Readonly<Record<Signal, Counter>>;
  private readonly refused: Readonly<Record<Signal, Counter>>;
  private readonly requests: Counter;
  private readonly refusedConnections: Counter;

  constructor(
    meter: Meter,
    private readonly receiverId: string,
  ) {
    const accepted = {} as Record<Signal, Counter>;
    const refused = {} as Record<Signal, Counter>;
    for (const signal of SIGNALS) {
      const names = receiverMetricNames(signal);
      const noun = ITEM_NOUN[signal].many;
      accepted[signal] = meter.createCounter(names.accepted, { description: `Number of ${noun} successfully pushed into the pipeline.` });
      refused[signal] = meter.createCounter(names.refused, { description: `Number of ${noun} that could not be pushed into the pipeline.` });
    }
    this.accepted = accepted;
    this.refused = refused;
    this.requests = meter.createCounter(RECEIVER_REQUESTS_METRIC, { description: 'Number of OTLP export requests received, by outcome.' });
    this.refusedConnections = meter.createCounter(RECEIVER_REFUSED_CONNECTIONS_METRIC, {
      description: 'Number of connections closed before a request on them could be answered, by reason.',
    });
  }

  /** Shows the item counters at 0 for the signals and transports in use, before any traffic. */
  initialize(transport: Transport, signal: Signal): void {
    this.accepted[signal].add(0, { receiver: this.receiverId, transport });
    this.refused[signal].add(0, { receiver: this.receiverId, transport });
  }

  countAccepted(transport: Transport, signal: Signal, items: number): void {
    if (items > 0) this.accepted[signal].add(items, { receiver: this.receiverId, transport });
  }

  countRefused(transport: Transport, signal: Signal, items: number): void {
    if (items > 0) this.refused[signal].add(items, { receiver: this.receiverId, transport });
  }

  countRequest(transport: Transport, signal: Signal, outcome: RequestOutcome): void {
    this.requests.add(1, { receiver: this.receiverId, transport, signal, outcome });
  }

  countRefusedConnection(transport: Transport, reason: RefusedConnectionReason): void {
    this.refusedConnections.add(1, { receiver: this.receiverId, transport, reason });
  }
}
