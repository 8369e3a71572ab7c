import { describe, expect, it } from 'vitest';
import { decodeJsonRequest, decodeProtobufRequest, encodeJsonRequest, encodeProtobufRequest, toHex } from '../../src/otlp/codec';
import type { AnyValue, KeyValue } from '../../src/otlp/model/common';
import { SeverityNumber } from '../../src/otlp/model/logs';
import type { LogRecord } from '../../src/otlp/model/logs';
import type { Recommendation } from '../../src/recommend/recommendation';
import { recommendationKindOf } from '../../src/recommend/recommendation-catalog';
import {
  RECOMMENDATION_EVENT_NAME,
  RECOMMENDATION_SCOPE,
  recommendationBody,
  recommendationLogRecord,
  recommendationLogsRequest,
} from '../../src/recommend/recommendation-log-record';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import { otlpType } from '../helpers/protobufjs-otlp';

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const ITEMS = 'SELECT * FROM order_items WHERE order_id = ?';

function recommendation(over: Partial<Recommendation> = {}): Recommendation {
  const kind = recommendationKindOf(over.type ?? 'n_plus_one_db');
  const evidence = over.evidence ?? { count: 6, statement: ITEMS, totalMs: 60.5, exampleSpanIds: ['b000000000000001', 'b000000000000002'] };
  return {
    id: '40a78d4c835aa0ab',
    type: kind.type,
    title: kind.title(over.operation ?? 'GET /orders', evidence),
    advice: kind.advice,
    service: 'shop',
    operation: 'GET /orders',
    severity: 'high',
    evidence,
    exampleTraceIds: [TRACE, '0af7651916cd43dd8448eb211c80319c'],
    impact: { perRequestMs: 50.4, latencyShare: 0.625, affectedShare: 0.6 },
    effort: kind.effort,
    risk: kind.risk,
    priority: 90,
    occurrences: 3,
    firstSeenMs: T0,
    lastSeenMs: T0 + 5000,
    status: 'open',
    ...over,
  };
}

const change = (kind: RecommendationChange['kind'], over: Partial<Recommendation> = {}): RecommendationChange => ({ kind, recommendation: recommendation(over) });

function attribute(record: LogRecord, key: string): AnyValue | undefined {
  return record.attributes?.find((a) => a.key === key)?.value;
}

function kvlist(value: AnyValue | undefined): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = {};
  for (const entry of value?.kvlistValue?.values ?? []) out[entry.key ?? ''] = entry.value!;
  return out;
}

