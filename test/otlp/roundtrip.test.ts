/**
 * Round trips through the codec, checked against an independent protobuf
 * codec (protobufjs reflection, ./protobufjs-otlp.ts): every field of every
 * message, edge values, unknown fields at every nesting level.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeJsonRequest,
  encodeProtobufRequest,
} from '../../src/otlp';
import type { ExportRequest, OtlpMessage } from '../../src/otlp';
import type { Signal } from '../../src/otlp/signal';
import { asProtobufjsObject, decodeWithProtobufjs, encodeWithProtobufjs } from '../helpers/protobufjs-otlp';
import { richLogs, richMetrics, richTraces } from './rich-models';

const cases: { signal: Signal; type: string; model: ExportRequest }[] = [
  { signal: 'traces', type: 'ExportTraceServiceRequest', model: richTraces },
  { signal: 'metrics', type: 'ExportMetricsServiceRequest', model: richMetrics },
  { signal: 'logs', type: 'ExportLogsServiceRequest', model: richLogs },
];

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe.each(cases)('$signal: every field', ({ signal, type, model }) => {
  it('protobuf: model → bytes → model', () => {
    const bytes = encodeProtobufRequest(signal, model);
    expect(decodeProtobufRequest(signal, bytes)).toEqual(model);
  });

  it('protobuf: an independent decoder (protobufjs) reads what we write', () => {
    const bytes = encodeProtobufRequest(signal, model);
    expect(decodeWithProtobufjs(type, bytes)).toEqual(asProtobufjsObject(model));
  });

  it('protobuf: bytes written by an independent encoder decode to the model and re-encode byte-identical', () => {
    const theirs = encodeWithProtobufjs(type, model);
    const decoded = decodeProtobufRequest(signal, theirs);
    expect(decoded).toEqual(model);
    expect(same(encodeProtobufRequest(signal, decoded), theirs)).toBe(true);
  });

  it('JSON: model → JSON → model → JSON', () => {
    const json = encodeJsonRequest(signal, model);
    const back = decodeJsonRequest(signal, json);
    expect(back).toEqual(model);
    expect(encodeJsonRequest(signal, back)).toBe(json);
    expect(decodeJsonRequest(signal, new TextEncoder().encode(json))).toEqual(model);
  });

  it('protobuf ↔ JSON', () => {
    const fromJson = decodeJsonRequest(signal, encodeJsonRequest(signal, model));
    const pb = encodeProtobufRequest(signal, fromJson);
    expect(same(pb, encodeProtobufRequest(signal, model))).toBe(true);
    expect(decodeJsonRequest(signal, encodeJsonRequest(signal, decodeProtobufRequest(signal, pb)))).toEqual(model);
  });
});

/** Every message object of a model, with its path. */
function* messages(v: unknown, path = ''): Generator<[string, Record<string, unknown>]> {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* messages(v[i], `${path}[${i}]`);
    return;
  }
  const obj = v as Record<string, unknown>;
  yield [path, obj];
  for (const [k, x] of Object.entries(obj)) if (k !== '$unknown') yield* messages(x, path === '' ? k : `${path}.${k}`);
}

const extras = {
  xVarint: 18446744073709551615n,
  xString: 'unknown to slowatch ✓',
  xFixed64: 42n,
  xFixed32: 7,
  xMessage: { note: 'nested unknown', n: -3n },
  xPacked: [-1, 0, 1, 2147483647],
};

/** The model with the extra fields (unknown to slowatch) added to every message. */
function withExtras(model: unknown): unknown {
  if (model === null || typeof model !== 'object' || model instanceof Uint8Array) return model;
  if (Array.isArray(model)) return model.map(withExtras);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) out[k] = withExtras(v);
  return { ...out, ...extras };
}

