import protobuf from 'protobufjs';

/**
 * An OTLP trace decoder that shares nothing with slowatch's codec: protobufjs
 * reflection over a descriptor written here from the field numbers of
 * opentelemetry-proto (trace/v1/trace.proto, common/v1/common.proto,
 * resource/v1/resource.proto). Tests use it to check what the gateway
 * forwards downstream.
 */
const descriptor = {
  nested: {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    InstrumentationScope: {
      fields: {
        name: { type: 'string', id: 1 },
        version: { type: 'string', id: 2 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
        droppedAttributesCount: { type: 'uint32', id: 4 },
      },
    },
    Resource: {
      fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 }, droppedAttributesCount: { type: 'uint32', id: 2 } },
    },
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: {
      fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 }, schemaUrl: { type: 'string', id: 3 } },
    },
    ScopeSpans: {
      fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 }, schemaUrl: { type: 'string', id: 3 } },
    },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        parentSpanId: { type: 'bytes', id: 4 },
        flags: { type: 'fixed32', id: 16 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        droppedAttributesCount: { type: 'uint32', id: 10 },
        events: { rule: 'repeated', type: 'Event', id: 11 },
        droppedEventsCount: { type: 'uint32', id: 12 },
        links: { rule: 'repeated', type: 'Link', id: 13 },
        droppedLinksCount: { type: 'uint32', id: 14 },
        status: { type: 'Status', id: 15 },
      },
    },
    Event: {
      fields: {
        timeUnixNano: { type: 'fixed64', id: 1 },
        name: { type: 'string', id: 2 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
        droppedAttributesCount: { type: 'uint32', id: 4 },
      },
    },
    Link: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 4 },
        droppedAttributesCount: { type: 'uint32', id: 5 },
        flags: { type: 'fixed32', id: 6 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
const requestType = root.lookupType('ExportTraceServiceRequest');

/** Plain-object form: bytes as hex strings, 64-bit integers as decimal strings, defaults omitted. */
export interface IndependentSpan {
  readonly resource: Record<string, unknown>;
  readonly scope: { name?: string; version?: string };
  readonly span: Record<string, unknown>;
}

function hex(value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value;
}

/**
 * proto3 scalars have no presence: a 0 written on the wire and a field left
 * out mean the same. protobufjs keeps the ones it saw, so they are dropped
 * here to compare meaning, not encoding choices.
 */
const ZERO_MEANS_ABSENT = new Set(['droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount', 'code', 'kind', 'flags']);

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (ZERO_MEANS_ABSENT.has(k) && v === 0) continue;
      out[k] = plain(v);
    }
    return out;
  }
  return value;
}

/** Every span of an ExportTraceServiceRequest body, flattened with its resource and scope. */
export function decodeTracesIndependently(body: Uint8Array): IndependentSpan[] {
  const message = requestType.decode(body);
  const object = requestType.toObject(message, { longs: String, bytes: Array, defaults: false }) as {
    resourceSpans?: { resource?: { attributes?: unknown[] }; scopeSpans?: { scope?: { name?: string; version?: string }; spans?: Record<string, unknown>[] }[] }[];
  };
  const out: IndependentSpan[] = [];
  for (const rs of object.resourceSpans ?? []) {
    const resource = plain(rs.resource ?? {}) as Record<string, unknown>;
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const converted = plain(span) as Record<string, unknown>;
        for (const key of ['traceId', 'spanId', 'parentSpanId']) if (key in span) converted[key] = hex(Uint8Array.from(span[key] as number[]));
        out.push({ resource, scope: { ...(ss.scope?.name !== undefined && { name: ss.scope.name }), ...(ss.scope?.version !== undefined && { version: ss.scope.version }) }, span: converted });
      }
    }
  }
  return out;
}
