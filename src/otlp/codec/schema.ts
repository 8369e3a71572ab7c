/**
 * The declarative description of the OTLP messages that drives the generic
 * protobuf and JSON readers and writers in this directory.
 *
 * Every table below follows one .proto file of opentelemetry-proto v1.x
 * (field numbers, types, oneofs, proto3 `optional`), cited above it; the
 * lowerCamelCase names are derived from the .proto names as the proto3 JSON
 * mapping does (`trace_id` → `traceId`). Nothing here is generated: extending
 * the codec to a new field is one line in a table.
 */
import { SpanKind, StatusCode } from '../model/trace';
import { AggregationTemporality } from '../model/metrics';
import { SeverityNumber } from '../model/logs';

// Field kinds, numbered as google.protobuf.FieldDescriptorProto.Type.
export const K_DOUBLE = 1;
export const K_FLOAT = 2;
export const K_INT64 = 3;
export const K_UINT64 = 4;
export const K_INT32 = 5;
export const K_FIXED64 = 6;
export const K_FIXED32 = 7;
export const K_BOOL = 8;
export const K_STRING = 9;
export const K_MESSAGE = 11;
export const K_BYTES = 12;
export const K_UINT32 = 13;
export const K_ENUM = 14;
export const K_SFIXED32 = 15;
export const K_SFIXED64 = 16;
export const K_SINT32 = 17;
export const K_SINT64 = 18;

export type Kind =
  | typeof K_DOUBLE
  | typeof K_FLOAT
  | typeof K_INT64
  | typeof K_UINT64
  | typeof K_INT32
  | typeof K_FIXED64
  | typeof K_FIXED32
  | typeof K_BOOL
  | typeof K_STRING
  | typeof K_MESSAGE
  | typeof K_BYTES
  | typeof K_UINT32
  | typeof K_ENUM
  | typeof K_SFIXED32
  | typeof K_SFIXED64
  | typeof K_SINT32
  | typeof K_SINT64;

// Protobuf wire types.
export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_SGROUP = 3;
export const WT_EGROUP = 4;
export const WT_I32 = 5;

/** Byte-id fields: hex in OTLP/JSON and length-checked on decode. */
export const ID_NONE = 0;
export const ID_TRACE = 16;
export const ID_SPAN = 8;

export interface EnumDef {
  readonly name: string;
  readonly byName: ReadonlyMap<string, number>;
}

export interface FieldDef {
  /** Field number. */
  readonly no: number;
  /** lowerCamelCase name: the model's key and the OTLP/JSON key. */
  readonly name: string;
  /** The .proto name, also accepted as a JSON key on input. */
  readonly protoName: string;
  /** `"name":`, the JSON writer's key prefix. */
  readonly jsonKey: string;
  readonly kind: Kind;
  readonly repeated: boolean;
  /** Repeated numeric scalar: written packed (proto3 default), read packed or not. */
  readonly packed: boolean;
  /** Member of the message's oneof (explicit presence). */
  readonly oneof: boolean;
  /** proto3 `optional` (explicit presence). */
  readonly optional: boolean;
  /** Singular, not in a oneof, not `optional`: the default value is not written and not kept. */
  readonly implicit: boolean;
  /** ID_TRACE / ID_SPAN: required byte length when non-empty, hex in JSON; else ID_NONE. */
  readonly id: number;
  /** Wire type of one element (for packed fields: of one element, not of the field). */
  readonly wireType: number;
  /** Varint-encoded key (field number and wire type) as written, as bytes. */
  readonly tagBytes: Uint8Array;
  readonly enumDef: EnumDef | undefined;
  /** The message type, for K_MESSAGE (resolved lazily: the tables are recursive). */
  message: MessageDef | undefined;
  /** Protobuf writer's guess of the length prefix size of this message field (adapts as it writes). */
  lenHint: number;
}

export interface MessageDef {
  /** Fully qualified protobuf name, for messages. */
  readonly fullName: string;
  /** Fields in declaration order (the JSON writer's order). */
  readonly fields: readonly FieldDef[];
  /** Fields in field-number order (the protobuf writer's order). */
  readonly wireOrder: readonly FieldDef[];
  /** Index by field number (holes are undefined). */
  readonly byNumber: readonly (FieldDef | undefined)[];
  /** Index by JSON key: lowerCamelCase and .proto name. */
  readonly byJsonName: ReadonlyMap<string, FieldDef>;
  /** Index by model key (lowerCamelCase only). */
  readonly byName: ReadonlyMap<string, FieldDef>;
  /** Counts towards the AnyValue nesting limit. */
  readonly nestingCounted: boolean;
}