describe.each(cases)('$signal: unknown fields', ({ signal, type, model }) => {
  const theirs = encodeWithProtobufjs(type, withExtras(model), true);

  it('are kept raw on every message, at every nesting level', () => {
    const decoded = decodeProtobufRequest(signal, theirs);
    let count = 0;
    for (const [path, obj] of messages(decoded)) {
      const unknown = (obj as OtlpMessage).$unknown;
      expect(unknown, `$unknown at ${path || '(request)'}`).toBeDefined();
      // Consecutive unknown fields share one raw slice.
      expect(unknown).toHaveLength(1);
      count++;
    }
    expect(count).toBeGreaterThan(30);
    // Without them, the known content is the model.
    expect(stripUnknown(decoded)).toEqual(model);
  });

  it('are re-emitted: re-encoding is byte-identical and an independent decoder finds them', () => {
    const decoded = decodeProtobufRequest(signal, theirs);
    const ours = encodeProtobufRequest(signal, decoded);
    expect(same(ours, theirs)).toBe(true);
    expect(decodeWithProtobufjs(type, ours, true)).toEqual(decodeWithProtobufjs(type, theirs, true));
  });

  it('survive a model changed by a processor (fields added out of order)', () => {
    const decoded = decodeProtobufRequest(signal, theirs) as Record<string, unknown> & OtlpMessage;
    // A processor sets a field on the request after decoding: the writer falls back to schema order.
    const first = (Object.values(decoded).find(Array.isArray) as Record<string, unknown>[])[0]!;
    first.schemaUrl = 'https://example.com/changed';
    const reDecoded = decodeProtobufRequest(signal, encodeProtobufRequest(signal, decoded));
    expect(stripUnknown(reDecoded)).toEqual(stripUnknown(decoded));
    expect(decodeWithProtobufjs(type, encodeProtobufRequest(signal, decoded), true)).toMatchObject({ ...asProtobufjsObject(extras) as object });
  });

  it('are dropped by OTLP/JSON, which cannot carry them', () => {
    const decoded = decodeProtobufRequest(signal, theirs);
    expect(decodeJsonRequest(signal, encodeJsonRequest(signal, decoded))).toEqual(model);
  });
});

function stripUnknown(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(stripUnknown);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '$unknown') out[k] = stripUnknown(x);
  return out;
}

