/**
 * The OTLP codec's entry points: export requests, export responses and
 * google.rpc.Status, in protobuf and OTLP/JSON.
 *
 * Decoders throw only {@link OtlpDecodeError}; encoders throw only
 * {@link OtlpEncodeError} (for a model holding values of the wrong type).
 * See ../model/common.ts for the model's conventions and ./limits.ts for
 * the decoders' limits and options.
 */
import { decodeJsonMessage } from './json-reader';
import { encodeJsonMessage } from './json-writer';
import { OtlpDecodeError } from './errors';
import type { DecodeOptions } from './limits';
import { decodeProtobufMessage } from './protobuf-reader';
import { encodeProtobufMessage } from './protobuf-writer';
import {
  ExportLogsServiceRequestDef,
  ExportLogsServiceResponseDef,
  ExportMetricsServiceRequestDef,
  ExportMetricsServiceResponseDef,
  ExportTraceServiceRequestDef,
  ExportTraceServiceResponseDef,
  RetryInfoDef,
  RpcStatusDef,
} from './schema';
import type { MessageDef } from './schema';
import type { ExportRequest } from '../export-request';
import type { ExportLogsServiceRequest } from '../model/logs';
import type { ExportMetricsServiceRequest, Metric } from '../model/metrics';
import type { RpcAny, RpcStatus } from '../model/rpc';
import type { ExportTraceServiceRequest } from '../model/trace';
import type { Signal } from '../signal';

const REQUEST_DEFS: Readonly<Record<Signal, MessageDef>> = {
  traces: ExportTraceServiceRequestDef,
  metrics: ExportMetricsServiceRequestDef,
  logs: ExportLogsServiceRequestDef,
};

const RESPONSE_DEFS: Readonly<Record<Signal, MessageDef>> = {
  traces: ExportTraceServiceResponseDef,
  metrics: ExportMetricsServiceResponseDef,
  logs: ExportLogsServiceResponseDef,
};

/** The name of the `rejected_*` field of each signal's ExportXxxPartialSuccess (lowerCamelCase). */
const REJECTED_FIELD: Readonly<Record<Signal, string>> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

function requestDef(signal: Signal): MessageDef {
  const def = REQUEST_DEFS[signal];
  if (def === undefined) throw new TypeError(`unknown OTLP signal ${JSON.stringify(signal)}`);
  return def;
}

function responseDef(signal: Signal): MessageDef {
  const def = RESPONSE_DEFS[signal];
  if (def === undefined) throw new TypeError(`unknown OTLP signal ${JSON.stringify(signal)}`);
  return def;
}

// ---------------------------------------------------------------------------
// Export requests

/** Decodes an Export{Trace,Metrics,Logs}ServiceRequest in protobuf (OTLP/gRPC, OTLP/HTTP application/x-protobuf). */
export function decodeProtobufRequest(signal: 'traces', bytes: Uint8Array, options?: DecodeOptions): ExportTraceServiceRequest;
export function decodeProtobufRequest(signal: 'metrics', bytes: Uint8Array, options?: DecodeOptions): ExportMetricsServiceRequest;
export function decodeProtobufRequest(signal: 'logs', bytes: Uint8Array, options?: DecodeOptions): ExportLogsServiceRequest;
export function decodeProtobufRequest(signal: Signal, bytes: Uint8Array, options?: DecodeOptions): ExportRequest;
export function decodeProtobufRequest(signal: Signal, bytes: Uint8Array, options?: DecodeOptions): ExportRequest {
  return decodeProtobufMessage(requestDef(signal), bytes, options);
}

/** Decodes an Export{Trace,Metrics,Logs}ServiceRequest in OTLP/JSON (text, or UTF-8 bytes). */
export function decodeJsonRequest(signal: 'traces', body: string | Uint8Array, options?: DecodeOptions): ExportTraceServiceRequest;
export function decodeJsonRequest(signal: 'metrics', body: string | Uint8Array, options?: DecodeOptions): ExportMetricsServiceRequest;
export function decodeJsonRequest(signal: 'logs', body: string | Uint8Array, options?: DecodeOptions): ExportLogsServiceRequest;
export function decodeJsonRequest(signal: Signal, body: string | Uint8Array, options?: DecodeOptions): ExportRequest;
export function decodeJsonRequest(signal: Signal, body: string | Uint8Array, options?: DecodeOptions): ExportRequest {
  return decodeJsonMessage(requestDef(signal), body, options);
}

