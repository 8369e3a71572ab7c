import type { Clock } from '../../src/clock';

/**
 * What one attempt to send a batch downstream came to. The transports (HTTP,
 * gRPC) classify their responses into these; the exporter decides from them
 * whether to retry, drop or count.
 */
export type SendResult =
  | {
      readonly kind: 'ok';
      /** Items the downstream rejected in a partial_success (0 when all were accepted). */
      readonly rejected: number;
      readonly errorMessage: string;
    }
  | {
      readonly kind: 'retryable';
      /** One line: "HTTP 503: overloaded", "UNAVAILABLE: …", "connect ECONNREFUSED …", "timed out after 10000 ms". */
      readonly reason: string;
      /** A short key for once-per-kind logging: "HTTP 503", "UNAVAILABLE", "network". */
      readonly failureKind: string;
      /** From Retry-After or RetryInfo: wait at least this long. */
      readonly retryAfterMs?: number;
    }
  | {
      readonly kind: 'permanent';
      readonly reason: string;
      readonly failureKind: string;
    }
  | {
      /** The send was cancelled because the exporter is shutting down; the batch is not sent. */
      readonly kind: 'aborted';
      readonly reason: string;
    };

/** The HTTP status codes OTLP/HTTP clients retry (the specification's list). */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** gRPC status codes by number, as named in grpc's status.proto. */
export const GRPC_CODE_NAMES: readonly string[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `code ${code}`;
}

/**
 * The gRPC codes OTLP/gRPC clients retry (specification, "Failures"):
 * CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS;
 * RESOURCE_EXHAUSTED only when the server said when to come back (RetryInfo),
 * since without it the exhaustion may be permanent (e.g. a message too large).
 */
export function isRetryableGrpcCode(code: number, hasRetryInfo: boolean): boolean {
  switch (code) {
    case 1: // CANCELLED
    case 4: // DEADLINE_EXCEEDED
    case 10: // ABORTED
    case 11: // OUT_OF_RANGE
    case 14: // UNAVAILABLE
    case 15: // DATA_LOSS
      return true;
    case 8: // RESOURCE_EXHAUSTED
      return hasRetryInfo;
    default:
      return false;
  }
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns
 * milliseconds from now (0 for a date in the past), undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, clock: Clock): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // "1.5", "-3": not a date either
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - clock.now());
}
