import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeResponse, encodeStatus, isDecodeError } from '../../../receivers/otlp/codec';
import { payloadFormatOf } from '../../../receivers/otlp/http-server';
import { parseContentEncoding } from '../../../receivers/otlp/request-body';
import { BearerTokenCheck } from '../../../receivers/otlp/bearer-auth';
import { decodeProtobufStatus } from '../../../src/otlp/codec';
import { readFields } from './helpers/protobuf';

describe('the receiver side of the codec', () => {
  it('encodes partial_success into both response formats (the hook for rejected items)', () => {
    const partial = { rejectedItems: 3, errorMessage: 'spans without a name were dropped' };
    expect(JSON.parse(encodeResponse('json', 'traces', partial).toString('utf8'))).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: 'spans without a name were dropped' },
    });
    expect(JSON.parse(encodeResponse('json', 'metrics', partial).toString('utf8'))).toMatchObject({ partialSuccess: { rejectedDataPoints: '3' } });
    expect(JSON.parse(encodeResponse('json', 'logs', partial).toString('utf8'))).toMatchObject({ partialSuccess: { rejectedLogRecords: '3' } });
    // ExportTraceServiceResponse { partial_success = 1 { rejected_spans = 1; error_message = 2 } }
    const proto = readFields(encodeResponse('protobuf', 'traces', partial));
    const inner = readFields(proto.get(1)?.[0] as Buffer);
    expect(inner.get(1)).toEqual([3n]);
    expect((inner.get(2)?.[0] as Buffer).toString('utf8')).toBe('spans without a name were dropped');
    expect(encodeResponse('protobuf', 'traces').length).toBe(0);
    expect(encodeResponse('json', 'traces').toString('utf8')).toBe('{}');
  });

  it('encodes google.rpc.Status with an optional RetryInfo', () => {
    expect(JSON.parse(encodeStatus('json', 3, 'bad').toString('utf8'))).toEqual({ code: 3, message: 'bad' });
    expect(decodeProtobufStatus(encodeStatus('protobuf', 14, 'full', 2_000))).toMatchObject({ code: 14, message: 'full', retryDelayMs: 2_000 });
  });

  it('classifies decoding errors', () => {
    let error: unknown;
    try {
      decodeRequest('json', 'traces', Buffer.from('{'));
    } catch (caught) {
      error = caught;
    }
    expect(isDecodeError(error)).toBe(true);
    expect(isDecodeError(new Error('x'))).toBe(false);
  });

  it.each([
    ['application/x-protobuf', 'protobuf'],
    ['Application/X-Protobuf', 'protobuf'],
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    [' application/json ;charset=UTF-8', 'json'],
    ['application/protobuf', undefined],
    ['text/json', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('content type %j → %s', (header, format) => {
    expect(payloadFormatOf(header)).toBe(format);
  });

  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['identity', 'identity'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['br', undefined],
    ['gzip, gzip', undefined],
    ['zstd', undefined],
  ])('content encoding %j → %s', (header, encoding) => {
    expect(parseContentEncoding(header)).toBe(encoding);
  });

  it('checks bearer tokens', () => {
    const check = new BearerTokenCheck('abc');
    expect(check.accepts('Bearer abc')).toBe(true);
    expect(check.accepts('bearer   abc ')).toBe(true);
    expect(check.accepts('Bearer abcd')).toBe(false);
    expect(check.accepts('Bearer ')).toBe(false);
    expect(check.accepts('Bearer abc def')).toBe(false);
    expect(check.accepts('abc')).toBe(false);
    expect(check.accepts(undefined)).toBe(false);
  });
});
