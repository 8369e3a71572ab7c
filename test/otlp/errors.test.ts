/**
 * What the decoders reject, and how they say it: each case throws an
 * OtlpDecodeError whose message names the place and the problem.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeJsonRequest,
  encodeProtobufRequest,
  MAX_ANY_VALUE_DEPTH_CEILING,
  OtlpDecodeError,
  OtlpEncodeError,
} from '../../src/otlp';
import type { AnyValue, ExportTraceServiceRequest, Span } from '../../src/otlp';
import { thrownBy } from '../helpers/thrown';

/** A request whose fourth span is `span` (so paths show a non-zero index). */
const withSpan = (span: Span): ExportTraceServiceRequest => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, span] }] }],
});
const SPAN = 'resourceSpans[0].scopeSpans[0].spans[3]';

/** The same request as JSON, with ids given as hex text (not validated by the writer). */
const jsonWithSpan = (span: Record<string, unknown>): string =>
  JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, span] }] }] });

const decodeError = (f: () => unknown): OtlpDecodeError => thrownBy(OtlpDecodeError, f);

const pb = (bytes: number[]) => () => decodeProtobufRequest('traces', Uint8Array.from(bytes));
const pbSpan = (span: Span) => () => decodeProtobufRequest('traces', encodeProtobufRequest('traces', withSpan(span)));
const json = (text: string | Uint8Array, signal: 'traces' | 'metrics' | 'logs' = 'traces') => () => decodeJsonRequest(signal, text);

