/**
 * A minimal protobuf writer and reader for tests, independent of the codec
 * under test: requests are built field by field from the opentelemetry-proto
 * field numbers, so the receiver is checked against the wire format itself.
 */

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

function tag(field: number, wire: number): Buffer {
  return varint((field << 3) | wire);
}

export function varintField(field: number, value: number | bigint): Buffer {
  return Buffer.concat([tag(field, WIRE_VARINT), varint(value)]);
}

export function fixed64Field(field: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, value));
  return Buffer.concat([tag(field, WIRE_FIXED64), b]);
}

export function doubleField(field: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(field, WIRE_FIXED64), b]);
}

export function fixed32Field(field: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return Buffer.concat([tag(field, WIRE_FIXED32), b]);
}

/** A length-delimited field: bytes, a string, or an embedded message (its parts concatenated). */
export function lenField(field: number, ...parts: (Uint8Array | string)[]): Buffer {
  const payload = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  return Buffer.concat([tag(field, WIRE_LEN), varint(payload.length), payload]);
}

// ---------------------------------------------------------------------------
// OTLP messages (common.proto, resource.proto, trace.proto, metrics.proto, logs.proto)

export const anyString = (s: string): Buffer => lenField(1, s);
export const anyInt = (n: number | bigint): Buffer => varintField(3, n);
export const anyArray = (...values: Buffer[]): Buffer => lenField(5, ...values.map((v) => lenField(1, v)));

/** KeyValue { key = 1; value = 2 } with an AnyValue's encoded fields. */
export const keyValue = (key: string, anyValueFields: Buffer): Buffer => Buffer.concat([lenField(1, key), lenField(2, anyValueFields)]);

export const resource = (serviceName: string): Buffer => lenField(1, keyValue('service.name', anyString(serviceName)));

export const scope = (name: string): Buffer => Buffer.concat([lenField(1, name), lenField(2, '1.0.0')]);

export function id(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (seed * 31 + i * 7 + 1) & 0xff;
  return b;
}

export interface SpanFields {
  readonly traceId?: Uint8Array;
  readonly spanId?: Uint8Array;
  readonly name?: string;
  /** KeyValue messages, already encoded. */
  readonly attributes?: readonly Buffer[];
}

/** Span: trace_id 1, span_id 2, name 5, kind 6, start 7, end 8, attributes 9, status 15. */
export function span(index: number, fields: SpanFields = {}): Buffer {
  const start = 1_700_000_000_000_000_000n + BigInt(index) * 1_000_000n;
  return Buffer.concat([
    lenField(1, fields.traceId ?? id(16, index)),
    lenField(2, fields.spanId ?? id(8, index + 1000)),
    lenField(5, fields.name ?? `GET /item/${index}`),
    varintField(6, 2),
    fixed64Field(7, start),
    fixed64Field(8, start + 5_000_000n),
    ...(fields.attributes ?? [keyValue('http.route', anyString('/item/:id'))]).map((kv) => lenField(9, kv)),
  ]);
}

/** ExportTraceServiceRequest { resource_spans = 1 { resource 1, scope_spans 2 { scope 1, spans 2 } } } */
export function traceRequest(spans: readonly Buffer[], serviceName = 'shop'): Buffer {
  return lenField(1, lenField(1, resource(serviceName)), lenField(2, lenField(1, scope('test')), ...spans.map((s) => lenField(2, s))));
}

export function spansRequest(count: number): Buffer {
  return traceRequest(Array.from({ length: count }, (_, i) => span(i)));
}

/** NumberDataPoint: start 2, time 3, as_double 4, attributes 7. */
function numberPoint(index: number): Buffer {
  return Buffer.concat([
    fixed64Field(2, 1_700_000_000_000_000_000n),
    fixed64Field(3, 1_700_000_000_000_000_000n + BigInt(index)),
    doubleField(4, index + 0.5),
    lenField(7, keyValue('point', anyInt(index))),
  ]);
}

/** ExportMetricsServiceRequest with one gauge (metric field 5) of `points` data points. */
export function metricsRequest(points: number): Buffer {
  const gauge = lenField(5, ...Array.from({ length: points }, (_, i) => lenField(1, numberPoint(i))));
  const metric = Buffer.concat([lenField(1, 'queue.depth'), lenField(3, '{item}'), gauge]);
  return lenField(1, lenField(1, resource('shop')), lenField(2, lenField(1, scope('test')), lenField(2, metric)));
}

/** LogRecord: time 1, severity_number 2, severity_text 3, body 5, attributes 6. */
function logRecord(index: number): Buffer {
  return Buffer.concat([
    fixed64Field(1, 1_700_000_000_000_000_000n + BigInt(index)),
    varintField(2, 9),
    lenField(3, 'INFO'),
    lenField(5, anyString(`log line ${index}`)),
    lenField(6, keyValue('n', anyInt(index))),
  ]);
}