describe('protobuf reading rules', () => {
  it('reads repeated numeric fields packed or not, and a singular message given twice is merged', () => {
    // Histogram data point: bucket_counts (6, fixed64) unpacked twice, then packed once.
    const point = Buffer.from([
      0x31, 1, 0, 0, 0, 0, 0, 0, 0, // field 6, I64: 1
      0x31, 2, 0, 0, 0, 0, 0, 0, 0, // field 6, I64: 2
      0x32, 8, 3, 0, 0, 0, 0, 0, 0, 0, // field 6, LEN (packed): [3]
    ]);
    const req = decodeProtobufRequest('metrics', wrapMetric(Buffer.concat([Buffer.from([0x4a, 2 + point.length, 0x0a, point.length]), point])));
    expect(req.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.histogram?.dataPoints?.[0]?.bucketCounts).toEqual([1n, 2n, 3n]);
  });

  it('keeps the last of several oneof members, and the last value of a repeated scalar field', () => {
    // AnyValue { string_value: "a", int_value: 5 } → intValue 5 only; KeyValue key given twice.
    const any = [0x0a, 1, 0x61, 0x18, 5];
    const kv = [0x0a, 1, 0x78, 0x0a, 1, 0x79, 0x12, any.length, ...any];
    const span = [0x4a, kv.length, ...kv];
    const req = decodeProtobufRequest('traces', wrapSpan(Buffer.from(span)));
    expect(req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.attributes).toEqual([{ key: 'y', value: { intValue: 5n } }]);
  });

  it('merges a singular message field seen twice (protobuf semantics)', () => {
    // Span.status given twice: { message: "m" } then { code: 2 } → { message: "m", code: 2 }
    const span = [0x7a, 3, 0x12, 1, 0x6d, 0x7a, 2, 0x18, 2];
    const req = decodeProtobufRequest('traces', wrapSpan(Buffer.from(span)));
    expect(req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.status).toEqual({ message: 'm', code: 2 });
  });

  it('leaves explicit default values out of the model (they are not re-emitted)', () => {
    // Span { name: "", kind: 0, dropped_attributes_count: 0, flags: 0 }
    const span = [0x2a, 0, 0x30, 0, 0x50, 0, 0x85, 0x01, 0, 0, 0, 0];
    const req = decodeProtobufRequest('traces', wrapSpan(Buffer.from(span)));
    expect(req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]).toEqual({});
  });

  it('keeps unknown groups (obsolete wire types 3/4) raw, nested ones included', () => {
    // Span { name: "n", field 900 group { field 1 varint 1, field 901 group { } } }
    const group = [0xa3, 0x38, 0x08, 0x01, 0xab, 0x38, 0xac, 0x38, 0xa4, 0x38];
    const span = [0x2a, 1, 0x6e, ...group];
    const bytes = wrapSpan(Buffer.from(span));
    const req = decodeProtobufRequest('traces', bytes);
    const decoded = req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0];
    expect(decoded?.name).toBe('n');
    expect(decoded?.$unknown?.map((u) => Array.from(u))).toEqual([group]);
    expect(same(encodeProtobufRequest('traces', req), bytes)).toBe(true);
  });

  it('decodes from a Uint8Array view at an offset into a larger buffer', () => {
    const bytes = encodeProtobufRequest('traces', richTraces);
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 7);
    expect(decodeProtobufRequest('traces', big.subarray(7, 7 + bytes.length))).toEqual(richTraces);
  });

  it('decoded bytes fields do not change when the input buffer is reused', () => {
    const bytes = Buffer.from(encodeProtobufRequest('traces', richTraces));
    const req = decodeProtobufRequest('traces', bytes);
    const before = structuredClone(req);
    bytes.fill(0);
    expect(req).toEqual(before);
  });
});

/** An ExportMetricsServiceRequest around one Metric's bytes. */
function wrapMetric(metric: Buffer): Buffer {
  return wrap(wrap(wrap(metric, 0x12), 0x12), 0x0a);
}

/** An ExportTraceServiceRequest around one Span's bytes. */
function wrapSpan(span: Buffer): Buffer {
  return wrap(wrap(wrap(span, 0x12), 0x12), 0x0a);
}

function wrap(content: Buffer, tag: number): Buffer {
  const len: number[] = [];
  let n = content.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

describe('a singular message field seen twice (protobuf merge)', () => {
  it('keeps the unknown fields of both occurrences as one run, so a re-encode decodes to the same shape', () => {
    // ResourceSpans.resource twice, each carrying one unknown field (found by the fuzz test).
    const bytes = Uint8Array.from([10, 11, 10, 2, 32, 0, 10, 5, 37, 0, 0, 0, 0]);
    const decoded = decodeProtobufRequest('traces', bytes);
    expect(decoded.resourceSpans?.[0]?.resource?.$unknown).toEqual([Uint8Array.from([32, 0, 37, 0, 0, 0, 0])]);
    expect(decodeProtobufRequest('traces', encodeProtobufRequest('traces', decoded))).toEqual(decoded);
  });
});

describe('unknown fields of a message whose known fields arrive out of field-number order', () => {
  it('are re-emitted when the writer falls back to schema order (found by the fuzz test)', () => {
    // ResourceSpans { unknown field 4, scope_spans, resource }: written back as resource, scope_spans, field 4.
    const decoded = decodeProtobufRequest('traces', Uint8Array.from([10, 6, 32, 0, 18, 0, 10, 0]));
    expect(Array.from(encodeProtobufRequest('traces', decoded))).toEqual([10, 6, 10, 0, 18, 0, 32, 0]);
  });
});
