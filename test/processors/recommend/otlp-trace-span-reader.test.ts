import { describe, expect, it } from 'vitest';
import { forEachTraceSpan } from '../../../processors/recommend/otlp-trace-span-reader';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { TraceSpan } from '../../../src/recommend/trace-span';
import { hexOf, idBytes, nPlusOneTrace, T0, traceRequest } from './otlp-helpers';

function read(request: ExportTraceServiceRequest): TraceSpan[] {
  const spans: TraceSpan[] = [];
  forEachTraceSpan(request, (span) => spans.push(span));
  return spans;
}

describe('forEachTraceSpan', () => {
  it('turns OTLP spans into TraceSpans: hex ids, parent ids, service, OTLP kinds, milliseconds, the analyzers\' attributes only', () => {
    const spans = read(traceRequest('shop', nPlusOneTrace({ trace: 7, startMs: T0, queries: 6 })));
    expect(spans).toHaveLength(7);
    const rootId = hexOf(idBytes(700, 8));
    expect(spans[0]).toEqual({
      traceId: '00000000000000000000000000000007',
      spanId: rootId,
      parentSpanId: '',
      service: 'shop',
      name: 'GET /orders/:id',
      kind: 2,
      startTimeMs: T0,
      endTimeMs: T0 + 62,
      statusCode: 0,
      // user.id is not read by any analyzer: left behind.
      attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200 },
    });
    expect(spans[1]).toEqual({
      traceId: '00000000000000000000000000000007',
      spanId: hexOf(idBytes(701, 8)),
      parentSpanId: rootId,
      service: 'shop',
      name: 'SELECT shop.items',
      kind: 3,
      startTimeMs: T0 + 1,
      endTimeMs: T0 + 11,
      statusCode: 0,
      attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM items WHERE id = 1000' },
    });
  });

  it('keeps whole microseconds of the nanosecond timestamps, exactly', () => {
    const [span] = nPlusOneTrace({ trace: 1, startMs: T0, queries: 0 });
    span!.startTimeUnixNano = BigInt(T0) * 1_000_000n + 123_456_789n;
    span!.endTimeUnixNano = BigInt(T0) * 1_000_000n + 123_999_999n;
    const [read1] = read(traceRequest('shop', [span!]));
    expect(read1!.startTimeMs).toBe((T0 * 1000 + 123_456) / 1000);
    expect(read1!.endTimeMs).toBe((T0 * 1000 + 123_999) / 1000);
  });

  it('reads service.name once per resource, status codes, missing fields as zero values, and skips spans without a trace id', () => {
    const request: ExportTraceServiceRequest = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
          scopeSpans: [{ spans: [{ traceId: idBytes(1, 16), spanId: idBytes(2, 8), parentSpanId: new Uint8Array(0), status: { code: 2 } }, { spanId: idBytes(3, 8) }] }],
        },
        { scopeSpans: [{ spans: [{ traceId: idBytes(4, 16), traceState: 'x', attributes: [{ key: 'db.system' }] }] }, {}] },
        {},
      ],
    };
    expect(read(request)).toEqual([
      {
        traceId: hexOf(idBytes(1, 16)),
        spanId: hexOf(idBytes(2, 8)),
        parentSpanId: '',
        service: 'billing',
        name: '',
        kind: 0,
        startTimeMs: 0,
        endTimeMs: 0,
        statusCode: 2,
        attributes: {},
      },
      {
        traceId: hexOf(idBytes(4, 16)),
        spanId: '',
        parentSpanId: '',
        service: '',
        name: '',
        kind: 0,
        startTimeMs: 0,
        endTimeMs: 0,
        statusCode: 0,
        attributes: { 'db.system': undefined },
      },
    ]);
    expect(read({})).toEqual([]);
  });
});
