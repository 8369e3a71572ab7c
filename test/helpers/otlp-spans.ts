import { randomBytes } from 'node:crypto';

/*
 * Server spans for SLO tests, written as OTLP/JSON request bodies
 * (ExportTraceServiceRequest in the OTLP/HTTP JSON encoding) and posted to a
 * gateway's /v1/traces. No SDK in between: what is posted is exactly what
 * the test states, so counts are exact.
 */

export interface AvailabilityBatchOptions {
  /** `service.name` of the resource. @default 'shop' */
  readonly service?: string;
  /** Span name, also the `http.route` attribute. @default 'GET /orders' */
  readonly operation?: string;
  /** Spans that succeed (status UNSET). */
  readonly good: number;
  /** Spans that fail (status ERROR, HTTP 500): bad for an availability SLI. */
  readonly bad: number;
  /** Every span's duration. @default 20 */
  readonly durationMs?: number;
  /** Every span's end time (Unix ms). @default Date.now() */
  readonly endMs?: number;
}

/** OTLP/JSON's SpanKind and StatusCode numbers (opentelemetry-proto trace.proto). */
const SPAN_KIND_SERVER = 2;
const STATUS_CODE_ERROR = 2;

/** A random 16-byte prefix per process, so trace ids never repeat across test files or runs. */
const TRACE_PREFIX = randomBytes(8).toString('hex');
let spanCounter = 0;

/** One OTLP/JSON request: `good` then `bad` server spans of one operation of one service. */
export function availabilityBatch(options: AvailabilityBatchOptions): unknown {
  const endNs = BigInt(options.endMs ?? Date.now()) * 1_000_000n;
  const durationNs = BigInt(Math.round((options.durationMs ?? 20) * 1_000_000));
  const operation = options.operation ?? 'GET /orders';
  const route = operation.includes(' ') ? operation.slice(operation.indexOf(' ') + 1) : operation;
  const spans = [];
  for (let i = 0; i < options.good + options.bad; i++) {
    const n = ++spanCounter;
    const failed = i >= options.good;
    spans.push({
      traceId: TRACE_PREFIX + n.toString(16).padStart(16, '0'),
      spanId: n.toString(16).padStart(16, '0'),
      name: operation,
      kind: SPAN_KIND_SERVER,
      startTimeUnixNano: String(endNs - durationNs),
      endTimeUnixNano: String(endNs),
      attributes: [
        { key: 'http.route', value: { stringValue: route } },
        { key: 'http.response.status_code', value: { intValue: failed ? 500 : 200 } },
      ],
      status: failed ? { code: STATUS_CODE_ERROR } : {},
    });
  }
  return {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: options.service ?? 'shop' } }] }, scopeSpans: [{ scope: { name: 'slowatch-test' }, spans }] }],
  };
}

/**
 * Posts one OTLP/JSON traces request to `http://127.0.0.1:{port}/v1/traces`.
 * Resolves with the time (Unix ms) the gateway's 200 arrived: the spans
 * were accepted by the pipeline by then. Rejects on any other status.
 */
export async function postSpans(port: number, body: unknown): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /v1/traces answered ${response.status}: ${text}`);
  return Date.now();
}
