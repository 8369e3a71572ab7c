/**
 * The rest of the codec's API: export responses, google.rpc.Status,
 * countItems and the attribute helpers.
 */
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import {
  anyValueToJs,
  attributesToRecord,
  countItems,
  decodeJsonResponse,
  decodeJsonStatus,
  decodeProtobufResponse,
  decodeProtobufStatus,
  encodeJsonResponse,
  encodeJsonStatus,
  encodeProtobufResponse,
  encodeProtobufStatus,
  OtlpDecodeError,
} from '../../src/otlp';
import * as codecIndex from '../../src/otlp/codec';
import { richLogs, richMetrics, richTraces } from './rich-models';

const sdkSerializers = {
  traces: { pb: ProtobufTraceSerializer, json: JsonTraceSerializer, field: 'rejectedSpans' },
  metrics: { pb: ProtobufMetricsSerializer, json: JsonMetricsSerializer, field: 'rejectedDataPoints' },
  logs: { pb: ProtobufLogsSerializer, json: JsonLogsSerializer, field: 'rejectedLogRecords' },
} as const;

describe.each(['traces', 'metrics', 'logs'] as const)('%s export responses', (signal) => {
  const { pb, json, field } = sdkSerializers[signal];

  it('full success is an empty message', () => {
    expect(encodeProtobufResponse(signal)).toEqual(new Uint8Array(0));
    expect(encodeJsonResponse(signal)).toBe('{}');
    expect(decodeProtobufResponse(signal, new Uint8Array(0))).toEqual({ rejected: 0, errorMessage: '' });
    expect(decodeJsonResponse(signal, '')).toEqual({ rejected: 0, errorMessage: '' });
    expect(decodeJsonResponse(signal, '{}')).toEqual({ rejected: 0, errorMessage: '' });
  });

  it("partial success, read back by the SDK's own response deserializers", () => {
    const partial = { rejected: 3, errorMessage: 'three items over the limit' };
    const bytes = encodeProtobufResponse(signal, partial);
    const sdkPb = pb.deserializeResponse(bytes) as { partialSuccess?: Record<string, unknown> };
    expect(Number(sdkPb.partialSuccess?.[field])).toBe(3);
    expect(sdkPb.partialSuccess?.errorMessage).toBe(partial.errorMessage);
    const text = encodeJsonResponse(signal, partial);
    expect(JSON.parse(text)).toEqual({ partialSuccess: { [field]: '3', errorMessage: partial.errorMessage } });
    const sdkJson = json.deserializeResponse(new TextEncoder().encode(text)) as { partialSuccess?: Record<string, unknown> };
    expect(Number(sdkJson.partialSuccess?.[field])).toBe(3);
    expect(decodeProtobufResponse(signal, bytes)).toEqual(partial);
    expect(decodeJsonResponse(signal, text)).toEqual(partial);
    expect(decodeJsonResponse(signal, new TextEncoder().encode(text))).toEqual(partial);
  });

  it('a warning: nothing rejected, a message', () => {
    const partial = { rejected: 0, errorMessage: 'deprecated attribute seen' };
    expect(JSON.parse(encodeJsonResponse(signal, partial))).toEqual({ partialSuccess: { errorMessage: partial.errorMessage } });
    expect(decodeProtobufResponse(signal, encodeProtobufResponse(signal, partial))).toEqual(partial);
  });

  it('reads a response with the count given as a JSON number and in snake_case', () => {
    const snake = { traces: 'rejected_spans', metrics: 'rejected_data_points', logs: 'rejected_log_records' }[signal];
    expect(decodeJsonResponse(signal, `{"partial_success":{"${snake}":7,"error_message":"x"}}`)).toEqual({ rejected: 7, errorMessage: 'x' });
  });

  it('rejects malformed responses with OtlpDecodeError', () => {
    expect(() => decodeProtobufResponse(signal, Uint8Array.from([0x0a, 0x05]))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonResponse(signal, '{"partialSuccess": 5}')).toThrow('partialSuccess: expected an object, got the number 5');
  });
});

/** google.rpc.Status and RetryInfo, written here from google/rpc/status.proto, error_details.proto, protobuf/duration.proto and any.proto. */
const rpc = protobuf.Root.fromJSON({
  nested: {
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
    Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  },
});
const StatusType = rpc.lookupType('Status');
const RetryInfoType = rpc.lookupType('RetryInfo');