/** Encodes an export request in protobuf, unknown fields (`$unknown`) included. */
export function encodeProtobufRequest(signal: Signal, request: ExportRequest): Uint8Array {
  return encodeProtobufMessage(requestDef(signal), request);
}

/** Encodes an export request in OTLP/JSON (unknown protobuf fields cannot be carried and are dropped). */
export function encodeJsonRequest(signal: Signal, request: ExportRequest): string {
  return encodeJsonMessage(requestDef(signal), request);
}

/**
 * The number of items in a request, as OTLP counts them for partial success:
 * spans; metric data points (across gauge, sum, histogram, exponential
 * histogram and summary); log records.
 */
export function countItems(signal: Signal, request: ExportRequest): number {
  let n = 0;
  switch (signal) {
    case 'traces':
      for (const rs of (request as ExportTraceServiceRequest).resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
      }
      return n;
    case 'metrics':
      for (const rm of (request as ExportMetricsServiceRequest).resourceMetrics ?? []) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) n += dataPointCount(m);
        }
      }
      return n;
    case 'logs':
      for (const rl of (request as ExportLogsServiceRequest).resourceLogs ?? []) {
        for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
      }
      return n;
    default:
      throw new TypeError(`unknown OTLP signal ${JSON.stringify(signal)}`);
  }
}

/** The data points of one metric, whatever its type. */
export function dataPointCount(metric: Metric): number {
  return (
    (metric.gauge?.dataPoints?.length ?? 0) +
    (metric.sum?.dataPoints?.length ?? 0) +
    (metric.histogram?.dataPoints?.length ?? 0) +
    (metric.exponentialHistogram?.dataPoints?.length ?? 0) +
    (metric.summary?.dataPoints?.length ?? 0)
  );
}

// ---------------------------------------------------------------------------
// Export responses (ExportXxxServiceResponse { partial_success = 1 { rejected_xxx = 1 (int64); error_message = 2 } })

export interface PartialSuccess {
  /** rejected_spans / rejected_data_points / rejected_log_records. */
  rejected: number;
  errorMessage: string;
}

function responseObject(signal: Signal, partial: PartialSuccess | undefined): Record<string, unknown> {
  if (partial === undefined) return {};
  return {
    partialSuccess: { [REJECTED_FIELD[signal]]: BigInt(Math.max(0, Math.trunc(partial.rejected))), errorMessage: partial.errorMessage },
  };
}

/**
 * An Export{Trace,Metrics,Logs}ServiceResponse in protobuf: empty when the
 * request was fully accepted (`partial` undefined), else with `partial_success`.
 */
export function encodeProtobufResponse(signal: Signal, partial?: PartialSuccess): Uint8Array {
  return encodeProtobufMessage(responseDef(signal), responseObject(signal, partial));
}

/** The same in OTLP/JSON: `{}` or `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"…"}}`. */
export function encodeJsonResponse(signal: Signal, partial?: PartialSuccess): string {
  return encodeJsonMessage(responseDef(signal), responseObject(signal, partial));
}

function partialOf(signal: Signal, response: Record<string, unknown>): PartialSuccess {
  const ps = response.partialSuccess as Record<string, unknown> | undefined;
  const rejected = ps?.[REJECTED_FIELD[signal]] as bigint | undefined;
  return { rejected: rejected === undefined ? 0 : Number(rejected), errorMessage: (ps?.errorMessage as string | undefined) ?? '' };
}

/** Reads an export response (exporter side); an empty body is full success `{ rejected: 0, errorMessage: '' }`. */
export function decodeProtobufResponse(signal: Signal, bytes: Uint8Array): PartialSuccess {
  return partialOf(signal, decodeProtobufMessage(responseDef(signal), bytes));
}

/** Reads an OTLP/JSON export response; an empty (or all-whitespace) body is full success. */
export function decodeJsonResponse(signal: Signal, text: string | Uint8Array): PartialSuccess {
  const def = responseDef(signal);
  if (typeof text === 'string' ? text.trim() === '' : text.length === 0) return { rejected: 0, errorMessage: '' };
  return partialOf(signal, decodeJsonMessage(def, text));
}

// ---------------------------------------------------------------------------
// google.rpc.Status (OTLP/gRPC status details, OTLP/HTTP error bodies)

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

export interface StatusInfo {
  code: number;
  message: string;
  /** From a google.rpc.RetryInfo detail, when the server sent one (throttling). */
  retryDelayMs?: number;
  /** All details, raw (google.protobuf.Any). From JSON, only `@type` is kept (as typeUrl). */
  details?: RpcAny[];
}