/** ExportLogsServiceRequest { resource_logs 1 { resource 1, scope_logs 2 { scope 1, log_records 2 } } } */
export function logsRequest(records: number): Buffer {
  return lenField(1, lenField(1, resource('shop')), lenField(2, lenField(1, scope('test')), ...Array.from({ length: records }, (_, i) => lenField(2, logRecord(i)))));
}

export function requestOf(signal: 'traces' | 'metrics' | 'logs', items: number): Buffer {
  return signal === 'traces' ? spansRequest(items) : signal === 'metrics' ? metricsRequest(items) : logsRequest(items);
}

/**
 * An AnyValue nested `depth` levels deep through array_value (depth 1 = a
 * plain string). Built in linear time: each level only adds a prefix
 * (AnyValue.array_value tag and length, ArrayValue.values tag and length).
 */
export function nestedArrayValue(depth: number): Buffer {
  const leaf = anyString('leaf');
  const prefixes: Buffer[] = [];
  let innerLength = leaf.length;
  for (let i = 1; i < depth; i++) {
    const values = Buffer.concat([tag(1, WIRE_LEN), varint(innerLength)]);
    const arrayValueLength = values.length + innerLength;
    const arrayValue = Buffer.concat([tag(5, WIRE_LEN), varint(arrayValueLength)]);
    prefixes.push(Buffer.concat([arrayValue, values]));
    innerLength = arrayValue.length + arrayValueLength;
  }
  return Buffer.concat([...prefixes.reverse(), leaf]);
}

// ---------------------------------------------------------------------------
// OTLP/JSON

export function jsonSpansRequest(count: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [
          {
            scope: { name: 'test', version: '1.0.0' },
            spans: Array.from({ length: count }, (_, i) => ({
              traceId: id(16, i).toString('hex'),
              spanId: id(8, i + 1000).toString('hex'),
              name: `GET /item/${i}`,
              kind: 2,
              startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
              endTimeUnixNano: String(1_700_000_000_005_000_000n + BigInt(i)),
              attributes: [{ key: 'http.route', value: { stringValue: '/item/:id' } }],
              ...overrides,
            })),
          },
        ],
      },
    ],
  };
}

export function jsonMetricsRequest(points: number): Record<string, unknown> {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeMetrics: [
          {
            scope: { name: 'test' },
            metrics: [
              {
                name: 'queue.depth',
                gauge: {
                  dataPoints: Array.from({ length: points }, (_, i) => ({ timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)), asDouble: i + 0.5 })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

export function jsonLogsRequest(records: number): Record<string, unknown> {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeLogs: [
          {
            scope: { name: 'test' },
            logRecords: Array.from({ length: records }, (_, i) => ({
              timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
              severityNumber: 9,
              body: { stringValue: `log line ${i}` },
            })),
          },
        ],
      },
    ],
  };
}

export function jsonRequestOf(signal: 'traces' | 'metrics' | 'logs', items: number): Record<string, unknown> {
  return signal === 'traces' ? jsonSpansRequest(items) : signal === 'metrics' ? jsonMetricsRequest(items) : jsonLogsRequest(items);
}

// ---------------------------------------------------------------------------
// Reading google.rpc.Status { code = 1; message = 2; details = 3 } and Export*ServiceResponse.

function readVarint(bytes: Uint8Array, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, at];
    shift += 7n;
  }
}

/** Top-level fields of a message: field number → values (varints as bigint, length-delimited as Buffer). */
export function readFields(bytes: Uint8Array): Map<number, (bigint | Buffer)[]> {
  const fields = new Map<number, (bigint | Buffer)[]>();
  let at = 0;
  while (at < bytes.length) {
    const [key, next] = readVarint(bytes, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer;
    if (wire === WIRE_VARINT) {
      [value, at] = readVarint(bytes, at);
    } else if (wire === WIRE_LEN) {
      const [length, start] = readVarint(bytes, at);
      value = Buffer.from(bytes.subarray(start, start + Number(length)));
      at = start + Number(length);
    } else if (wire === WIRE_FIXED64) {
      value = Buffer.from(bytes.subarray(at, at + 8));
      at += 8;
    } else if (wire === WIRE_FIXED32) {
      value = Buffer.from(bytes.subarray(at, at + 4));
      at += 4;
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

export function decodeStatusProto(bytes: Uint8Array): { code: number; message: string } {
  const fields = readFields(bytes);
  const code = fields.get(1)?.[0];
  const message = fields.get(2)?.[0];
  return { code: typeof code === 'bigint' ? Number(code) : 0, message: Buffer.isBuffer(message) ? message.toString('utf8') : '' };
}