describe('recommendationLogRecord', () => {
  it('names the event in the eventName field and the event.name attribute', () => {
    const record = recommendationLogRecord(change('opened'), T0 + 6000);
    expect(RECOMMENDATION_EVENT_NAME).toBe('slowatch.recommendation');
    expect(record.eventName).toBe('slowatch.recommendation');
    expect(attribute(record, 'event.name')).toEqual({ stringValue: 'slowatch.recommendation' });
    expect(record.attributes![0]!.key).toBe('event.name');
  });

  it('carries the time in nanoseconds, and the fields as attributes', () => {
    const r = recommendation();
    const record = recommendationLogRecord({ kind: 'opened', recommendation: r }, T0 + 6000);
    expect(record.timeUnixNano).toBe(BigInt(T0 + 6000) * 1_000_000n);
    expect(record.observedTimeUnixNano).toBe(record.timeUnixNano);
    const s = (key: string): AnyValue | undefined => attribute(record, `slowatch.recommendation.${key}`);
    expect(s('change')).toEqual({ stringValue: 'opened' });
    expect(s('id')).toEqual({ stringValue: '40a78d4c835aa0ab' });
    expect(s('type')).toEqual({ stringValue: 'n_plus_one_db' });
    expect(s('title')).toEqual({ stringValue: r.title });
    expect(s('advice')).toEqual({ stringValue: r.advice });
    expect(s('service')).toEqual({ stringValue: 'shop' });
    expect(s('operation')).toEqual({ stringValue: 'GET /orders' });
    expect(s('severity')).toEqual({ stringValue: 'high' });
    expect(s('status')).toEqual({ stringValue: 'open' });
    expect(s('effort')).toEqual({ stringValue: 'medium' });
    expect(s('risk')).toEqual({ stringValue: 'low' });
    expect(s('priority')).toEqual({ doubleValue: 90 });
    expect(s('occurrences')).toEqual({ intValue: 3n });
    expect(s('first_seen')).toEqual({ stringValue: '2024-01-15T12:00:00.000Z' });
    expect(s('last_seen')).toEqual({ stringValue: '2024-01-15T12:00:05.000Z' });
    expect(s('impact.per_request_ms')).toEqual({ doubleValue: 50.4 });
    expect(s('impact.latency_share')).toEqual({ doubleValue: 0.625 });
    expect(s('impact.affected_share')).toEqual({ doubleValue: 0.6 });
    expect(s('example_trace_ids')).toEqual({ arrayValue: { values: [{ stringValue: TRACE }, { stringValue: '0af7651916cd43dd8448eb211c80319c' }] } });
    // Without an SLO, neither budget attribute; without a profile, no hot functions.
    expect(s('impact.error_budget_share')).toBeUndefined();
    expect(s('slo')).toBeUndefined();
    expect(s('hot_functions')).toBeUndefined();
    const keys = record.attributes!.map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives the evidence as a kvlist: integers as int, fractions as double, lists as arrays', () => {
    const record = recommendationLogRecord(change('opened', { evidence: { count: 6, statement: ITEMS, totalMs: 60.5, exampleSpanIds: ['a', 'b'], huge: 2 ** 70 } }), T0);
    const evidence = kvlist(attribute(record, 'slowatch.recommendation.evidence'));
    expect(evidence).toEqual({
      count: { intValue: 6n },
      statement: { stringValue: ITEMS },
      totalMs: { doubleValue: 60.5 },
      exampleSpanIds: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
      // Beyond int64: a double, never a wrapped integer.
      huge: { doubleValue: 2 ** 70 },
    });
    expect(attribute(record, 'slowatch.recommendation.evidence')!.kvlistValue!.values!.map((kv: KeyValue) => kv.key)).toEqual([
      'count',
      'statement',
      'totalMs',
      'exampleSpanIds',
      'huge',
    ]);
  });

  it('adds the SLO budget share and the SLO name when known', () => {
    const record = recommendationLogRecord(
      change('opened', { severity: 'critical', impact: { perRequestMs: 50, latencyShare: 0.5, affectedShare: 0.6, errorBudgetShare: 4, slo: 'orders-latency' } }),
      T0,
    );
    expect(attribute(record, 'slowatch.recommendation.impact.error_budget_share')).toEqual({ doubleValue: 4 });
    expect(attribute(record, 'slowatch.recommendation.slo')).toEqual({ stringValue: 'orders-latency' });
  });

  it('lists hot functions with their share when a profile is attached', () => {
    const record = recommendationLogRecord(
      change('opened', {
        type: 'event_loop_blocking',
        operation: '',
        evidence: { medianP99DelayMs: 300 },
        hotFunctions: [
          { function: 'renderPdf', file: '/app/report.js', line: 42, selfShare: 0.614, selfMs: 614 },
          { function: '(anonymous)', file: '', line: 0, selfShare: 0.1, selfMs: 100 },
        ],
      }),
      T0,
    );
    expect(attribute(record, 'slowatch.recommendation.hot_functions')).toEqual({
      arrayValue: { values: [{ stringValue: 'renderPdf (/app/report.js:42) 61%' }, { stringValue: '(anonymous) (:0) 10%' }] },
    });
  });

  it.each([
    ['opened', 'critical', SeverityNumber.SEVERITY_NUMBER_ERROR, 'ERROR'],
    ['escalated', 'critical', SeverityNumber.SEVERITY_NUMBER_ERROR, 'ERROR'],
    ['opened', 'high', SeverityNumber.SEVERITY_NUMBER_WARN, 'WARN'],
    ['reopened', 'high', SeverityNumber.SEVERITY_NUMBER_WARN, 'WARN'],
    ['opened', 'medium', SeverityNumber.SEVERITY_NUMBER_INFO, 'INFO'],
    ['opened', 'low', SeverityNumber.SEVERITY_NUMBER_INFO, 'INFO'],
    ['resolved', 'critical', SeverityNumber.SEVERITY_NUMBER_INFO, 'INFO'],
  ] as const)('%s %s maps to %i %s', (kind, severity, number, text) => {
    const record = recommendationLogRecord(change(kind, { severity }), T0);
    expect(record.severityNumber).toBe(number);
    expect(record.severityText).toBe(text);
  });

  it('links the first example trace as 16 bytes of trace id', () => {
    const record = recommendationLogRecord(change('opened'), T0);
    expect(record.traceId).toBeInstanceOf(Uint8Array);
    expect(record.traceId).toHaveLength(16);
    expect(toHex(record.traceId!)).toBe(TRACE);
    expect(record.spanId).toBeUndefined();
  });

  it('has no trace id without examples, or when the first one is not a 32-digit hex id', () => {
    expect(recommendationLogRecord(change('opened', { exampleTraceIds: [] }), T0).traceId).toBeUndefined();
    expect(recommendationLogRecord(change('opened', { exampleTraceIds: ['abcd'] }), T0).traceId).toBeUndefined();
    expect(recommendationLogRecord(change('opened', { exampleTraceIds: ['not hex at all, not hex at all!!'] }), T0).traceId).toBeUndefined();
  });
});