function statusObject(code: number, message: string, retryDelayMs: number | undefined): RpcStatus {
  const status: RpcStatus = { code: code | 0, message };
  if (retryDelayMs !== undefined && retryDelayMs >= 0 && Number.isFinite(retryDelayMs)) {
    const ms = Math.round(retryDelayMs);
    const retryInfo = { retryDelay: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 } };
    status.details = [{ typeUrl: RETRY_INFO_TYPE_URL, value: encodeProtobufMessage(RetryInfoDef, retryInfo) }];
  }
  return status;
}

/** A google.rpc.Status in protobuf; with `retryDelayMs`, a google.rpc.RetryInfo detail too. */
export function encodeProtobufStatus(code: number, message: string, retryDelayMs?: number): Uint8Array {
  return encodeProtobufMessage(RpcStatusDef, statusObject(code, message, retryDelayMs));
}

/** A google.rpc.Status in JSON; with `retryDelayMs`, a RetryInfo detail (`{"@type":…,"retryDelay":"1.5s"}`). */
export function encodeJsonStatus(code: number, message: string, retryDelayMs?: number): string {
  const base = encodeJsonMessage(RpcStatusDef, { code: code | 0, message });
  if (retryDelayMs === undefined || !(retryDelayMs >= 0) || !Number.isFinite(retryDelayMs)) return base;
  const detail = `{"@type":${JSON.stringify(RETRY_INFO_TYPE_URL)},"retryDelay":"${(Math.round(retryDelayMs) / 1000).toString()}s"}`;
  return `${base.slice(0, -1)}${base.length > 2 ? ',' : ''}"details":[${detail}]}`;
}

function statusInfo(status: RpcStatus, retryDelayMs: number | undefined): StatusInfo {
  const info: StatusInfo = { code: status.code ?? 0, message: status.message ?? '' };
  if (retryDelayMs !== undefined) info.retryDelayMs = retryDelayMs;
  if (status.details !== undefined && status.details.length > 0) info.details = status.details;
  return info;
}

/** Reads a google.rpc.Status in protobuf (an empty body is code 0). */
export function decodeProtobufStatus(bytes: Uint8Array): StatusInfo {
  const status = decodeProtobufMessage(RpcStatusDef, bytes) as RpcStatus;
  let retryDelayMs: number | undefined;
  for (const d of status.details ?? []) {
    if (d.typeUrl === RETRY_INFO_TYPE_URL && d.value !== undefined) {
      try {
        const info = decodeProtobufMessage(RetryInfoDef, d.value) as { retryDelay?: { seconds?: bigint; nanos?: number } };
        retryDelayMs = Number(info.retryDelay?.seconds ?? 0n) * 1000 + Math.round((info.retryDelay?.nanos ?? 0) / 1_000_000);
      } catch (e) {
        if (!(e instanceof OtlpDecodeError)) throw e;
        // A malformed RetryInfo is ignored: the status itself is fine.
      }
    }
  }
  return statusInfo(status, retryDelayMs);
}

const DURATION = /^(-?\d+)(?:\.(\d{1,9}))?s$/;

/** Reads a google.rpc.Status in JSON (`{"code":…,"message":…,"details":[{"@type":…}]}`). */
export function decodeJsonStatus(text: string | Uint8Array): StatusInfo {
  const parsed = decodeJsonMessage(RpcStatusDef, text) as RpcStatus;
  // The JSON form of Any inlines the packed message's fields next to "@type": read RetryInfo's retryDelay from the raw JSON.
  let retryDelayMs: number | undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch {
    raw = undefined;
  }
  const details = (raw as { details?: unknown } | undefined)?.details;
  if (Array.isArray(details)) {
    for (const d of details as unknown[]) {
      const detail = d as { '@type'?: unknown; retryDelay?: unknown; retry_delay?: unknown } | null;
      if (detail === null || typeof detail !== 'object' || detail['@type'] !== RETRY_INFO_TYPE_URL) continue;
      const delay = detail.retryDelay ?? detail.retry_delay;
      const m = typeof delay === 'string' ? DURATION.exec(delay) : null;
      if (m !== null) retryDelayMs = Number(m[1]) * 1000 + Math.round(Number(`0.${m[2] ?? '0'}`) * 1000);
    }
  }
  return statusInfo(parsed, retryDelayMs);
}
