/**
 * trace/v1/trace.proto and collector/trace/v1/trace_service.proto as plain
 * objects; conventions in ./common.ts.
 */
import type { InstrumentationScope, KeyValue, OtlpMessage, Resource } from './common';

/** trace.proto `Span.SpanKind`. */
export const SpanKind = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** trace.proto `Status.StatusCode`. */
export const StatusCode = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

/** trace.proto `SpanFlags`: the low 8 bits of `Span.flags`/`Span.Link.flags` are the W3C trace flags. */
export const SpanFlags = {
  SPAN_FLAGS_DO_NOT_USE: 0,
  SPAN_FLAGS_TRACE_FLAGS_MASK: 0xff,
  SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK: 0x100,
  SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK: 0x200,
} as const;

/** collector/trace/v1/trace_service.proto `ExportTraceServiceRequest`. */
export interface ExportTraceServiceRequest extends OtlpMessage {
  resourceSpans?: ResourceSpans[];
}

/** trace.proto `ResourceSpans`. */
export interface ResourceSpans extends OtlpMessage {
  resource?: Resource;
  scopeSpans?: ScopeSpans[];
  schemaUrl?: string;
}

/** trace.proto `ScopeSpans`. */
export interface ScopeSpans extends OtlpMessage {
  scope?: InstrumentationScope;
  spans?: Span[];
  schemaUrl?: string;
}

/** trace.proto `Span`. */
export interface Span extends OtlpMessage {
  /** 16 bytes (validated on decode when present and non-empty). */
  traceId?: Uint8Array;
  /** 8 bytes (validated on decode when present and non-empty). */
  spanId?: Uint8Array;
  traceState?: string;
  /** 8 bytes, absent/empty for a root span. */
  parentSpanId?: Uint8Array;
  /** fixed32 bit field; see {@link SpanFlags}. */
  flags?: number;
  name?: string;
  /** {@link SpanKind} */
  kind?: number;
  startTimeUnixNano?: bigint;
  endTimeUnixNano?: bigint;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  events?: SpanEvent[];
  droppedEventsCount?: number;
  links?: SpanLink[];
  droppedLinksCount?: number;
  status?: Status;
}

/** trace.proto `Span.Event`. */
export interface SpanEvent extends OtlpMessage {
  timeUnixNano?: bigint;
  name?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

/** trace.proto `Span.Link`. */
export interface SpanLink extends OtlpMessage {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

/** trace.proto `Status` (of a span). */
export interface Status extends OtlpMessage {
  message?: string;
  /** {@link StatusCode} */
  code?: number;
}

/** trace_service.proto `ExportTraceServiceResponse`. */
export interface ExportTraceServiceResponse extends OtlpMessage {
  partialSuccess?: ExportTracePartialSuccess;
}

/** trace_service.proto `ExportTracePartialSuccess`. */
export interface ExportTracePartialSuccess extends OtlpMessage {
  rejectedSpans?: bigint;
  errorMessage?: string;
}
