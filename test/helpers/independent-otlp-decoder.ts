import { otlpType } from './protobufjs-otlp';

/**
 * Spans of an OTLP trace request, decoded by the protobufjs codec of
 * ./protobufjs-otlp.ts, which shares nothing with slowatch's. Tests use it
 * to check what the gateway forwards downstream.
 */
const requestType = otlpType('ExportTraceServiceRequest');

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
