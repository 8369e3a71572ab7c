/**
 * An OTLP protobuf codec that shares nothing with slowatch's: protobufjs
 * reflection over a descriptor written here from opentelemetry-proto v1.x
 * (common/v1/common.proto, resource/v1/resource.proto, trace/v1/trace.proto,
 * metrics/v1/metrics.proto, logs/v1/logs.proto, collector/{trace,metrics,logs}/v1).
 * Fields are listed in field-number order, so protobufjs writes them in that
 * order (the canonical order slowatch's writer uses too).
 *
 * `withExtras: true` adds fields unknown to slowatch (numbers ≥ 1000, several
 * wire types) to many messages, to test that they are carried through.
 */
import protobuf from 'protobufjs';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated'; options?: Record<string, unknown> }>;
interface MessageJson {
  fields: Fields;
  oneofs?: Record<string, { oneof: string[] }>;
}

const r = (type: string, id: number): Fields[string] => ({ type, id, rule: 'repeated' });

function descriptor(withExtras: boolean): Record<string, MessageJson> {
  const kv = (id: number) => r('KeyValue', id);
  const messages: Record<string, MessageJson> = {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue', 'stringValueStrindex'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
        stringValueStrindex: { type: 'int32', id: 8 },
      },
    },
    ArrayValue: { fields: { values: r('AnyValue', 1) } },
    KeyValueList: { fields: { values: r('KeyValue', 1) } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 }, keyStrindex: { type: 'int32', id: 3 } } },
    InstrumentationScope: {
      fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: kv(3), droppedAttributesCount: { type: 'uint32', id: 4 } },
    },
    EntityRef: {
      fields: { schemaUrl: { type: 'string', id: 1 }, type: { type: 'string', id: 2 }, idKeys: r('string', 3), descriptionKeys: r('string', 4) },
    },
    Resource: { fields: { attributes: kv(1), droppedAttributesCount: { type: 'uint32', id: 2 }, entityRefs: r('EntityRef', 3) } },
    // trace
    ExportTraceServiceRequest: { fields: { resourceSpans: r('ResourceSpans', 1) } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: r('ScopeSpans', 2), schemaUrl: { type: 'string', id: 3 } } },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: r('Span', 2), schemaUrl: { type: 'string', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: kv(9),
        droppedAttributesCount: { type: 'uint32', id: 10 },
        events: r('Event', 11),
        droppedEventsCount: { type: 'uint32', id: 12 },
        links: r('Link', 13),
        droppedLinksCount: { type: 'uint32', id: 14 },
        status: { type: 'Status', id: 15 },
        flags: { type: 'fixed32', id: 16 },
      },
    },
    Event: { fields: { timeUnixNano: { type: 'fixed64', id: 1 }, name: { type: 'string', id: 2 }, attributes: kv(3), droppedAttributesCount: { type: 'uint32', id: 4 } } },
    Link: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        attributes: kv(4),
        droppedAttributesCount: { type: 'uint32', id: 5 },
        flags: { type: 'fixed32', id: 6 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    // metrics
    ExportMetricsServiceRequest: { fields: { resourceMetrics: r('ResourceMetrics', 1) } },
    ResourceMetrics: { fields: { resource: { type: 'Resource', id: 1 }, scopeMetrics: r('ScopeMetrics', 2), schemaUrl: { type: 'string', id: 3 } } },
    ScopeMetrics: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, metrics: r('Metric', 2), schemaUrl: { type: 'string', id: 3 } } },
    Metric: {
      oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
      fields: {
        name: { type: 'string', id: 1 },
        description: { type: 'string', id: 2 },
        unit: { type: 'string', id: 3 },
        gauge: { type: 'Gauge', id: 5 },
        sum: { type: 'Sum', id: 7 },
        histogram: { type: 'Histogram', id: 9 },
        exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
        summary: { type: 'Summary', id: 11 },
        metadata: kv(12),
      },
    },
    Gauge: { fields: { dataPoints: r('NumberDataPoint', 1) } },
    Sum: { fields: { dataPoints: r('NumberDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 }, isMonotonic: { type: 'bool', id: 3 } } },
    Histogram: { fields: { dataPoints: r('HistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } } },
    ExponentialHistogram: { fields: { dataPoints: r('ExponentialHistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } } },
    Summary: { fields: { dataPoints: r('SummaryDataPoint', 1) } },
    NumberDataPoint: {
      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
      fields: {
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        asDouble: { type: 'double', id: 4 },
        exemplars: r('Exemplar', 5),
        asInt: { type: 'sfixed64', id: 6 },
        attributes: kv(7),
        flags: { type: 'uint32', id: 8 },
      },
    },
    HistogramDataPoint: {
      oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
      fields: {
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: { type: 'double', id: 5 },
        bucketCounts: r('fixed64', 6),
        explicitBounds: r('double', 7),
        exemplars: r('Exemplar', 8),
        attributes: kv(9),
        flags: { type: 'uint32', id: 10 },
        min: { type: 'double', id: 11 },
        max: { type: 'double', id: 12 },
      },
    },
    ExponentialHistogramDataPoint: {
      oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
      fields: {
        attributes: kv(1),
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: { type: 'double', id: 5 },
        scale: { type: 'sint32', id: 6 },
        zeroCount: { type: 'fixed64', id: 7 },
        positive: { type: 'Buckets', id: 8 },
        negative: { type: 'Buckets', id: 9 },
        flags: { type: 'uint32', id: 10 },
        exemplars: r('Exemplar', 11),
        min: { type: 'double', id: 12 },
        max: { type: 'double', id: 13 },
        zeroThreshold: { type: 'double', id: 14 },
      },
    },
    Buckets: { fields: { offset: { type: 'sint32', id: 1 }, bucketCounts: r('uint64', 2) } },
    SummaryDataPoint: {
      fields: {
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: { type: 'double', id: 5 },
        quantileValues: r('ValueAtQuantile', 6),
        attributes: kv(7),
        flags: { type: 'uint32', id: 8 },
      },
    },
    ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
    Exemplar: {
      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
      fields: {
        timeUnixNano: { type: 'fixed64', id: 2 },
        asDouble: { type: 'double', id: 3 },
        spanId: { type: 'bytes', id: 4 },
        traceId: { type: 'bytes', id: 5 },
        asInt: { type: 'sfixed64', id: 6 },
        filteredAttributes: kv(7),
      },
    },
    // logs
    ExportLogsServiceRequest: { fields: { resourceLogs: r('ResourceLogs', 1) } },
    ResourceLogs: { fields: { resource: { type: 'Resource', id: 1 }, scopeLogs: r('ScopeLogs', 2), schemaUrl: { type: 'string', id: 3 } } },
    ScopeLogs: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, logRecords: r('LogRecord', 2), schemaUrl: { type: 'string', id: 3 } } },
    LogRecord: {
      fields: {
        timeUnixNano: { type: 'fixed64', id: 1 },
        severityNumber: { type: 'int32', id: 2 },
        severityText: { type: 'string', id: 3 },
        body: { type: 'AnyValue', id: 5 },
        attributes: kv(6),
        droppedAttributesCount: { type: 'uint32', id: 7 },
        flags: { type: 'fixed32', id: 8 },
        traceId: { type: 'bytes', id: 9 },
        spanId: { type: 'bytes', id: 10 },
        observedTimeUnixNano: { type: 'fixed64', id: 11 },
        eventName: { type: 'string', id: 12 },
      },
    },
  };
  if (withExtras) {
    messages.Extra = { fields: { note: { type: 'string', id: 1 }, n: { type: 'int64', id: 2 } } };
    const extras: Fields = {
      xVarint: { type: 'uint64', id: 1000 },
      xString: { type: 'string', id: 1001 },
      xFixed64: { type: 'fixed64', id: 1002 },
      xFixed32: { type: 'fixed32', id: 1003 },
      xMessage: { type: 'Extra', id: 536870911 }, // the largest field number
      xPacked: r('sint32', 2047),
    };
    for (const name of Object.keys(messages)) {
      if (name === 'Extra') continue;
      Object.assign(messages[name]!.fields, extras);
    }
  }
  return messages;
}

const roots = new Map<boolean, protobuf.Root>();

export function otlpType(name: string, withExtras = false): protobuf.Type {
  let root = roots.get(withExtras);
  if (root === undefined) {
    root = protobuf.Root.fromJSON({ nested: descriptor(withExtras) });
    roots.set(withExtras, root);
  }
  return root.lookupType(name);
}

/** Model-shaped object (bigint, Uint8Array) → protobufjs bytes. */
export function encodeWithProtobufjs(typeName: string, model: unknown, withExtras = false): Uint8Array {
  const type = otlpType(typeName, withExtras);
  const message = type.fromObject(toProtobufjsInput(model) as Record<string, unknown>);
  return type.encode(message).finish();
}

/** protobufjs decode → plain object with 64-bit integers as decimal strings and bytes as base64. */
export function decodeWithProtobufjs(typeName: string, bytes: Uint8Array, withExtras = false): Record<string, unknown> {
  const type = otlpType(typeName, withExtras);
  return type.toObject(type.decode(bytes), { longs: String, bytes: String, defaults: false, arrays: false, oneofs: false });
}

/** bigint → decimal string (protobufjs takes 64-bit integers as strings); $unknown dropped. */
export function toProtobufjsInput(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toProtobufjsInput);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '$unknown' && x !== undefined) out[k] = toProtobufjsInput(x);
  return out;
}

/** A model as protobufjs' toObject gives it: 64-bit integers as strings, bytes as base64, no $unknown, no empty arrays. */
export function asProtobufjsObject(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(asProtobufjsObject);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$unknown' || x === undefined || (Array.isArray(x) && x.length === 0)) continue;
    out[k] = asProtobufjsObject(x);
  }
  return out;
}