describe('recommendationBody', () => {
  it('states the change, severity, title, service, impact and advice', () => {
    const r = recommendation({ impact: { perRequestMs: 50.4, latencyShare: 0.5, affectedShare: 0.6, errorBudgetShare: 4, slo: 'orders-latency' } });
    expect(recommendationBody('opened', r)).toBe(
      `Opened [high] ${r.title} (shop). Fixing it saves about 50 ms per affected request (60 % of GET /orders requests); it consumes 400 % of SLO orders-latency's error budget. ${r.advice}`,
    );
  });

  it('names each change', () => {
    const r = recommendation();
    expect(recommendationBody('resolved', r).startsWith('Resolved [high] ')).toBe(true);
    expect(recommendationBody('reopened', r).startsWith('Reopened [high] ')).toBe(true);
    expect(recommendationBody('escalated', r).startsWith('Escalated [high] ')).toBe(true);
  });

  it('leaves out the affected share when unknown, and the impact sentence for runtime findings', () => {
    const r = recommendation({ impact: { perRequestMs: 12, latencyShare: 0.1, affectedShare: 0 } });
    expect(recommendationBody('opened', r)).toBe(`Opened [high] ${r.title} (shop). Fixing it saves about 12 ms per affected request. ${r.advice}`);
    const runtime = recommendation({ type: 'gc_pressure', operation: '', severity: 'medium', evidence: { gcTimeShare: 0.2 }, impact: { perRequestMs: 0, latencyShare: 0, affectedShare: 0 } });
    expect(recommendationBody('opened', runtime)).toBe(`Opened [medium] Garbage collection takes 20 % of wall time (shop). ${runtime.advice}`);
  });

  it('says "the requests" for a service-wide finding with an affected share', () => {
    const r = recommendation({ type: 'event_loop_blocking', operation: '', evidence: { medianP99DelayMs: 300 }, impact: { perRequestMs: 300, latencyShare: 0, affectedShare: 0.01 } });
    expect(recommendationBody('opened', r)).toContain('(1 % of the requests)');
  });

  it('is the log record body', () => {
    const c = change('escalated');
    expect(recommendationLogRecord(c, T0).body).toEqual({ stringValue: recommendationBody('escalated', c.recommendation) });
  });
});