describe('google.rpc.Status', () => {
  it('protobuf: read by an independent decoder, and back', () => {
    const bytes = encodeProtobufStatus(3, 'invalid request: résumé');
    expect(StatusType.toObject(StatusType.decode(bytes))).toEqual({ code: 3, message: 'invalid request: résumé' });
    expect(decodeProtobufStatus(bytes)).toEqual({ code: 3, message: 'invalid request: résumé' });
  });

  it('protobuf: with a RetryInfo detail for throttling', () => {
    const bytes = encodeProtobufStatus(8, 'slow down', 2500);
    const status = StatusType.toObject(StatusType.decode(bytes), { longs: String }) as { details: { typeUrl: string; value: Uint8Array }[] };
    expect(status.details).toHaveLength(1);
    expect(status.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(RetryInfoType.toObject(RetryInfoType.decode(status.details[0]!.value), { longs: String })).toEqual({ retryDelay: { seconds: '2', nanos: 500_000_000 } });
    const decoded = decodeProtobufStatus(bytes);
    expect(decoded.code).toBe(8);
    expect(decoded.message).toBe('slow down');
    expect(decoded.retryDelayMs).toBe(2500);
    expect(decoded.details?.[0]?.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
  });

  it('protobuf: a status written by an independent encoder, negative code, unknown detail type', () => {
    const bytes = StatusType.encode(
      StatusType.fromObject({ code: -1, message: 'm', details: [{ typeUrl: 'type.googleapis.com/x.Y', value: Uint8Array.from([1, 2]) }] }),
    ).finish();
    const decoded = decodeProtobufStatus(bytes);
    expect(decoded).toMatchObject({ code: -1, message: 'm' });
    expect(decoded.retryDelayMs).toBeUndefined();
  });

  it('an empty body is code 0', () => {
    expect(decodeProtobufStatus(new Uint8Array(0))).toEqual({ code: 0, message: '' });
  });

  it('JSON', () => {
    expect(JSON.parse(encodeJsonStatus(3, 'bad "input"'))).toEqual({ code: 3, message: 'bad "input"' });
    expect(decodeJsonStatus(encodeJsonStatus(3, 'bad "input"'))).toEqual({ code: 3, message: 'bad "input"' });
    const throttled = encodeJsonStatus(14, 'unavailable', 1500);
    expect(JSON.parse(throttled)).toEqual({
      code: 14,
      message: 'unavailable',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }],
    });
    const decoded = decodeJsonStatus(throttled);
    expect(decoded).toMatchObject({ code: 14, message: 'unavailable', retryDelayMs: 1500 });
    expect(decoded.details).toEqual([{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo' }]);
    expect(decodeJsonStatus('{"code":5}')).toEqual({ code: 5, message: '' });
    expect(() => decodeJsonStatus('not json')).toThrow(OtlpDecodeError);
  });
});

describe('countItems', () => {
  it('counts spans, data points of every metric type, log records', () => {
    expect(countItems('traces', richTraces)).toBe(4);
    // gauge 4 + sum 1 + sum 1 + histogram 2 + exponential 2 + summary 1 + none 0
    expect(countItems('metrics', richMetrics)).toBe(11);
    expect(countItems('logs', richLogs)).toBe(4);
    expect(countItems('traces', {})).toBe(0);
    expect(countItems('metrics', { resourceMetrics: [{}, { scopeMetrics: [{}] }] })).toBe(0);
  });

  it('rejects an unknown signal', () => {
    expect(() => countItems('profiles' as 'traces', {})).toThrow(TypeError);
  });
});

describe('attribute helpers', () => {
  it('attributesToRecord gives plain values of every type', () => {
    const record = attributesToRecord([
      { key: 's', value: { stringValue: 'x' } },
      { key: 'i', value: { intValue: 42n } },
      { key: 'neg', value: { intValue: -7n } },
      { key: 'huge', value: { intValue: 9007199254740993n } },
      { key: 'd', value: { doubleValue: 1.5 } },
      { key: 'b', value: { boolValue: false } },
      { key: 'bytes', value: { bytesValue: Uint8Array.from([1, 2]) } },
      { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1n }, {}] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { boolValue: true } }] } } },
      { key: 'empty', value: {} },
      { key: 'none' },
      { key: 'dup', value: { stringValue: 'first' } },
      { key: 'dup', value: { stringValue: 'last' } },
    ]);
    expect(record).toEqual({
      s: 'x',
      i: 42,
      neg: -7,
      huge: '9007199254740993',
      d: 1.5,
      b: false,
      bytes: Uint8Array.from([1, 2]),
      arr: ['a', 1, undefined],
      map: { inner: true },
      empty: undefined,
      none: undefined,
      dup: 'last',
    });
    expect(attributesToRecord(undefined)).toEqual({});
  });

  it('a "__proto__" key is an ordinary key, not a prototype', () => {
    const record = attributesToRecord([{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }]);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('anyValueToJs', () => {
    expect(anyValueToJs({ stringValue: '' })).toBe('');
    expect(anyValueToJs(undefined)).toBeUndefined();
    expect(anyValueToJs({ doubleValue: 0 })).toBe(0);
  });
});

describe('module layout', () => {
  it('src/otlp/codec exports the codec API', () => {
    for (const name of [
      'decodeProtobufRequest',
      'decodeJsonRequest',
      'encodeProtobufRequest',
      'encodeJsonRequest',
      'countItems',
      'encodeProtobufResponse',
      'encodeJsonResponse',
      'decodeProtobufResponse',
      'decodeJsonResponse',
      'encodeProtobufStatus',
      'encodeJsonStatus',
      'decodeProtobufStatus',
      'decodeJsonStatus',
      'OtlpDecodeError',
      'attributesToRecord',
      'anyValueToJs',
    ]) {
      expect(typeof (codecIndex as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
