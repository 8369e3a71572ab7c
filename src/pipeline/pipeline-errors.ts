/**
 * Rejections a Consumer may give, which receivers turn into OTLP status codes.
 */

/** The pipeline is full or its downstream is unavailable: retryable. HTTP 503 + Retry-After, gRPC UNAVAILABLE. */
export class BackpressureError extends Error {
  override readonly name = 'BackpressureError';

  constructor(
    message: string,
    /** Suggested wait before retrying, in seconds. */
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** The data can never be accepted as it is: not retryable. HTTP 400, gRPC INVALID_ARGUMENT. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}