function nested(depth: number): AnyValue {
  let v: AnyValue = { stringValue: 'leaf' };
  for (let i = 1; i < depth; i++) v = i % 2 === 0 ? { arrayValue: { values: [v] } } : { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
  return v;
}

describe('protobuf errors', () => {
  const table: [string, () => unknown, string | RegExp][] = [
    ['truncated varint (length)', pb([0x0a, 0x80]), 'resourceSpans: truncated varint at offset 2 (end of input)'],
    ['truncated varint (field key)', pb([0x80]), 'truncated varint at offset 1 (end of input)'],
    ['varint longer than 10 bytes', pb([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), 'resourceSpans: varint overflows 64 bits at offset 10'],
    ['length beyond the end of the input', pb([0x0a, 0x05, 0x00]), 'resourceSpans: length 5 at offset 1 extends past the end of the input (1 bytes left)'],
    [
      'length beyond the end of the enclosing message',
      pb([0x0a, 0x04, 0x12, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00]),
      'resourceSpans[0].scopeSpans: length 5 at offset 3 extends past the end of the enclosing message (2 bytes left)',
    ],
    ['wrong wire type for a known field', pb([0x08, 0x01]), 'resourceSpans: wrong wire type VARINT for field 1, expected LEN (at offset 0)'],
    ['wrong wire type, nested', pb([0x0a, 0x02, 0x15, 0x00]), /^resourceSpans\[0\]\.scopeSpans: wrong wire type I32 for field 2, expected LEN/],
    ['field number 0', pb([0x00, 0x01]), 'invalid field number 0 at offset 0'],
    ['wire type 7, known field', pb([0x0f]), 'resourceSpans: invalid wire type 7 (field 1) at offset 0'],
    ['wire type 6, unknown field', pb([0xc6, 0x3e]), 'invalid wire type 6 (field 1000) at offset 2'],
    ['end-group without a start', pb([0xc4, 0x3e]), 'unexpected end-group (field 1000) at offset 2'],
    ['unterminated group', pb([0xc3, 0x3e, 0x08, 0x01]), 'unterminated group (field 1000) at the end of the message'],
    ['truncated fixed64', pbSpanBytes([0x39, 1, 2, 3]), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.startTimeUnixNano: truncated 8-byte value at offset \d+ \(3 bytes left\)$/],
    ['trace id of 15 bytes', pbSpan({ traceId: new Uint8Array(15) }), `${SPAN}.traceId: must be 16 bytes, got 15`],
    ['trace id of 17 bytes', pbSpan({ traceId: new Uint8Array(17) }), `${SPAN}.traceId: must be 16 bytes, got 17`],
    ['span id of 7 bytes', pbSpan({ spanId: new Uint8Array(7) }), `${SPAN}.spanId: must be 8 bytes, got 7`],
    ['parent span id of 9 bytes', pbSpan({ parentSpanId: new Uint8Array(9) }), `${SPAN}.parentSpanId: must be 8 bytes, got 9`],
    ['link trace id of 15 bytes', pbSpan({ links: [{}, { traceId: new Uint8Array(15) }] }), `${SPAN}.links[1].traceId: must be 16 bytes, got 15`],
    ['link span id of 9 bytes', pbSpan({ links: [{ spanId: new Uint8Array(9) }] }), `${SPAN}.links[0].spanId: must be 8 bytes, got 9`],
    ['invalid UTF-8 in a string', pbSpanBytes([0x2a, 0x02, 0xc3, 0x28]), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.name: string of 2 bytes at offset \d+ is not valid UTF-8$/],
    ['AnyValue nested 65 deep', pbSpan({ attributes: [{ key: 'deep', value: nested(65) }] }), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[3\]\.attributes\[0\]\.value\.arrayValue\.values\[0\]\.kvlistValue\.values\[0\]\.value\..*: AnyValue nested deeper than 64 levels$/],
    ['not bytes at all', () => decodeProtobufRequest('traces', 'text' as unknown as Uint8Array), 'expected bytes (Uint8Array), got string'],
  ];

  it.each(table)('%s', (_name, f, expected) => {
    const e = decodeError(f);
    if (typeof expected === 'string') expect(e.message).toBe(expected);
    else expect(e.message).toMatch(expected);
  });

  it('a log record and an exemplar with ids of the wrong size', () => {
    const logs = encodeProtobufRequest('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: new Uint8Array(4) }] }] }] });
    expect(decodeError(() => decodeProtobufRequest('logs', logs)).message).toBe('resourceLogs[0].scopeLogs[0].logRecords[0].traceId: must be 16 bytes, got 4');
    const metrics = encodeProtobufRequest('metrics', {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ exemplars: [{ spanId: new Uint8Array(16) }] }] } }] }] }],
    });
    expect(decodeError(() => decodeProtobufRequest('metrics', metrics)).message).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0].spanId: must be 8 bytes, got 16',
    );
  });

  it('the nesting limit is an option; 64 levels pass by default', () => {
    const bytes = encodeProtobufRequest('traces', withSpan({ attributes: [{ key: 'deep', value: nested(64) }] }));
    expect(() => decodeProtobufRequest('traces', bytes)).not.toThrow();
    expect(decodeError(() => decodeProtobufRequest('traces', bytes, { maxAnyValueDepth: 10 })).reason).toBe('AnyValue nested deeper than 10 levels');
    const deeper = encodeProtobufRequest('traces', withSpan({ attributes: [{ key: 'deep', value: nested(200) }] }));
    expect(() => decodeProtobufRequest('traces', deeper, { maxAnyValueDepth: 200 })).not.toThrow();
    expect(MAX_ANY_VALUE_DEPTH_CEILING).toBeGreaterThanOrEqual(200);
  });

  it('hostile nesting far beyond the limit is an error, not a stack overflow', () => {
    // 100 000 nested ArrayValue/AnyValue records around AnyValue { string_value: "x" }.
    const e = decodeError(() => decodeProtobufRequest('logs', wrapLogBody(deepArrayValue(50_000))));
    expect(e.reason).toBe('AnyValue nested deeper than 64 levels');
    expect(e.message.length).toBeLessThan(400);
  });

  it('with invalidUtf8: "replace", invalid UTF-8 decodes with U+FFFD', () => {
    const bytes = pbSpanBytesRaw([0x2a, 0x02, 0xc3, 0x28]);
    const req = decodeProtobufRequest('traces', bytes, { invalidUtf8: 'replace' });
    expect(req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name).toBe('\uFFFD(');
  });

  it("a string decoded with 'replace' does not make the same bytes pass later in 'error' mode", () => {
    const bytes = pbSpanBytesRaw([0x2a, 0x03, 0x61, 0xc3, 0x28]);
    expect(decodeProtobufRequest('traces', bytes, { invalidUtf8: 'replace' }).resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name).toBe('a\uFFFD(');
    expect(decodeError(() => decodeProtobufRequest('traces', bytes)).reason).toMatch(/is not valid UTF-8$/);
  });

  it('accepts valid strings that contain U+FFFD itself', () => {
    const req = decodeProtobufRequest('traces', encodeProtobufRequest('traces', withSpan({ name: 'a\uFFFDb' })));
    expect(req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[3]?.name).toBe('a\uFFFDb');
  });
});