interface FieldOpts {
  readonly repeated?: boolean;
  readonly oneof?: boolean;
  readonly optional?: boolean;
  readonly id?: number;
  readonly enumDef?: EnumDef;
  readonly message?: () => MessageDef;
  /** Further JSON keys accepted on input (google.protobuf.Any's `@type`). */
  readonly jsonAliases?: readonly string[];
}

interface FieldSpec {
  readonly no: number;
  readonly protoName: string;
  readonly kind: Kind;
  readonly opts: FieldOpts;
}

function lowerCamel(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function wireTypeOf(kind: Kind): number {
  switch (kind) {
    case K_DOUBLE:
    case K_FIXED64:
    case K_SFIXED64:
      return WT_I64;
    case K_FLOAT:
    case K_FIXED32:
    case K_SFIXED32:
      return WT_I32;
    case K_STRING:
    case K_BYTES:
    case K_MESSAGE:
      return WT_LEN;
    default:
      return WT_VARINT;
  }
}

function varintBytes(value: number): Uint8Array {
  const out: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Uint8Array.from(out);
}

const pendingResolution: { field: FieldDef; thunk: () => MessageDef }[] = [];

function f(no: number, protoName: string, kind: Kind, opts: FieldOpts = {}): FieldSpec {
  return { no, protoName, kind, opts };
}

function enumType(name: string, values: Readonly<Record<string, number>>): EnumDef {
  return { name, byName: new Map(Object.keys(values).map((k) => [k, values[k] as number])) };
}

function message(fullName: string, specs: readonly FieldSpec[], nestingCounted = false): MessageDef {
  const fields: FieldDef[] = [];
  for (const s of specs) {
    const repeated = s.opts.repeated === true;
    const wireType = wireTypeOf(s.kind);
    const packed = repeated && wireType !== WT_LEN;
    const name = lowerCamel(s.protoName);
    const field: FieldDef = {
      no: s.no,
      name,
      protoName: s.protoName,
      jsonKey: `${JSON.stringify(name)}:`,
      kind: s.kind,
      repeated,
      packed,
      oneof: s.opts.oneof === true,
      optional: s.opts.optional === true,
      implicit: !repeated && s.opts.oneof !== true && s.opts.optional !== true,
      id: s.opts.id ?? ID_NONE,
      wireType,
      tagBytes: varintBytes(((s.no << 3) | (packed ? WT_LEN : wireType)) >>> 0),
      enumDef: s.opts.enumDef,
      message: undefined,
      lenHint: 1,
    };
    if (s.kind === K_MESSAGE) {
      if (s.opts.message === undefined) throw new Error(`${fullName}.${s.protoName}: message type missing`);
      pendingResolution.push({ field, thunk: s.opts.message });
    }
    fields.push(field);
  }
  const wireOrder = [...fields].sort((a, b) => a.no - b.no);
  const maxNo = wireOrder.length > 0 ? (wireOrder[wireOrder.length - 1] as FieldDef).no : 0;
  const byNumber: (FieldDef | undefined)[] = new Array<FieldDef | undefined>(maxNo + 1).fill(undefined);
  const byJsonName = new Map<string, FieldDef>();
  const byName = new Map<string, FieldDef>();
  for (const field of fields) {
    byName.set(field.name, field);
    byNumber[field.no] = field;
    byJsonName.set(field.name, field);
    byJsonName.set(field.protoName, field);
  }
  for (const s of specs) {
    for (const alias of s.opts.jsonAliases ?? []) byJsonName.set(alias, byNumber[s.no] as FieldDef);
  }
  return { fullName, fields, wireOrder, byNumber, byJsonName, byName, nestingCounted };
}

// ---------------------------------------------------------------------------
// opentelemetry/proto/common/v1/common.proto
// AnyValue has exactly one oneof (`value`); every message below has at most one
// oneof group, which the readers rely on ("last member on the wire wins").

export const AnyValueDef: MessageDef = message(
  'opentelemetry.proto.common.v1.AnyValue',
  [
    f(1, 'string_value', K_STRING, { oneof: true }),
    f(2, 'bool_value', K_BOOL, { oneof: true }),
    f(3, 'int_value', K_INT64, { oneof: true }),
    f(4, 'double_value', K_DOUBLE, { oneof: true }),
    f(5, 'array_value', K_MESSAGE, { oneof: true, message: () => ArrayValueDef }),
    f(6, 'kvlist_value', K_MESSAGE, { oneof: true, message: () => KeyValueListDef }),
    f(7, 'bytes_value', K_BYTES, { oneof: true }),
    // [Alpha] profiles only (v1.10.0).
    f(8, 'string_value_strindex', K_INT32, { oneof: true }),
  ],
  true,
);

export const ArrayValueDef: MessageDef = message('opentelemetry.proto.common.v1.ArrayValue', [
  f(1, 'values', K_MESSAGE, { repeated: true, message: () => AnyValueDef }),
]);

export const KeyValueListDef: MessageDef = message('opentelemetry.proto.common.v1.KeyValueList', [
  f(1, 'values', K_MESSAGE, { repeated: true, message: () => KeyValueDef }),
]);

export const KeyValueDef: MessageDef = message('opentelemetry.proto.common.v1.KeyValue', [
  f(1, 'key', K_STRING),
  f(2, 'value', K_MESSAGE, { message: () => AnyValueDef }),
  // [Alpha] profiles only (v1.10.0).
  f(3, 'key_strindex', K_INT32),
]);

const attributes = (no: number, protoName = 'attributes'): FieldSpec =>
  f(no, protoName, K_MESSAGE, { repeated: true, message: () => KeyValueDef });

export const InstrumentationScopeDef: MessageDef = message('opentelemetry.proto.common.v1.InstrumentationScope', [
  f(1, 'name', K_STRING),
  f(2, 'version', K_STRING),
  attributes(3),
  f(4, 'dropped_attributes_count', K_UINT32),
]);

export const EntityRefDef: MessageDef = message('opentelemetry.proto.common.v1.EntityRef', [
  f(1, 'schema_url', K_STRING),
  f(2, 'type', K_STRING),
  f(3, 'id_keys', K_STRING, { repeated: true }),
  f(4, 'description_keys', K_STRING, { repeated: true }),
]);

// opentelemetry/proto/resource/v1/resource.proto

export const ResourceDef: MessageDef = message('opentelemetry.proto.resource.v1.Resource', [
  attributes(1),
  f(2, 'dropped_attributes_count', K_UINT32),
  f(3, 'entity_refs', K_MESSAGE, { repeated: true, message: () => EntityRefDef }),
]);

const resource = (): FieldSpec => f(1, 'resource', K_MESSAGE, { message: () => ResourceDef });
const scope = (): FieldSpec => f(1, 'scope', K_MESSAGE, { message: () => InstrumentationScopeDef });
const schemaUrl = (): FieldSpec => f(3, 'schema_url', K_STRING);

// ---------------------------------------------------------------------------
// opentelemetry/proto/trace/v1/trace.proto

export const SpanKindEnum = enumType('opentelemetry.proto.trace.v1.Span.SpanKind', SpanKind);

export const StatusCodeEnum = enumType('opentelemetry.proto.trace.v1.Status.StatusCode', StatusCode);

export const StatusDef: MessageDef = message('opentelemetry.proto.trace.v1.Status', [
  // reserved 1
  f(2, 'message', K_STRING),
  f(3, 'code', K_ENUM, { enumDef: StatusCodeEnum }),
]);

export const SpanEventDef: MessageDef = message('opentelemetry.proto.trace.v1.Span.Event', [
  f(1, 'time_unix_nano', K_FIXED64),
  f(2, 'name', K_STRING),
  attributes(3),
  f(4, 'dropped_attributes_count', K_UINT32),
]);

export const SpanLinkDef: MessageDef = message('opentelemetry.proto.trace.v1.Span.Link', [
  f(1, 'trace_id', K_BYTES, { id: ID_TRACE }),
  f(2, 'span_id', K_BYTES, { id: ID_SPAN }),
  f(3, 'trace_state', K_STRING),
  attributes(4),
  f(5, 'dropped_attributes_count', K_UINT32),
  f(6, 'flags', K_FIXED32),
]);

export const SpanDef: MessageDef = message('opentelemetry.proto.trace.v1.Span', [
  f(1, 'trace_id', K_BYTES, { id: ID_TRACE }),
  f(2, 'span_id', K_BYTES, { id: ID_SPAN }),
  f(3, 'trace_state', K_STRING),
  f(4, 'parent_span_id', K_BYTES, { id: ID_SPAN }),
  f(16, 'flags', K_FIXED32),
  f(5, 'name', K_STRING),
  f(6, 'kind', K_ENUM, { enumDef: SpanKindEnum }),
  f(7, 'start_time_unix_nano', K_FIXED64),
  f(8, 'end_time_unix_nano', K_FIXED64),
  attributes(9),
  f(10, 'dropped_attributes_count', K_UINT32),
  f(11, 'events', K_MESSAGE, { repeated: true, message: () => SpanEventDef }),
  f(12, 'dropped_events_count', K_UINT32),
  f(13, 'links', K_MESSAGE, { repeated: true, message: () => SpanLinkDef }),
  f(14, 'dropped_links_count', K_UINT32),
  f(15, 'status', K_MESSAGE, { message: () => StatusDef }),
]);

export const ScopeSpansDef: MessageDef = message('opentelemetry.proto.trace.v1.ScopeSpans', [
  scope(),
  f(2, 'spans', K_MESSAGE, { repeated: true, message: () => SpanDef }),
  schemaUrl(),
]);

export const ResourceSpansDef: MessageDef = message('opentelemetry.proto.trace.v1.ResourceSpans', [
  // reserved 1000 (the former instrumentation_library_spans)
  resource(),
  f(2, 'scope_spans', K_MESSAGE, { repeated: true, message: () => ScopeSpansDef }),
  schemaUrl(),
]);

// ---------------------------------------------------------------------------
// opentelemetry/proto/metrics/v1/metrics.proto

export const AggregationTemporalityEnum = enumType('opentelemetry.proto.metrics.v1.AggregationTemporality', AggregationTemporality);

const temporality = (): FieldSpec => f(2, 'aggregation_temporality', K_ENUM, { enumDef: AggregationTemporalityEnum });

export const ExemplarDef: MessageDef = message('opentelemetry.proto.metrics.v1.Exemplar', [
  // reserved 1
  attributes(7, 'filtered_attributes'),
  f(2, 'time_unix_nano', K_FIXED64),
  f(3, 'as_double', K_DOUBLE, { oneof: true }),
  f(6, 'as_int', K_SFIXED64, { oneof: true }),
  f(4, 'span_id', K_BYTES, { id: ID_SPAN }),
  f(5, 'trace_id', K_BYTES, { id: ID_TRACE }),
]);

const exemplars = (no: number): FieldSpec => f(no, 'exemplars', K_MESSAGE, { repeated: true, message: () => ExemplarDef });

export const NumberDataPointDef: MessageDef = message('opentelemetry.proto.metrics.v1.NumberDataPoint', [
  // reserved 1
  attributes(7),
  f(2, 'start_time_unix_nano', K_FIXED64),
  f(3, 'time_unix_nano', K_FIXED64),
  f(4, 'as_double', K_DOUBLE, { oneof: true }),
  f(6, 'as_int', K_SFIXED64, { oneof: true }),
  exemplars(5),
  f(8, 'flags', K_UINT32),
]);

export const HistogramDataPointDef: MessageDef = message('opentelemetry.proto.metrics.v1.HistogramDataPoint', [
  // reserved 1
  attributes(9),
  f(2, 'start_time_unix_nano', K_FIXED64),
  f(3, 'time_unix_nano', K_FIXED64),
  f(4, 'count', K_FIXED64),
  f(5, 'sum', K_DOUBLE, { optional: true }),
  f(6, 'bucket_counts', K_FIXED64, { repeated: true }),
  f(7, 'explicit_bounds', K_DOUBLE, { repeated: true }),
  exemplars(8),
  f(10, 'flags', K_UINT32),
  f(11, 'min', K_DOUBLE, { optional: true }),
  f(12, 'max', K_DOUBLE, { optional: true }),
]);

export const BucketsDef: MessageDef = message('opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets', [
  f(1, 'offset', K_SINT32),
  f(2, 'bucket_counts', K_UINT64, { repeated: true }),
]);

export const ExponentialHistogramDataPointDef: MessageDef = message(
  'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint',
  [
    attributes(1),
    f(2, 'start_time_unix_nano', K_FIXED64),
    f(3, 'time_unix_nano', K_FIXED64),
    f(4, 'count', K_FIXED64),
    f(5, 'sum', K_DOUBLE, { optional: true }),
    f(6, 'scale', K_SINT32),
    f(7, 'zero_count', K_FIXED64),
    f(8, 'positive', K_MESSAGE, { message: () => BucketsDef }),
    f(9, 'negative', K_MESSAGE, { message: () => BucketsDef }),
    f(10, 'flags', K_UINT32),
    exemplars(11),
    f(12, 'min', K_DOUBLE, { optional: true }),
    f(13, 'max', K_DOUBLE, { optional: true }),
    f(14, 'zero_threshold', K_DOUBLE),
  ],
);

export const ValueAtQuantileDef: MessageDef = message('opentelemetry.proto.metrics.v1.SummaryDataPoint.ValueAtQuantile', [
  f(1, 'quantile', K_DOUBLE),
  f(2, 'value', K_DOUBLE),
]);

export const SummaryDataPointDef: MessageDef = message('opentelemetry.proto.metrics.v1.SummaryDataPoint', [
  // reserved 1
  attributes(7),
  f(2, 'start_time_unix_nano', K_FIXED64),
  f(3, 'time_unix_nano', K_FIXED64),
  f(4, 'count', K_FIXED64),
  f(5, 'sum', K_DOUBLE),
  f(6, 'quantile_values', K_MESSAGE, { repeated: true, message: () => ValueAtQuantileDef }),
  f(8, 'flags', K_UINT32),
]);

const dataPoints = (message: () => MessageDef): FieldSpec => f(1, 'data_points', K_MESSAGE, { repeated: true, message });

export const GaugeDef: MessageDef = message('opentelemetry.proto.metrics.v1.Gauge', [dataPoints(() => NumberDataPointDef)]);

export const SumDef: MessageDef = message('opentelemetry.proto.metrics.v1.Sum', [
  dataPoints(() => NumberDataPointDef),
  temporality(),
  f(3, 'is_monotonic', K_BOOL),
]);

export const HistogramDef: MessageDef = message('opentelemetry.proto.metrics.v1.Histogram', [
  dataPoints(() => HistogramDataPointDef),
  temporality(),
]);

export const ExponentialHistogramDef: MessageDef = message('opentelemetry.proto.metrics.v1.ExponentialHistogram', [
  dataPoints(() => ExponentialHistogramDataPointDef),
  temporality(),
]);

export const SummaryDef: MessageDef = message('opentelemetry.proto.metrics.v1.Summary', [
  dataPoints(() => SummaryDataPointDef),
]);

export const MetricDef: MessageDef = message('opentelemetry.proto.metrics.v1.Metric', [
  // reserved 4, 6, 8
  f(1, 'name', K_STRING),
  f(2, 'description', K_STRING),
  f(3, 'unit', K_STRING),
  f(5, 'gauge', K_MESSAGE, { oneof: true, message: () => GaugeDef }),
  f(7, 'sum', K_MESSAGE, { oneof: true, message: () => SumDef }),
  f(9, 'histogram', K_MESSAGE, { oneof: true, message: () => HistogramDef }),
  f(10, 'exponential_histogram', K_MESSAGE, { oneof: true, message: () => ExponentialHistogramDef }),
  f(11, 'summary', K_MESSAGE, { oneof: true, message: () => SummaryDef }),
  f(12, 'metadata', K_MESSAGE, { repeated: true, message: () => KeyValueDef }),
]);

export const ScopeMetricsDef: MessageDef = message('opentelemetry.proto.metrics.v1.ScopeMetrics', [
  scope(),
  f(2, 'metrics', K_MESSAGE, { repeated: true, message: () => MetricDef }),
  schemaUrl(),
]);

export const ResourceMetricsDef: MessageDef = message('opentelemetry.proto.metrics.v1.ResourceMetrics', [
  // reserved 1000
  resource(),
  f(2, 'scope_metrics', K_MESSAGE, { repeated: true, message: () => ScopeMetricsDef }),
  schemaUrl(),
]);

// ---------------------------------------------------------------------------
// opentelemetry/proto/logs/v1/logs.proto

export const SeverityNumberEnum = enumType('opentelemetry.proto.logs.v1.SeverityNumber', SeverityNumber);

export const LogRecordDef: MessageDef = message('opentelemetry.proto.logs.v1.LogRecord', [
  // reserved 4
  f(1, 'time_unix_nano', K_FIXED64),
  f(11, 'observed_time_unix_nano', K_FIXED64),
  f(2, 'severity_number', K_ENUM, { enumDef: SeverityNumberEnum }),
  f(3, 'severity_text', K_STRING),
  f(5, 'body', K_MESSAGE, { message: () => AnyValueDef }),
  attributes(6),
  f(7, 'dropped_attributes_count', K_UINT32),
  f(8, 'flags', K_FIXED32),
  f(9, 'trace_id', K_BYTES, { id: ID_TRACE }),
  f(10, 'span_id', K_BYTES, { id: ID_SPAN }),
  f(12, 'event_name', K_STRING),
]);

export const ScopeLogsDef: MessageDef = message('opentelemetry.proto.logs.v1.ScopeLogs', [
  scope(),
  f(2, 'log_records', K_MESSAGE, { repeated: true, message: () => LogRecordDef }),
  schemaUrl(),
]);

export const ResourceLogsDef: MessageDef = message('opentelemetry.proto.logs.v1.ResourceLogs', [
  // reserved 1000
  resource(),
  f(2, 'scope_logs', K_MESSAGE, { repeated: true, message: () => ScopeLogsDef }),
  schemaUrl(),
]);

// ---------------------------------------------------------------------------
// opentelemetry/proto/collector/{trace,metrics,logs}/v1/*_service.proto

export const ExportTraceServiceRequestDef: MessageDef = message(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  [f(1, 'resource_spans', K_MESSAGE, { repeated: true, message: () => ResourceSpansDef })],
);

export const ExportTracePartialSuccessDef: MessageDef = message(
  'opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess',
  [f(1, 'rejected_spans', K_INT64), f(2, 'error_message', K_STRING)],
);

export const ExportTraceServiceResponseDef: MessageDef = message(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  [f(1, 'partial_success', K_MESSAGE, { message: () => ExportTracePartialSuccessDef })],
);

export const ExportMetricsServiceRequestDef: MessageDef = message(
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  [f(1, 'resource_metrics', K_MESSAGE, { repeated: true, message: () => ResourceMetricsDef })],
);

export const ExportMetricsPartialSuccessDef: MessageDef = message(
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess',
  [f(1, 'rejected_data_points', K_INT64), f(2, 'error_message', K_STRING)],
);

export const ExportMetricsServiceResponseDef: MessageDef = message(
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  [f(1, 'partial_success', K_MESSAGE, { message: () => ExportMetricsPartialSuccessDef })],
);

export const ExportLogsServiceRequestDef: MessageDef = message(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  [f(1, 'resource_logs', K_MESSAGE, { repeated: true, message: () => ResourceLogsDef })],
);

export const ExportLogsPartialSuccessDef: MessageDef = message(
  'opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess',
  [f(1, 'rejected_log_records', K_INT64), f(2, 'error_message', K_STRING)],
);

export const ExportLogsServiceResponseDef: MessageDef = message(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  [f(1, 'partial_success', K_MESSAGE, { message: () => ExportLogsPartialSuccessDef })],
);

// ---------------------------------------------------------------------------
// google/protobuf/any.proto, google/protobuf/duration.proto, google/rpc/status.proto,
// google/rpc/error_details.proto (RetryInfo), as used by OTLP error responses.

export const AnyDef: MessageDef = message('google.protobuf.Any', [
  f(1, 'type_url', K_STRING, { jsonAliases: ['@type'] }),
  f(2, 'value', K_BYTES),
]);

export const RpcStatusDef: MessageDef = message('google.rpc.Status', [
  f(1, 'code', K_INT32),
  f(2, 'message', K_STRING),
  f(3, 'details', K_MESSAGE, { repeated: true, message: () => AnyDef }),
]);

export const DurationDef: MessageDef = message('google.protobuf.Duration', [
  f(1, 'seconds', K_INT64),
  f(2, 'nanos', K_INT32),
]);

export const RetryInfoDef: MessageDef = message('google.rpc.RetryInfo', [
  f(1, 'retry_delay', K_MESSAGE, { message: () => DurationDef }),
]);

// Resolve the lazy message references now that every table exists.
for (const { field, thunk } of pendingResolution.splice(0)) field.message = thunk();

/**
 * Whether a value of an implicit-presence (proto3 scalar) field is its default,
 * which both writers leave out; -0.0 is not the default of a double.
 */
export function isDefault(field: FieldDef, v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return v === 0 && (field.kind !== K_DOUBLE && field.kind !== K_FLOAT ? true : 1 / v > 0);
    case 'bigint':
      return v === 0n;
    case 'string':
      return v === '' || (v === '0' && field.kind !== K_STRING);
    case 'boolean':
      return !v;
    default:
      return v instanceof Uint8Array && v.length === 0;
  }
}
