import {
  OtlpDecodeError,
  countItems,
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeJsonResponse,
  encodeJsonStatus,
  encodeProtobufResponse,
  encodeProtobufStatus,
} from '../../src/otlp/codec';
import type { ExportRequest } from '../../src/otlp/export-request';
import type { Signal } from '../../src/otlp/signal';
import { toBuffer } from '../../src/otlp/transport';

/**
 * The receiver's view of the OTLP codec (src/otlp): the one file that knows
 * its function names and argument shapes.
 */

export { countItems, OtlpDecodeError };

/** The two OTLP/HTTP payload formats; gRPC always uses protobuf. */
export type PayloadFormat = 'protobuf' | 'json';

export const CONTENT_TYPE: Readonly<Record<PayloadFormat, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** Items of a request the pipeline did not take, for an Export*ServiceResponse's partial_success. */
export interface PartialSuccess {
  /** Spans, metric data points or log records rejected. */
  readonly rejectedItems: number;
  /** Why, for the client's developers. */
  readonly errorMessage: string;
}

export function isDecodeError(error: unknown): error is OtlpDecodeError {
  return error instanceof OtlpDecodeError;
}

/** Throws OtlpDecodeError when the bytes are not a valid request of the signal. */
export function decodeRequest(format: PayloadFormat, signal: Signal, body: Buffer): ExportRequest {
  return format === 'protobuf' ? decodeProtobufRequest(signal, body) : decodeJsonRequest(signal, body);
}

/** The Export*ServiceResponse body of a successful request. */
export function encodeResponse(format: PayloadFormat, signal: Signal, partial?: PartialSuccess): Buffer {
  const codecPartial = partial === undefined ? undefined : { rejected: partial.rejectedItems, errorMessage: partial.errorMessage };
  return toBuffer(format === 'protobuf' ? encodeProtobufResponse(signal, codecPartial) : encodeJsonResponse(signal, codecPartial));
}

/** A google.rpc.Status body for an error answer; with `retryDelayMs`, a google.rpc.RetryInfo detail too. */
export function encodeStatus(format: PayloadFormat, code: number, message: string, retryDelayMs?: number): Buffer {
  return toBuffer(format === 'protobuf' ? encodeProtobufStatus(code, message, retryDelayMs) : encodeJsonStatus(code, message, retryDelayMs));
}