describe('JSON errors', () => {
  const table: [string, () => unknown, string | RegExp][] = [
    ['invalid JSON', json('{"resourceSpans": ['), /^invalid JSON: /],
    ['not UTF-8', json(Uint8Array.from([0x7b, 0xff, 0x7d])), 'invalid JSON: the body is not valid UTF-8'],
    ['top level is an array', json('[]'), 'expected an object, got an array'],
    ['top level is a string', json('"x"'), 'expected an object, got the string "x"'],
    ['a string where an array is expected', json('{"resourceSpans": "x"}'), 'resourceSpans: expected an array, got the string "x"'],
    ['a string where an object is expected', json('{"resourceSpans": [{"resource": "x"}]}'), 'resourceSpans[0].resource: expected an object, got the string "x"'],
    ['null inside a list', json('{"resourceSpans": [null]}'), 'resourceSpans[0]: null is not allowed in a repeated field'],
    ['a number where a string is expected', json(jsonWithSpan({ name: 5 })), `${SPAN}.name: expected a string, got the number 5`],
    ['a fraction where an integer is expected', json(jsonWithSpan({ droppedAttributesCount: 1.5 })), `${SPAN}.droppedAttributesCount: expected an integer, got the number 1.5`],
    ['uint32 out of range', json(jsonWithSpan({ droppedAttributesCount: -1 })), `${SPAN}.droppedAttributesCount: integer -1 out of range [0, 4294967295]`],
    ['a bad 64-bit integer string', json(jsonWithSpan({ startTimeUnixNano: '12abc' })), `${SPAN}.startTimeUnixNano: expected a decimal integer string, got the string "12abc"`],
    ['uint64 out of range', json(jsonWithSpan({ endTimeUnixNano: '18446744073709551616' })), `${SPAN}.endTimeUnixNano: integer 18446744073709551616 out of range for a uint64`],
    ['a negative fixed64', json(jsonWithSpan({ endTimeUnixNano: -1 })), `${SPAN}.endTimeUnixNano: integer -1 out of range for a uint64`],
    ['a bool given as a string', json(jsonWithSpan({ attributes: [{ key: 'k', value: { boolValue: 'true' } }] })), `${SPAN}.attributes[0].value.boolValue: expected a boolean, got the string "true"`],
    ['trace id of 15 bytes', json(jsonWithSpan({ traceId: '00'.repeat(15) })), `${SPAN}.traceId: must be 16 bytes, got 15`],
    ['trace id of 17 bytes', json(jsonWithSpan({ traceId: 'ab'.repeat(17) })), `${SPAN}.traceId: must be 16 bytes, got 17`],
    ['span id of 7 bytes', json(jsonWithSpan({ spanId: 'ab'.repeat(7) })), `${SPAN}.spanId: must be 8 bytes, got 7`],
    ['bad hex', json(jsonWithSpan({ traceId: 'zz'.repeat(16) })), `${SPAN}.traceId: invalid hex string "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"`],
    ['odd-length hex', json(jsonWithSpan({ spanId: 'abc' })), `${SPAN}.spanId: invalid hex string "abc"`],
    ['a base64 trace id (not hex)', json(jsonWithSpan({ traceId: 'W47/95gDgQPSabYzgT/GDA==' })), `${SPAN}.traceId: invalid hex string "W47/95gDgQPSabYzgT/GDA=="`],
    ['bad base64', json(jsonWithSpan({ attributes: [{ key: 'b', value: { bytesValue: 'not base64!' } }] })), `${SPAN}.attributes[0].value.bytesValue: invalid base64 string "not base64!"`],
    ['unknown enum name', json(jsonWithSpan({ kind: 'SPAN_KIND_FOO' })), `${SPAN}.kind: unknown enum name "SPAN_KIND_FOO" for opentelemetry.proto.trace.v1.Span.SpanKind`],
    ['unknown enum name (logs)', json('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]}', 'logs'), 'resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber: unknown enum name "LOUD" for opentelemetry.proto.logs.v1.SeverityNumber'],
    ['two oneof members', json(jsonWithSpan({ attributes: [{ key: 'k', value: { stringValue: 'a', intValue: '1' } }] })), `${SPAN}.attributes[0].value.intValue: more than one member of a oneof is set ("stringValue" and "intValue")`],
    ['a field given in both spellings', json(jsonWithSpan({ traceId: '00'.repeat(16), trace_id: '11'.repeat(16) })), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[3\]\.traceId: given twice, as "traceId" and "trace_id"$/],
    ['a double that is not a number', json('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asDouble":"abc"}]}}]}]}]}', 'metrics'), 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asDouble: expected a number, got the string "abc"'],
    ['AnyValue nested 65 deep', () => decodeJsonRequest('traces', encodeJsonRequest('traces', withSpan({ attributes: [{ key: 'd', value: nested(65) }] }))), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[3\]\.attributes\[0\]\.value.*: AnyValue nested deeper than 64 levels$/],
  ];

  it.each(table)('%s', (_name, f, expected) => {
    const e = decodeError(f);
    if (typeof expected === 'string') expect(e.message).toBe(expected);
    else expect(e.message).toMatch(expected);
  });

  it('hostile JSON nesting far beyond the limit is an error, not a stack overflow', () => {
    const depth = 100_000;
    const text = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"arrayValue":{"values":['.repeat(depth)}{}${']}}'.repeat(depth)}}]}]}]}`;
    const e = decodeError(json(text, 'logs'));
    expect(e.reason).toBe('AnyValue nested deeper than 64 levels');
  });

  it('skips a byte order mark, in text and in bytes', () => {
    expect(decodeJsonRequest('traces', '\uFEFF{"resourceSpans":[]}')).toEqual({});
    expect(decodeJsonRequest('traces', Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toEqual({});
  });

  it('is lenient where the mapping allows: snake_case keys, enum names, numbers for 64-bit integers, strings for 32-bit ones, unknown keys, null', () => {
    const req = decodeJsonRequest(
      'traces',
      JSON.stringify({
        resource_spans: [
          {
            scope_spans: [
              {
                spans: [
                  {
                    trace_id: '5B8EFFF798038103D269B633813FC60C',
                    span_id: 'eee19b7ec3c1b174',
                    parent_span_id: '',
                    kind: 'SPAN_KIND_SERVER',
                    start_time_unix_nano: 1544712660000000000,
                    endTimeUnixNano: '1544712661000000000',
                    dropped_attributes_count: '3',
                    status: { code: 'STATUS_CODE_ERROR', message: null },
                    somethingNew: { nested: [1, 2, 3] },
                    attributes: [{ key: 'b', value: { bytes_value: 'AAEC_w' } }],
                  },
                ],
              },
            ],
          },
        ],
        futureField: 'ignored',
      }),
    );
    const span = req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0];
    expect(Buffer.from(span!.traceId!).toString('hex')).toBe('5b8efff798038103d269b633813fc60c');
    expect(span?.parentSpanId).toBeUndefined();
    expect(span?.kind).toBe(2);
    expect(span?.startTimeUnixNano).toBe(1544712660000000000n);
    expect(span?.endTimeUnixNano).toBe(1544712661000000000n);
    expect(span?.droppedAttributesCount).toBe(3);
    expect(span?.status).toEqual({ code: 2 });
    expect(span?.attributes?.[0]?.value?.bytesValue).toEqual(Uint8Array.from([0, 1, 2, 255]));
  });
});

describe('encoder errors (a model the codec cannot write)', () => {
  it('names the field with the wrong type', () => {
    const bad = withSpan({ name: 42 as unknown as string });
    expect(() => encodeProtobufRequest('traces', bad)).toThrow(OtlpEncodeError);
    expect(() => encodeProtobufRequest('traces', bad)).toThrow(`${SPAN}.name: expected a string, got number 42`);
    expect(() => encodeJsonRequest('traces', bad)).toThrow(`${SPAN}.name: expected a string, got number`);
  });

  it('refuses two members of a oneof', () => {
    const req = withSpan({ attributes: [{ key: 'k', value: { stringValue: 'a', intValue: 1n } }] });
    const message = `${SPAN}.attributes[0].value: more than one member of a oneof is set ("stringValue" and "intValue")`;
    expect(() => encodeProtobufRequest('traces', req)).toThrow(message);
    expect(() => encodeJsonRequest('traces', req)).toThrow(message);
  });

  it('refuses a cyclic model instead of overflowing the stack', () => {
    const value: AnyValue = { arrayValue: { values: [] } };
    value.arrayValue!.values!.push(value);
    const req = withSpan({ attributes: [{ key: 'cycle', value }] });
    expect(() => encodeProtobufRequest('traces', req)).toThrow(/AnyValue nested deeper than 256 levels$/);
    expect(() => encodeJsonRequest('traces', req)).toThrow(/AnyValue nested deeper than 256 levels$/);
  });

  it('accepts numbers where 64-bit integers are expected', () => {
    const req = withSpan({ startTimeUnixNano: 1_700_000_000_000 as unknown as bigint, attributes: [{ key: 'n', value: { intValue: -5 as unknown as bigint } }] });
    const back = decodeProtobufRequest('traces', encodeProtobufRequest('traces', req));
    expect(back.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[3]?.startTimeUnixNano).toBe(1_700_000_000_000n);
    expect(back.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[3]?.attributes?.[0]?.value?.intValue).toBe(-5n);
    expect(decodeJsonRequest('traces', encodeJsonRequest('traces', req))).toEqual(back);
  });
});

function lenField(tag: number, content: Buffer): Buffer {
  const len: number[] = [];
  let n = content.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

/**
 * AnyValue { array_value { values { array_value { values { … { string_value: "x" } } } } } }, `levels`
 * ArrayValue levels, written in one buffer (lengths computed from the inside out).
 */
function deepArrayValue(levels: number): Buffer {
  const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
  const tags: number[] = [];
  const lengths: number[] = [];
  let len = 3;
  for (let i = 0; i < levels; i++) {
    for (const tag of [0x0a /* ArrayValue.values */, 0x2a /* AnyValue.array_value */]) {
      tags.push(tag);
      lengths.push(len);
      len += 1 + varintSize(len);
    }
  }
  const out = Buffer.alloc(len);
  let p = 0;
  for (let i = tags.length - 1; i >= 0; i--) {
    out[p++] = tags[i]!;
    let n = lengths[i]!;
    while (n > 0x7f) {
      out[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[p++] = n;
  }
  out.set([0x0a, 0x01, 0x78], p);
  return out;
}

/** ExportTraceServiceRequest { resource_spans { scope_spans { spans { <bytes> } } } } */
function pbSpanBytesRaw(span: number[]): Buffer {
  return lenField(0x0a, lenField(0x12, lenField(0x12, Buffer.from(span))));
}

function pbSpanBytes(span: number[]): () => unknown {
  return () => decodeProtobufRequest('traces', pbSpanBytesRaw(span));
}

/** ExportLogsServiceRequest { resource_logs { scope_logs { log_records { body: <AnyValue bytes> } } } } */
function wrapLogBody(anyValue: Buffer): Buffer {
  return lenField(0x0a, lenField(0x12, lenField(0x12, lenField(0x2a, anyValue))));
}