describe('recommendationLogsRequest', () => {
  const changes: RecommendationChange[] = [
    change('opened'),
    change('resolved', { id: '1111111111111111', service: 'billing', operation: 'POST /pay', status: 'resolved', resolvedAtMs: T0 + 9000 }),
    change('escalated', { id: '2222222222222222', severity: 'critical' }),
  ];

  it('groups the records by service, one ResourceLogs each, in first-seen order, under the slowatch scope', () => {
    const request = recommendationLogsRequest(changes, T0 + 10_000, '1.2.3');
    expect(request.resourceLogs).toHaveLength(2);
    const [shop, billing] = request.resourceLogs!;
    expect(shop!.resource!.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'shop' } }]);
    expect(billing!.resource!.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'billing' } }]);
    for (const rl of request.resourceLogs!) {
      expect(rl.scopeLogs).toHaveLength(1);
      expect(rl.scopeLogs![0]!.scope).toEqual({ name: RECOMMENDATION_SCOPE, version: '1.2.3' });
    }
    expect(RECOMMENDATION_SCOPE).toBe('slowatch.recommend');
    const ids = (i: number): unknown[] => request.resourceLogs![i]!.scopeLogs![0]!.logRecords!.map((r) => attribute(r, 'slowatch.recommendation.id')?.stringValue);
    expect(ids(0)).toEqual(['40a78d4c835aa0ab', '2222222222222222']);
    expect(ids(1)).toEqual(['1111111111111111']);
    expect(request.resourceLogs![0]!.scopeLogs![0]!.logRecords![1]).toEqual(recommendationLogRecord(changes[2]!, T0 + 10_000));
  });

  it('is empty for no changes', () => {
    expect(recommendationLogsRequest([], T0, '1.0.0')).toEqual({ resourceLogs: [] });
  });

  it('survives a round trip through the OTLP protobuf codec unchanged (valid OTLP)', () => {
    const request = recommendationLogsRequest(changes, T0 + 10_000, '1.2.3');
    const bytes = encodeProtobufRequest('logs', request);
    expect(bytes.length).toBeGreaterThan(500);
    expect(decodeProtobufRequest('logs', bytes)).toEqual(request);
  });

  it('survives a round trip through OTLP/JSON unchanged', () => {
    const request = recommendationLogsRequest(changes, T0 + 10_000, '1.2.3');
    expect(decodeJsonRequest('logs', encodeJsonRequest('logs', request))).toEqual(request);
  });

  it('decodes with an independent protobuf codec to the same records', () => {
    const request = recommendationLogsRequest(changes, T0 + 10_000, '1.2.3');
    const type = otlpType('ExportLogsServiceRequest');
    const decoded = type.toObject(type.decode(encodeProtobufRequest('logs', request)), { longs: String, bytes: String, defaults: false }) as {
      resourceLogs: {
        resource: { attributes: { key: string; value: { stringValue: string } }[] };
        scopeLogs: { scope: { name: string; version: string }; logRecords: Record<string, unknown>[] }[];
      }[];
    };
    expect(decoded.resourceLogs.map((rl) => rl.resource.attributes[0]!.value.stringValue)).toEqual(['shop', 'billing']);
    const first = decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(first['eventName']).toBe('slowatch.recommendation');
    expect(first['severityNumber']).toBe(SeverityNumber.SEVERITY_NUMBER_WARN);
    expect(first['timeUnixNano']).toBe(String(BigInt(T0 + 10_000) * 1_000_000n));
    expect(Buffer.from(first['traceId'] as string, 'base64').toString('hex')).toBe(TRACE);
    const attributes = first['attributes'] as { key: string; value: Record<string, unknown> }[];
    const evidence = attributes.find((a) => a.key === 'slowatch.recommendation.evidence')!.value;
    expect(evidence).toEqual({
      kvlistValue: {
        values: [
          { key: 'count', value: { intValue: '6' } },
          { key: 'statement', value: { stringValue: ITEMS } },
          { key: 'totalMs', value: { doubleValue: 60.5 } },
          { key: 'exampleSpanIds', value: { arrayValue: { values: [{ stringValue: 'b000000000000001' }, { stringValue: 'b000000000000002' }] } } },
        ],
      },
    });
  });
});
